//! Contacts in and out as CSV (for spreadsheets) and vCard (for phones and mail programs).
//! An import is one transaction: every contact is stored, or none, and the error names the line.

use super::settings::{
    SettingQuery, create_owned, create_shared_many, read_visibilities, setting_filter,
};
use super::{resolve_domain, resolve_user};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::routes::{Access::Guarded, Route, route};
use crate::spreadsheet::inert;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;
use switchboard_domain::*;
use switchboard_policy::{Action, Resource};
use switchboard_store::PageRequest;

/// The most contacts one import takes.
pub const MAX_IMPORT: usize = 5000;

const CSV_HEADER: [&str; 10] = [
    "first_name",
    "last_name",
    "company",
    "email",
    "work",
    "mobile",
    "home",
    "fax",
    "other",
    "notes",
];

fn at_line(line: usize, field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(field, format!("line {line}: {field}: {message}"))
}

fn opt<T>(
    line: usize,
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
) -> ApiResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).map_err(|e| at_line(line, field, e)),
    }
}

fn finish(line: usize, contact: Contact) -> ApiResult<Contact> {
    contact
        .check()
        .map_err(|e| at_line(line, &e.field, e.message))?;
    Ok(contact)
}

/// Parse CSV with a header row naming the columns (any order, unknown columns refused).
pub fn parse_csv(text: &str) -> ApiResult<Vec<Contact>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::invalid("file", format!("line 1: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if let Some(unknown) = headers.iter().find(|h| !CSV_HEADER.contains(&h.as_str())) {
        return Err(at_line(
            1,
            "file",
            format!(
                "unknown column {unknown}; the columns are {}",
                CSV_HEADER.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| at_line(line, "file", e))?;
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(crate::spreadsheet::as_written)
        };
        let mut phones = Vec::new();
        for kind in ["work", "mobile", "home", "fax", "other"] {
            if let Some(number) = opt(line, kind, get(kind), DialString::parse)? {
                phones.push(ContactPhone {
                    kind: PhoneKind::parse(kind).unwrap_or(PhoneKind::Other),
                    number,
                });
            }
        }
        out.push(finish(
            line,
            Contact {
                first_name: opt(line, "first_name", get("first_name"), Label::parse)?,
                last_name: opt(line, "last_name", get("last_name"), Label::parse)?,
                company: opt(line, "company", get("company"), Label::parse)?,
                email: opt(line, "email", get("email"), Email::parse)?,
                phones,
                notes: opt(line, "notes", get("notes"), Note::parse)?,
            },
        )?);
        if out.len() > MAX_IMPORT {
            return Err(ApiError::invalid(
                "file",
                format!("an import holds at most {MAX_IMPORT} contacts; split the file"),
            ));
        }
    }
    Ok(out)
}

pub fn to_csv(contacts: &[Setting<Contact>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for c in contacts {
        let b = &c.body;
        let phone = |kind: PhoneKind| {
            let joined = b
                .phones
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.number.as_str())
                .collect::<Vec<_>>()
                .join(" / ");
            // Two numbers, `+1… / +1…`, are a division to a spreadsheet.
            inert(&joined).into_owned()
        };
        // Every cell made inert: an email's local part may start with `=` or `@`.
        let text = |v: &Option<Label>| {
            v.as_ref()
                .map(|l| inert(l.as_str()).into_owned())
                .unwrap_or_default()
        };
        let _ = w.write_record([
            text(&b.first_name),
            text(&b.last_name),
            text(&b.company),
            b.email
                .as_ref()
                .map(|e| inert(e.as_str()).into_owned())
                .unwrap_or_default(),
            phone(PhoneKind::Work),
            phone(PhoneKind::Mobile),
            phone(PhoneKind::Home),
            phone(PhoneKind::Fax),
            phone(PhoneKind::Other),
            b.notes
                .as_ref()
                .map(|n| inert(n.as_str()).into_owned())
                .unwrap_or_default(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn vcard_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(',', "\\,")
        .replace(';', "\\;")
}

fn vcard_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Split on separators that are not escaped.
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            if let Some(p) = parts.last_mut() {
                p.push('\\');
                p.push(c);
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(String::new());
        } else if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts.iter().map(|p| vcard_unescape(p)).collect()
}

pub fn to_vcard(contacts: &[Setting<Contact>]) -> String {
    let mut out = String::new();
    for c in contacts {
        let b = &c.body;
        let text = |v: &Option<Label>| {
            v.as_ref()
                .map(|l| vcard_escape(l.as_str()))
                .unwrap_or_default()
        };
        out.push_str("BEGIN:VCARD\r\nVERSION:3.0\r\n");
        out.push_str(&format!(
            "N:{};{};;;\r\n",
            text(&b.last_name),
            text(&b.first_name)
        ));
        out.push_str(&format!("FN:{}\r\n", vcard_escape(&b.display_name())));
        if let Some(org) = &b.company {
            out.push_str(&format!("ORG:{}\r\n", vcard_escape(org.as_str())));
        }
        if let Some(email) = &b.email {
            out.push_str(&format!("EMAIL;TYPE=INTERNET:{email}\r\n"));
        }
        for p in &b.phones {
            let kind = match p.kind {
                PhoneKind::Mobile => "CELL",
                PhoneKind::Other => "VOICE",
                other => other.as_str(),
            };
            out.push_str(&format!(
                "TEL;TYPE={}:{}\r\n",
                kind.to_ascii_uppercase(),
                p.number
            ));
        }
        if let Some(note) = &b.notes {
            out.push_str(&format!("NOTE:{}\r\n", vcard_escape(note.as_str())));
        }
        out.push_str("END:VCARD\r\n");
    }
    out
}

/// A vCard property: name, parameters (lowercased), value.
type Property = (String, String, String);

/// Parse vCard 2.1/3.0/4.0: N, FN, ORG, EMAIL, TEL (with TYPE), NOTE; other properties are
/// ignored. Errors name the line where the card starts.
pub fn parse_vcard(text: &str) -> ApiResult<Vec<Contact>> {
    // Unfold: a line starting with a space or tab continues the previous one.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        if (raw.starts_with(' ') || raw.starts_with('\t')) && !lines.is_empty() {
            if let Some((_, last)) = lines.last_mut() {
                last.push_str(&raw[1..]);
            }
        } else if !raw.trim().is_empty() {
            lines.push((n + 1, raw.to_owned()));
        }
    }
    let mut out = Vec::new();
    let mut card: Option<(usize, Vec<Property>)> = None;
    for (line, content) in lines {
        let Some((head, value)) = content.split_once(':') else {
            return Err(at_line(line, "file", "a vCard line is NAME:value"));
        };
        let mut params = head.split(';');
        let name = params.next().unwrap_or_default().to_ascii_uppercase();
        let name = name.rsplit('.').next().unwrap_or_default().to_owned(); // item1.TEL
        let params = params.collect::<Vec<_>>().join(";").to_ascii_lowercase();
        match (name.as_str(), &mut card) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VCARD") => {
                card = Some((line, Vec::new()))
            }
            ("BEGIN", _) => return Err(at_line(line, "file", "BEGIN:VCARD inside a card")),
            ("END", Some(_)) => {
                if let Some((start, props)) = card.take() {
                    out.push(card_contact(start, &props)?);
                }
                if out.len() > MAX_IMPORT {
                    return Err(ApiError::invalid(
                        "file",
                        format!("an import holds at most {MAX_IMPORT} contacts; split the file"),
                    ));
                }
            }
            (_, None) => return Err(at_line(line, "file", "expected BEGIN:VCARD")),
            (_, Some((_, props))) => props.push((name, params, value.to_owned())),
        }
    }
    if let Some((start, _)) = card {
        return Err(at_line(start, "file", "the card has no END:VCARD"));
    }
    if out.is_empty() {
        return Err(ApiError::invalid("file", "no vCard in the file"));
    }
    Ok(out)
}

fn card_contact(line: usize, props: &[Property]) -> ApiResult<Contact> {
    let get = |name: &str| {
        props
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, _, v)| v.as_str())
    };
    let (mut last, mut first) = (None, None);
    if let Some(n) = get("N") {
        let parts = split_unescaped(n, ';');
        last = parts.first().cloned().filter(|s| !s.trim().is_empty());
        first = parts.get(1).cloned().filter(|s| !s.trim().is_empty());
    }
    if last.is_none() && first.is_none() && get("ORG").is_none() {
        last = get("FN").map(vcard_unescape);
    }
    let mut phones = Vec::new();
    for (_, params, value) in props.iter().filter(|(n, _, _)| n == "TEL") {
        let kind = ["cell", "mobile", "work", "home", "fax"]
            .iter()
            .find(|k| params.contains(*k))
            .and_then(|k| PhoneKind::parse(k))
            .unwrap_or(PhoneKind::Other);
        let number = value.trim().trim_start_matches("tel:");
        phones.push(ContactPhone {
            kind,
            number: DialString::parse(number).map_err(|e| at_line(line, "TEL", e))?,
        });
    }
    let org = get("ORG").map(|o| split_unescaped(o, ';').join(" ").trim().to_owned());
    finish(
        line,
        Contact {
            first_name: opt(line, "N", first.as_deref(), Label::parse)?,
            last_name: opt(line, "N", last.as_deref(), Label::parse)?,
            company: opt(line, "ORG", org.as_deref(), Label::parse)?,
            email: opt(line, "EMAIL", get("EMAIL"), Email::parse)?,
            phones,
            notes: opt(
                line,
                "NOTE",
                get("NOTE").map(vcard_unescape).as_deref(),
                Note::parse,
            )?,
        },
    )
}

/// Parse an import by its media type.
pub fn parse_import(headers: &HeaderMap, body: &Bytes) -> ApiResult<Vec<Contact>> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid("file", "the file is not UTF-8 text"))?;
    match media.as_str() {
        "text/csv" => parse_csv(text),
        "text/vcard" | "text/x-vcard" | "text/directory" => parse_vcard(text),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send contacts as text/csv or text/vcard",
        )),
    }
}

#[derive(Serialize, JsonSchema)]
pub struct ImportResult {
    pub imported: usize,
}

type S = State<AppState>;
type C = Extension<Caller>;

async fn import_shared(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportResult>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let contacts = parse_import(&headers, &body)?;
    let created = create_shared_many(&state, &caller, &domain, contacts).await?;
    Ok(Json(ImportResult {
        imported: created.len(),
    }))
}

async fn import_personal(
    State(state): S,
    Extension(caller): C,
    Path((domain, user)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportResult>> {
    let domain = resolve_domain(&state, &caller, &domain).await?;
    let owner = resolve_user(&state, &caller, &domain, &user).await?;
    let contacts = parse_import(&headers, &body)?;
    let created = create_owned(&state, &caller, &owner, contacts).await?;
    Ok(Json(ImportResult {
        imported: created.len(),
    }))
}

async fn export(
    state: &AppState,
    caller: &Caller,
    domain: &str,
    q: &SettingQuery,
    vcard: bool,
) -> ApiResult<Response> {
    let domain = resolve_domain(state, caller, domain).await?;
    let contacts = all_contacts(state, caller, &domain, q).await?;
    let (media, name, text) = if vcard {
        (
            "text/vcard; charset=utf-8",
            "contacts.vcf",
            to_vcard(&contacts),
        )
    } else {
        ("text/csv; charset=utf-8", "contacts.csv", to_csv(&contacts))
    };
    Ok((
        [
            (header::CONTENT_TYPE, media.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response())
}

async fn export_csv(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<SettingQuery>,
) -> ApiResult<Response> {
    export(&state, &caller, &domain, &q, false).await
}

async fn export_vcard(
    State(state): S,
    Extension(caller): C,
    Path(domain): Path<String>,
    QueryParams(q): QueryParams<SettingQuery>,
) -> ApiResult<Response> {
    export(&state, &caller, &domain, &q, true).await
}

pub fn routes() -> Vec<Route> {
    let limit = 8 * 1024 * 1024;
    vec![
        route(
            Method::GET,
            "/api/v1/domains/{domain}/contacts/export.csv",
            Guarded(Resource::ContactsShared, Action::Read),
            "contacts",
            "Export contacts as CSV",
        )
        .query::<SettingQuery>()
        .csv()
        .to(export_csv),
        route(
            Method::GET,
            "/api/v1/domains/{domain}/contacts/export.vcf",
            Guarded(Resource::ContactsShared, Action::Read),
            "contacts",
            "Export contacts as vCard",
        )
        .query::<SettingQuery>()
        .file("text/vcard")
        .to(export_vcard),
        route(
            Method::POST,
            "/api/v1/domains/{domain}/contacts/import",
            Guarded(Resource::ContactsShared, Action::Create),
            "contacts",
            "Import shared contacts (CSV or vCard; all or nothing)",
        )
        .upload("text/csv", limit)
        .returns::<ImportResult>()
        .to(import_shared),
        route(
            Method::POST,
            "/api/v1/domains/{domain}/users/{user}/contacts/import",
            Guarded(Resource::ContactsPersonal, Action::Create),
            "contacts",
            "Import a user's contacts (CSV or vCard; all or nothing)",
        )
        .upload("text/csv", limit)
        .returns::<ImportResult>()
        .to(import_personal),
    ]
}

/// Contact lists for the CSV and vCard exports (every page).
pub async fn all_contacts(
    state: &AppState,
    caller: &Caller,
    domain: &Domain,
    q: &SettingQuery,
) -> ApiResult<Vec<Setting<Contact>>> {
    let vis = read_visibilities::<Contact>(caller, false)?;
    let vis: Vec<_> = vis.iter().collect();
    let filter = setting_filter(state, caller, domain, q).await?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .store
            .list_settings::<Contact>(&vis, domain.id, &filter, PageRequest { after, limit: 500 })
            .await?;
        out.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcards_round_trip() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nORG:Acme\\, Inc.\r\nEMAIL:jane@acme.example\r\nTEL;TYPE=CELL:+1 555 0100\r\nTEL;TYPE=WORK:+1 555 0\r\n 101\r\nNOTE:first\\nsecond\r\nEND:VCARD\r\n";
        let parsed = parse_vcard(text).unwrap();
        assert_eq!(parsed.len(), 1);
        let c = &parsed[0];
        assert_eq!(c.company.as_ref().unwrap().as_str(), "Acme, Inc.");
        assert_eq!(c.phones[1].number.as_str(), "+1 555 0101");
        assert_eq!(c.phones[0].kind, PhoneKind::Mobile);
        assert_eq!(c.notes.as_ref().unwrap().as_str(), "first\nsecond");
        let stored = Setting {
            id: Id::new(1),
            domain_id: DomainId(1),
            user_id: None,
            reach_site_id: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            body: c.clone(),
        };
        assert_eq!(
            parse_vcard(&to_vcard(std::slice::from_ref(&stored))).unwrap()[0],
            *c
        );
        assert_eq!(parse_csv(&to_csv(&[stored])).unwrap()[0].email, c.email);
    }

    #[test]
    fn exported_text_never_runs_as_a_formula() {
        let contact: Contact = serde_json::from_value(
            serde_json::json!({"last_name": "=HYPERLINK(\"http://x\")", "company": "Acme"}),
        )
        .unwrap();
        let stored = Setting {
            id: Id::new(1),
            domain_id: DomainId(1),
            user_id: None,
            reach_site_id: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            body: contact,
        };
        let csv = to_csv(&[stored]);
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    }

    #[test]
    fn bad_lines_are_named() {
        let err =
            parse_csv("first_name,last_name,email\nAnn,Lee,ann@x.example\nBob,Ray,not-an-email\n")
                .unwrap_err();
        assert!(err.message.contains("line 3"), "{}", err.message);
        assert!(parse_vcard("BEGIN:VCARD\nN:Doe;J\n").is_err());
        assert!(parse_csv("name,phone\nx,1\n").is_err());
    }
}
