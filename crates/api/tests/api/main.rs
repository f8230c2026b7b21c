//! Black-box tests: a real server on 127.0.0.1:0 with a fresh database, on SQLite always and on
//! PostgreSQL whenever SWITCHBOARD_TEST_POSTGRES_URL is set.

mod auth;
mod bad_input;
mod call_center;
mod call_counts;
mod calls;
mod common;
mod concurrency;
mod demo_calls;
mod exports;
mod fake_socket;
mod import;
mod import_real;
mod matrix;
mod openapi;
mod ops;
mod portal_tabs;
mod properties;
mod proxies;
mod queue_waiting;
mod recycle;
mod reports;
mod search;
mod settings;
mod settings_matrix;
mod switch;
mod switch_asterisk_ami;
mod switch_asterisk_dialplan;
mod switch_asterisk_realtime;
mod switch_freeswitch;
mod switch_freeswitch_esl;
mod two_factor;
mod voicemail_pin;
