//! Call records: bulk ingestion from the switch, and call history for every scope.

use super::{ListResponse, resolve_domain, visibility_for_list, visibility_for_lookup};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, QueryParams};
use crate::routes::{Access, Route, route};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::*;
use switchboard_policy::{Resource, Target, Visibility, authorize_create};
use switchboard_records::CallInput;
use switchboard_store::{CallFilter, CallPageRequest, ExtensionDirectory, NewCall};

/// The most calls one ingestion request may carry.
pub const MAX_BATCH: usize = 10_000;

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestBody {
    /// Up to 10,000 calls; stored all or none.
    pub calls: Vec<CallInput>,
}

#[derive(Deserialize, Serialize, JsonSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct CallQuery {
    /// RFC 3339; calls started at or after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// RFC 3339; calls started before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Digits contained in the from or to number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// A user's extension: calls that touched that user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A call queue's extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

pub fn routes() -> Vec<Route> {
    use Access::Guarded;
    use switchboard_policy::Action::*;
    let m = |method: Method, path, access, summary| {
        route(method, path, access, "call history", summary)
    };
    let history = Guarded(Resource::CallHistory, Read);
    vec![
        m(
            Method::POST,
            "/api/v1/domains/{domain}/calls",
            Guarded(Resource::CallHistory, Create),
            "Ingest call records from the switch (idempotent by call_id)",
        )
        .body::<IngestBody>()
        .returns::<IngestSummary>()
        .body_limit(16 * 1024 * 1024)
        .to(ingest),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/calls",
            history,
            "Call history, newest first, cut to your scope",
        )
        .query::<CallQuery>()
        .returns::<ListResponse<CallRecord>>()
        .to(list),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/calls/count",
            history,
            "Count call history, exactly up to 10,000 calls",
        )
        .query::<CallQuery>()
        .returns::<CallCountResponse>()
        .to(count),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/calls/export.csv",
            history,
            "Call history as CSV, streamed",
        )
        .query::<CallQuery>()
        .csv()
        .to(export),
        m(
            Method::GET,
            "/api/v1/domains/{domain}/calls/{call}",
            history,
            "One call by the switch's call id",
        )
        .returns::<CallRecord>()
        .to(get),
    ]
}

type S = State<AppState>;
type C = Extension<Caller>;

// A field's name is made only for its error: an import checks millions of fields.
fn time(raw: &str, field: impl FnOnce() -> String) -> ApiResult<Timestamp> {
    Timestamp::parse_rfc3339(raw).map_err(|e| {
        let field = field();
        ApiError::invalid(&field, format!("{field}: {e}"))
    })
}

fn number(raw: &str, field: impl FnOnce() -> String) -> ApiResult<String> {
    let ok = (1..=64).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+*#-.@_".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        let field = field();
        Err(ApiError::invalid(
            &field,
            format!("{field}: 1 to 64 characters: digits, letters, + * # - . @ _"),
        ))
    }
}

/// Turn one input call into a record, resolving extensions; errors name `calls[i].field`.
pub fn parse_call(i: usize, input: &CallInput, dir: &ExtensionDirectory) -> ApiResult<NewCall> {
    let f = |name: &str| format!("calls[{i}].{name}");
    if input.call_id.is_empty()
        || input.call_id.len() > 128
        || input.call_id.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            &f("call_id"),
            format!("{}: 1 to 128 characters", f("call_id")),
        ));
    }
    let started_at = time(&input.started_at, || f("started_at"))?;
    let ended_at = time(&input.ended_at, || f("ended_at"))?;
    if ended_at < started_at {
        return Err(ApiError::invalid(
            &f("ended_at"),
            format!("{}: the call ends before it starts", f("ended_at")),
        ));
    }
    let answered_at = input
        .answered_at
        .as_deref()
        .map(|a| time(a, || f("answered_at")))
        .transpose()?;
    match (input.disposition, answered_at) {
        (Disposition::Answered, None) => {
            return Err(ApiError::invalid(
                &f("answered_at"),
                format!("{}: an answered call has answered_at", f("answered_at")),
            ));
        }
        (d, Some(_)) if d != Disposition::Answered => {
            return Err(ApiError::invalid(
                &f("answered_at"),
                format!(
                    "{}: only an answered call has answered_at",
                    f("answered_at")
                ),
            ));
        }
        (_, Some(a)) if a < started_at || a > ended_at => {
            return Err(ApiError::invalid(
                &f("answered_at"),
                format!("{}: between started_at and ended_at", f("answered_at")),
            ));
        }
        _ => {}
    }
    let mut user_ids = Vec::new();
    let mut site_ids = Vec::new();
    for (j, ext) in input.users.iter().enumerate() {
        let (id, site) = dir.users.get(ext).ok_or_else(|| {
            ApiError::invalid(
                &format!("calls[{i}].users[{j}]"),
                format!("calls[{i}].users[{j}]: no user with extension {ext} in this domain"),
            )
        })?;
        user_ids.push(*id);
        site_ids.extend(site);
    }
    let queue_id = match &input.queue {
        Some(ext) => {
            let (id, site) = dir.queues.get(ext).ok_or_else(|| {
                ApiError::invalid(
                    &f("queue"),
                    format!(
                        "{}: no call queue with extension {ext} in this domain",
                        f("queue")
                    ),
                )
            })?;
            site_ids.extend(site);
            Some(*id)
        }
        None => None,
    };
    // An agent who is no user here (a queue member of the switch's own) is kept by name.
    let (agent_user_id, agent_name) = match &input.agent {
        Some(ext) => match dir.users.get(ext) {
            Some((id, site)) => {
                user_ids.push(*id);
                site_ids.extend(site);
                (Some(*id), None)
            }
            None if (1..=64).contains(&ext.chars().count())
                && !ext.chars().any(char::is_control) =>
            {
                (None, Some(ext.clone()))
            }
            None => {
                return Err(ApiError::invalid(
                    &f("agent"),
                    format!(
                        "{}: an extension or a name of 1 to 64 characters",
                        f("agent")
                    ),
                ));
            }
        },
        None => (None, None),
    };
    Ok(NewCall {
        call_id: input.call_id.clone(),
        direction: input.direction,
        from: number(&input.from, || f("from"))?,
        to: number(&input.to, || f("to"))?,
        queue_id,
        agent_user_id,
        agent_name,
        started_at,
        answered_at,
        ended_at,
        disposition: input.disposition,
        user_ids,
        site_ids,
    })
}

/// Store a batch of call records in a domain: all or none, idempotent by call id.
pub async fn ingest_calls(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    body: IngestBody,
) -> ApiResult<IngestSummary> {
    let permit = authorize_create(
        &caller.actor,
        Resource::CallHistory,
        &Target::domain(domain.reseller_id, domain.id),
    )?;
    if body.calls.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "calls",
            format!("calls: at most {MAX_BATCH} per request; send several batches"),
        ));
    }
    let dir = state.store.extension_directory(domain.id).await?;
    let calls = body
        .calls
        .iter()
        .enumerate()
        .map(|(i, c)| parse_call(i, c, &dir))
        .collect::<ApiResult<Vec<_>>>()
        .inspect_err(|_| state.metrics.import_error())?;
    let summary = state
        .store
        .ingest_calls(
            &permit,
            &caller.audit(),
            domain.reseller_id,
            domain.id,
            calls,
        )
        .await?;
    state
        .metrics
        .calls_ingested(summary.inserted, summary.duplicates);
    Ok(summary)
}

async fn ingest(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    JsonBody(body): JsonBody<IngestBody>,
) -> ApiResult<Json<IngestSummary>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    Ok(Json(ingest_calls(&state, &caller, &domain, body).await?))
}

fn encode_cursor(before: (Timestamp, CallId)) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "before:{}:{}",
        before.0.0,
        before.1.get()
    ))
}

fn decode_cursor(raw: &str) -> ApiResult<(Timestamp, CallId)> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let rest = s.strip_prefix("before:")?;
            let (t, id) = rest.split_once(':')?;
            Some((Timestamp(t.parse().ok()?), CallId(id.parse().ok()?)))
        })
        .ok_or_else(|| {
            ApiError::malformed("cursor is not one this server gave out; start again without it")
                .with_field("cursor")
        })
}

/// The filters of a query, with extensions resolved in the domain.
async fn filter_of(state: &AppState, domain: &Domain, q: &CallQuery) -> ApiResult<CallFilter> {
    let since = q
        .since
        .as_deref()
        .map(|t| time(t, || "since".to_owned()))
        .transpose()?;
    let until = q
        .until
        .as_deref()
        .map(|t| time(t, || "until".to_owned()))
        .transpose()?;
    let dir = if q.user.is_some() || q.queue.is_some() {
        state.store.extension_directory(domain.id).await?
    } else {
        ExtensionDirectory::default()
    };
    // An unknown extension matches nothing, like any other filter value.
    let user = q
        .user
        .as_ref()
        .map(|ext| dir.users.get(ext).map_or(UserId(-1), |(id, _)| *id));
    let queue = q
        .queue
        .as_ref()
        .map(|ext| dir.queues.get(ext).map_or(QueueId(-1), |(id, _)| *id));
    Ok(CallFilter {
        since,
        until,
        direction: q.direction,
        number: q.number.clone(),
        user,
        queue,
        disposition: q.disposition,
    })
}

fn call_page(q: &CallQuery) -> ApiResult<CallPageRequest> {
    let limit = q.limit.unwrap_or(super::DEFAULT_LIMIT);
    if limit == 0 || limit > super::MAX_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("limit is between 1 and {}", super::MAX_LIMIT),
        ));
    }
    Ok(CallPageRequest {
        before: q
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(decode_cursor)
            .transpose()?,
        limit,
    })
}

async fn list(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<CallQuery>,
) -> ApiResult<Json<ListResponse<CallRecord>>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::CallHistory)?;
    let page = state
        .store
        .list_calls(
            &vis,
            domain.id,
            &filter_of(&state, &domain, &q).await?,
            call_page(&q)?,
        )
        .await?;
    Ok(Json(ListResponse {
        items: page.items,
        next_cursor: page.next_before.map(encode_cursor),
    }))
}

/// Counting stops here: past it a count says "more than 10,000" (narrow the time range, or read
/// the reports, for totals). A count then walks each party's index no further than this, so it
/// answers as fast at ten million calls as at ten thousand.
pub const CALL_COUNT_LIMIT: u32 = 10_000;

/// How many calls match, exactly up to `CALL_COUNT_LIMIT`.
#[derive(Serialize, Deserialize, JsonSchema, Debug)]
pub struct CallCountResponse {
    /// The number of matching calls when `exact`; otherwise 10,000, and more calls match.
    pub count: i64,
    /// False when more than `count` calls match (counting stops at 10,000).
    pub exact: bool,
}

/// "1234", or "10000+" past the limit.
impl std::fmt::Display for CallCountResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.count, if self.exact { "" } else { "+" })
    }
}

async fn count(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<CallQuery>,
) -> ApiResult<Json<CallCountResponse>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::CallHistory)?;
    let filter = filter_of(&state, &domain, &q).await?;
    let counted = state
        .store
        .count_calls(&vis, domain.id, &filter, CALL_COUNT_LIMIT)
        .await?;
    Ok(Json(CallCountResponse {
        count: counted.count,
        exact: counted.exact,
    }))
}

async fn get(
    State(state): S,
    Extension(caller): C,
    Path((domain, call)): Path<(String, String)>,
) -> ApiResult<Json<CallRecord>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_lookup(&caller, Resource::CallHistory)?;
    Ok(Json(state.store.get_call(&vis, domain.id, &call).await?))
}

const CSV_HEADER: &str = "call_id,direction,from,to,started_at,answered_at,ended_at,wait_seconds,talk_seconds,disposition,queue,agent,users\r\n";

fn csv_rows(calls: &[CallRecord], dir: &ExtensionDirectory) -> String {
    let mut out = String::new();
    for c in calls {
        let users: Vec<&str> = c
            .user_ids
            .iter()
            .filter_map(|u| dir.user_extension(*u))
            .collect();
        let fields = [
            c.call_id.clone(),
            c.direction.as_str().to_owned(),
            c.from.clone(),
            c.to.clone(),
            c.started_at.to_rfc3339(),
            c.answered_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            c.ended_at.to_rfc3339(),
            c.wait_seconds.to_string(),
            c.talk_seconds.to_string(),
            c.disposition.as_str().to_owned(),
            c.queue_id
                .and_then(|q| dir.queue_extension(q))
                .unwrap_or_default()
                .to_owned(),
            c.agent_user_id
                .and_then(|u| dir.user_extension(u))
                .unwrap_or_default()
                .to_owned(),
            users.join(" "),
        ];
        crate::spreadsheet::line(&mut out, &fields);
    }
    out
}

struct ExportState {
    state: AppState,
    vis: Visibility,
    domain: DomainId,
    filter: CallFilter,
    dir: ExtensionDirectory,
    before: Option<(Timestamp, CallId)>,
    started: bool,
    done: bool,
}

/// Stream the whole filtered history as CSV, a page at a time (constant memory).
async fn export(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<CallQuery>,
) -> ApiResult<Response> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let vis = visibility_for_list(&caller, Resource::CallHistory)?;
    let filter = filter_of(&state, &domain, &q).await?;
    let dir = state.store.extension_directory(domain.id).await?;
    let start = ExportState {
        state: state.clone(),
        vis,
        domain: domain.id,
        filter,
        dir,
        before: None,
        started: false,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, |mut st| async move {
        if st.done {
            return None;
        }
        if !st.started {
            st.started = true;
            return Some((
                Ok::<Bytes, std::io::Error>(Bytes::from_static(CSV_HEADER.as_bytes())),
                st,
            ));
        }
        let page = st
            .state
            .store
            .list_calls(
                &st.vis,
                st.domain,
                &st.filter,
                CallPageRequest {
                    before: st.before,
                    limit: 500,
                },
            )
            .await;
        match page {
            Ok(page) => {
                st.before = page.next_before;
                st.done = page.next_before.is_none();
                Some((Ok(Bytes::from(csv_rows(&page.items, &st.dir))), st))
            }
            Err(e) => {
                tracing::error!(error = %e, "call export failed");
                st.done = true;
                Some((
                    Err(std::io::Error::other(
                        "the export stopped: a database error",
                    )),
                    st,
                ))
            }
        }
    });
    let filename = format!("attachment; filename=\"calls-{}.csv\"", domain.name);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
