//! `switchboard invoices import`: the reseller's billing system hands over a month's invoices
//! as JSON Lines (one invoice per line, the body of `POST …/invoices`). The file is checked
//! whole first; then every invoice is stored in one transaction, or none.

use crate::extract::parse_json;
use switchboard_domain::{Domain, Invoice};
use switchboard_policy::{Action, Resource, operator_permit};
use switchboard_store::{AuditContext, Store};

/// Parse a JSON Lines file of invoices; the error names the line and the field.
pub fn parse_invoices(text: &str) -> Result<Vec<Invoice>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let invoice: Invoice = parse_json(line.as_bytes()).map_err(|e| {
            format!(
                "line {}: {}{}",
                n + 1,
                e.field
                    .as_deref()
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default(),
                e.message
            )
        })?;
        invoice
            .check()
            .map_err(|e| format!("line {}: {}: {}", n + 1, e.field, e.message))?;
        out.push(invoice);
    }
    if out.is_empty() {
        return Err("the file holds no invoice".into());
    }
    Ok(out)
}

/// Store invoices for a domain as the operator (audited as the command line's).
pub async fn import_invoices(
    store: &Store,
    domain: &Domain,
    invoices: Vec<Invoice>,
) -> Result<usize, String> {
    let permit = operator_permit(Resource::Invoices, Action::Create);
    let n = invoices.len();
    store
        .create_settings(
            &permit,
            &AuditContext::operator("invoices import"),
            domain.reseller_id,
            domain.id,
            None,
            invoices,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_named() {
        let good = r#"{"number": "A-1", "issued_on": "2026-11-01", "due_on": "2026-11-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "USD", "lines": [{"description": "Seats", "quantity": 1, "unit_price_cents": 100}]}"#;
        assert_eq!(
            parse_invoices(&format!("{good}\n\n{good}\n"))
                .unwrap()
                .len(),
            2
        );
        let bad = good.replace("USD", "DOLLARS");
        let err = parse_invoices(&format!("{good}\n{bad}\n")).unwrap_err();
        assert!(err.starts_with("line 2: currency"), "{err}");
        assert!(parse_invoices("").is_err());
    }
}
