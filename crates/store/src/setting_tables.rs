//! The tables that hold phone-system settings, for what removes a user or a domain whole: which
//! tables to empty, and which recordings to remove from disk once that has committed. Apart from
//! `settings` so that `directory` (domains) and `users` need not reach into it.

use crate::Result;
use crate::sql::{Sql, get_text};

/// The tables of settings that belong to a user.
pub(crate) const OWNED_TABLES: &[&str] = &[
    "devices",
    "time_frames",
    "answer_rules",
    "contacts",
    "voicemail_messages",
    "voicemail_greetings",
    "emergency_addresses",
];

/// Every table of settings, in an order that deletes cleanly (what points comes first).
pub(crate) const ALL_TABLES: &[&str] = &[
    "phone_numbers",
    "answer_rules",
    "auto_attendants",
    "devices",
    "time_frames",
    "contacts",
    "voicemail_messages",
    "voicemail_greetings",
    "music_on_hold",
    "conferences",
    "emergency_addresses",
    "invoices",
    "authorized_contacts",
];

/// The tables of settings that hold recordings, and the field of the body that holds it.
pub(crate) const RECORDINGS: &[(&str, &str)] = &[
    ("voicemail_messages", "audio"),
    ("voicemail_greetings", "audio"),
    ("music_on_hold", "audio"),
    ("auto_attendants", "greeting"),
];

/// The blob keys of the recordings held by settings whose `column` (`owner_id` or
/// `domain_id`) is `id`: messages, greetings, hold music, attendants' greetings.
pub(crate) async fn recordings(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    column: &str,
    id: i64,
) -> Result<Vec<String>> {
    recordings_in(tx, RECORDINGS, column, id).await
}

/// The same, in some of those tables only.
pub(crate) async fn recordings_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tables: &[(&str, &str)],
    column: &str,
    id: i64,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (table, field) in tables {
        let mut sql = Sql::new("SELECT body FROM ");
        sql.push(table)
            .push(" WHERE ")
            .push(column)
            .push(" = ")
            .bind(id);
        for row in sql.query().fetch_all(&mut **tx).await? {
            let body: serde_json::Value =
                serde_json::from_str(&get_text(&row, "body")?).unwrap_or_default();
            if let Some(blob) = body[*field]["blob"].as_str() {
                out.push(blob.to_owned());
            }
        }
    }
    Ok(out)
}

/// Forget what a user's settings in `table` point at (their `setting_refs`), before they go.
pub(crate) async fn forget_owned_refs(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    owner: i64,
) -> Result<()> {
    let mut sql = Sql::new("DELETE FROM setting_refs WHERE from_table = ");
    sql.bind(table).push(" AND from_id IN (SELECT id FROM ");
    sql.push(table)
        .push(" WHERE owner_id = ")
        .bind(owner)
        .push(")");
    sql.query().execute(&mut **tx).await?;
    Ok(())
}
