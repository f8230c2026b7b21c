-- Queue report sums per 15-minute UTC slot, queue and answering agent (0: none), kept up to date
-- by call ingestion: a 30-day report reads thousands of these rows instead of every queue call.
-- `within_N` counts the answered calls that waited at most N seconds: the service levels a report
-- can read from here (any other threshold is computed from the calls themselves).
CREATE TABLE queue_slot_stats (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    slot BIGINT NOT NULL,
    queue_id BIGINT NOT NULL,
    agent_user_id BIGINT NOT NULL,
    offered BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    abandoned BIGINT NOT NULL,
    timed_out BIGINT NOT NULL,
    answered_wait BIGINT NOT NULL,
    answered_talk BIGINT NOT NULL,
    longest_wait BIGINT NOT NULL,
    talk BIGINT NOT NULL,
    within_5 BIGINT NOT NULL,
    within_10 BIGINT NOT NULL,
    within_15 BIGINT NOT NULL,
    within_20 BIGINT NOT NULL,
    within_25 BIGINT NOT NULL,
    within_30 BIGINT NOT NULL,
    within_45 BIGINT NOT NULL,
    within_60 BIGINT NOT NULL,
    within_90 BIGINT NOT NULL,
    within_120 BIGINT NOT NULL,
    within_180 BIGINT NOT NULL,
    within_300 BIGINT NOT NULL,
    PRIMARY KEY (domain_id, slot, queue_id, agent_user_id)
);

-- The calls stored before this table existed.
INSERT INTO queue_slot_stats (domain_id, slot, queue_id, agent_user_id, offered, answered, abandoned,
    timed_out, answered_wait, answered_talk, longest_wait, talk, within_5, within_10, within_15, within_20, within_25, within_30, within_45, within_60, within_90, within_120, within_180, within_300)
SELECT domain_id, started_at / 900, queue_id, COALESCE(agent_user_id, 0), COUNT(*),
    SUM(CASE WHEN disposition = 'answered' THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'abandoned' THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition NOT IN ('answered', 'abandoned') THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' THEN wait_seconds ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' THEN talk_seconds ELSE 0 END),
    MAX(wait_seconds),
    SUM(talk_seconds),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 20 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 25 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 30 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 45 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 60 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 90 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 120 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 180 THEN 1 ELSE 0 END),
    SUM(CASE WHEN disposition = 'answered' AND wait_seconds <= 300 THEN 1 ELSE 0 END)
FROM calls
WHERE queue_id IS NOT NULL
GROUP BY domain_id, started_at / 900, queue_id, COALESCE(agent_user_id, 0);
