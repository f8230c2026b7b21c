-- Two-factor login (TOTP, RFC 6238): one authenticator per user. `confirmed_at` stays empty
-- while the user enrols (the secret shown, no code given back yet); `last_step` is the last
-- 30-second step a code was taken for, so that a code is taken only once (RFC 6238 §5.2).
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes, stored as SHA-256 hashes.
CREATE TABLE two_factor_recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- The first step of a login that needs a second factor: the password was right and a code is
-- due before any session is opened. Only the challenge's hash is kept.
CREATE TABLE login_challenges (
    challenge_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    client_addr TEXT
);

-- The reseller's policy: this domain's managers must log in with a second factor.
ALTER TABLE domains ADD COLUMN two_factor_for_managers BIGINT NOT NULL DEFAULT 0;
