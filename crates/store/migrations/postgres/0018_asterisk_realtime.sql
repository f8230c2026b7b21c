-- Asterisk's realtime tables. On the SQLite default Asterisk asks Switchboard for their rows
-- over HTTP (res_config_curl, `/switch/asterisk/realtime`): nothing is kept here for it.
-- Nothing to do on SQLite; this migration exists so both engines number theirs alike.
SELECT 1;

-- PostgreSQL alone: the tables in the shape res_config_pgsql reads them, kept by Switchboard:
-- extconfig.conf maps `ps_endpoints => pgsql,general,asterisk.ps_endpoints` and so on
-- (`switchboard asterisk config` prints it). They are views of Switchboard's own records, so
-- they are never out of step; they answer the same rows as the HTTP realtime answer
-- (`/switch/asterisk/realtime`, the SQLite default's), which a test holds them to. The one
-- table Asterisk writes is ps_contacts, where it keeps where phones registered when sorcery.conf
-- maps contacts to realtime.
CREATE SCHEMA asterisk;

-- Every enabled login with a password: endpoint, auth and aor `login@domain`, in the
-- [switchboard] dialplan context, its domain the accountcode.
CREATE VIEW asterisk.ps_endpoints AS
SELECT s.username || '@' || d.name AS id,
       s.username || '@' || d.name AS aors,
       s.username || '@' || d.name AS auth,
       'switchboard'::text AS context,
       'all'::text AS disallow,
       'ulaw,alaw,g722'::text AS allow,
       'no'::text AS direct_media,
       'yes'::text AS rtp_symmetric,
       'yes'::text AS force_rport,
       'yes'::text AS rewrite_contact,
       'rfc4733'::text AS dtmf_mode,
       d.name AS from_domain,
       d.name AS accountcode,
       COALESCE('"' || replace(trim(u.first_name || ' ' || u.last_name), '"', '') || '" <'
                || u.extension || '>', '') AS callerid,
       COALESCE(u.extension || '@' || d.name, '') AS mailboxes
FROM sip_accounts s
JOIN domains d ON d.id = s.domain_id
LEFT JOIN users u ON u.id = s.owner_id
WHERE s.enabled = 1 AND s.ha1 IS NOT NULL;

-- The digest: the HA1 of username:realm:password, never a password.
CREATE VIEW asterisk.ps_auths AS
SELECT s.username || '@' || d.name AS id,
       'md5'::text AS auth_type,
       s.username AS username,
       d.name AS realm,
       s.ha1 AS md5_cred
FROM sip_accounts s
JOIN domains d ON d.id = s.domain_id
WHERE s.enabled = 1 AND s.ha1 IS NOT NULL;

-- One phone per login; a contact lives at most maximum_expiration without a re-registration.
CREATE VIEW asterisk.ps_aors AS
SELECT s.username || '@' || d.name AS id,
       1 AS max_contacts,
       'yes'::text AS remove_existing,
       60 AS qualify_frequency,
       3600 AS default_expiration,
       7200 AS maximum_expiration,
       COALESCE(u.extension || '@' || d.name, '') AS mailboxes
FROM sip_accounts s
JOIN domains d ON d.id = s.domain_id
LEFT JOIN users u ON u.id = s.owner_id
WHERE s.enabled = 1 AND s.ha1 IS NOT NULL;

-- Every queue as `extension@domain`; members are added over the manager interface.
CREATE VIEW asterisk.queues AS
SELECT q.extension || '@' || d.name AS name,
       CASE q.ring_strategy
           WHEN 'ring_all' THEN 'ringall'
           WHEN 'round_robin' THEN 'rrmemory'
           WHEN 'longest_idle' THEN 'leastrecent'
           ELSE 'linear'
       END AS strategy,
       15 AS timeout,
       q.wrap_up_seconds AS wrapuptime,
       q.max_callers AS maxlen,
       'default'::text AS musiconhold,
       'paused,unavailable,invalid,unknown'::text AS joinempty,
       'paused,unavailable,invalid,unknown'::text AS leavewhenempty,
       'no'::text AS ringinuse,
       'yes'::text AS setinterfacevar
FROM call_queues q
JOIN domains d ON d.id = q.domain_id;

-- No rows, on purpose: app_queue would hold a realtime member beside the dynamic one
-- Switchboard adds over the manager interface. The shape is there for app_queue's checks.
CREATE VIEW asterisk.queue_members AS
SELECT 0 AS uniqueid,
       ''::text AS queue_name,
       ''::text AS interface,
       ''::text AS membername,
       ''::text AS state_interface,
       0 AS penalty,
       0 AS paused,
       ''::text AS reason_paused
WHERE false;

-- Where phones registered, written by Asterisk itself (sorcery.conf: contact=realtime,ps_contacts),
-- with the columns of Asterisk's own schema (contrib/ast-db-manage).
CREATE TABLE asterisk.ps_contacts (
    id TEXT NOT NULL UNIQUE,
    uri TEXT,
    expiration_time BIGINT,
    qualify_frequency INTEGER,
    outbound_proxy TEXT,
    path TEXT,
    user_agent TEXT,
    qualify_timeout DOUBLE PRECISION,
    reg_server TEXT,
    authenticate_qualify TEXT,
    via_addr TEXT,
    via_port INTEGER,
    call_id TEXT,
    endpoint TEXT,
    prune_on_boot TEXT,
    qualify_2xx_only TEXT,
    UNIQUE (id, reg_server)
);
CREATE INDEX ps_contacts_qualifyfreq_exp ON asterisk.ps_contacts (qualify_frequency, expiration_time);
