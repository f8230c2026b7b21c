//! Account Preferences: the Invoices, 911 Addresses and Authorized Contacts tabs.

use super::*;
use crate::html::{field, table};
use switchboard_api::api::settings_extra::PaymentBody;

fn money(cents: i64, currency: &Currency) -> String {
    crate::i18n::money(cents, &currency.to_string())
}

fn status_label(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Open => t("open"),
        InvoiceStatus::PaymentSubmitted => t("payment-submitted"),
        InvoiceStatus::Paid => t("paid"),
        InvoiceStatus::Void => t("void"),
    }
}

const PAYMENT_METHODS: &[(&str, &str)] = &[
    ("card", "card"),
    ("bank_transfer", "bank-transfer"),
    ("check", "check"),
];

pub(super) async fn invoices(ctx: &Ctx, rest: &[&str], sub: Option<&Submitted>) -> R<View> {
    if let [id, "printable"] = rest {
        return printable(ctx, id).await;
    }
    let items = ctx
        .api()
        .call(settings::list::<Invoice>(MINE, &first(200)))
        .await?
        .items;
    let rows = items.iter().map(|i| {
        let id = i.id.get().to_string();
        let invoice = &i.body;
        let total = invoice.total_cents();
        let open = invoice.status == InvoiceStatus::Open;
        let this = sub.filter(|_| ctx.rest.first() == Some(&id));
        html! { tr {
            td { (invoice.number) } td { (invoice.period_start) " – " (invoice.period_end) } td { (invoice.due_on) }
            td { (money(total, &invoice.currency)) } td { (status_label(invoice.status)) }
            td { a href={ (ctx.base()) "/" (id) "/printable" } { (t("printable")) } }
            td { @if open {
                form.inline method="post" action={ (ctx.base()) "/" (id) "/pay" } {
                    (csrf(&ctx.s.csrf)) (form_error(this))
                    (field(this, "amount", t("amount"), Input::Text, &amount_input(total)))
                    (field(this, "method", t("method"), Input::Select(&options(PAYMENT_METHODS)), "card"))
                    button.primary type="submit" { (t("pay")) }
                }
            } }
        } }
    }).collect();
    page(
        t("invoices"),
        table(
            &[
                t("invoice"),
                t("period"),
                t("due"),
                t("total"),
                t("status"),
                "",
                "",
            ],
            rows,
            t("no-invoices"),
        ),
    )
}

pub(super) async fn emergency_addresses(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let items = ctx
        .api()
        .call(settings::list::<EmergencyAddress>(MINE, &first(200)))
        .await?
        .items;
    let sites = site_options(ctx).await?;
    let rows = items.iter().map(|a| {
        let b = &a.body;
        html! { tr {
            td { (b.caller_name) } td { (b.street) ", " (b.city) ", " (b.region) " " (b.postal_code) " " (b.country) }
            td { (text(&b.location)) } td { (b.callback_number) } td { (delete_link(ctx, &a.id.get().to_string())) }
        } }
    }).collect();
    page(
        tab_label(Tab::EmergencyAddresses),
        html! {
            (table(&[t("caller-name"), t("address"), t("location"), t("callback-number"), ""], rows, t("no-911-addresses-yet")))
            form.card method="post" action=(ctx.base()) {
                h2 { (t("new-911-address")) }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "caller_name", t("caller-name"), Input::Text, "", true))
                (field_with(sub, "street", t("street"), Input::Text, "", true))
                (field_with(sub, "city", t("city"), Input::Text, "", true))
                (field_with(sub, "region", t("state-or-province"), Input::Text, "", true))
                (field_with(sub, "postal_code", t("postal-code"), Input::Text, "", true))
                (field(sub, "country", t("country"), Input::Select(&options(&[("US", "united-states"), ("CA", "canada")])), "US"))
                (field_with(sub, "callback_number", t("callback-number-1"), Input::Text, "", true))
                (field(sub, "location", t("floor-suite-optional"), Input::Text, ""))
                (field(sub, "site_id", t("site"), Input::Select(&sites), ""))
                button.primary type="submit" { (t("add-address")) }
            }
        },
    )
}

const ROLES: &[(&str, &str)] = &[
    ("billing", "billing"),
    ("technical", "technical"),
    ("administrative", "administrative"),
    ("emergency", "emergency"),
];

pub(super) async fn authorized_contacts(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let items = ctx
        .api()
        .call(settings::list::<AuthorizedContact>(MINE, &first(200)))
        .await?
        .items;
    let role_label = |role: ContactRole| {
        let name = serde_json::to_value(role).unwrap_or_default();
        label_of(ROLES, name.as_str().unwrap_or_default())
    };
    let rows = items.iter().map(|a| html! { tr {
        td { (a.body.name) } td { (role_label(a.body.role)) } td { (a.body.email) } td { (a.body.phone) } td { (delete_link(ctx, &a.id.get().to_string())) }
    } }).collect();
    page(
        t("authorized-contacts"),
        html! {
            p { (t("the-people-your-provider-may-take")) }
            (table(&[t("name"), t("role"), t("email"), t("phone"), ""], rows, t("no-authorized-contacts")))
            form.card method="post" action=(ctx.base()) {
                h2 { (t("new-authorized-contact")) }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "name", t("name"), Input::Text, "", true))
                (field_with(sub, "email", t("email"), Input::Email, "", true))
                (field_with(sub, "phone", t("phone-1"), Input::Text, "", true))
                (field(sub, "role", t("role"), Input::Select(&options(ROLES)), "billing"))
                button.primary type="submit" { (t("add-contact")) }
            }
        },
    )
}

/// An invoice to print, in the viewer's language: a page of its own, without the portal's
/// navigation (the API's `…/printable` is the same invoice in English, for other clients).
async fn printable(ctx: &Ctx, id: &str) -> R<View> {
    let i = ctx
        .api()
        .call(settings::get::<Invoice>(MINE, id))
        .await?
        .body;
    let rows = i.lines.iter().map(|l| {
        let amount = i64::from(l.quantity).saturating_mul(l.unit_price_cents);
        html! { tr {
            td { (l.description) }
            td.n { (crate::i18n::number(i64::from(l.quantity))) }
            td.n { (money(l.unit_price_cents, &i.currency)) }
            td.n { (money(amount, &i.currency)) }
        } }
    });
    let title = tf("invoice-number", &[("number", arg(&i.number))]);
    let body = html! {
        p {
            (ctx.s.me.domain.name) br;
            (tf("invoice-issued-due", &[("issued", arg(&i.issued_on)), ("due", arg(&i.due_on))])) br;
            (tf("date-range-period", &[("from", arg(&i.period_start)), ("to", arg(&i.period_end))])) br;
            (tf("invoice-status", &[("status", arg(status_label(i.status)))]))
        }
        table.invoice {
            thead { tr {
                th scope="col" { (t("description")) }
                th.n scope="col" { (t("quantity")) }
                th.n scope="col" { (t("unit-price")) }
                th.n scope="col" { (t("amount")) }
            } }
            tbody { @for row in rows { (row) } }
            tfoot { tr { td colspan="3" { (t("total")) } td.n { (money(i.total_cents(), &i.currency)) } } }
        }
    };
    let markup = crate::html::bare(&title, body);
    Ok(View::File(crate::html_response(
        axum::http::StatusCode::OK,
        markup,
        &ctx.s.cookies,
    )))
}

/// An amount as the form shows it to be typed over: 255.00, or 255,00 in French.
fn amount_input(cents: i64) -> String {
    let plain = format!("{}.{:02}", cents / 100, cents.abs() % 100);
    match crate::i18n::current() {
        crate::i18n::Lang::EnUs => plain,
        crate::i18n::Lang::FrCa => plain.replace('.', ","),
    }
}

/// An amount typed as dollars and cents ("129.50"), in cents.
fn cents(form: &Form<'_>) -> R<i64> {
    let invalid = || Failure::invalid("amount", t("the-amount-is-a-number-like"));
    // Typed as either language writes it: 1234.50, 1 234,50, $1,234.50.
    let raw: String = form
        .text("amount")
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '$'))
        .collect();
    let raw = match raw.rsplit_once(',') {
        Some((_, cents)) if cents.len() <= 2 && !raw.contains('.') => raw.replacen(',', ".", 1),
        _ => raw.replace(',', ""),
    };
    let (whole, fraction) = raw.split_once('.').unwrap_or((&raw, ""));
    if fraction.len() > 2 || whole.is_empty() && fraction.is_empty() {
        return Err(invalid());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or_else(invalid)
}

pub(super) async fn act(ctx: &Ctx, rest: &[&str], form: &Form<'_>) -> R<String> {
    let api = ctx.api();
    match (ctx.tab, rest) {
        (Tab::Invoices, [id, "pay"]) => {
            let body = PaymentBody {
                amount_cents: cents(form)?,
                method: form.text("method").to_owned(),
                reference: form.opt("reference"),
            };
            api.call(endpoints::pay_invoice(MINE, id, &body)).await?;
            Ok(done(ctx, "paid"))
        }
        (Tab::EmergencyAddresses, []) => {
            let address = EmergencyAddress {
                site_id: form.number("site_id", t("site"))?.map(SiteId),
                caller_name: form.required("caller_name", t("caller-name"))?,
                street: form.required("street", t("street"))?,
                location: form.value("location")?,
                city: form.required("city", t("city"))?,
                region: form.required("region", t("state-or-province"))?,
                postal_code: form.required("postal_code", t("postal-code"))?,
                country: form.required("country", t("country"))?,
                callback_number: form.required("callback_number", t("callback-number"))?,
            };
            api.call(settings::create(MINE, &address)).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AuthorizedContacts, []) => {
            let contact = AuthorizedContact {
                name: form.required("name", t("name"))?,
                email: form.required("email", t("email"))?,
                phone: form.required("phone", t("phone"))?,
                role: form.required("role", t("role"))?,
            };
            api.call(settings::create(MINE, &contact)).await?;
            Ok(done(ctx, "created"))
        }
        _ => Err(Failure::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_cents() {
        let read = |raw: &str| {
            let pairs = vec![("amount".to_owned(), raw.to_owned())];
            cents(&Form(&pairs))
        };
        assert_eq!(read("129.50").unwrap(), 12950);
        assert_eq!(read("129.5").unwrap(), 12950);
        assert_eq!(read("7").unwrap(), 700);
        assert_eq!(read(".05").unwrap(), 5);
        // As either language writes it.
        assert_eq!(read("1,50").unwrap(), 150);
        assert_eq!(read("1\u{a0}234,50").unwrap(), 123450);
        assert_eq!(read("$1,234.50").unwrap(), 123450);
        assert_eq!(read("1,234").unwrap(), 123400);
        for bad in ["", "1.234", "abc", "1,5,0", "-", "1.2.3"] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
