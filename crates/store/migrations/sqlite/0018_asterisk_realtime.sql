-- Asterisk's realtime tables. On the SQLite default Asterisk asks Switchboard for their rows
-- over HTTP (res_config_curl, `/switch/asterisk/realtime`): nothing is kept here for it.
-- Nothing to do on SQLite; this migration exists so both engines number theirs alike.
SELECT 1;
