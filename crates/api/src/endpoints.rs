//! The API's endpoints as typed calls, for clients in this process (the portal) and in Rust: each
//! function fills its route's path and takes the route's own query and body types; its `Call`
//! carries the type of the answer. A test holds every endpoint here to the route table — method,
//! path, query, body and answer schemas — so a renamed field or path breaks the build of a
//! client, or this test, never a page at run time.

use crate::api::audit::AuditQuery;
use crate::api::auth::{
    ImpersonateRequest, LoginAnswer, ReauthRequest, ReauthResponse, RefreshRequest,
    SecondFactorRequest, TokenRequest, TokenResponse,
};
use crate::api::calls::{CallCountResponse, CallQuery};
use crate::api::directory::{CreatedDomain, DomainQuery, NewDomainBody, SearchQuery};
use crate::api::me::{MeResponse, PortalTabs};
use crate::api::queue_waiting::QueueWaitingView;
use crate::api::queues::{
    AvailabilityBody, LoginBody, NewAgentBody, NewQueueBody, QueuePatch, QueueQuery,
};
use crate::api::recycle::{RecycleBody, Recycled};
use crate::api::reports::{AgentReport, QueueReport, ReportQuery};
use crate::api::settings::{ApiKind, SettingQuery};
use crate::api::settings_extra::{ActiveRule, AtQuery, NamedUploadQuery, PaymentBody};
use crate::api::sip::{SipLogin, SipLoginPatch, SipPassword};
use crate::api::two_factor::{CodeBody, RecoveryCodes, TwoFactorEnrolment, TwoFactorStatus};
use crate::api::users::{NewUserBody, PasswordBody, ScopeBody, UserPatch, UserQuery};
use crate::api::voicemail_pin::VoicemailPinBody;
use crate::api::{CountResponse, DeleteQuery, ListResponse};
use crate::routes::SchemaFn;
use axum::http::Method;
use serde::Serialize;
use std::marker::PhantomData;
use switchboard_domain::*;

/// An answer that is a file (CSV, a recording, a printable page), passed on as it comes.
pub struct File;

/// One request, ready to send: method, path with its query, JSON body; `A` is what a success
/// answers (`()` for 204, `File` for a file).
pub struct Call<A> {
    pub method: Method,
    pub path: String,
    pub body: Option<Vec<u8>>,
    /// The body's media type: JSON unless an upload says otherwise.
    pub content_type: &'static str,
    answer: PhantomData<fn() -> A>,
}

/// Percent-encode one path segment: everything but RFC 3986's unreserved characters.
pub fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The template with each `{name}` replaced, in order, by the next value.
fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(&segment(values.next().copied().unwrap_or_default()));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

impl<A> Call<A> {
    fn new(method: Method, template: &str, values: &[&str]) -> Call<A> {
        Call {
            method,
            path: fill(template, values),
            body: None,
            content_type: "application/json",
            answer: PhantomData,
        }
    }

    fn query<Q: Serialize>(mut self, query: &Q) -> Call<A> {
        // A query type is a flat struct of scalars: it always encodes.
        let encoded = serde_urlencoded::to_string(query).unwrap_or_default();
        if !encoded.is_empty() {
            self.path = format!("{}?{encoded}", self.path);
        }
        self
    }

    fn body<B: Serialize>(mut self, body: &B) -> Call<A> {
        self.body = serde_json::to_vec(body).ok();
        self
    }
}

fn schema_of<T: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    generator.subschema_for::<T>()
}

/// What the route table must say of an endpoint.
pub struct Contract {
    pub name: &'static str,
    pub method: Method,
    pub template: std::borrow::Cow<'static, str>,
    pub query: Option<SchemaFn>,
    pub body: Option<SchemaFn>,
    pub answer: Option<SchemaFn>,
}

macro_rules! answer_type {
    (json, $t:ty) => {
        $t
    };
    (no_content) => {
        ()
    };
    (file) => {
        File
    };
}

macro_rules! answer_schema {
    (json, $t:ty) => {
        Some(schema_of::<$t> as SchemaFn)
    };
    (no_content) => {
        None
    };
    (file) => {
        Some(schema_of::<String> as SchemaFn)
    };
}

macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($param:ident),*) $method:ident $template:literal
            $(, query $query:ty)? $(, body $body:ty)? => $kind:ident $(($answer:ty))?;
    )*) => {
        $(
            $(#[$doc])*
            pub fn $name($($param: &str,)* $(query: &$query,)? $(body: &$body,)?) -> Call<answer_type!($kind $(, $answer)?)> {
                let call = Call::new(Method::$method, $template, &[$($param),*]);
                $(let call = call.query::<$query>(query);)?
                $(let call = call.body::<$body>(body);)?
                call
            }
        )*

        /// Every endpoint above, for the test that holds them to the route table.
        pub fn contracts() -> Vec<Contract> {
            vec![$(Contract {
                name: stringify!($name),
                method: Method::$method,
                template: $template.into(),
                query: None $(.or(Some(schema_of::<$query> as SchemaFn)))?,
                body: None $(.or(Some(schema_of::<$body> as SchemaFn)))?,
                answer: answer_schema!($kind $(, $answer)?),
            }),*]
        }
    };
}

endpoints! {
    // ---- sessions ----
    fn log_in() POST "/api/v1/auth/token", body TokenRequest => json(LoginAnswer);
    fn second_factor() POST "/api/v1/auth/second-factor", body SecondFactorRequest => json(TokenResponse);
    fn refresh() POST "/api/v1/auth/refresh", body RefreshRequest => json(TokenResponse);
    fn log_out() POST "/api/v1/auth/logout" => no_content;
    fn reauthenticate() POST "/api/v1/auth/reauth", body ReauthRequest => json(ReauthResponse);
    fn impersonate() POST "/api/v1/auth/impersonate", body ImpersonateRequest => json(TokenResponse);
    fn me() GET "/api/v1/me" => json(MeResponse);
    fn two_factor(domain, user) GET "/api/v1/domains/{domain}/users/{user}/two-factor" => json(TwoFactorStatus);
    fn begin_two_factor(domain, user) POST "/api/v1/domains/{domain}/users/{user}/two-factor" => json(TwoFactorEnrolment);
    fn confirm_two_factor(domain, user) POST "/api/v1/domains/{domain}/users/{user}/two-factor/confirm", body CodeBody => json(RecoveryCodes);
    fn renew_recovery_codes(domain, user) POST "/api/v1/domains/{domain}/users/{user}/two-factor/recovery-codes" => json(RecoveryCodes);
    fn remove_two_factor(domain, user) DELETE "/api/v1/domains/{domain}/users/{user}/two-factor" => no_content;

    // ---- the provider ----
    fn list_domains() GET "/api/v1/domains", query DomainQuery => json(ListResponse<Domain>);
    fn count_domains() GET "/api/v1/domains/count", query DomainQuery => json(CountResponse);
    fn create_domain() POST "/api/v1/domains", body NewDomainBody => json(CreatedDomain);
    fn get_domain(domain) GET "/api/v1/domains/{domain}" => json(Domain);
    fn delete_domain(domain) DELETE "/api/v1/domains/{domain}" => no_content;
    fn list_sites(domain) GET "/api/v1/domains/{domain}/sites", query SearchQuery => json(ListResponse<Site>);
    fn audit_log() GET "/api/v1/audit-log", query AuditQuery => json(ListResponse<AuditEntry>);
    fn portal_tabs(domain) GET "/api/v1/domains/{domain}/portal-tabs" => json(PortalTabs);
    fn set_portal_tabs(domain) PUT "/api/v1/domains/{domain}/portal-tabs", body PortalTabs => json(PortalTabs);

    // ---- users ----
    fn list_users(domain) GET "/api/v1/domains/{domain}/users", query UserQuery => json(ListResponse<User>);
    fn count_users(domain) GET "/api/v1/domains/{domain}/users/count", query UserQuery => json(CountResponse);
    fn create_user(domain) POST "/api/v1/domains/{domain}/users", body NewUserBody => json(User);
    fn get_user(domain, user) GET "/api/v1/domains/{domain}/users/{user}" => json(User);
    fn update_user(domain, user) PATCH "/api/v1/domains/{domain}/users/{user}", body UserPatch => json(User);
    fn delete_user(domain, user) DELETE "/api/v1/domains/{domain}/users/{user}", query DeleteQuery => no_content;
    fn set_password(domain, user) POST "/api/v1/domains/{domain}/users/{user}/password", body PasswordBody => no_content;
    fn recycle_user(domain, user) POST "/api/v1/domains/{domain}/users/{user}/recycle", body RecycleBody => json(Recycled);
    fn set_voicemail_pin(domain, user) PUT "/api/v1/domains/{domain}/users/{user}/voicemail-pin", body VoicemailPinBody => no_content;
    fn clear_voicemail_pin(domain, user) DELETE "/api/v1/domains/{domain}/users/{user}/voicemail-pin" => no_content;
    fn set_scope(domain, user) PUT "/api/v1/domains/{domain}/users/{user}/scope", body ScopeBody => json(User);
    fn supervisor_settings(domain, user) GET "/api/v1/domains/{domain}/users/{user}/supervisor-settings" => json(SupervisorSettings);
    fn set_supervisor_settings(domain, user) PUT "/api/v1/domains/{domain}/users/{user}/supervisor-settings", body SupervisorSettings => json(SupervisorSettings);

    // ---- the call center ----
    fn list_queues(domain) GET "/api/v1/domains/{domain}/call-queues", query QueueQuery => json(ListResponse<CallQueue>);
    fn count_queues(domain) GET "/api/v1/domains/{domain}/call-queues/count", query QueueQuery => json(CountResponse);
    fn queues_waiting(domain) GET "/api/v1/domains/{domain}/call-queues/waiting" => json(Vec<QueueWaitingView>);
    fn create_queue(domain) POST "/api/v1/domains/{domain}/call-queues", body NewQueueBody => json(CallQueue);
    fn get_queue(domain, queue) GET "/api/v1/domains/{domain}/call-queues/{queue}" => json(CallQueue);
    fn update_queue(domain, queue) PATCH "/api/v1/domains/{domain}/call-queues/{queue}", body QueuePatch => json(CallQueue);
    fn delete_queue(domain, queue) DELETE "/api/v1/domains/{domain}/call-queues/{queue}", query DeleteQuery => no_content;
    fn queue_agents(domain, queue) GET "/api/v1/domains/{domain}/call-queues/{queue}/agents" => json(Vec<QueueAgent>);
    fn add_agent(domain, queue) POST "/api/v1/domains/{domain}/call-queues/{queue}/agents", body NewAgentBody => json(QueueAgent);
    fn remove_agent(domain, queue, user) DELETE "/api/v1/domains/{domain}/call-queues/{queue}/agents/{user}" => no_content;
    fn set_agent_login(domain, queue, user) PUT "/api/v1/domains/{domain}/call-queues/{queue}/agents/{user}/login", body LoginBody => json(QueueAgent);
    fn availability(domain, user) GET "/api/v1/domains/{domain}/users/{user}/availability" => json(Availability);
    fn set_availability(domain, user) PUT "/api/v1/domains/{domain}/users/{user}/availability", body AvailabilityBody => json(Availability);

    // ---- call history and reports ----
    fn list_calls(domain) GET "/api/v1/domains/{domain}/calls", query CallQuery => json(ListResponse<CallRecord>);
    fn count_calls(domain) GET "/api/v1/domains/{domain}/calls/count", query CallQuery => json(CallCountResponse);
    fn calls_csv(domain) GET "/api/v1/domains/{domain}/calls/export.csv", query CallQuery => file;
    fn queue_report(domain) GET "/api/v1/domains/{domain}/reports/queues", query ReportQuery => json(QueueReport);
    fn queue_report_csv(domain) GET "/api/v1/domains/{domain}/reports/queues.csv", query ReportQuery => file;
    fn agent_report(domain) GET "/api/v1/domains/{domain}/reports/agents", query ReportQuery => json(AgentReport);
    fn agent_report_csv(domain) GET "/api/v1/domains/{domain}/reports/agents.csv", query ReportQuery => file;

    // ---- what only some kinds of setting have ----
    fn route_number(domain, id) PUT "/api/v1/domains/{domain}/phone-numbers/{id}/route", body Route => json(Setting<PhoneNumber>);
    fn voicemail_audio(domain, id) GET "/api/v1/domains/{domain}/voicemail-messages/{id}/audio" => file;
    fn hold_music_audio(domain, id) GET "/api/v1/domains/{domain}/music-on-hold/{id}/audio" => file;
    fn greeting_audio(domain, id) GET "/api/v1/domains/{domain}/greetings/{id}/audio" => file;
    fn active_rule(domain, user) GET "/api/v1/domains/{domain}/users/{user}/answer-rules/active", query AtQuery => json(ActiveRule);
    fn pay_invoice(domain, id) POST "/api/v1/domains/{domain}/invoices/{id}/payment", body PaymentBody => json(Setting<Invoice>);
    fn printable_invoice(domain, id) GET "/api/v1/domains/{domain}/invoices/{id}/printable" => file;

    // ---- phones' SIP logins ----
    fn device_sip(domain, id) GET "/api/v1/domains/{domain}/devices/{id}/sip" => json(SipLogin);
    fn set_device_sip(domain, id) PUT "/api/v1/domains/{domain}/devices/{id}/sip", body SipLoginPatch => json(SipLogin);
    fn issue_sip_password(domain, id) POST "/api/v1/domains/{domain}/devices/{id}/sip/password" => json(SipPassword);
    fn activate_greeting(domain, id) POST "/api/v1/domains/{domain}/greetings/{id}/activate" => json(Setting<Greeting>);
}

/// The standard endpoints of every kind of phone-system setting (`api::settings`): the domain's
/// collection, a user's, and one item.
pub mod settings {
    use super::*;

    fn domain_path<K: ApiKind>() -> String {
        format!("/api/v1/domains/{{domain}}/{}", K::SEGMENT)
    }
    fn user_path<K: ApiKind>() -> String {
        format!("/api/v1/domains/{{domain}}/users/{{user}}/{}", K::SEGMENT)
    }
    fn item_path<K: ApiKind>() -> String {
        format!("/api/v1/domains/{{domain}}/{}/{{id}}", K::SEGMENT)
    }

    /// The domain's shared settings of a kind (with `query`'s filters).
    pub fn list<K: ApiKind>(domain: &str, query: &SettingQuery) -> Call<ListResponse<Setting<K>>> {
        Call::new(Method::GET, &domain_path::<K>(), &[domain]).query(query)
    }
    /// A user's own settings of a kind.
    pub fn list_of_user<K: ApiKind>(
        domain: &str,
        user: &str,
        query: &SettingQuery,
    ) -> Call<ListResponse<Setting<K>>> {
        Call::new(Method::GET, &user_path::<K>(), &[domain, user]).query(query)
    }
    pub fn count<K: ApiKind>(domain: &str, query: &SettingQuery) -> Call<CountResponse> {
        Call::new(
            Method::GET,
            &format!("{}/count", domain_path::<K>()),
            &[domain],
        )
        .query(query)
    }
    pub fn get<K: ApiKind>(domain: &str, id: &str) -> Call<Setting<K>> {
        Call::new(Method::GET, &item_path::<K>(), &[domain, id])
    }
    pub fn create<K: ApiKind>(domain: &str, body: &K) -> Call<Setting<K>> {
        Call::new(Method::POST, &domain_path::<K>(), &[domain]).body(body)
    }
    pub fn create_for_user<K: ApiKind>(domain: &str, user: &str, body: &K) -> Call<Setting<K>> {
        Call::new(Method::POST, &user_path::<K>(), &[domain, user]).body(body)
    }
    /// A JSON merge patch (RFC 7396) of the setting's body: the route takes any JSON object.
    pub fn patch<K: ApiKind>(
        domain: &str,
        id: &str,
        patch: &serde_json::Value,
    ) -> Call<Setting<K>> {
        Call::new(Method::PATCH, &item_path::<K>(), &[domain, id]).body(patch)
    }
    pub fn delete<K: ApiKind>(domain: &str, id: &str, query: &DeleteQuery) -> Call<()> {
        Call::new(Method::DELETE, &item_path::<K>(), &[domain, id]).query(query)
    }

    /// Upload a recording (WAV) as a setting of the domain (hold music) or of a user (a
    /// greeting), named `name`.
    pub fn upload<K: ApiKind>(
        domain: &str,
        user: Option<&str>,
        query: &NamedUploadQuery,
        wav: Vec<u8>,
    ) -> Call<Setting<K>> {
        let call = match user {
            Some(user) => Call::new(Method::POST, &user_path::<K>(), &[domain, user]),
            None => Call::new(Method::POST, &domain_path::<K>(), &[domain]),
        };
        Call {
            body: Some(wav),
            content_type: "audio/wav",
            ..call.query(query)
        }
    }

    /// What the route table must say of one kind's endpoints.
    pub fn contracts<K: ApiKind>() -> Vec<Contract> {
        let c = |name, method, template: String, query, body, answer| Contract {
            name,
            method,
            template: template.into(),
            query,
            body,
            answer,
        };
        let q = Some(schema_of::<SettingQuery> as SchemaFn);
        let one = Some(schema_of::<Setting<K>> as SchemaFn);
        let mut out = vec![
            c(
                "list",
                Method::GET,
                domain_path::<K>(),
                q,
                None,
                Some(schema_of::<ListResponse<Setting<K>>> as SchemaFn),
            ),
            c(
                "count",
                Method::GET,
                format!("{}/count", domain_path::<K>()),
                q,
                None,
                Some(schema_of::<CountResponse> as SchemaFn),
            ),
            c("get", Method::GET, item_path::<K>(), None, None, one),
            c(
                "patch",
                Method::PATCH,
                item_path::<K>(),
                None,
                Some(schema_of::<serde_json::Value> as SchemaFn),
                one,
            ),
            c(
                "delete",
                Method::DELETE,
                item_path::<K>(),
                Some(schema_of::<DeleteQuery> as SchemaFn),
                None,
                None,
            ),
        ];
        if K::PLACEMENT != crate::api::settings::Placement::Domain {
            out.push(c(
                "list_of_user",
                Method::GET,
                user_path::<K>(),
                q,
                None,
                Some(schema_of::<ListResponse<Setting<K>>> as SchemaFn),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(contract: &Contract, routes: &[crate::routes::Route]) {
        let route = routes
            .iter()
            .find(|r| r.method == contract.method && r.path == contract.template)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no route {} {}",
                    contract.name, contract.method, contract.template
                )
            });
        let mut generator = schemars::SchemaGenerator::default();
        let mut schema = |f: Option<SchemaFn>| f.map(|f| f(&mut generator));
        let (want_query, have_query) = (schema(route.query), schema(contract.query));
        let (want_body, have_body) = (schema(route.body), schema(contract.body));
        let (mut want_answer, have_answer) = (schema(route.response), schema(contract.answer));
        // A route with two successes answers either one: the client reads one or the other.
        if let Some((_, _, other)) = route.other_success {
            let either = serde_json::json!({"anyOf": [want_answer, other(&mut generator)]});
            want_answer = Some(schemars::Schema::try_from(either).expect("a schema"));
        }
        assert_eq!(
            want_query, have_query,
            "{}: the query type differs from the route's",
            contract.name
        );
        assert_eq!(
            want_body, have_body,
            "{}: the body type differs from the route's",
            contract.name
        );
        assert_eq!(
            want_answer, have_answer,
            "{}: the answer type differs from the route's",
            contract.name
        );
    }

    #[test]
    fn every_endpoint_is_a_route_with_the_same_types() {
        let routes = crate::api::routes();
        let all = contracts();
        assert!(all.len() > 40);
        for contract in &all {
            check(contract, &routes);
        }
        macro_rules! kinds { ($($k:ty),*) => { $(for c in settings::contracts::<$k>() { check(&c, &routes); })* } }
        kinds!(
            Device,
            PhoneNumber,
            TimeFrame,
            AnswerRule,
            Contact,
            VoicemailMessage,
            Greeting,
            MusicOnHold,
            AutoAttendant,
            Conference,
            EmergencyAddress,
            Invoice,
            AuthorizedContact
        );
    }

    #[test]
    fn paths_are_filled_in_order_and_encoded() {
        let call = get_user("acme.example", "1 0/5");
        assert_eq!(call.path, "/api/v1/domains/acme.example/users/1%200%2F5");
        let call = list_users(
            "~",
            &UserQuery {
                q: Some("é&x".into()),
                limit: Some(5),
                ..UserQuery::default()
            },
        );
        assert_eq!(call.path, "/api/v1/domains/~/users?q=%C3%A9%26x&limit=5");
    }
}
