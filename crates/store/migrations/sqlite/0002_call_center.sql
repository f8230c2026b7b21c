-- Call queue settings, agent membership details and agent availability.
ALTER TABLE call_queues ADD COLUMN ring_strategy TEXT NOT NULL DEFAULT 'ring_all';
ALTER TABLE call_queues ADD COLUMN max_wait_seconds BIGINT NOT NULL DEFAULT 300;
ALTER TABLE call_queues ADD COLUMN max_callers BIGINT NOT NULL DEFAULT 20;
ALTER TABLE call_queues ADD COLUMN wrap_up_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE call_queues ADD COLUMN overflow_kind TEXT NOT NULL DEFAULT 'hang_up';
ALTER TABLE call_queues ADD COLUMN overflow_target TEXT;
CREATE INDEX call_queues_by_site ON call_queues (domain_id, site_id, id);

ALTER TABLE queue_agents ADD COLUMN priority BIGINT NOT NULL DEFAULT 1;
ALTER TABLE queue_agents ADD COLUMN wrap_up_seconds BIGINT;
ALTER TABLE queue_agents ADD COLUMN logged_in BIGINT NOT NULL DEFAULT 1;

-- An agent's availability across its queues (per-queue log-in is queue_agents.logged_in).
CREATE TABLE agent_status (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    reason TEXT,
    changed_at BIGINT NOT NULL
);
