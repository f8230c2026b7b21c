-- Call history's common filters, direction and disposition, are kept where its walks read: on
-- the party rows, and at the end of the domain's and the queues' time indexes. A count or a page
-- filtered by them then reads only its indexes (no call row per candidate): a count of abandoned
-- calls read ten call rows for every one it counted before this.
ALTER TABLE call_users ADD COLUMN direction TEXT NOT NULL DEFAULT '';
ALTER TABLE call_users ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
UPDATE call_users SET
    direction = (SELECT c.direction FROM calls c WHERE c.id = call_users.call_pk),
    disposition = (SELECT c.disposition FROM calls c WHERE c.id = call_users.call_pk);

ALTER TABLE call_sites ADD COLUMN direction TEXT NOT NULL DEFAULT '';
ALTER TABLE call_sites ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
UPDATE call_sites SET
    direction = (SELECT c.direction FROM calls c WHERE c.id = call_sites.call_pk),
    disposition = (SELECT c.disposition FROM calls c WHERE c.id = call_sites.call_pk);

-- A party's (and a queue's) calls that were not answered (a fifth or so), by outcome: a count or a page of one
-- user's abandoned or missed calls walks only those, where the party's time order would read
-- through all its answered calls first (an agent has no abandoned calls at all, and the walk
-- read its whole history to find that). Statements name the index's condition to use it.
CREATE INDEX call_users_unanswered ON call_users (domain_id, user_id, disposition, started_at, call_pk)
    WHERE disposition <> 'answered';
CREATE INDEX call_sites_unanswered ON call_sites (domain_id, site_id, disposition, started_at, call_pk)
    WHERE disposition <> 'answered';
CREATE INDEX calls_unanswered_by_queue ON calls (domain_id, queue_id, disposition, started_at, id)
    WHERE queue_id IS NOT NULL AND disposition <> 'answered';

DROP INDEX calls_by_domain_time;
CREATE INDEX calls_by_domain_time ON calls (domain_id, started_at, id, direction, disposition);

DROP INDEX calls_by_queue_time;
CREATE INDEX calls_by_queue_time ON calls (domain_id, queue_id, started_at, id, direction, disposition)
    WHERE queue_id IS NOT NULL;
