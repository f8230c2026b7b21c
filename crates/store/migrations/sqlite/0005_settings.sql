-- Phone-system settings. Every kind has its own table of the same shape: the columns the
-- database must know (domain, site, owner, what must be unique, what lists sort and search by)
-- are typed and indexed; the rest of the setting is its validated JSON body (`body`), which the
-- server parses into the setting's domain type and never shows unparsed.

CREATE TABLE devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX devices_by_domain ON devices (domain_id, id);
CREATE INDEX devices_by_owner ON devices (owner_id, id);
CREATE UNIQUE INDEX devices_mac ON devices (unique_key);

CREATE TABLE phone_numbers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX phone_numbers_by_domain ON phone_numbers (domain_id, id);
CREATE INDEX phone_numbers_by_owner ON phone_numbers (owner_id, id);
CREATE UNIQUE INDEX phone_numbers_number ON phone_numbers (unique_key);

CREATE TABLE time_frames (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX time_frames_by_domain ON time_frames (domain_id, id);
CREATE INDEX time_frames_by_owner ON time_frames (owner_id, id);

CREATE TABLE answer_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX answer_rules_by_domain ON answer_rules (domain_id, id);
CREATE INDEX answer_rules_by_owner ON answer_rules (owner_id, id);
CREATE UNIQUE INDEX answer_rules_frame ON answer_rules (owner_id, unique_key);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_by_domain ON contacts (domain_id, id);
CREATE INDEX contacts_by_owner ON contacts (owner_id, id);

CREATE TABLE voicemail_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX voicemail_messages_by_domain ON voicemail_messages (domain_id, id);
CREATE INDEX voicemail_messages_by_owner ON voicemail_messages (owner_id, id);

CREATE TABLE voicemail_greetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX voicemail_greetings_by_domain ON voicemail_greetings (domain_id, id);
CREATE INDEX voicemail_greetings_by_owner ON voicemail_greetings (owner_id, id);

CREATE TABLE auto_attendants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX auto_attendants_by_domain ON auto_attendants (domain_id, id);
CREATE INDEX auto_attendants_by_owner ON auto_attendants (owner_id, id);
CREATE UNIQUE INDEX auto_attendants_extension ON auto_attendants (domain_id, unique_key);

CREATE TABLE conferences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX conferences_by_domain ON conferences (domain_id, id);
CREATE INDEX conferences_by_owner ON conferences (owner_id, id);
CREATE UNIQUE INDEX conferences_extension ON conferences (domain_id, unique_key);

CREATE TABLE music_on_hold (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX music_on_hold_by_domain ON music_on_hold (domain_id, id);
CREATE INDEX music_on_hold_by_owner ON music_on_hold (owner_id, id);

CREATE TABLE emergency_addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX emergency_addresses_by_domain ON emergency_addresses (domain_id, id);
CREATE INDEX emergency_addresses_by_owner ON emergency_addresses (owner_id, id);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX invoices_by_domain ON invoices (domain_id, id);
CREATE INDEX invoices_by_owner ON invoices (owner_id, id);
CREATE UNIQUE INDEX invoices_number ON invoices (domain_id, unique_key);

CREATE TABLE authorized_contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    site_id BIGINT REFERENCES sites(id),
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    unique_key TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX authorized_contacts_by_domain ON authorized_contacts (domain_id, id);
CREATE INDEX authorized_contacts_by_owner ON authorized_contacts (owner_id, id);

-- What settings point at (a number's route, a rule's time frame, a menu's targets, a queue's
-- hold music): deleting a target that is pointed at is refused, naming who points at it.
CREATE TABLE setting_refs (
    domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    from_table TEXT NOT NULL,
    from_id BIGINT NOT NULL,
    from_label TEXT NOT NULL,
    to_kind TEXT NOT NULL,
    to_id BIGINT NOT NULL
);
CREATE INDEX setting_refs_to ON setting_refs (to_kind, to_id);
CREATE INDEX setting_refs_from ON setting_refs (from_table, from_id);

ALTER TABLE call_queues ADD COLUMN music_on_hold_id BIGINT;
