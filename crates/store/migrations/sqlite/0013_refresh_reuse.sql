-- A session's refresh token before its last rotation: presented again, it was used twice, so
-- someone else may hold it, and every session of that user ends.
ALTER TABLE sessions ADD COLUMN previous_refresh_hash TEXT;
CREATE INDEX sessions_by_previous_refresh ON sessions (previous_refresh_hash);
