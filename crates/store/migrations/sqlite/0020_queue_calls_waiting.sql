-- Callers waiting in a queue now, as the switches report them (FreeSWITCH's member-queue-start,
-- Asterisk's QueueCallerJoin, a Kamailio call in a queue's stages): one row per call until it
-- is answered, leaves the queue or ends. Kept here so every instance's wallboards agree.
CREATE TABLE queue_calls_waiting (
    call_id TEXT PRIMARY KEY,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    queue_id BIGINT NOT NULL REFERENCES call_queues(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL
);
CREATE INDEX queue_calls_waiting_by_queue ON queue_calls_waiting (queue_id, joined_at);
