//! Account Preferences: the Invoices, 911 Addresses and Authorized Contacts tabs.

use super::*;
use crate::html::{field, table};
use switchboard_api::api::settings_extra::PaymentBody;

fn money(cents: i64, currency: &Currency) -> String {
    format!(
        "{}{}.{:02} {currency}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    )
}

/// What an invoice asks for: every line's quantity times its unit price.
fn invoice_total(invoice: &Invoice) -> i64 {
    invoice
        .lines
        .iter()
        .map(|l| i64::from(l.quantity) * l.unit_price_cents)
        .sum()
}

fn status_label(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Open => "Open",
        InvoiceStatus::PaymentSubmitted => "Payment submitted",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::Void => "Void",
    }
}

const PAYMENT_METHODS: &[(&str, &str)] = &[
    ("card", "Card"),
    ("bank_transfer", "Bank transfer"),
    ("check", "Check"),
];

pub(super) async fn invoices(ctx: &Ctx, rest: &[&str], sub: Option<&Submitted>) -> R<View> {
    if let [id, "printable"] = rest {
        return file(ctx, endpoints::printable_invoice(MINE, id)).await;
    }
    let items = ctx
        .api()
        .call(settings::list::<Invoice>(MINE, &first(200)))
        .await?
        .items;
    let rows = items.iter().map(|i| {
        let id = i.id.get().to_string();
        let invoice = &i.body;
        let total = invoice_total(invoice);
        let open = invoice.status == InvoiceStatus::Open;
        let this = sub.filter(|_| ctx.rest.first() == Some(&id));
        html! { tr {
            td { (invoice.number) } td { (invoice.period_start) " – " (invoice.period_end) } td { (invoice.due_on) }
            td { (money(total, &invoice.currency)) } td { (status_label(invoice.status)) }
            td { a href={ (ctx.base()) "/" (id) "/printable" } { "Printable" } }
            td { @if open {
                form.inline method="post" action={ (ctx.base()) "/" (id) "/pay" } {
                    (csrf(&ctx.s.csrf)) (form_error(this))
                    (field(this, "amount", "Amount", Input::Text, &format!("{}.{:02}", total / 100, total % 100)))
                    (field(this, "method", "Method", Input::Select(&options(PAYMENT_METHODS)), "card"))
                    button.primary type="submit" { "Pay" }
                }
            } }
        } }
    }).collect();
    page(
        "Invoices",
        table(
            &["Invoice", "Period", "Due", "Total", "Status", "", ""],
            rows,
            "No invoices.",
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
        "911 Addresses",
        html! {
            (table(&["Caller name", "Address", "Location", "Callback number", ""], rows, "No 911 addresses yet."))
            form.card method="post" action=(ctx.base()) {
                h2 { "New 911 address" }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "caller_name", "Caller name", Input::Text, "", true))
                (field_with(sub, "street", "Street", Input::Text, "", true))
                (field_with(sub, "city", "City", Input::Text, "", true))
                (field_with(sub, "region", "State or province", Input::Text, "", true))
                (field_with(sub, "postal_code", "Postal code", Input::Text, "", true))
                (field(sub, "country", "Country", Input::Select(&options(&[("US", "United States"), ("CA", "Canada")])), "US"))
                (field_with(sub, "callback_number", "Callback number (+1…)", Input::Text, "", true))
                (field(sub, "location", "Floor, suite (optional)", Input::Text, ""))
                (field(sub, "site_id", "Site", Input::Select(&sites), ""))
                button.primary type="submit" { "Add address" }
            }
        },
    )
}

const ROLES: &[(&str, &str)] = &[
    ("billing", "Billing"),
    ("technical", "Technical"),
    ("administrative", "Administrative"),
    ("emergency", "Emergency"),
];

pub(super) async fn authorized_contacts(ctx: &Ctx, sub: Option<&Submitted>) -> R<View> {
    let items = ctx
        .api()
        .call(settings::list::<AuthorizedContact>(MINE, &first(200)))
        .await?
        .items;
    let role_label = |role: ContactRole| {
        let name = serde_json::to_value(role).unwrap_or_default();
        ROLES
            .iter()
            .find(|(k, _)| name == *k)
            .map_or("", |(_, l)| *l)
    };
    let rows = items.iter().map(|a| html! { tr {
        td { (a.body.name) } td { (role_label(a.body.role)) } td { (a.body.email) } td { (a.body.phone) } td { (delete_link(ctx, &a.id.get().to_string())) }
    } }).collect();
    page(
        "Authorized Contacts",
        html! {
            p { "The people your provider may take instructions from about this account." }
            (table(&["Name", "Role", "Email", "Phone", ""], rows, "No authorized contacts."))
            form.card method="post" action=(ctx.base()) {
                h2 { "New authorized contact" }
                (csrf(&ctx.s.csrf)) (form_error(sub))
                (field_with(sub, "name", "Name", Input::Text, "", true))
                (field_with(sub, "email", "Email", Input::Email, "", true))
                (field_with(sub, "phone", "Phone (+1…)", Input::Text, "", true))
                (field(sub, "role", "Role", Input::Select(&options(ROLES)), "billing"))
                button.primary type="submit" { "Add contact" }
            }
        },
    )
}

/// An amount typed as dollars and cents ("129.50"), in cents.
fn cents(form: &Form<'_>) -> R<i64> {
    let invalid = || Failure::invalid("amount", "the amount is a number, like 129.50");
    let raw = form.text("amount");
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
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
                site_id: form.number("site_id", "Site")?.map(SiteId),
                caller_name: form.required("caller_name", "Caller name")?,
                street: form.required("street", "Street")?,
                location: form.value("location")?,
                city: form.required("city", "City")?,
                region: form.required("region", "State or province")?,
                postal_code: form.required("postal_code", "Postal code")?,
                country: form.required("country", "Country")?,
                callback_number: form.required("callback_number", "Callback number")?,
            };
            api.call(settings::create(MINE, &address)).await?;
            Ok(done(ctx, "created"))
        }
        (Tab::AuthorizedContacts, []) => {
            let contact = AuthorizedContact {
                name: form.required("name", "Name")?,
                email: form.required("email", "Email")?,
                phone: form.required("phone", "Phone")?,
                role: form.required("role", "Role")?,
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
        for bad in ["", "1.234", "abc", "1,50", "-"] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
