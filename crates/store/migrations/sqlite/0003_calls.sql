-- Call records. `call_id` is the switch's own id: ingestion is idempotent by (domain, call_id).
CREATE TABLE calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    queue_id BIGINT,
    agent_user_id BIGINT,
    started_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT NOT NULL,
    wait_seconds BIGINT NOT NULL,
    talk_seconds BIGINT NOT NULL,
    disposition TEXT NOT NULL,
    UNIQUE (domain_id, call_id)
);
CREATE INDEX calls_by_domain_time ON calls (domain_id, started_at, id);
CREATE INDEX calls_by_queue_time ON calls (domain_id, queue_id, started_at, id);

-- The users a call touched, and the sites of the users and queues it touched: the call belongs
-- to each of them for scoped call history.
CREATE TABLE call_users (
    call_pk BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (call_pk, user_id)
);
CREATE INDEX call_users_by_user_time ON call_users (domain_id, user_id, started_at, call_pk);

CREATE TABLE call_sites (
    call_pk BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (call_pk, site_id)
);
CREATE INDEX call_sites_by_site_time ON call_sites (domain_id, site_id, started_at, call_pk);
