//! Phone-system settings, one generic code path for every kind. A kind ([`SettingKind`]) says
//! its table, its resources, what must be unique and what it points at; listing, reading,
//! writing, auditing, limits and the no-dangling-reference rule are written once, here.

use crate::audit::{AuditPlace, record};
use crate::directory::{Holder, check_limit, ensure_extension_free, to_json};
use crate::sites::ensure_site;
use crate::sql::{
    Scoping, Sql, contains_pattern, get_i64, get_opt_i64, get_text, into_page, parsed, push_page,
    push_predicate,
};
use crate::{AuditContext, Page, PageRequest, Permit, Result, Store, StoreError, Visibility};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use std::borrow::Cow;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};

/// Where a unique key must be unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    /// In the whole installation (a phone's MAC, a phone number).
    Installation,
    /// In the domain (an attendant's extension, an invoice number).
    Domain,
    /// Among one user's settings (one answering rule per time frame).
    Owner,
}

/// What a setting points at, by the name people use; the store resolves it to an id.
#[derive(Clone, Debug)]
pub enum RefTarget {
    User(Extension),
    CallQueue(Extension),
    AutoAttendant(Extension),
    Conference(Extension),
    /// A user's voicemail box.
    Voicemail(Extension),
    /// Any dialable extension of the domain (a user, queue, attendant or conference).
    AnyExtension(Extension),
    TimeFrame(Id<TimeFrame>),
    MusicOnHold(Id<MusicOnHold>),
}

#[derive(Clone, Debug)]
pub struct Reference {
    /// The input field that names the target, for errors.
    pub field: String,
    pub target: RefTarget,
}

/// One kind of setting.
pub trait SettingKind:
    Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + std::fmt::Debug + 'static
{
    const TABLE: &'static str;
    /// For audit actions and messages: `device` gives `device.create`.
    const NOUN: &'static str;
    /// What other settings call this kind in `setting_refs.to_kind`, if they can point at it.
    const REF_KIND: Option<&'static str> = None;
    /// A number's Site Manager reach is the site its route leads to.
    const ROUTED: bool = false;
    const LIMIT: Option<LimitKind> = None;
    /// Where `unique_key` is unique, and the input field it comes from.
    const UNIQUE: Option<(Unique, &'static str)> = None;

    /// The resource of an object: `owned` is whether it belongs to a user. Kinds with a shared
    /// and a personal resource (time frames, contacts) answer differently for each.
    fn resource(owned: bool) -> Resource;
    fn unique_key(&self) -> Option<String> {
        None
    }
    /// What lists show and search.
    fn name(&self) -> String;
    fn search_text(&self) -> String {
        self.name().to_lowercase()
    }
    /// The site named in the body (attendants, conferences, 911 addresses).
    fn site(&self) -> Option<SiteId> {
        None
    }
    /// An extension that must be unique among the domain's users, queues, attendants and
    /// conferences.
    fn extension(&self) -> Option<&Extension> {
        None
    }
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }
    /// Checks beyond the types (ranges, consistency).
    fn check(&self) -> Result<(), FieldError> {
        Ok(())
    }
}

/// Filters on a settings list.
#[derive(Clone, Debug, Default)]
pub struct SettingFilter {
    /// `Some(None)`: the domain's shared settings only; `Some(Some(u))`: one user's.
    pub owner: Option<Option<UserId>>,
    /// Contained in the name or the searchable fields.
    pub q: Option<String>,
    /// Exactly this unique key (an attendant's extension, a number).
    pub key: Option<String>,
}

/// The SQL of a setting's Site Manager site: its own, else its user's, else (for numbers) the
/// site of what its route leads to.
macro_rules! route_site {
    () => {
        ", (SELECT COALESCE(ru.site_id, rq.site_id, ra.site_id, rc.site_id) FROM setting_refs r \
         LEFT JOIN users ru ON r.to_kind = 'user' AND ru.id = r.to_id \
         LEFT JOIN call_queues rq ON r.to_kind = 'call_queue' AND rq.id = r.to_id \
         LEFT JOIN auto_attendants ra ON r.to_kind = 'auto_attendant' AND ra.id = r.to_id \
         LEFT JOIN conferences rc ON r.to_kind = 'conference' AND rc.id = r.to_id \
         WHERE r.from_table = 'phone_numbers' AND r.from_id = t.id)"
    };
}
macro_rules! reach_site {
    ($routed:expr) => {
        concat!(
            "COALESCE(t.site_id, (SELECT u.site_id FROM users u WHERE u.id = t.owner_id)",
            $routed,
            ")"
        )
    };
}

const SCOPING: Scoping = Scoping {
    reseller: Some("(SELECT d.reseller_id FROM domains d WHERE d.id = t.domain_id)"),
    domain: Some("t.domain_id"),
    site: Some(concat!(reach_site!(""), " = {}")),
    owner: Some("t.owner_id = {}"),
    queues: None,
    shared: Some("(CASE WHEN t.owner_id IS NULL THEN 1 ELSE 0 END)"),
};

const ROUTED_SCOPING: Scoping = Scoping {
    site: Some(concat!(reach_site!(route_site!()), " = {}")),
    ..SCOPING
};

fn scoping<K: SettingKind>() -> (&'static Scoping, &'static str) {
    if K::ROUTED {
        (&ROUTED_SCOPING, reach_site!(route_site!()))
    } else {
        (&SCOPING, reach_site!(""))
    }
}

/// Rows of the shared resource are the domain's own; rows of the personal one belong to users.
fn partition<K: SettingKind>(resource: Resource) -> &'static str {
    if K::resource(false) == K::resource(true) {
        "1 = 1"
    } else if resource == K::resource(true) {
        "t.owner_id IS NOT NULL"
    } else {
        "t.owner_id IS NULL"
    }
}

fn setting<K: SettingKind>(row: &AnyRow) -> Result<Setting<K>, sqlx::Error> {
    let body = get_text(row, "body")?;
    Ok(Setting {
        id: Id::new(get_i64(row, "id")?),
        domain_id: DomainId(get_i64(row, "domain_id")?),
        user_id: get_opt_i64(row, "owner_id")?.map(UserId),
        reach_site_id: get_opt_i64(row, "reach_site")?.map(SiteId),
        created_at: Timestamp(get_i64(row, "created_at")?),
        updated_at: Timestamp(get_i64(row, "updated_at")?),
        body: parsed("body", serde_json::from_str::<K>(&body))?,
    })
}

fn check_resource<K: SettingKind>(resource: Resource) -> Result<()> {
    if resource == K::resource(false) || resource == K::resource(true) {
        Ok(())
    } else {
        Err(StoreError::Internal(format!(
            "{resource:?} does not govern {}",
            K::TABLE
        )))
    }
}

fn expect_write<K: SettingKind>(permit: &Permit, action: Action) -> Result<()> {
    check_resource::<K>(permit.resource())?;
    if permit.action() == action {
        Ok(())
    } else {
        Err(StoreError::Internal(format!(
            "a {:?} permit was used to {action:?} a {}",
            permit.action(),
            K::NOUN
        )))
    }
}

fn place<K>(reseller: ResellerId, s: &Setting<K>) -> AuditPlace {
    AuditPlace {
        reseller: Some(reseller),
        domain: Some(s.domain_id),
        site: s.reach_site_id,
    }
}

/// The `(to_kind, id, what it is)` of a resolved reference.
type Resolved = (&'static str, i64);

async fn find_extension(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain: DomainId,
    tables: &[(&'static str, &'static str, &'static str)],
    ext: &Extension,
) -> Result<Option<Resolved>> {
    for (table, column, kind) in tables {
        let mut sql = Sql::new("SELECT id FROM ");
        sql.push(table)
            .push(" WHERE domain_id = ")
            .bind(domain.get())
            .push(" AND ")
            .push(column)
            .push(" = ")
            .bind(ext.as_str());
        if let Some(row) = sql.query().fetch_optional(&mut **tx).await? {
            return Ok(Some((kind, get_i64(&row, "id")?)));
        }
    }
    Ok(None)
}

const USERS: (&str, &str, &str) = ("users", "extension", "user");
const QUEUES: (&str, &str, &str) = ("call_queues", "extension", "call_queue");
const ATTENDANTS: (&str, &str, &str) = ("auto_attendants", "unique_key", "auto_attendant");
const CONFERENCES: (&str, &str, &str) = ("conferences", "unique_key", "conference");

/// Resolve references inside the domain; a missing target names the field.
async fn resolve(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain: DomainId,
    owner: Option<UserId>,
    references: &[Reference],
) -> Result<Vec<Resolved>> {
    let mut out = Vec::with_capacity(references.len());
    for r in references {
        let missing = |what: String| StoreError::InvalidReference {
            field: Cow::Owned(r.field.clone()),
            message: what,
        };
        let found = match &r.target {
            RefTarget::User(e) => find_extension(tx, domain, &[USERS], e).await?,
            RefTarget::Voicemail(e) => find_extension(tx, domain, &[USERS], e)
                .await?
                .map(|(_, id)| ("voicemail", id)),
            RefTarget::CallQueue(e) => find_extension(tx, domain, &[QUEUES], e).await?,
            RefTarget::AutoAttendant(e) => find_extension(tx, domain, &[ATTENDANTS], e).await?,
            RefTarget::Conference(e) => find_extension(tx, domain, &[CONFERENCES], e).await?,
            RefTarget::AnyExtension(e) => {
                find_extension(tx, domain, &[USERS, QUEUES, ATTENDANTS, CONFERENCES], e).await?
            }
            RefTarget::TimeFrame(id) => {
                // The domain's shared frames, or the owner's own.
                let row = sqlx::query(
                    "SELECT id FROM time_frames WHERE id = $1 AND domain_id = $2                      AND (owner_id IS NULL OR owner_id = $3)",
                )
                .bind(id.get())
                .bind(domain.get())
                .bind(owner.map_or(-1, UserId::get))
                .fetch_optional(&mut **tx)
                .await?;
                row.map(|_| ("time_frame", id.get()))
            }
            RefTarget::MusicOnHold(id) => {
                sqlx::query("SELECT id FROM music_on_hold WHERE id = $1 AND domain_id = $2")
                    .bind(id.get())
                    .bind(domain.get())
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|_| ("music_on_hold", id.get()))
            }
        };
        let what = match &r.target {
            RefTarget::User(e) | RefTarget::Voicemail(e) => format!("no user with extension {e}"),
            RefTarget::CallQueue(e) => format!("no call queue with extension {e}"),
            RefTarget::AutoAttendant(e) => format!("no auto attendant with extension {e}"),
            RefTarget::Conference(e) => format!("no conference with extension {e}"),
            RefTarget::AnyExtension(e) => format!("nothing answers extension {e}"),
            RefTarget::TimeFrame(id) => {
                format!(
                    "no time frame {id} that this setting may use (the domain's, or its user's own)"
                )
            }
            RefTarget::MusicOnHold(id) => format!("no music on hold {id}"),
        };
        out.push(found.ok_or_else(|| missing(format!("{what} in this domain")))?);
    }
    Ok(out)
}

/// Replace what one object points at.
pub(crate) async fn write_refs(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    domain: DomainId,
    from: (&str, i64),
    label: &str,
    targets: &[Resolved],
) -> Result<()> {
    sqlx::query("DELETE FROM setting_refs WHERE from_table = $1 AND from_id = $2")
        .bind(from.0)
        .bind(from.1)
        .execute(&mut **tx)
        .await?;
    for (kind, id) in targets {
        sqlx::query(
            "INSERT INTO setting_refs (domain_id, from_table, from_id, from_label, to_kind, to_id)              VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(domain.get())
        .bind(from.0)
        .bind(from.1)
        .bind(label)
        .bind(*kind)
        .bind(*id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Refuse to delete what something points at, naming what points at it.
pub(crate) async fn ensure_unreferenced(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    kinds: &[&str],
    id: i64,
    what: &str,
) -> Result<()> {
    let mut labels: Vec<String> = Vec::new();
    for kind in kinds {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT from_label FROM setting_refs WHERE to_kind = $1 AND to_id = $2 ORDER BY from_label",
        )
        .bind(*kind)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        labels.extend(rows);
    }
    if labels.is_empty() {
        return Ok(());
    }
    labels.dedup();
    Err(StoreError::Conflict {
        field: None,
        message: format!(
            "{what} is in use by {}; change those first{}",
            labels.join(", "),
            if labels.iter().any(|l| l.starts_with("phone number")) {
                " (numbers can be re-routed with ?reroute_numbers_to=…)"
            } else {
                ""
            }
        ),
    })
}

/// Settings name their targets by extension: a target they point at keeps its extension.
pub(crate) async fn ensure_extension_kept(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    kinds: &[&str],
    id: i64,
    old: &Extension,
    new: &Extension,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    ensure_unreferenced(tx, kinds, id, &format!("extension {old}"))
        .await
        .map_err(|e| match e {
            StoreError::Conflict { message, .. } => StoreError::Conflict {
                field: Some("extension"),
                message: format!("{message}: they dial it by its extension"),
            },
            other => other,
        })
}

impl Store {
    fn settings_sql<K: SettingKind>(
        visibilities: &[&Visibility],
        domain: DomainId,
        filter: &SettingFilter,
        select: &str,
    ) -> Result<Sql> {
        let (scoping, site) = scoping::<K>();
        let mut sql = Sql::new(select);
        sql.push(", ").push(site).push(" AS reach_site FROM ");
        sql.push(K::TABLE)
            .push(" t WHERE t.domain_id = ")
            .bind(domain.get());
        sql.push(" AND (");
        if visibilities.is_empty() {
            sql.push("1 = 0");
        }
        for (i, vis) in visibilities.iter().enumerate() {
            check_resource::<K>(vis.resource())?;
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(")
                .push(partition::<K>(vis.resource()))
                .push(" AND ");
            push_predicate(&mut sql, vis.predicate(), scoping);
            sql.push(")");
        }
        sql.push(")");
        match filter.owner {
            Some(Some(user)) => {
                sql.push(" AND t.owner_id = ").bind(user.get());
            }
            Some(None) => {
                sql.push(" AND t.owner_id IS NULL");
            }
            None => {}
        }
        if let Some(key) = &filter.key {
            sql.push(" AND t.unique_key = ").bind(key.as_str());
        }
        if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
            sql.push(" AND t.search LIKE ")
                .bind(contains_pattern(q))
                .push(" ESCAPE '\\'");
        }
        Ok(sql)
    }

    /// A page of settings, cut by each visibility (one per resource of the kind).
    pub async fn list_settings<K: SettingKind>(
        &self,
        visibilities: &[&Visibility],
        domain: DomainId,
        filter: &SettingFilter,
        page: PageRequest,
    ) -> Result<Page<Setting<K>>> {
        let mut sql = Self::settings_sql::<K>(visibilities, domain, filter, "SELECT t.*")?;
        push_page(&mut sql, "t.id", page);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let items = rows
            .iter()
            .map(setting::<K>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(into_page(items, page, |s| s.id.get()))
    }

    pub async fn count_settings<K: SettingKind>(
        &self,
        visibilities: &[&Visibility],
        domain: DomainId,
        filter: &SettingFilter,
    ) -> Result<i64> {
        // The reach column is selected for every row; count around it.
        let mut sql = Self::settings_sql::<K>(
            visibilities,
            domain,
            filter,
            "SELECT COUNT(*) AS n FROM (SELECT t.id",
        )?;
        sql.push(") c");
        Ok(get_i64(&sql.query().fetch_one(self.pool()).await?, "n")?)
    }

    /// One setting, if it exists in the domain and one of the visibilities reaches it.
    pub async fn get_setting<K: SettingKind>(
        &self,
        visibilities: &[&Visibility],
        domain: DomainId,
        id: Id<K>,
    ) -> Result<Setting<K>> {
        let mut sql = Self::settings_sql::<K>(
            visibilities,
            domain,
            &SettingFilter::default(),
            "SELECT t.*",
        )?;
        sql.push(" AND t.id = ").bind(id.get());
        Ok(setting::<K>(&sql.fetch_found(self.pool()).await?)?)
    }

    async fn check_setting<K: SettingKind>(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        domain: DomainId,
        owner: Option<UserId>,
        body: &K,
        before: Option<&Setting<K>>,
    ) -> Result<Vec<Resolved>> {
        body.check().map_err(|e| StoreError::InvalidReference {
            field: Cow::Owned(e.field),
            message: e.message,
        })?;
        if let Some(ext) = body.extension() {
            if let (Some(before), Some(kind)) = (before, K::REF_KIND)
                && let Some(old) = before.body.extension()
            {
                ensure_extension_kept(tx, &[kind], before.id.get(), old, ext).await?;
            }
            let holder = match before {
                Some(before) => Holder::Setting(K::TABLE, before.id.get()),
                None => Holder::Nobody,
            };
            ensure_extension_free(tx, domain, ext, holder).await?;
        }
        ensure_site(tx, domain, body.site()).await?;
        if let (Some((unique, field)), Some(key)) = (K::UNIQUE, body.unique_key()) {
            let mut sql = Sql::new("SELECT id FROM ");
            sql.push(K::TABLE)
                .push(" WHERE unique_key = ")
                .bind(key.as_str());
            match unique {
                Unique::Installation => {}
                Unique::Domain => {
                    sql.push(" AND domain_id = ").bind(domain.get());
                }
                Unique::Owner => {
                    sql.push(" AND owner_id = ")
                        .bind(owner.map_or(-1, UserId::get));
                }
            }
            if let Some(before) = before {
                sql.push(" AND id <> ").bind(before.id.get());
            }
            if sql.query().fetch_optional(&mut **tx).await?.is_some() {
                let whom = match unique {
                    Unique::Installation => "already registered on this system",
                    Unique::Domain => "already used in this domain",
                    Unique::Owner => "already used by this user",
                };
                return Err(StoreError::conflict(
                    field,
                    format!("{field} {key} is {whom}"),
                ));
            }
        }
        resolve(tx, domain, owner, &body.references()).await
    }

    /// Create settings in one transaction (one, or a whole import batch).
    pub async fn create_settings<K: SettingKind>(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        domain: DomainId,
        owner: Option<UserId>,
        bodies: Vec<K>,
    ) -> Result<Vec<Setting<K>>> {
        expect_write::<K>(permit, Action::Create)?;
        let mut w = self.begin_write().await?;
        let mut created = Vec::with_capacity(bodies.len());
        for (n, body) in bodies.into_iter().enumerate() {
            if let Some(limit) = K::LIMIT {
                check_limit(&mut w.tx, K::TABLE, domain, limit).await?;
            }
            let refs = Self::check_setting(&mut w.tx, domain, owner, &body, None)
                .await
                .map_err(|e| at_item(e, n))?;
            let now = Timestamp::now().0;
            let mut sql = Sql::new("INSERT INTO ");
            sql.push(K::TABLE).push(
                " (domain_id, site_id, owner_id, unique_key, name, search, body, created_at, updated_at) VALUES (",
            );
            sql.bind(domain.get())
                .push(", ")
                .bind(body.site().map(SiteId::get))
                .push(", ");
            sql.bind(owner.map(UserId::get))
                .push(", ")
                .bind(body.unique_key())
                .push(", ");
            sql.bind(body.name())
                .push(", ")
                .bind(body.search_text())
                .push(", ");
            sql.bind(
                serde_json::to_string(&body).map_err(|e| StoreError::Internal(e.to_string()))?,
            )
            .push(", ");
            sql.bind(now).push(", ").bind(now).push(") RETURNING id");
            let id = get_i64(&sql.query().fetch_one(&mut *w.tx).await?, "id")?;
            let label = label_of::<K>(&mut w.tx, &body, owner).await?;
            write_refs(&mut w.tx, domain, (K::TABLE, id), &label, &refs).await?;
            let stored = self.read_in_tx::<K>(&mut w.tx, id).await?;
            record(
                &mut w.tx,
                ctx,
                place(reseller, &stored),
                &format!("{}.create", K::NOUN),
                &label,
                None,
                Some(&to_json(&stored)),
            )
            .await?;
            created.push(stored);
        }
        w.commit().await?;
        Ok(created)
    }

    async fn read_in_tx<K: SettingKind>(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
    ) -> Result<Setting<K>> {
        let (_, site) = scoping::<K>();
        let mut sql = Sql::new("SELECT t.*, ");
        sql.push(site).push(" AS reach_site FROM ").push(K::TABLE);
        sql.push(" t WHERE t.id = ").bind(id);
        Ok(setting::<K>(&sql.fetch_found(&mut **tx).await?)?)
    }

    /// Replace the bodies of settings in one transaction.
    /// The permit is an update, or the narrower route (a number's route) or pay (an invoice's
    /// payment) whose handlers change only that part.
    pub async fn update_settings<K: SettingKind>(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        changes: Vec<(&Setting<K>, K)>,
    ) -> Result<Vec<Setting<K>>> {
        let action = match permit.action() {
            Action::Route | Action::Pay => permit.action(),
            _ => Action::Update,
        };
        expect_write::<K>(permit, action)?;
        let mut w = self.begin_write().await?;
        let mut out = Vec::with_capacity(changes.len());
        for (before, body) in changes {
            let refs = Self::check_setting(
                &mut w.tx,
                before.domain_id,
                before.user_id,
                &body,
                Some(before),
            )
            .await?;
            let mut sql = Sql::new("UPDATE ");
            sql.push(K::TABLE).push(" SET site_id = ");
            sql.bind(body.site().map(SiteId::get))
                .push(", unique_key = ")
                .bind(body.unique_key());
            sql.push(", name = ")
                .bind(body.name())
                .push(", search = ")
                .bind(body.search_text());
            sql.push(", body = ").bind(
                serde_json::to_string(&body).map_err(|e| StoreError::Internal(e.to_string()))?,
            );
            sql.push(", updated_at = ")
                .bind(Timestamp::now().0)
                .push(" WHERE id = ")
                .bind(before.id.get());
            sql.query().execute(&mut *w.tx).await?;
            let label = label_of::<K>(&mut w.tx, &body, before.user_id).await?;
            write_refs(
                &mut w.tx,
                before.domain_id,
                (K::TABLE, before.id.get()),
                &label,
                &refs,
            )
            .await?;
            let after = self.read_in_tx::<K>(&mut w.tx, before.id.get()).await?;
            record(
                &mut w.tx,
                ctx,
                place(reseller, &after),
                &format!("{}.update", K::NOUN),
                &label,
                Some(&to_json(before)),
                Some(&to_json(&after)),
            )
            .await?;
            out.push(after);
        }
        w.commit().await?;
        Ok(out)
    }

    /// Delete a setting; refused while something points at it. Numbers that route to it are
    /// re-routed first when `reroute_numbers_to` is given.
    pub async fn delete_setting<K: SettingKind>(
        &self,
        permit: &Permit,
        ctx: &AuditContext,
        reseller: ResellerId,
        before: &Setting<K>,
        reroute_numbers_to: Option<&Route>,
    ) -> Result<()> {
        expect_write::<K>(permit, Action::Delete)?;
        let mut w = self.begin_write().await?;
        let label = label_of::<K>(&mut w.tx, &before.body, before.user_id).await?;
        if let Some(kind) = K::REF_KIND {
            if let Some(route) = reroute_numbers_to {
                reroute_numbers(
                    &mut w.tx,
                    ctx,
                    reseller,
                    before.domain_id,
                    &[kind],
                    before.id.get(),
                    route,
                )
                .await?;
            }
            ensure_unreferenced(&mut w.tx, &[kind], before.id.get(), &label).await?;
        }
        write_refs(
            &mut w.tx,
            before.domain_id,
            (K::TABLE, before.id.get()),
            &label,
            &[],
        )
        .await?;
        let mut sql = Sql::new("DELETE FROM ");
        sql.push(K::TABLE)
            .push(" WHERE id = ")
            .bind(before.id.get());
        sql.query().execute(&mut *w.tx).await?;
        record(
            &mut w.tx,
            ctx,
            place(reseller, before),
            &format!("{}.delete", K::NOUN),
            &label,
            Some(&to_json(before)),
            None,
        )
        .await?;
        w.commit().await
    }
}

/// How a setting is named to people: "time frame Office hours", "answer rule … of user 107".
async fn label_of<K: SettingKind>(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    body: &K,
    owner: Option<UserId>,
) -> Result<String> {
    let mut label = format!("{} {}", K::NOUN.replace('_', " "), body.name());
    if let Some(owner) = owner {
        let ext: Option<String> = sqlx::query_scalar("SELECT extension FROM users WHERE id = $1")
            .bind(owner.get())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(ext) = ext {
            label.push_str(&format!(" of user {ext}"));
        }
    }
    Ok(label)
}

/// Point the numbers that route to a target somewhere else (in the caller's transaction).
pub(crate) async fn reroute_numbers(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ctx: &AuditContext,
    reseller: ResellerId,
    domain: DomainId,
    kinds: &[&str],
    id: i64,
    route: &Route,
) -> Result<()> {
    let mut numbers: Vec<i64> = Vec::new();
    for kind in kinds {
        let found: Vec<i64> = sqlx::query_scalar(
            "SELECT from_id FROM setting_refs WHERE from_table = 'phone_numbers' AND to_kind = $1 AND to_id = $2",
        )
        .bind(*kind)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        numbers.extend(found);
    }
    for number_id in numbers {
        let row = sqlx::query("SELECT body FROM phone_numbers WHERE id = $1")
            .bind(number_id)
            .fetch_one(&mut **tx)
            .await?;
        let mut number: PhoneNumber =
            parsed("body", serde_json::from_str(&get_text(&row, "body")?))?;
        let before = to_json(&number);
        number.route = route.clone();
        let refs = resolve(tx, domain, None, &number.references())
            .await
            .map_err(|e| match e {
                StoreError::InvalidReference { message, .. } => StoreError::InvalidReference {
                    field: "reroute_numbers_to".into(),
                    message,
                },
                other => other,
            })?;
        let body =
            serde_json::to_string(&number).map_err(|e| StoreError::Internal(e.to_string()))?;
        sqlx::query("UPDATE phone_numbers SET body = $1, updated_at = $2 WHERE id = $3")
            .bind(body)
            .bind(Timestamp::now().0)
            .bind(number_id)
            .execute(&mut **tx)
            .await?;
        let label = format!("phone number {}", number.number);
        write_refs(tx, domain, ("phone_numbers", number_id), &label, &refs).await?;
        record(
            tx,
            ctx,
            AuditPlace {
                reseller: Some(reseller),
                domain: Some(domain),
                site: None,
            },
            "phone_number.update",
            &label,
            Some(&before),
            Some(&to_json(&number)),
        )
        .await?;
    }
    Ok(())
}

/// Name the item of a batch that failed.
fn at_item(e: StoreError, n: usize) -> StoreError {
    match e {
        StoreError::InvalidReference { field, message } if n > 0 => StoreError::InvalidReference {
            field,
            message: format!("item {}: {message}", n + 1),
        },
        StoreError::Conflict { field, message } if n > 0 => StoreError::Conflict {
            field,
            message: format!("item {}: {message}", n + 1),
        },
        other => other,
    }
}
