//! Phone-system settings beyond the scope matrix: bad input for every kind (uploads included)
//! changes nothing, references block deletes (or numbers are re-routed), the answering rule in
//! force, recordings, invoices and their payment, contact import and export, audit.

use crate::common::{PASSWORD, TestServer, on_each_database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_domain::silent_wav;

const SU: &str = "100@platform.example";
const RESELLER: &str = "100@voiceco.example";
const OM: &str = "101@acme.example";
const D: &str = "/api/v1/domains/acme.example";

async fn counts(s: &TestServer) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for segment in [
        "devices",
        "phone-numbers",
        "time-frames",
        "answer-rules",
        "contacts",
        "voicemail-messages",
        "greetings",
        "music-on-hold",
        "auto-attendants",
        "conferences",
        "emergency-addresses",
        "invoices",
        "authorized-contacts",
    ] {
        let (st, n) = s.get(SU, &format!("{D}/{segment}/count")).await;
        assert_eq!(st, StatusCode::OK, "{segment}: {n}");
        out.push((segment.to_owned(), n["count"].as_i64().unwrap()));
    }
    let (_, n) = s.get(SU, "/api/v1/audit-log/count").await;
    out.push(("audit".into(), n["count"].as_i64().unwrap()));
    out
}

async fn create(s: &TestServer, login: &str, path: &str, body: Value) -> Value {
    let (st, made) = s.send(login, Method::POST, path, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{path}: {made}");
    made
}

fn blob_files(dir: &std::path::Path) -> usize {
    walk(dir)
}
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[tokio::test]
async fn bad_input_for_every_setting_names_the_field_and_changes_nothing() {
    on_each_database(|s| async move {
        create(&s, SU, &format!("{D}/users/107/devices"), json!({"mac": "02:00:00:00:00:01", "model": "Poly VVX 450"})).await;
        create(&s, RESELLER, &format!("{D}/phone-numbers"), json!({"number": "+15557770000"})).await;
        let us = "holidays";
        let cases: Vec<(&str, Value, u16, &str)> = vec![
            ("users/107/devices", json!({"mac": "zz", "model": "x"}), 422, "mac"),
            ("users/107/devices", json!({"mac": "02:00:00:00:00:02", "model": "x", "line": 0}), 422, "line"),
            ("users/107/devices", json!({"mac": "02-00-00-00-00-01", "model": "x"}), 409, "mac"),
            ("users/107/devices", json!({"mac": "02:00:00:00:00:03", "model": "x", "colour": "red"}), 400, "colour"),
            ("users/107/devices", json!({"mac": "02:00:00:00:00:03"}), 422, "model"),
            ("phone-numbers", json!({"number": "555"}), 422, "number"),
            ("phone-numbers", json!({"number": "+15557770001", "route": {"kind": "user", "target": "999"}}), 422, "route"),
            ("phone-numbers", json!({"number": "+1 555 777 0000"}), 409, "number"),
            ("time-frames", json!({"name": "x", "schedule": {"kind": "days_of_week", "spans": [{"days": [], "start": "09:00", "end": "17:00"}]}}), 422, "schedule.spans[0].days"),
            ("time-frames", json!({"name": "x", "schedule": {"kind": "days_of_week", "spans": [{"days": ["monday"], "start": "25:00", "end": "17:00"}]}}), 422, "schedule"),
            ("time-frames", json!({"name": "x", "schedule": {"kind": us, "holidays": [{"name": "Nope", "month": 2, "day": 30}]}}), 422, "schedule.holidays[0].day"),
            ("time-frames", json!({"name": "", "schedule": {"kind": "always"}}), 422, "name"),
            ("users/108/answer-rules", json!({"time_frame_id": 999999, "action": {"kind": "do_not_disturb"}}), 422, "time_frame_id"),
            ("users/108/answer-rules", json!({"action": {"kind": "forward_always", "to": "999"}}), 422, "action.to"),
            ("users/108/answer-rules", json!({"action": {"kind": "forward_conditional"}}), 422, "action"),
            ("users/108/answer-rules", json!({"action": {"kind": "simultaneous_ring", "numbers": ["+15550001111"], "ring_timeout_seconds": 1}}), 422, "action.ring_timeout_seconds"),
            ("users/108/answer-rules", json!({"action": {"kind": "teleport"}}), 422, "action.kind"),
            ("contacts", json!({}), 422, "last_name"),
            ("contacts", json!({"last_name": "Lee", "email": "lee@"}), 422, "email"),
            ("contacts", json!({"last_name": "Lee", "phones": [{"kind": "work", "number": "call me"}]}), 422, "phones[0].number"),
            ("auto-attendants", json!({"extension": "790", "name": "Main", "menus": []}), 422, "menus"),
            ("auto-attendants", json!({"extension": "790", "name": "Main", "menus": [{"options": {"x": {"kind": "repeat"}}}]}), 422, "menus[0].options.x"),
            ("auto-attendants", json!({"extension": "790", "name": "Main", "menus": [{"options": {"1": {"kind": "user", "target": "999"}}}]}), 422, "menus[0].options.1"),
            ("auto-attendants", json!({"extension": "101", "name": "Main", "menus": [{"options": {"0": {"kind": "repeat"}}}]}), 409, "extension"),
            ("auto-attendants", json!({"extension": "790", "name": "Main", "site_id": 99999, "menus": [{"options": {"0": {"kind": "repeat"}}}]}), 422, "site_id"),
            ("conferences", json!({"extension": "800", "name": "Bridge", "pin": "12"}), 422, "pin"),
            ("conferences", json!({"extension": "800", "name": "Bridge", "max_participants": 1}), 422, "max_participants"),
            ("emergency-addresses", json!({"caller_name": "Acme", "street": "1 Main St", "city": "Springfield", "region": "IL", "postal_code": "6270", "country": "US", "callback_number": "+12175550100"}), 422, "postal_code"),
            ("emergency-addresses", json!({"caller_name": "Acme", "street": "1 Main St", "city": "Springfield", "region": "IL", "postal_code": "62701", "country": "USA", "callback_number": "+12175550100"}), 422, "country"),
            ("invoices", json!({"number": "A-1", "issued_on": "2026-11-01", "due_on": "2026-11-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "USD", "lines": []}), 422, "lines"),
            ("invoices", json!({"number": "A-1", "issued_on": "2026-11-01", "due_on": "2026-10-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "USD", "lines": [{"description": "x", "quantity": 1, "unit_price_cents": 1}]}), 422, "due_on"),
            ("invoices", json!({"number": "A-1", "issued_on": "2026-13-01", "due_on": "2026-11-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "USD", "lines": [{"description": "x", "quantity": 1, "unit_price_cents": 1}]}), 422, "issued_on"),
            ("authorized-contacts", json!({"name": "Dana", "email": "dana", "phone": "+12175550101", "role": "billing"}), 422, "email"),
            ("authorized-contacts", json!({"name": "Dana", "email": "dana@acme.example", "phone": "+12175550101", "role": "boss"}), 422, "role"),
        ];
        let before = counts(&s).await;
        for (path, body, status, field) in &cases {
            let login = if path.starts_with("invoices") || path.starts_with("phone-numbers") { RESELLER } else { SU };
            let (st, err) = s.send(login, Method::POST, &format!("{D}/{path}"), Some(body.clone())).await;
            assert_eq!(st.as_u16(), *status, "{path} {body}: {err}");
            assert_eq!(err["error"]["field"], *field, "{path} {body}: {err}");
            assert!(!err["error"]["message"].as_str().unwrap().is_empty());
        }
        // Recordings: wrong type, not a WAV, truncated, too large.
        let dir = s.state.config.blob_dir.clone();
        let files = blob_files(&dir);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
        let wav = silent_wav(8000, 8000);
        let mut huge = silent_wav(8000, 8000);
        huge.resize(s.state.config.max_audio_bytes + 1, 0);
        for (content_type, bytes, status) in [
            ("image/png", png.clone(), 415),
            ("audio/wav", png, 422),
            ("audio/wav", wav[..wav.len() / 2].to_vec(), 422),
            ("audio/wav", wav[..20].to_vec(), 422),
            ("audio/wav", huge, 413),
        ] {
            for path in ["users/107/greetings?name=Hello", "music-on-hold?name=Song", "users/107/voicemail-messages?caller_number=%2B15550100"] {
                let (st, err) = s.send_file(SU, Method::POST, &format!("{D}/{path}"), content_type, bytes.clone()).await;
                assert_eq!(st.as_u16(), status, "{path} as {content_type}: {err}");
                assert_eq!(err["error"]["field"], "audio", "{path}: {err}");
            }
        }
        // A good recording with a bad field stores no file either.
        let (st, err) = s.send_file(SU, Method::POST, &format!("{D}/users/107/voicemail-messages?caller_number=nobody"), "audio/wav", wav.clone()).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("caller_number")), "{err}");
        let (st, err) = s.send_file(SU, Method::POST, &format!("{D}/users/999/greetings?name=x"), "audio/wav", wav).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{err}");
        assert_eq!(counts(&s).await, before, "a refused request changed something");
        assert_eq!(blob_files(&dir), files, "a refused upload left a file behind");
        // A patch that breaks a rule, or touches what the server sets, changes nothing either.
        let (_, list) = s.get(SU, &format!("{D}/devices")).await;
        let device = list["items"][0]["id"].as_i64().unwrap();
        let (st, err) = s.send(SU, Method::PATCH, &format!("{D}/devices/{device}"), Some(json!({"line": 99}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("line")), "{err}");
        let (st, err) = s.send(SU, Method::PATCH, &format!("{D}/devices/{device}"), Some(json!({"mac": null}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("mac")), "{err}");
        assert_eq!(counts(&s).await, before);
        s
    })
    .await;
}

#[tokio::test]
async fn references_block_deletes_and_numbers_can_be_rerouted() {
    on_each_database(|s| async move {
        s.create_user(SU, "acme.example", "150", "basic_user", None).await;
        let frame = create(&s, OM, &format!("{D}/time-frames"), json!({"name": "Office hours", "schedule": {"kind": "days_of_week", "spans": [{"days": ["monday"], "start": "09:00", "end": "17:00"}]}})).await;
        let fid = frame["id"].as_i64().unwrap();
        create(&s, "107@acme.example", &format!("{D}/users/~/answer-rules"), json!({"time_frame_id": fid, "action": {"kind": "send_to_voicemail"}})).await;
        let aa = create(&s, OM, &format!("{D}/auto-attendants"), json!({"extension": "710", "name": "Side menu", "menus": [{"time_frame_id": fid, "options": {"1": {"kind": "user", "target": "150"}, "0": {"kind": "repeat"}}}, {"options": {"0": {"kind": "voicemail", "target": "101"}}}]})).await;
        let (st, err) = s.send(OM, Method::DELETE, &format!("{D}/time-frames/{fid}"), None).await;
        assert_eq!(st, StatusCode::CONFLICT, "{err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.contains("answer rule") && message.contains("of user 107") && message.contains("auto attendant Side menu"), "{message}");
        // Another user's personal frame cannot be used.
        let mine = create(&s, "108@acme.example", &format!("{D}/users/~/time-frames"), json!({"name": "Mine", "schedule": {"kind": "always"}})).await;
        let (st, err) = s.send("107@acme.example", Method::POST, &format!("{D}/users/~/answer-rules"), Some(json!({"time_frame_id": mine["id"], "action": {"kind": "do_not_disturb"}}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("time_frame_id")), "{err}");
        // A number routed to a user blocks the user's deletion, until it is re-routed.
        let number = create(&s, RESELLER, &format!("{D}/phone-numbers"), json!({"number": "+15558880000", "route": {"kind": "user", "target": "150"}})).await;
        let nid = number["id"].as_i64().unwrap();
        // (the attendant points at 150 too: move it away first)
        let (st, _) = s.send(OM, Method::PATCH, &format!("{D}/auto-attendants/{}", aa["id"]), Some(json!({"menus": [{"options": {"0": {"kind": "repeat"}}}]}))).await;
        assert_eq!(st, StatusCode::OK);
        // 150's own rule uses a shared frame, and it has a greeting: both go with it.
        let frame2 = create(&s, OM, &format!("{D}/time-frames"), json!({"name": "Weekends", "schedule": {"kind": "days_of_week", "spans": [{"days": ["saturday", "sunday"], "start": "00:00", "end": "24:00"}]}})).await;
        create(&s, SU, &format!("{D}/users/150/answer-rules"), json!({"time_frame_id": frame2["id"], "action": {"kind": "do_not_disturb"}})).await;
        let (st, _) = s.send_file(SU, Method::POST, &format!("{D}/users/150/greetings?name=Hi"), "audio/wav", silent_wav(8000, 800)).await;
        assert_eq!(st, StatusCode::CREATED);
        let files = blob_files(&s.state.config.blob_dir);
        let (st, err) = s.send(SU, Method::DELETE, &format!("{D}/users/150"), None).await;
        assert_eq!(st, StatusCode::CONFLICT, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("phone number +15558880000"), "{err}");
        let (st, err) = s.send(SU, Method::DELETE, &format!("{D}/users/150?reroute_numbers_to=call_queue:999"), None).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("reroute_numbers_to")), "{err}");
        let (st, _) = s.send(SU, Method::DELETE, &format!("{D}/users/150?reroute_numbers_to=call_queue:600"), None).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, n) = s.get(SU, &format!("{D}/phone-numbers/{nid}")).await;
        assert_eq!(n["route"], json!({"kind": "call_queue", "target": "600"}));
        assert_eq!(blob_files(&s.state.config.blob_dir), files - 1, "the greeting went with its user");
        assert_eq!(s.send(OM, Method::DELETE, &format!("{D}/time-frames/{}", frame2["id"]), None).await.0, StatusCode::NO_CONTENT, "nothing of the deleted user holds the frame");
        // What settings dial by extension keeps its extension.
        let (st, err) = s.send(SU, Method::PATCH, &format!("{D}/users/101"), Some(json!({"extension": "191"}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (409, Some("extension")), "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("auto attendant"), "{err}");
        // Queues too; and hold music a queue plays.
        let (st, err) = s.send(OM, Method::DELETE, &format!("{D}/call-queues/600"), None).await;
        assert_eq!(st, StatusCode::CONFLICT, "{err}");
        let (st, moh) = s.send_file(OM, Method::POST, &format!("{D}/music-on-hold?name=Jazz"), "audio/wav", silent_wav(8000, 4000)).await;
        assert_eq!(st, StatusCode::CREATED, "{moh}");
        let (st, q) = s.send(OM, Method::PATCH, &format!("{D}/call-queues/601"), Some(json!({"music_on_hold_id": moh["id"]}))).await;
        assert_eq!(st, StatusCode::OK, "{q}");
        let (st, err) = s.send(OM, Method::DELETE, &format!("{D}/music-on-hold/{}", moh["id"]), None).await;
        assert!(st == StatusCode::CONFLICT && err["error"]["message"].as_str().unwrap().contains("call queue 601"), "{err}");
        let (st, err) = s.send(OM, Method::PATCH, &format!("{D}/call-queues/601"), Some(json!({"music_on_hold_id": 999999}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("music_on_hold_id")), "{err}");
        s
    })
    .await;
}

#[tokio::test]
async fn the_answering_rule_in_force_follows_the_time_frames() {
    on_each_database(|s| async move {
        let hours = create(&s, OM, &format!("{D}/time-frames"), json!({"name": "Weekdays", "schedule": {"kind": "days_of_week", "spans": [{"days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "start": "09:00", "end": "17:00"}]}})).await;
        let xmas = create(&s, "108@acme.example", &format!("{D}/users/~/time-frames"), json!({"name": "Christmas", "schedule": {"kind": "holidays", "holidays": [{"name": "Christmas", "month": 12, "day": 25}]}})).await;
        let me = format!("{D}/users/~/answer-rules");
        create(&s, "108@acme.example", &me, json!({"time_frame_id": xmas["id"], "position": 1, "action": {"kind": "do_not_disturb"}})).await;
        create(&s, "108@acme.example", &me, json!({"time_frame_id": hours["id"], "position": 2, "action": {"kind": "simultaneous_ring", "numbers": ["105", "+15550102030"]}})).await;
        create(&s, "108@acme.example", &me, json!({"position": 9, "action": {"kind": "send_to_voicemail"}})).await;
        let kind_at = |at: &'static str| {
            let s = &s;
            async move {
                let (st, body) = s.get("108@acme.example", &format!("{D}/users/~/answer-rules/active?at={at}")).await;
                assert_eq!(st, StatusCode::OK, "{body}");
                body["rule"]["action"]["kind"].as_str().unwrap_or("none").to_owned()
            }
        };
        // New York: Monday 2 March 2026 10:00 EST = 15:00Z; Monday 9 March 09:30 EDT = 13:30Z.
        assert_eq!(kind_at("2026-03-02T15:00:00Z").await, "simultaneous_ring");
        assert_eq!(kind_at("2026-03-09T13:30:00Z").await, "simultaneous_ring");
        assert_eq!(kind_at("2026-03-09T12:59:00Z").await, "send_to_voicemail");
        assert_eq!(kind_at("2026-03-07T15:00:00Z").await, "send_to_voicemail"); // Saturday
        assert_eq!(kind_at("2026-12-25T15:00:00Z").await, "do_not_disturb"); // a Friday, but Christmas comes first
        // A second rule for the same frame is refused; a disabled rule is skipped.
        let (st, err) = s.send("108@acme.example", Method::POST, &me, Some(json!({"time_frame_id": hours["id"], "action": {"kind": "do_not_disturb"}}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (409, Some("time_frame_id")), "{err}");
        let (_, rules) = s.get("108@acme.example", &me).await;
        let xmas_rule = rules["items"].as_array().unwrap().iter().find(|r| r["time_frame_id"] == xmas["id"]).unwrap()["id"].clone();
        s.send("108@acme.example", Method::PATCH, &format!("{D}/answer-rules/{xmas_rule}"), Some(json!({"enabled": false}))).await;
        assert_eq!(kind_at("2026-12-25T15:00:00Z").await, "simultaneous_ring");
        let (st, body) = s.get("108@acme.example", &format!("{D}/users/~/answer-rules/active?at=yesterday")).await;
        assert_eq!((st.as_u16(), body["error"]["field"].as_str()), (422, Some("at")));
        // Someone else's rules are out of a basic user's reach.
        assert_eq!(s.get("108@acme.example", &format!("{D}/users/107/answer-rules/active")).await.0, StatusCode::NOT_FOUND);
        s
    })
    .await;
}

#[tokio::test]
async fn recordings_are_stored_streamed_and_chosen() {
    on_each_database(|s| async move {
        let me = "107@acme.example";
        let wav = silent_wav(8000, 16000);
        let (st, first) = s.send_file(me, Method::POST, &format!("{D}/users/~/greetings?name=Standard"), "audio/wav", wav.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{first}");
        assert_eq!(first["audio"]["duration_ms"], 2000);
        let (_, second) = s.send_file(me, Method::POST, &format!("{D}/users/~/greetings?name=Vacation"), "audio/x-wav", silent_wav(16000, 800)).await;
        let audio = s.client.get(s.url(&format!("{D}/greetings/{}/audio", first["id"]))).bearer_auth(s.token(me).await).send().await.unwrap();
        assert_eq!(audio.headers()["content-type"], "audio/wav");
        assert_eq!(audio.bytes().await.unwrap().to_vec(), wav);
        for chosen in [&first, &second] {
            let (st, body) = s.send(me, Method::POST, &format!("{D}/greetings/{}/activate", chosen["id"]), None).await;
            assert_eq!(st, StatusCode::OK, "{body}");
            let (_, all) = s.get(me, &format!("{D}/users/~/greetings")).await;
            let active: Vec<_> = all["items"].as_array().unwrap().iter().filter(|g| g["active"] == true).map(|g| g["id"].clone()).collect();
            assert_eq!(active, vec![chosen["id"].clone()]);
        }
        // The switch deposits a message; its owner files it; nobody rewrites who called.
        let (st, msg) = s.send_file(SU, Method::POST, &format!("{D}/users/107/voicemail-messages?caller_number=%2B1%20555%200100&caller_name=Pat&received_at=2026-11-20T10:00:00Z"), "audio/wav", silent_wav(8000, 8000)).await;
        assert_eq!(st, StatusCode::CREATED, "{msg}");
        assert_eq!((msg["folder"].as_str(), msg["read"].as_bool()), (Some("new"), Some(false)));
        let path = format!("{D}/voicemail-messages/{}", msg["id"]);
        let (st, moved) = s.send(me, Method::PATCH, &path, Some(json!({"folder": "saved", "read": true}))).await;
        assert_eq!((st, moved["folder"].as_str()), (StatusCode::OK, Some("saved")), "{moved}");
        let (st, err) = s.send(me, Method::PATCH, &path, Some(json!({"caller_number": "+15550000000"}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (422, Some("caller_number")));
        // Another user can neither list nor play it.
        assert_eq!(s.get("108@acme.example", &format!("{path}/audio")).await.0, StatusCode::NOT_FOUND);
        let files = blob_files(&s.state.config.blob_dir);
        assert_eq!(s.send(me, Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(blob_files(&s.state.config.blob_dir), files - 1, "the recording goes with the message");
        s
    })
    .await;
}

#[tokio::test]
async fn invoices_are_paid_then_confirmed_and_print() {
    on_each_database(|s| async move {
        let invoice = create(&s, RESELLER, &format!("{D}/invoices"), json!({"number": "VC-2026-11", "issued_on": "2026-11-01", "due_on": "2026-11-30", "period_start": "2026-10-01", "period_end": "2026-10-31", "currency": "USD",
            "lines": [{"description": "Seats", "quantity": 12, "unit_price_cents": 1999}, {"description": "Numbers", "quantity": 3, "unit_price_cents": 150}]})).await;
        let path = format!("{D}/invoices/{}", invoice["id"]);
        let pay = json!({"amount_cents": 24438, "method": "ACH", "reference": "TX-1"});
        let (st, err) = s.send(OM, Method::POST, &format!("{path}/payment"), Some(pay.clone())).await;
        assert_eq!((st, err["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("reauth_required")), "{err}");
        let (st, _) = s.send(OM, Method::POST, "/api/v1/auth/reauth", Some(json!({"password": PASSWORD}))).await;
        assert_eq!(st, StatusCode::OK);
        let (st, paid) = s.send(OM, Method::POST, &format!("{path}/payment"), Some(pay.clone())).await;
        assert_eq!(st, StatusCode::OK, "{paid}");
        assert_eq!(paid["status"], "payment_submitted");
        assert_eq!(s.send(OM, Method::POST, &format!("{path}/payment"), Some(pay)).await.0, StatusCode::CONFLICT);
        // Only the provider confirms; the Office Manager cannot mark it paid itself.
        assert_eq!(s.send(OM, Method::PATCH, &path, Some(json!({"status": "paid"}))).await.0, StatusCode::FORBIDDEN);
        let (st, confirmed) = s.send(RESELLER, Method::PATCH, &path, Some(json!({"status": "paid"}))).await;
        assert_eq!(st, StatusCode::OK, "{confirmed}");
        assert!(confirmed["payment"]["confirmed_at"].is_string(), "{confirmed}");
        let page = s.client.get(s.url(&format!("{path}/printable"))).bearer_auth(s.token(OM).await).send().await.unwrap();
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("VC-2026-11") && html.contains("244.38 USD") && html.contains("Paid"), "{html}");
        // A Site Manager has no invoices; another domain's Office Manager cannot find them.
        assert_eq!(s.get("102@acme.example", &format!("{D}/invoices")).await.0, StatusCode::FORBIDDEN);
        assert_eq!(s.get("101@globex.example", &path).await.0, StatusCode::NOT_FOUND);
        s
    })
    .await;
}

#[tokio::test]
async fn contacts_import_and_export_as_csv_and_vcard() {
    on_each_database(|s| async move {
        // Initech has no demo address book: the counts below are all this test's.
        const D: &str = "/api/v1/domains/initech.example";
        const OM: &str = "101@initech.example";
        s.create_user(SU, "initech.example", "151", "basic_user", None).await;
        let csv = "first_name,last_name,company,email,work,mobile\nAnn,Lee,Acme,ann@acme.example,+1 555 0100,\nBob,Ray,,bob@ray.example,,+1 555 0199\n";
        let (st, r) = s.send_file(OM, Method::POST, &format!("{D}/contacts/import"), "text/csv", csv.as_bytes().to_vec()).await;
        assert_eq!((st, r["imported"].as_i64()), (StatusCode::OK, Some(2)), "{r}");
        let bad = "first_name,last_name,email\nCy,Doe,cy@doe.example\nDi,Doe,not-an-email\n";
        let (st, err) = s.send_file(OM, Method::POST, &format!("{D}/contacts/import"), "text/csv", bad.as_bytes().to_vec()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["error"]["message"].as_str().unwrap().contains("line 3"), "{err}");
        let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kay;Eve;;;\r\nTEL;TYPE=CELL:+1 555 0123\r\nEND:VCARD\r\n";
        let (st, r) = s.send_file("150@initech.example", Method::POST, &format!("{D}/users/~/contacts/import"), "text/vcard", vcf.as_bytes().to_vec()).await;
        assert_eq!((st, r["imported"].as_i64()), (StatusCode::OK, Some(1)), "{r}");
        // The basic user sees the shared contacts and its own; a search finds by number digits.
        let (_, mine) = s.get("150@initech.example", &format!("{D}/contacts")).await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 3);
        let (_, found) = s.get("150@initech.example", &format!("{D}/contacts?q=5550199")).await;
        assert_eq!(found["items"][0]["last_name"], "Ray");
        assert_eq!(s.get("151@initech.example", &format!("{D}/contacts")).await.1["items"].as_array().unwrap().len(), 2);
        let token = s.token("150@initech.example").await;
        let text = |path: String| {
            let request = s.client.get(s.url(&path)).bearer_auth(&token);
            async move { request.send().await.unwrap().text().await.unwrap() }
        };
        let exported = text(format!("{D}/contacts/export.csv")).await;
        assert!(exported.starts_with("first_name,last_name,company,email,work,mobile,home,fax,other,notes"), "{exported}");
        assert!(exported.contains("Ann,Lee,Acme,ann@acme.example,+1 555 0100"), "{exported}");
        let card = text(format!("{D}/contacts/export.vcf?user=~")).await;
        assert!(card.contains("N:Kay;Eve;;;") && card.contains("TEL;TYPE=CELL:+1 555 0123") && !card.contains("Lee"), "{card}");
        assert_eq!(s.send_file(OM, Method::POST, &format!("{D}/contacts/import"), "application/pdf", vec![1, 2]).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        s
    })
    .await;
}

#[tokio::test]
async fn every_change_to_a_setting_is_audited() {
    on_each_database(|s| async move {
        let made = create(&s, OM, &format!("{D}/conferences"), json!({"extension": "850", "name": "All hands 2", "pin": "2468"})).await;
        let path = format!("{D}/conferences/{}", made["id"]);
        s.send(OM, Method::PATCH, &path, Some(json!({"max_participants": 50}))).await;
        assert_eq!(s.send(OM, Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT);
        let (_, log) = s.get(OM, "/api/v1/audit-log?action=conference.").await;
        let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for action in ["conference.create", "conference.update", "conference.delete"] {
            assert!(actions.contains(&action), "{action} missing from {log}");
        }
        // The domain's limit on conferences holds, and names itself.
        let (_, d) = s.get(SU, D).await;
        let (_, n) = s.get(SU, &format!("{D}/conferences/count")).await;
        let mut policy = d["policy"].clone();
        policy["limits"]["max_conferences"] = n["count"].clone();
        assert_eq!(s.send(RESELLER, Method::PATCH, D, Some(json!({"policy": policy}))).await.0, StatusCode::OK);
        let (st, err) = s.send(OM, Method::POST, &format!("{D}/conferences"), Some(json!({"extension": "852", "name": "One too many"}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (409, Some("max_conferences")), "{err}");
        policy["limits"]["max_conferences"] = json!(null);
        assert_eq!(s.send(RESELLER, Method::PATCH, D, Some(json!({"policy": policy}))).await.0, StatusCode::OK);
        // A conference's extension is taken like a user's.
        create(&s, OM, &format!("{D}/conferences"), json!({"extension": "851", "name": "Bridge"})).await;
        let (st, err) = s.send(SU, Method::POST, &format!("{D}/users"), Some(json!({"extension": "851", "first_name": "A", "last_name": "B", "scope": "basic_user", "password": PASSWORD}))).await;
        assert_eq!((st.as_u16(), err["error"]["field"].as_str()), (409, Some("extension")), "{err}");
        s
    })
    .await;
}

#[tokio::test]
async fn a_deleted_domain_takes_its_settings_and_recordings() {
    on_each_database(|s| async move {
        let files = blob_files(&s.state.config.blob_dir);
        assert!(files > 0, "the demo keeps recordings");
        let (_, numbers) = s
            .get(RESELLER, "/api/v1/domains/globex.example/phone-numbers")
            .await;
        let number = numbers["items"][0]["number"].as_str().unwrap().to_owned();
        let (st, body) = s
            .send(
                RESELLER,
                Method::DELETE,
                "/api/v1/domains/globex.example",
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
        // Acme's recordings stay; Globex's are gone with it.
        let left = blob_files(&s.state.config.blob_dir);
        assert!(
            left > 0 && left < files,
            "{left} of {files} recordings left"
        );
        // Its numbers are free to be given to another customer.
        create(
            &s,
            RESELLER,
            &format!("{D}/phone-numbers"),
            json!({"number": number}),
        )
        .await;
        s
    })
    .await;
}
