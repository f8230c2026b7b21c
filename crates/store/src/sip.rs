//! Devices' SIP logins and their registrations. A switch checks a digest login against the HA1
//! of `username:realm:password`; that, never the password, is what is kept. Registrations are
//! what the switch last reported: a device is registered until its expiry.

use crate::audit::{AuditPlace, record};
use crate::sql::{get_i64, get_opt_i64, get_opt_text, get_text};
use crate::{
    AuditContext, Permit, Result, Store, StoreError, Visibility, expect_permit, expect_visibility,
};
use sqlx::any::AnyRow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// Where a phone registered from, as the switch reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipRegistration {
    pub contact: String,
    pub user_agent: Option<String>,
    pub source: Option<String>,
    pub registered_at: Timestamp,
    /// Registered until then.
    pub expires_at: Timestamp,
}

/// A device's SIP login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipAccount {
    pub device_id: Id<Device>,
    pub domain_id: DomainId,
    pub owner_id: Option<UserId>,
    pub username: String,
    /// A password has been issued (the switch can check a login).
    pub issued: bool,
    pub enabled: bool,
    pub issued_at: Option<Timestamp>,
    /// The last registration the switch reported, if it has not expired.
    pub registration: Option<SipRegistration>,
}

const COLUMNS: &str = "device_id, domain_id, owner_id, username, ha1, enabled, issued_at, contact, \
                       user_agent, source, registered_until, registered_at";

fn account(row: &AnyRow, now: Timestamp) -> std::result::Result<SipAccount, sqlx::Error> {
    let until = get_opt_i64(row, "registered_until")?;
    let registration = match (get_opt_text(row, "contact")?, until) {
        (Some(contact), Some(until)) if until > now.0 => Some(SipRegistration {
            contact,
            user_agent: get_opt_text(row, "user_agent")?,
            source: get_opt_text(row, "source")?,
            registered_at: Timestamp(get_opt_i64(row, "registered_at")?.unwrap_or(until)),
            expires_at: Timestamp(until),
        }),
        _ => None,
    };
    Ok(SipAccount {
        device_id: Id::new(get_i64(row, "device_id")?),
        domain_id: DomainId(get_i64(row, "domain_id")?),
        owner_id: get_opt_i64(row, "owner_id")?.map(UserId),
        username: get_text(row, "username")?,
        issued: get_opt_text(row, "ha1")?.is_some(),
        enabled: get_i64(row, "enabled")? != 0,
        issued_at: get_opt_i64(row, "issued_at")?.map(Timestamp),
        registration,
    })
}

fn place(reseller: ResellerId, device: &Setting<Device>) -> AuditPlace {
    AuditPlace {
        reseller: Some(reseller),
        domain: Some(device.domain_id),
        site: device.reach_site_id,
    }
}

/// One login found by `condition` (with `$1`, `$2` bound to `first`, `second`).
async fn one_login<'e, E>(
    executor: E,
    condition: &str,
    first: i64,
    second: Option<&str>,
) -> Result<Option<SipAccount>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!("SELECT {COLUMNS} FROM sip_accounts WHERE {condition}");
    let mut query = sqlx::query(&sql).bind(first);
    if let Some(second) = second {
        query = query.bind(second.to_owned());
    }
    let row = query.fetch_optional(executor).await?;
    let now = Timestamp::now();
    Ok(row.map(|r| account(&r, now)).transpose()?)
}

/// A device's login as the write `w` left it, once `w` has committed.
async fn committed_login(mut w: crate::WriteTx, device: &Setting<Device>) -> Result<SipAccount> {
    let account = one_login(&mut *w.tx, "device_id = $1", device.id.get(), None)
        .await?
        .ok_or(StoreError::NotFound)?;
    w.commit().await?;
    Ok(account)
}

impl Store {
    /// A device's SIP login, if one was ever made (`vis` for `Devices`; the device itself was
    /// found through the caller's reach).
    pub async fn sip_account(
        &self,
        vis: &Visibility,
        device: &Setting<Device>,
    ) -> Result<Option<SipAccount>> {
        expect_visibility(vis, Resource::Devices)?;
        one_login(self.pool(), "device_id = $1", device.id.get(), None).await
    }

    /// Issue (or rotate) a device's SIP password: only its HA1 is kept. Enables the login. The
    /// permit is to read the device: the password is shown to whoever may see the device.
    pub async fn issue_sip_password(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        device: &Setting<Device>,
        username: &str,
        ha1: &str,
    ) -> Result<SipAccount> {
        expect_permit(permit, Resource::Devices, Action::Read)?;
        let now = Timestamp::now();
        let mut w = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT device_id FROM sip_accounts WHERE domain_id = $1 AND username = $2 AND device_id <> $3",
        )
        .bind(device.domain_id.get())
        .bind(username)
        .bind(device.id.get())
        .fetch_optional(&mut *w.tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                field: Some("username"),
                message: format!("the SIP username {username} is another device's"),
            });
        }
        sqlx::query(
            "INSERT INTO sip_accounts (device_id, domain_id, owner_id, username, ha1, enabled, issued_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) \
             ON CONFLICT (device_id) DO UPDATE SET username = excluded.username, ha1 = excluded.ha1, \
             enabled = 1, issued_at = excluded.issued_at, owner_id = excluded.owner_id",
        )
        .bind(device.id.get())
        .bind(device.domain_id.get())
        .bind(device.user_id.map(UserId::get))
        .bind(username)
        .bind(ha1)
        .bind(now.0)
        .execute(&mut *w.tx)
        .await?;
        record(
            &mut w.tx,
            ctx,
            place(reseller, device),
            "device.sip_password",
            &format!("device {} (SIP {username})", device.body.mac),
            None,
            Some(&serde_json::json!({ "username": username, "issued_at": now })),
        )
        .await?;
        committed_login(w, device).await
    }

    /// Allow or refuse a device's SIP login; `NotFound` when it has none yet.
    pub async fn set_sip_enabled(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        device: &Setting<Device>,
        enabled: bool,
    ) -> Result<SipAccount> {
        expect_permit(permit, Resource::Devices, Action::Update)?;
        let mut w = self.begin_write().await?;
        let changed = sqlx::query("UPDATE sip_accounts SET enabled = $1 WHERE device_id = $2")
            .bind(i64::from(enabled))
            .bind(device.id.get())
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        record(
            &mut w.tx,
            ctx,
            place(reseller, device),
            if enabled {
                "device.sip_enable"
            } else {
                "device.sip_disable"
            },
            &format!("device {}", device.body.mac),
            Some(&serde_json::json!({ "enabled": !enabled })),
            Some(&serde_json::json!({ "enabled": enabled })),
        )
        .await?;
        committed_login(w, device).await
    }

    /// The HA1 a switch checks a login against: only for an enabled login with a password.
    pub async fn sip_ha1(
        &self,
        vis: &Visibility,
        domain: DomainId,
        username: &str,
    ) -> Result<Option<String>> {
        expect_visibility(vis, Resource::Devices)?;
        let ha1: Option<Option<String>> = sqlx::query_scalar(
            "SELECT ha1 FROM sip_accounts WHERE domain_id = $1 AND username = $2 AND enabled = 1",
        )
        .bind(domain.get())
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        Ok(ha1.flatten())
    }

    /// Keep what the switch reports of a registration (`None`: the device unregistered).
    /// Answers whether such a login exists.
    pub async fn record_registration(
        &self,
        permit: &Permit,
        domain: DomainId,
        username: &str,
        registration: Option<&SipRegistration>,
    ) -> Result<bool> {
        expect_permit(permit, Resource::Devices, Action::Update)?;
        let mut w = self.begin_write().await?;
        let (contact, agent, source, at, until) = match registration {
            Some(r) => (
                Some(r.contact.clone()),
                r.user_agent.clone(),
                r.source.clone(),
                Some(r.registered_at.0),
                Some(r.expires_at.0),
            ),
            None => (None, None, None, None, None),
        };
        let changed = sqlx::query(
            "UPDATE sip_accounts SET contact = $1, user_agent = $2, source = $3, registered_at = $4, \
             registered_until = $5 WHERE domain_id = $6 AND username = $7",
        )
        .bind(contact)
        .bind(agent)
        .bind(source)
        .bind(at)
        .bind(until)
        .bind(domain.get())
        .bind(username)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        w.commit().await?;
        Ok(changed > 0)
    }

    /// The enabled SIP logins of a user's devices, registered ones first, for ringing them.
    pub async fn sip_accounts_of_user(
        &self,
        vis: &Visibility,
        owner: UserId,
    ) -> Result<Vec<SipAccount>> {
        expect_visibility(vis, Resource::Devices)?;
        let mut accounts = self.enabled_logins_where("owner_id", owner.get()).await?;
        accounts.sort_by_key(|a| a.registration.is_none());
        Ok(accounts)
    }

    /// A domain's enabled SIP logins that have a password, in the order they were made: what
    /// a switch lets register.
    pub async fn enabled_sip_logins(
        &self,
        vis: &Visibility,
        domain: DomainId,
    ) -> Result<Vec<SipAccount>> {
        expect_visibility(vis, Resource::Devices)?;
        self.enabled_logins_where("domain_id", domain.get()).await
    }

    /// Enabled logins with a password whose `column` is `id`, in the order they were made.
    async fn enabled_logins_where(&self, column: &str, id: i64) -> Result<Vec<SipAccount>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sip_accounts WHERE {column} = $1 AND enabled = 1 AND ha1 IS NOT NULL \
             ORDER BY device_id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let now = Timestamp::now();
        Ok(rows
            .iter()
            .map(|r| account(r, now))
            .collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// A SIP login by its username, enabled or not (`vis` for `Devices`).
    pub async fn sip_login(
        &self,
        vis: &Visibility,
        domain: DomainId,
        username: &str,
    ) -> Result<Option<SipAccount>> {
        expect_visibility(vis, Resource::Devices)?;
        one_login(
            self.pool(),
            "domain_id = $1 AND username = $2",
            domain.get(),
            Some(username),
        )
        .await
    }

    /// The login whose phone registered at `contact` (who answered a call).
    pub async fn sip_login_at(
        &self,
        vis: &Visibility,
        domain: DomainId,
        contact: &str,
    ) -> Result<Option<SipAccount>> {
        expect_visibility(vis, Resource::Devices)?;
        one_login(
            self.pool(),
            "domain_id = $1 AND contact = $2 ORDER BY registered_at DESC LIMIT 1",
            domain.get(),
            Some(contact),
        )
        .await
    }
}
