//! Recycling a user (the Stratus knowledge base's "Recycle Old Users into New Users"): the
//! extension, its phones, its queues and its call history stay; the person changes. One
//! transaction and one audit record: the new name and email, a new password (every session,
//! API key and second factor of the old person ends), new SIP passwords for its phones, and
//! the old person's voicemail, greetings, contacts and answering rules cleared unless kept.

use crate::audit::record;
use crate::directory::to_json;
use crate::sql::Sql;
use crate::users::{delete_rows_of, object, place_of};
use crate::{AuditContext, Permit, Result, Store, UserRecord, expect_permit};
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// What the old person leaves behind, and what is kept.
#[derive(Clone, Debug)]
pub struct Recycling {
    pub first_name: Label,
    pub last_name: Label,
    pub email: Option<Email>,
    /// An Argon2id PHC string.
    pub password_hash: String,
    /// Each phone's login with its new HA1: (device, HA1).
    pub sip_ha1s: Vec<(i64, String)>,
    pub keep_voicemail: bool,
    pub keep_greetings: bool,
    pub keep_contacts: bool,
    pub keep_answering_rules: bool,
}

/// How many of each were cleared, and the recordings to remove from disk once committed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cleared {
    pub voicemail_messages: u64,
    pub greetings: u64,
    pub contacts: u64,
    pub answering_rules: u64,
    pub time_frames: u64,
    #[serde(skip)]
    pub recordings: Vec<String>,
}

impl Store {
    /// Hand `before`'s extension to a new person (see the module's comment).
    pub async fn recycle_user(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        before: &UserRecord,
        new: &Recycling,
    ) -> Result<(User, Cleared)> {
        expect_permit(permit, Resource::Users, Action::Update)?;
        let id = before.user.id.get();
        let mut w = self.begin_write().await?;
        let mut cleared = Cleared::default();
        // Owned settings first: what points at a rule's time frame goes before the frame.
        let mut tables: Vec<&str> = Vec::new();
        if !new.keep_voicemail {
            tables.push("voicemail_messages");
        }
        if !new.keep_greetings {
            tables.push("voicemail_greetings");
        }
        if !new.keep_contacts {
            tables.push("contacts");
        }
        if !new.keep_answering_rules {
            tables.extend(["answer_rules", "time_frames"]);
        }
        let recorded: Vec<(&str, &str)> = crate::setting_tables::RECORDINGS
            .iter()
            .copied()
            .filter(|(t, _)| tables.contains(t))
            .collect();
        cleared.recordings =
            crate::setting_tables::recordings_in(&mut w.tx, &recorded, "owner_id", id).await?;
        for table in tables {
            crate::setting_tables::forget_owned_refs(&mut w.tx, table, id).await?;
            let mut sql = Sql::new("DELETE FROM ");
            sql.push(table).push(" WHERE owner_id = ").bind(id);
            let n = sql.query().execute(&mut *w.tx).await?.rows_affected();
            match table {
                "voicemail_messages" => cleared.voicemail_messages = n,
                "voicemail_greetings" => cleared.greetings = n,
                "contacts" => cleared.contacts = n,
                "answer_rules" => cleared.answering_rules = n,
                _ => cleared.time_frames = n,
            }
        }
        // The old person's ways in end: sessions (its own and those it opened acting as
        // someone), API keys, second factor.
        delete_rows_of(
            &mut w.tx,
            &[
                "sessions",
                "api_keys",
                "two_factor",
                "two_factor_recovery_codes",
                "login_challenges",
            ],
            id,
        )
        .await?;
        // Its phones keep their logins under new passwords; where they were registered is
        // the old person's phones' and is forgotten.
        let now = Timestamp::now();
        for (device, ha1) in &new.sip_ha1s {
            sqlx::query(
                "UPDATE sip_accounts SET ha1 = $1, issued_at = $2, contact = NULL, user_agent = NULL, \
                 source = NULL, registered_until = NULL, registered_at = NULL \
                 WHERE device_id = $3 AND owner_id = $4",
            )
            .bind(ha1.as_str())
            .bind(now.0)
            .bind(*device)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        }
        // The person: name, email, password; language, time zone and caller ID back to the
        // domain's until the new person sets their own; no voicemail PIN (the old person's).
        let row = sqlx::query(
            "UPDATE users SET first_name = $1, last_name = $2, email = $3, password_hash = $4, \
             language = NULL, timezone = NULL, caller_id = NULL, voicemail_pin_hash = NULL \
             WHERE id = $5 RETURNING *",
        )
        .bind(new.first_name.as_str())
        .bind(new.last_name.as_str())
        .bind(new.email.as_ref().map(|e| e.as_str()))
        .bind(new.password_hash.as_str())
        .bind(id)
        .fetch_one(&mut *w.tx)
        .await?;
        let after = crate::users::user(&row)?;
        let mut changed = to_json(&after);
        changed["cleared"] = to_json(&cleared);
        changed["sip_passwords_issued"] = serde_json::json!(new.sip_ha1s.len());
        record(
            &mut w.tx,
            ctx,
            place_of(before),
            "user.recycle",
            &object(&after),
            Some(&to_json(&before.user)),
            Some(&changed),
        )
        .await?;
        w.commit().await?;
        Ok((after, cleared))
    }
}
