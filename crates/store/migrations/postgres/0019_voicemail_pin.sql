-- A user's voicemail PIN, kept only as a hash (as a password is): the media server asks
-- Switchboard to check a PIN, and the portal shows only whether one is set.
ALTER TABLE users ADD COLUMN voicemail_pin_hash TEXT;
