//! Every CSV export opens safely in a spreadsheet: text that would start a formula (`=`, `+`,
//! `-`, `@`) arrives as text, whoever put it there (a caller's number, a contact's email).

use crate::common::*;
use reqwest::Method;
use serde_json::json;

const OM: &str = "101@acme.example";
const PAYLOADS: [&str; 4] = [
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "@SUM(1)",
    "+cmd",
    "-1+1",
];

/// Every cell of a CSV file: none starts a formula, plain numbers aside.
fn assert_inert(what: &str, csv_text: &str) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in &record.unwrap() {
            cells += 1;
            let number = cell
                .trim_start_matches(['+', '-'])
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ' ');
            assert!(
                !cell.starts_with(['=', '@', '\t', '\r'])
                    && (!cell.starts_with(['+', '-']) || number),
                "{what}: the cell {cell:?} is a formula to a spreadsheet"
            );
        }
    }
    assert!(cells > 0, "{what}: empty");
    for payload in PAYLOADS {
        assert!(
            csv_text.contains(&format!("'{}", payload.replace('"', "\"\""))),
            "{what}: {payload} is not kept as text:\n{csv_text}"
        );
    }
}

async fn download(s: &TestServer, path: &str) -> String {
    let r = s
        .client
        .get(s.url(path))
        .bearer_auth(s.token(OM).await)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.text().await.unwrap()
}

#[tokio::test]
async fn csv_exports_neutralise_formulas() {
    on_each_database(|s| async move {
        // Calls as a switch or a file may bring them: the numbers are whatever the caller sent.
        // The call's id is the switch's own text; numbers hold only + * # - . @ _ and letters.
        let calls: Vec<_> = PAYLOADS
            .iter()
            .enumerate()
            .map(|(n, payload)| {
                let from = ["+cmd", "-1+1", "@SUM", "-A1"][n];
                json!({"call_id": payload, "direction": "inbound",
                    "from": from, "to": "105",
                    "started_at": "2026-03-02T10:00:00Z", "ended_at": "2026-03-02T10:01:00Z",
                    "disposition": "missed", "users": ["105"]})
            })
            .collect();
        let (st, body) = s
            .send(
                "100@voiceco.example",
                Method::POST,
                "/api/v1/domains/acme.example/calls",
                Some(json!({ "calls": calls })),
            )
            .await;
        assert!(st.is_success(), "{body}");
        let csv_text = download(
            &s,
            "/api/v1/domains/~/calls/export.csv?since=2026-03-02T00:00:00Z&until=2026-03-03T00:00:00Z",
        )
        .await;
        assert_inert("call history", &csv_text);

        for (n, payload) in PAYLOADS.iter().enumerate() {
            let (st, body) = s
                .send(
                    OM,
                    Method::POST,
                    "/api/v1/domains/~/contacts",
                    Some(json!({"first_name": payload, "last_name": format!("Formula {n}"),
                        "company": payload, "notes": payload,
                        "email": format!("={n}+cmd@evil.example")})),
                )
                .await;
            assert!(st.is_success(), "{body}");
        }
        let csv_text = download(&s, "/api/v1/domains/~/contacts/export.csv").await;
        assert_inert("contacts", &csv_text);
        assert!(csv_text.contains("'=0+cmd@evil.example"), "{csv_text}");
        s
    })
    .await;
}
