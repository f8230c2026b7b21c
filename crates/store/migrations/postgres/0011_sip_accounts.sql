-- A device's SIP login (Kamailio, FreeSWITCH and Asterisk all check a digest login against the
-- HA1 of username:realm:password): the clear password is shown once when issued and never kept.
-- The username is unique in its domain (the realm). A device's registration, as the switch last
-- reported it, is kept beside it.
CREATE TABLE sip_accounts (
    device_id BIGINT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    ha1 TEXT,
    enabled BIGINT NOT NULL,
    issued_at BIGINT,
    contact TEXT,
    user_agent TEXT,
    source TEXT,
    registered_until BIGINT,
    registered_at BIGINT
);
CREATE UNIQUE INDEX sip_accounts_by_username ON sip_accounts (domain_id, username);
CREATE INDEX sip_accounts_by_owner ON sip_accounts (owner_id);
