//! The demo's phone-system settings: what a real small office has configured, so every tab of
//! the portal shows something (phones, numbers, time frames, rules, contacts, voicemail, an
//! attendant, a conference bridge, hold music, 911 addresses, invoices, contacts of record).

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use switchboard_api::AppState;
use switchboard_api::api::settings::{create_owned, create_shared};
use switchboard_api::auth::Caller;
use switchboard_api::bootstrap::operator_caller;
use switchboard_api::error::{ApiError, ApiResult};
use switchboard_domain::*;

fn body<T: DeserializeOwned>(value: Value) -> ApiResult<T> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::internal(format!("demo setting does not parse: {e}")))
}

async fn recording(state: &AppState, seconds: u32) -> ApiResult<Audio> {
    let bytes = silent_wav(8000, 8000 * seconds);
    let info = parse_wav(&bytes).map_err(ApiError::internal)?;
    let blob = state
        .blobs
        .put(&bytes)
        .await
        .map_err(|e| ApiError::internal(format!("cannot store a demo recording: {e}")))?;
    Ok(Audio {
        blob,
        bytes: bytes.len() as u64,
        duration_ms: info.duration_ms,
        sample_rate: info.sample_rate,
        channels: info.channels,
    })
}

/// Everything but call history, for one demo domain. `n` (0 or 1) keeps numbers and MACs
/// unique across the two domains.
pub async fn fill(
    state: &AppState,
    provider: &Caller,
    om: &Caller,
    domain: &Domain,
    users: &[User],
    site_ids: &[SiteId],
    n: usize,
) -> ApiResult<()> {
    let store = &state.store;
    let record = |i: usize| store.user_for_actor(users[i].id);
    // Phones: one desk phone each, a softphone line for the Office Manager.
    for i in 0..users.len().min(9) {
        let owner = record(i).await?;
        let mut phones = vec![
            json!({"mac": format!("00:15:65:{n:02x}:01:{i:02x}"), "model": "Yealink T54W", "label": "Desk"}),
        ];
        if i == 0 {
            phones.push(json!({"mac": format!("00:15:65:{n:02x}:02:{i:02x}"), "model": "Bria softphone", "label": "Laptop", "line": 2}));
        }
        let phones = phones
            .into_iter()
            .map(body::<Device>)
            .collect::<ApiResult<Vec<_>>>()?;
        create_owned(state, om, &owner, phones).await?;
    }
    // Shared time frames, and one personal.
    let hours: Setting<TimeFrame> = create_shared(state, om, domain, body(json!({"name": "Business hours", "schedule": {"kind": "days_of_week",
        "spans": [{"days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "start": "08:30", "end": "17:30"}]}}))?).await?;
    let holidays: Setting<TimeFrame> = create_shared(state, om, domain, body(json!({"name": "Holidays", "schedule": {"kind": "holidays", "holidays": [
        {"name": "New Year's Day", "month": 1, "day": 1}, {"name": "Independence Day", "month": 7, "day": 4},
        {"name": "Christmas Day", "month": 12, "day": 25}]}}))?).await?;
    let basic = record(6).await?;
    let basic_caller = operator_caller(state, basic.user.id).await?;
    let lunch: Setting<TimeFrame> = create_owned(state, &basic_caller, &basic, vec![body(json!({"name": "Lunch", "schedule": {"kind": "days_of_week",
        "spans": [{"days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "start": "12:00", "end": "13:00"}]}}))?]).await?.remove(0);
    // Answering rules of the basic user (107): lunch to voicemail, holidays do not disturb,
    // office hours ring the mobile too, otherwise forward when busy or unanswered.
    create_owned::<AnswerRule>(state, &basic_caller, &basic, vec![
        body(json!({"time_frame_id": lunch.id, "position": 1, "action": {"kind": "send_to_voicemail"}}))?,
        body(json!({"time_frame_id": holidays.id, "position": 2, "action": {"kind": "do_not_disturb"}}))?,
        body(json!({"time_frame_id": hours.id, "position": 3, "action": {"kind": "simultaneous_ring", "numbers": [format!("+1555010{n}107")], "ring_timeout_seconds": 20}}))?,
        body(json!({"position": 9, "action": {"kind": "forward_conditional", "busy": "108", "no_answer": "108", "ring_timeout_seconds": 25}}))?,
    ]).await?;
    // Contacts: the domain's address book, and a few of the basic user's own.
    for contact in [
        json!({"first_name": "Olivia", "last_name": "Price", "company": "Northwind Traders", "email": "olivia@northwind.example", "phones": [{"kind": "work", "number": "+1 212 555 0142"}]}),
        json!({"first_name": "Marcus", "last_name": "Reed", "company": "Contoso Legal", "phones": [{"kind": "work", "number": "+1 646 555 0199"}, {"kind": "mobile", "number": "+1 917 555 0110"}]}),
        json!({"company": "Building security", "phones": [{"kind": "work", "number": "+1 212 555 0100"}], "notes": "Front desk, 24/7"}),
    ] {
        create_shared::<Contact>(state, om, domain, body(contact)?).await?;
    }
    create_owned::<Contact>(state, &basic_caller, &basic, vec![
        body(json!({"first_name": "Sam", "last_name": "Okafor", "phones": [{"kind": "mobile", "number": "+1 347 555 0123"}]}))?,
        body(json!({"first_name": "Dr. Lena", "last_name": "Fischer", "company": "Midtown Dental", "phones": [{"kind": "work", "number": "+1 212 555 0188"}]}))?,
    ]).await?;
    // Voicemail: messages waiting for the basic user and the Office Manager; a greeting.
    let now = Timestamp::now().0;
    for (who, caller_number, name, ago, folder, read) in [
        (
            6usize,
            "+12125550142",
            Some("Olivia Price"),
            3_600i64,
            "new",
            false,
        ),
        (6, "+16465550199", None, 90_000, "new", false),
        (6, "105", Some("Front desk"), 200_000, "saved", true),
        (0, "+19175550110", Some("Marcus Reed"), 7_200, "new", false),
    ] {
        let owner = record(who).await?;
        let message: VoicemailMessage =
            body(json!({"caller_number": caller_number, "caller_name": name,
            "received_at": Timestamp(now - ago).to_rfc3339(), "folder": folder, "read": read,
            "audio": recording(state, 6).await?}))?;
        create_owned(state, om, &owner, vec![message]).await?;
    }
    let greeting: Greeting =
        body(json!({"name": "Standard", "active": true, "audio": recording(state, 4).await?}))?;
    create_owned(state, &basic_caller, &basic, vec![greeting]).await?;
    // Hold music for the queues, the main auto attendant and a conference bridge.
    let music: Setting<MusicOnHold> = create_shared(
        state,
        om,
        domain,
        body(json!({"name": "Calm piano", "position": 1, "audio": recording(state, 8).await?}))?,
    )
    .await?;
    for queue in ["600", "601"] {
        let vis = switchboard_policy::operator_visibility(switchboard_policy::Resource::CallQueues);
        let q = store
            .get_call_queue(
                &vis,
                domain.id,
                &Extension::parse(queue).map_err(ApiError::internal)?,
            )
            .await?;
        let changes = switchboard_api::api::queues::QueuePatch {
            music_on_hold_id: Some(Some(music.id.get())),
            ..Default::default()
        };
        switchboard_api::api::queues::update_queue(state, om, domain, &q, changes).await?;
    }
    let mut attendant: AutoAttendant = body(
        json!({"extension": "700", "name": "Main menu", "site_id": site_ids[0], "menus": [
        {"time_frame_id": holidays.id, "options": {"0": {"kind": "voicemail", "target": "101"}, "9": {"kind": "repeat"}}},
        {"time_frame_id": hours.id, "options": {"1": {"kind": "call_queue", "target": "600"}, "2": {"kind": "call_queue", "target": "601"},
            "3": {"kind": "call_queue", "target": "602"}, "0": {"kind": "user", "target": "101"}, "9": {"kind": "repeat"}}},
        {"options": {"1": {"kind": "voicemail", "target": "107"}, "0": {"kind": "voicemail", "target": "101"}, "9": {"kind": "repeat"}}}]}),
    )?;
    attendant.greeting = Some(recording(state, 5).await?);
    create_shared(state, om, domain, attendant).await?;
    create_shared::<Conference>(state, om, domain, body(json!({"extension": "800", "name": "All hands", "site_id": site_ids[0], "pin": "2580", "max_participants": 25}))?).await?;
    // Numbers: the provider owns the inventory; the main number reaches the attendant.
    for (i, route) in [
        json!({"kind": "auto_attendant", "target": "700"}),
        json!({"kind": "call_queue", "target": "600"}),
        json!({"kind": "call_queue", "target": "601"}),
        json!({"kind": "user", "target": "101"}),
        json!({"kind": "user", "target": "103"}),
        json!({"kind": "conference", "target": "800"}),
        json!({"kind": "none"}),
    ]
    .into_iter()
    .enumerate()
    {
        let number: PhoneNumber =
            body(json!({"number": format!("+1212555{n}{i:03}"), "route": route}))?;
        create_shared(state, provider, domain, number).await?;
    }
    // Account Preferences: 911 addresses, invoices, contacts of record.
    for (site, street, city, region, postal) in [
        (None, "350 Fifth Avenue", "New York", "NY", "10118"),
        (
            Some(site_ids[site_ids.len() - 1]),
            "1 Harbor Road",
            "Stamford",
            "CT",
            "06902",
        ),
    ] {
        let address: EmergencyAddress = body(
            json!({"site_id": site, "caller_name": domain.description, "street": street,
            "location": "Floor 3", "city": city, "region": region, "postal_code": postal, "country": "US", "callback_number": format!("+1212555{n}000")}),
        )?;
        create_shared(state, provider, domain, address).await?;
    }
    for (number, issued, due, start, end, status) in [
        (
            "2026-09",
            "2026-10-01",
            "2026-10-31",
            "2026-09-01",
            "2026-09-30",
            "paid",
        ),
        (
            "2026-10",
            "2026-11-01",
            "2026-11-30",
            "2026-10-01",
            "2026-10-31",
            "open",
        ),
    ] {
        let invoice: Invoice = body(
            json!({"number": format!("VC-{n}-{number}"), "issued_on": issued, "due_on": due, "period_start": start, "period_end": end,
            "currency": "USD", "status": status, "lines": [
                {"description": "Hosted PBX seats", "quantity": 10, "unit_price_cents": 1995},
                {"description": "Phone numbers", "quantity": 7, "unit_price_cents": 150},
                {"description": "Call center add-on", "quantity": 3, "unit_price_cents": 1500}]}),
        )?;
        create_shared(state, provider, domain, invoice).await?;
    }
    for (name, role) in [("Ada Billing", "billing"), ("Tom Tech", "technical")] {
        let email = format!(
            "{}@{}",
            name.split(' ').next().unwrap_or("contact").to_lowercase(),
            domain.name
        );
        create_shared::<AuthorizedContact>(state, provider, domain, body(json!({"name": name, "email": email, "phone": format!("+1212555{n}999"), "role": role}))?).await?;
    }
    Ok(())
}
