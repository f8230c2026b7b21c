//! The `directory` section: who may register and call (`sip_auth`), and how a login is dialled
//! (`user_call`). A login answers only when it is enabled and has a password; FreeSWITCH gets
//! its HA1 as `a1-hash`, never a password.
//!
//! `reverse-auth-lookup` (FreeSWITCH answering a phone's own challenge) needs the plain
//! password, which Switchboard never keeps: it answers "not found", and such phones must not
//! challenge the switch.

use super::Fields;
use super::xml::{self, Doc};
use crate::AppState;
use crate::error::ApiResult;
use crate::switch::lookup::domain_named;
use switchboard_policy::{Resource, operator_visibility};

/// FreeSWITCH's own dial string for a registered login (as FusionPBX writes it): the contact
/// the login registered, with its presence.
const DIAL_STRING: &str = "{sip_invite_domain=${dialed_domain},presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}";

pub async fn answer(state: &AppState, fields: &Fields) -> ApiResult<String> {
    if fields.get("action") == Some("reverse-auth-lookup") {
        return Ok(xml::not_found());
    }
    let (Some(username), Some(domain)) = (
        fields.first(&["user", "sip_auth_username"]),
        fields.first(&["domain", "sip_auth_realm", "key_value"]),
    ) else {
        return Ok(xml::not_found());
    };
    let Some(domain) = domain_named(state, domain).await? else {
        return Ok(xml::not_found());
    };
    let devices = operator_visibility(Resource::Devices);
    let Some(login) = state.store.sip_login(&devices, domain.id, username).await? else {
        return Ok(xml::not_found());
    };
    let Some(ha1) = state.store.sip_ha1(&devices, domain.id, username).await? else {
        // Disabled, or no password issued yet.
        return Ok(xml::not_found());
    };
    let owner = match login.owner_id {
        Some(id) => state.store.user_and_domain(id).await?.map(|(u, _)| u.user),
        None => None,
    };
    let name = domain.name.as_str();
    let mut doc = Doc::section("directory");
    doc.open("domain", &[("name", name)]);
    doc.open("params", &[])
        .param("dial-string", DIAL_STRING)
        .close();
    doc.open("groups", &[])
        .open("group", &[("name", "default")])
        .open("users", &[])
        .open("user", &[("id", &login.username)]);
    doc.open("params", &[]).param("a1-hash", &ha1).close();
    doc.open("variables", &[]);
    let mut variable = |n: &str, v: &str| {
        doc.leaf("variable", &[("name", n), ("value", v)]);
    };
    variable("user_context", name);
    variable("domain_name", name);
    if let Some(user) = &owner {
        let full = format!("{} {}", user.first_name, user.last_name);
        variable("effective_caller_id_name", full.trim());
        variable("effective_caller_id_number", user.extension.as_str());
        variable("switchboard_extension", user.extension.as_str());
    }
    Ok(doc.finish())
}
