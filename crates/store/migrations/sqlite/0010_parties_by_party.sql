-- Fewer B-tree entries per stored call (a bulk import is mostly B-tree work, about ten entries a
-- call before this migration):
-- * a call's users and sites are kept on its row as well (`user_ids`, `site_ids`: ids joined by
--   commas), so a page reads them with its calls instead of looking them up call by call;
-- * so the party tables need no order by call any more: each is kept in one order only, the one
--   call history reads (domain, party, time, call), where each had a key by call and an index by
--   party; whether a call is a party's is a lookup of that whole key;
-- * only queue calls are read by queue: the queue index keeps only them.
ALTER TABLE calls ADD COLUMN user_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN site_ids TEXT NOT NULL DEFAULT '';
UPDATE calls SET
    user_ids = COALESCE((SELECT string_agg(CAST(user_id AS TEXT), ',' ORDER BY user_id)
        FROM call_users WHERE call_pk = calls.id), ''),
    site_ids = COALESCE((SELECT string_agg(CAST(site_id AS TEXT), ',' ORDER BY site_id)
        FROM call_sites WHERE call_pk = calls.id), '');

CREATE TABLE call_users_new (
    call_pk BIGINT NOT NULL,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    CONSTRAINT call_users_by_party PRIMARY KEY (domain_id, user_id, started_at, call_pk)
) WITHOUT ROWID;
INSERT INTO call_users_new (call_pk, domain_id, user_id, started_at)
    SELECT call_pk, domain_id, user_id, started_at FROM call_users;
DROP TABLE call_users;
ALTER TABLE call_users_new RENAME TO call_users;

CREATE TABLE call_sites_new (
    call_pk BIGINT NOT NULL,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    CONSTRAINT call_sites_by_party PRIMARY KEY (domain_id, site_id, started_at, call_pk)
) WITHOUT ROWID;
INSERT INTO call_sites_new (call_pk, domain_id, site_id, started_at)
    SELECT call_pk, domain_id, site_id, started_at FROM call_sites;
DROP TABLE call_sites;
ALTER TABLE call_sites_new RENAME TO call_sites;

DROP INDEX calls_by_queue_time;
CREATE INDEX calls_by_queue_time ON calls (domain_id, queue_id, started_at, id)
    WHERE queue_id IS NOT NULL;
