-- The agent who answered a queue call, as the switch named it, when no user has that
-- extension (a member kept by name: a queue member that is not a user here).
ALTER TABLE calls ADD COLUMN agent_name TEXT;
