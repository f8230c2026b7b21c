-- Switchboard core schema. The PostgreSQL twin differs only in the type of `id` (a test checks).
-- Times are Unix seconds (BIGINT), flags are 0/1 (BIGINT): the same on both engines.
CREATE TABLE resellers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    contact_email TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE domains (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id BIGINT NOT NULL REFERENCES resellers(id),
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    timezone TEXT NOT NULL,
    office_managers_manage_users BIGINT NOT NULL DEFAULT 0,
    max_users BIGINT,
    max_sites BIGINT,
    max_call_queues BIGINT,
    max_auto_attendants BIGINT,
    max_conferences BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX domains_by_reseller ON domains (reseller_id, id);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT,
    timezone TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (domain_id, name)
);
CREATE INDEX sites_by_domain ON sites (domain_id, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    extension TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    scope TEXT NOT NULL,
    language TEXT,
    timezone TEXT,
    caller_id TEXT,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (domain_id, extension)
);
CREATE INDEX users_by_domain ON users (domain_id, id);
CREATE INDEX users_by_site ON users (domain_id, site_id, id);

-- Call queues get their settings with the call-center work; supervisors and agents refer to them now.
CREATE TABLE call_queues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    extension TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (domain_id, extension)
);

CREATE TABLE queue_agents (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    queue_id BIGINT NOT NULL REFERENCES call_queues(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, user_id)
);
CREATE INDEX queue_agents_by_user ON queue_agents (user_id, queue_id);

CREATE TABLE supervisor_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    may_edit_queue_settings BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE supervisor_queues (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    queue_id BIGINT NOT NULL REFERENCES call_queues(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, queue_id)
);
CREATE INDEX supervisor_queues_by_queue ON supervisor_queues (queue_id);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    read_only BIGINT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT,
    last_used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_keys_by_domain ON api_keys (domain_id, id);
CREATE INDEX api_keys_by_user ON api_keys (user_id, id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    impersonator_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    access_hash TEXT NOT NULL UNIQUE,
    refresh_hash TEXT NOT NULL UNIQUE,
    access_expires_at BIGINT NOT NULL,
    refresh_expires_at BIGINT NOT NULL,
    reauthenticated_at BIGINT,
    client_addr TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id, id);

-- Failed logins, counted per account and per client address, shared by every instance.
CREATE TABLE login_failures (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_login TEXT NOT NULL,
    on_behalf_of_id BIGINT,
    on_behalf_of_login TEXT,
    reseller_id BIGINT,
    domain_id BIGINT,
    site_id BIGINT,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    client_addr TEXT
);
CREATE INDEX audit_by_reseller ON audit_log (reseller_id, id);
CREATE INDEX audit_by_domain ON audit_log (domain_id, id);
CREATE INDEX audit_by_site ON audit_log (domain_id, site_id, id);
