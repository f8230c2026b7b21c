//! The Contacts tab: one's own contacts and the organization's shared ones.

use super::*;
use crate::html::{checkbox, field, table};
use switchboard_policy::{Action, Resource};

pub(super) fn contact_name(c: &Contact) -> String {
    let name = format!("{} {}", text(&c.first_name), text(&c.last_name))
        .trim()
        .to_owned();
    if name.is_empty() {
        text(&c.company)
    } else {
        name
    }
}

const PHONE_KINDS: &[(&str, &str)] = &[
    ("work", "work"),
    ("mobile", "mobile"),
    ("home", "home"),
    ("fax", "fax"),
    ("other", "other"),
];

fn phone_kind_label(kind: PhoneKind) -> &'static str {
    label_of(PHONE_KINDS, kind.as_str())
}

pub(super) async fn contacts(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let api = ctx.api();
    let mine = SettingQuery {
        q: some(ctx.q("q")),
        limit: Some(200),
        ..SettingQuery::default()
    };
    let shared_only = SettingQuery {
        shared: Some(true),
        ..mine.clone()
    };
    let personal = api
        .call(settings::list_of_user::<Contact>(MINE, MINE, &mine))
        .await?
        .items;
    let shared = api
        .call(settings::list::<Contact>(MINE, &shared_only))
        .await?
        .items;
    let may_share = can(ctx, Resource::ContactsShared, Action::Create);
    let row = |c: &Setting<Contact>, deletable: bool| {
        let phones = c
            .body
            .phones
            .iter()
            .map(|p| format!("{} ({})", p.number, phone_kind_label(p.kind)))
            .collect::<Vec<_>>()
            .join(", ");
        html! { tr {
            td { (contact_name(&c.body)) }
            td { (text(&c.body.company)) }
            td { (phones) }
            td { (text(&c.body.email)) }
            td { @if deletable { (delete_link(ctx, &c.id.get().to_string())) } }
        } }
    };
    page(
        t("contacts-2"),
        html! {
            (search_form(ctx, t("search-contacts")))
            h2 { (t("my-contacts")) }
            (table(&[t("name"), t("company"), t("phones"), t("email"), ""], personal.iter().map(|c| row(c, true)).collect(), t("no-personal-contacts")))
            h2 { (t("shared-contacts")) }
            (table(&[t("name"), t("company"), t("phones"), t("email"), ""], shared.iter().map(|c| row(c, may_share)).collect(), t("no-shared-contacts")))
            form.card method="post" action=(ctx.base()) {
                h2 { (t("new-contact")) }
                (csrf(&ctx.s.csrf))
                (form_error(sub))
                (field(sub, "first_name", t("first-name"), Input::Text, ""))
                (field(sub, "last_name", t("last-name"), Input::Text, ""))
                (field(sub, "company", t("company"), Input::Text, ""))
                (field(sub, "email", t("email"), Input::Email, ""))
                (field(sub, "number", t("phone-number"), Input::Text, ""))
                (field(sub, "kind", t("phone-kind"), Input::Select(&options(PHONE_KINDS)), "work"))
                @if may_share { (checkbox(sub, "shared", "on", t("share-with-everyone-in-the-organization"), false)) }
                button.primary type="submit" { (t("add-contact")) }
            }
        },
    )
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    if !rest.is_empty() {
        return Err(Failure::not_found());
    }
    let phones = match form.value::<DialString>("number")? {
        Some(number) => vec![ContactPhone {
            kind: form.required("kind", t("phone-kind"))?,
            number,
        }],
        None => Vec::new(),
    };
    let contact = Contact {
        first_name: form.value("first_name")?,
        last_name: form.value("last_name")?,
        company: form.value("company")?,
        email: form.value("email")?,
        phones,
        notes: None,
    };
    let call = if form.flag("shared") {
        settings::create(MINE, &contact)
    } else {
        settings::create_for_user(MINE, MINE, &contact)
    };
    ctx.api().call(call).await?;
    Ok(done(ctx, "created"))
}
