-- A call's party set is what its row keeps of its parties: `user_ids`, `site_ids`, `queue_id`.
-- `calls_by_party_set` keeps each set's calls in time order, and `call_party_sets` says which
-- sets each party is in (`queue_id` 0 for none). The calls two parties share are the union of
-- the few sets that hold both: a count or a page of a narrow reach (a site, a user, a
-- supervisor's queues and agents) filtered by a party outside it (an agent, a queue) reads
-- exactly those calls, where it read the whole reach and checked the other party on each call
-- (1.4 s for a basic user filtering by an agent at ten million calls).
-- Parties are numbered as in `crates/store/src/call_parties.rs`: a user id * 4 + 1, a site
-- id * 4 + 2, a queue id * 4 + 3. No reference to `domains`, as for the party tables on
-- PostgreSQL (migration 0021): nothing deletes a domain.
CREATE TABLE call_party_sets (
    domain_id BIGINT NOT NULL,
    party BIGINT NOT NULL,
    user_ids TEXT NOT NULL,
    site_ids TEXT NOT NULL,
    queue_id BIGINT NOT NULL,
    PRIMARY KEY (domain_id, party, user_ids, site_ids, queue_id)
);

CREATE INDEX calls_by_party_set ON calls (domain_id, user_ids, site_ids, queue_id, started_at, id, direction, disposition);

INSERT INTO call_party_sets (domain_id, party, user_ids, site_ids, queue_id)
SELECT DISTINCT c.domain_id, u.user_id * 4 + 1, c.user_ids, c.site_ids, COALESCE(c.queue_id, 0)
    FROM call_users u JOIN calls c ON c.id = u.call_pk
UNION
SELECT DISTINCT c.domain_id, s.site_id * 4 + 2, c.user_ids, c.site_ids, COALESCE(c.queue_id, 0)
    FROM call_sites s JOIN calls c ON c.id = s.call_pk
UNION
SELECT DISTINCT domain_id, queue_id * 4 + 3, user_ids, site_ids, queue_id
    FROM calls WHERE queue_id IS NOT NULL;
