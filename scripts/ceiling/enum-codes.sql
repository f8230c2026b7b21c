-- Trial, not the product's schema: direction and disposition as PostgreSQL enums (4 bytes
-- each) instead of text, in `calls` and both party tables. The partial indexes that compare
-- disposition with a text literal are dropped and made again around the change.
CREATE TYPE call_direction AS ENUM ('inbound', 'outbound', 'internal');
CREATE TYPE call_disposition AS ENUM ('answered', 'missed', 'abandoned', 'voicemail', 'busy', 'failed');
DROP INDEX calls_answered_by_wait, calls_unanswered_by_queue, call_users_unanswered, call_sites_unanswered;
ALTER TABLE calls
    ALTER COLUMN direction TYPE call_direction USING direction::call_direction,
    ALTER COLUMN disposition TYPE call_disposition USING disposition::call_disposition;
ALTER TABLE call_users
    ALTER COLUMN direction DROP DEFAULT, ALTER COLUMN disposition DROP DEFAULT,
    ALTER COLUMN direction TYPE call_direction USING direction::call_direction,
    ALTER COLUMN disposition TYPE call_disposition USING disposition::call_disposition;
ALTER TABLE call_sites
    ALTER COLUMN direction DROP DEFAULT, ALTER COLUMN disposition DROP DEFAULT,
    ALTER COLUMN direction TYPE call_direction USING direction::call_direction,
    ALTER COLUMN disposition TYPE call_disposition USING disposition::call_disposition;
CREATE INDEX calls_answered_by_wait ON calls (domain_id, wait_seconds, started_at, queue_id, agent_user_id, disposition)
    WHERE queue_id IS NOT NULL AND disposition = 'answered';
CREATE INDEX calls_unanswered_by_queue ON calls (domain_id, queue_id, disposition, started_at, id)
    WHERE queue_id IS NOT NULL AND disposition <> 'answered';
CREATE INDEX call_users_unanswered ON call_users (domain_id, user_id, disposition, started_at, call_pk)
    WHERE disposition <> 'answered';
CREATE INDEX call_sites_unanswered ON call_sites (domain_id, site_id, disposition, started_at, call_pk)
    WHERE disposition <> 'answered';
