//! Two-factor login: each user's TOTP authenticator, its single-use recovery codes, and the
//! challenges of logins waiting for their second step. The codes themselves are checked by the
//! API; the store makes each code count once, whichever instance is asked.

use crate::audit::{AuditPlace, record};
use crate::sql::{get_i64, get_opt_i64, get_text};
use crate::users::UserRecord;
use crate::{AuditContext, Permit, Result, Store, StoreError, expect_permit};
use serde_json::json;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// A user's authenticator as the store keeps it.
#[derive(Clone, Debug)]
pub struct TwoFactorRecord {
    /// The shared secret, base32 (RFC 4648, no padding).
    pub secret: String,
    /// When the user gave back its first code; `None` while enrolling.
    pub confirmed_at: Option<Timestamp>,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
}

impl TwoFactorRecord {
    pub fn enrolled(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

/// What a second step was proved with.
#[derive(Clone, Copy, Debug)]
pub enum SecondFactorProof<'a> {
    /// A TOTP code, valid for this 30-second step.
    Step(i64),
    /// The SHA-256 hash of a recovery code.
    RecoveryCode(&'a str),
}

/// One audit record of a change to a user's two-factor login.
async fn audit(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ctx: &AuditContext,
    user: &UserRecord,
    action: &str,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let place = AuditPlace {
        reseller: Some(user.reseller_id),
        domain: Some(user.user.domain_id),
        site: user.user.site_id,
    };
    let object = format!("two-factor login of user {}", user.user.extension);
    record(tx, ctx, place, action, &object, None, after.as_ref()).await
}

async fn insert_recovery_codes(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: UserId,
    hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM two_factor_recovery_codes WHERE user_id = $1")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user.get())
            .bind(hash.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// The user's authenticator, enrolled or being enrolled.
    pub async fn two_factor(&self, user: UserId) -> Result<Option<TwoFactorRecord>> {
        let row = sqlx::query(
            "SELECT secret, confirmed_at, (SELECT COUNT(*) FROM two_factor_recovery_codes c \
             WHERE c.user_id = t.user_id AND c.used_at IS NULL) AS codes_left \
             FROM two_factor t WHERE t.user_id = $1",
        )
        .bind(user.get())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(TwoFactorRecord {
                secret: get_text(&row, "secret")?,
                confirmed_at: get_opt_i64(&row, "confirmed_at")?.map(Timestamp),
                recovery_codes_left: get_i64(&row, "codes_left")?,
            })
        })
        .transpose()
    }

    /// Start (or restart) enrolling: keep a new secret, unconfirmed. An enrolled user must
    /// remove its authenticator first.
    pub async fn begin_two_factor(
        &self,
        permit: &Permit,
        user: &UserRecord,
        secret: &str,
    ) -> Result<()> {
        expect_permit(permit, Resource::TwoFactor, Action::Create)?;
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO two_factor (user_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3 \
             WHERE two_factor.confirmed_at IS NULL",
        )
        .bind(user.user.id.get())
        .bind(secret)
        .bind(Timestamp::now().0)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::conflict(
                "two_factor",
                "two-factor login is already on; turn it off first to enrol another authenticator",
            ));
        }
        w.commit().await
    }

    /// The first code came back right: the authenticator is on, with these recovery codes.
    /// False when there was nothing to confirm (never begun, or confirmed meanwhile).
    pub async fn confirm_two_factor(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        user: &UserRecord,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<bool> {
        expect_permit(permit, Resource::TwoFactor, Action::Create)?;
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE two_factor SET confirmed_at = $1, last_step = $2 \
             WHERE user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(Timestamp::now().0)
        .bind(step)
        .bind(user.user.id.get())
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_recovery_codes(&mut w.tx, user.user.id, recovery_hashes).await?;
        let after = json!({"recovery_codes": recovery_hashes.len()});
        audit(&mut w.tx, ctx, user, "two_factor.enrol", Some(after)).await?;
        w.commit().await?;
        Ok(true)
    }

    /// New recovery codes in place of the old ones (all of them, used or not).
    pub async fn replace_recovery_codes(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        user: &UserRecord,
        hashes: &[String],
    ) -> Result<()> {
        expect_permit(permit, Resource::TwoFactor, Action::Update)?;
        let mut w = self.begin_write().await?;
        let enrolled = sqlx::query(
            "SELECT user_id FROM two_factor WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user.user.id.get())
        .fetch_optional(&mut *w.tx)
        .await?;
        if enrolled.is_none() {
            return Err(StoreError::NotFound);
        }
        insert_recovery_codes(&mut w.tx, user.user.id, hashes).await?;
        let after = json!({"recovery_codes": hashes.len()});
        audit(
            &mut w.tx,
            ctx,
            user,
            "two_factor.recovery_codes",
            Some(after),
        )
        .await?;
        w.commit().await
    }

    /// Turn two-factor login off for a user (by itself, or by an administrator who resets it).
    pub async fn remove_two_factor(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        user: &UserRecord,
    ) -> Result<()> {
        expect_permit(permit, Resource::TwoFactor, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
            .bind(user.user.id.get())
            .execute(&mut *w.tx)
            .await?;
        if gone.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM two_factor_recovery_codes WHERE user_id = $1")
            .bind(user.user.id.get())
            .execute(&mut *w.tx)
            .await?;
        audit(&mut w.tx, ctx, user, "two_factor.remove", None).await?;
        w.commit().await
    }

    /// Take a checked second factor: a TOTP step later than the last one taken, or an unused
    /// recovery code. One conditional statement, so of two simultaneous uses of one code on
    /// any instances only one is taken. Audited with how it was proved.
    pub async fn spend_second_factor(
        &self,
        ctx: &AuditContext,
        user: &UserRecord,
        proof: SecondFactorProof<'_>,
    ) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let now = Timestamp::now().0;
        let (taken, method) = match proof {
            SecondFactorProof::Step(step) => (
                sqlx::query(
                    "UPDATE two_factor SET last_step = $1 \
                     WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
                )
                .bind(step)
                .bind(user.user.id.get())
                .execute(&mut *w.tx)
                .await?,
                "totp",
            ),
            SecondFactorProof::RecoveryCode(hash) => (
                sqlx::query(
                    "UPDATE two_factor_recovery_codes SET used_at = $1 \
                     WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                )
                .bind(now)
                .bind(user.user.id.get())
                .bind(hash)
                .execute(&mut *w.tx)
                .await?,
                "recovery_code",
            ),
        };
        if taken.rows_affected() == 0 {
            return Ok(false);
        }
        let after = json!({"method": method});
        audit(&mut w.tx, ctx, user, "two_factor.use", Some(after)).await?;
        w.commit().await?;
        Ok(true)
    }

    // ----- the second step of a login -----

    pub async fn create_login_challenge(
        &self,
        hash: &str,
        user: UserId,
        expires_at: Timestamp,
        client_addr: Option<String>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO login_challenges (challenge_hash, user_id, expires_at, client_addr) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(hash)
        .bind(user.get())
        .bind(expires_at.0)
        .bind(client_addr)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// The user a live challenge is for.
    pub async fn login_challenge(&self, hash: &str, now: Timestamp) -> Result<Option<UserId>> {
        let row = sqlx::query(
            "SELECT user_id FROM login_challenges WHERE challenge_hash = $1 AND expires_at > $2",
        )
        .bind(hash)
        .bind(now.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(UserId(get_i64(&r, "user_id")?))).transpose()
    }

    /// A challenge is answered: it cannot be answered again. False when it already was.
    pub async fn end_login_challenge(&self, hash: &str) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM login_challenges WHERE challenge_hash = $1")
            .bind(hash)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(gone.rows_affected() == 1)
    }
}
