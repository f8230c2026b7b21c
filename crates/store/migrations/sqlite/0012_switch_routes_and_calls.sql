-- Where a domain's calls leave (a carrier's gateway) and are served (a media server): a domain's
-- own, else its reseller's, else the installation's (switch_gateway, switch_media_server).
ALTER TABLE resellers ADD COLUMN gateway TEXT;
ALTER TABLE resellers ADD COLUMN media_server TEXT;
ALTER TABLE domains ADD COLUMN gateway TEXT;
ALTER TABLE domains ADD COLUMN media_server TEXT;

-- What the switch connectors remember between the questions of one call, kept in the database
-- so that any instance answers alike: calls offered to each round-robin queue (the next call
-- starts one agent further), and the plan each call in progress was given (its later stages
-- and its record are read from it).
CREATE TABLE queue_turns (
    queue_id BIGINT PRIMARY KEY REFERENCES call_queues(id) ON DELETE CASCADE,
    offered BIGINT NOT NULL
);
CREATE TABLE switch_calls (
    call_id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    decided_at BIGINT NOT NULL
);
CREATE INDEX switch_calls_by_age ON switch_calls (decided_at);
