-- Work that must run once even when several instances start at once (loading the demo): a
-- named lock with its holder and the end of its lease.
CREATE TABLE installation_locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until BIGINT NOT NULL
);
