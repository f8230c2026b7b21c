-- Trial: `calls_by_party_set` keyed by an integer standing in for a party-set id (a hash of
-- the set, computed by the server as each row arrives) instead of the two id lists as text.
DROP INDEX calls_by_party_set;
ALTER TABLE calls ADD COLUMN party_set BIGINT
    GENERATED ALWAYS AS (hashtextextended(user_ids || '|' || site_ids, COALESCE(queue_id, 0))) STORED;
CREATE INDEX calls_by_party_set ON calls (domain_id, party_set, started_at, id, direction, disposition);
