//! The bodies of phone-system settings. Every value type validates itself while deserialising,
//! and `check` holds the rules that types alone cannot say; a body that passes both is well
//! formed. References to other objects (extensions, time frames) are resolved by the store.

use crate::ids::{DomainId, Id, SiteId, UserId};
use crate::timeframe::{CivilDate, FieldError, Schedule};
use crate::values::{E164, Email, Extension, InvalidValue, Label, Timestamp, string_value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn invalid<T>(reason: &str) -> Result<T, InvalidValue> {
    Err(InvalidValue(reason.to_owned()))
}

string_value!(
    /// A phone's MAC address, stored as 12 lowercase hex digits (`:`, `-` and `.` accepted).
    MacAddress
);
impl MacAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let hex: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .collect::<String>()
            .to_ascii_lowercase();
        if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return invalid("a MAC address has 12 hex digits, e.g. 00:0b:82:12:34:56");
        }
        if hex == "000000000000" || hex == "ffffffffffff" {
            return invalid("that is not a device's MAC address");
        }
        // The low bit of the first octet marks group (multicast) addresses.
        if u8::from_str_radix(&hex[..2], 16).unwrap_or(1) & 1 == 1 {
            return invalid("a multicast address is not a device's MAC address");
        }
        Ok(MacAddress(hex))
    }
}

string_value!(
    /// Digits a caller keys in: a PIN of 4 to 12 digits.
    Pin
);
impl Pin {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if !(4..=12).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("a PIN has 4 to 12 digits");
        }
        Ok(Pin(s.to_owned()))
    }
}

string_value!(
    /// Where a call is forwarded: an extension of the domain or an E.164 number.
    Destination
);
impl Destination {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.starts_with('+') {
            Ok(Destination(E164::parse(s)?.into_string()))
        } else {
            Extension::parse(s)
                .map(|e| Destination(e.into_string()))
                .map_err(|_| {
                    InvalidValue(
                        "an extension (like 105) or an E.164 number (like +15551234567)".into(),
                    )
                })
        }
    }
    /// The extension, when this is one.
    pub fn extension(&self) -> Option<Extension> {
        Extension::parse(&self.0).ok()
    }
}

string_value!(
    /// A number as people write it in an address book: digits, spaces, `+ - ( ) .`, 2 to 30.
    DialString
);
impl DialString {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        let allowed = s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
        if !allowed || !(2..=20).contains(&digits) || s.len() > 30 {
            return invalid("a phone number has 2 to 20 digits (spaces, + - ( ) . allowed)");
        }
        Ok(DialString(s.to_owned()))
    }
}

string_value!(
    /// A free text of up to 1000 characters.
    Note
);
impl Note {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.chars().count() > 1000 {
            return invalid("has at most 1000 characters");
        }
        if raw
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return invalid("must not contain control characters");
        }
        Ok(Note(raw.trim().to_owned()))
    }
}

/// A stored recording (set by the server from the upload, never by a client).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Audio {
    /// The blob store's key.
    pub blob: String,
    pub bytes: u64,
    pub duration_ms: u64,
    pub sample_rate: u32,
    pub channels: u16,
}

/// A stored setting: where it lives, and its body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Setting<T> {
    pub id: Id<T>,
    pub domain_id: DomainId,
    /// The user it belongs to; absent for the domain's own (shared) settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// The site it counts for with Site Managers: its own site, its user's, or for a number the
    /// site its route leads to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach_site_id: Option<SiteId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(flatten)]
    pub body: T,
}

// ---------- devices ----------

/// A desk phone or softphone line of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Unique in the whole installation: a phone provisions from one place.
    pub mac: MacAddress,
    pub model: Label,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    /// The line (account) on the phone, 1 to 24.
    #[serde(default = "one")]
    pub line: u8,
}

fn one() -> u8 {
    1
}

impl Device {
    pub fn check(&self) -> Result<(), FieldError> {
        if !(1..=24).contains(&self.line) {
            return Err(FieldError::new("line", "a phone has lines 1 to 24"));
        }
        Ok(())
    }
}

// ---------- phone numbers ----------

/// Where an inbound number goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum Route {
    /// Not routed: the number is held in inventory.
    None,
    User(Extension),
    CallQueue(Extension),
    AutoAttendant(Extension),
    Conference(Extension),
    External(E164),
}

impl Route {
    /// `none`, `external:+15551234567`, or `user:105` (also `call_queue`, `auto_attendant`,
    /// `conference`), as written in a query string.
    pub fn parse_short(raw: &str) -> Result<Route, InvalidValue> {
        if raw.trim() == "none" {
            return Ok(Route::None);
        }
        let Some((kind, target)) = raw.split_once(':') else {
            return invalid(
                "a route is none, or kind:target such as user:105 or external:+15551234567",
            );
        };
        Ok(match kind.trim() {
            "user" => Route::User(Extension::parse(target)?),
            "call_queue" => Route::CallQueue(Extension::parse(target)?),
            "auto_attendant" => Route::AutoAttendant(Extension::parse(target)?),
            "conference" => Route::Conference(Extension::parse(target)?),
            "external" => Route::External(E164::parse(target)?),
            _ => {
                return invalid(
                    "the route kind is one of none, user, call_queue, auto_attendant, conference, external",
                );
            }
        })
    }
}

/// A number of the domain's inventory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneNumber {
    /// Unique in the whole installation.
    pub number: E164,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    #[serde(default = "no_route")]
    pub route: Route,
}

fn no_route() -> Route {
    Route::None
}

// ---------- time frames ----------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeFrame {
    pub name: Label,
    pub schedule: Schedule,
}

// ---------- answering rules ----------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    DoNotDisturb,
    ForwardAlways {
        to: Destination,
    },
    /// Ring the user first; forward on busy, no answer or unreachable (each optional).
    ForwardConditional {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        busy: Option<Destination>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        no_answer: Option<Destination>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unreachable: Option<Destination>,
        #[serde(default = "ring_timeout")]
        ring_timeout_seconds: u32,
    },
    /// Ring the user's phones and these numbers together.
    SimultaneousRing {
        numbers: Vec<Destination>,
        #[serde(default = "ring_timeout")]
        ring_timeout_seconds: u32,
    },
    SendToVoicemail,
}

fn ring_timeout() -> u32 {
    25
}

/// What happens to a user's calls while its time frame is active; `time_frame_id` absent means
/// always. Rules are tried in `position` order; the first whose frame is active applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_frame_id: Option<Id<TimeFrame>>,
    #[serde(default)]
    pub position: u32,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub action: RuleAction,
}

fn yes() -> bool {
    true
}

impl AnswerRule {
    pub fn check(&self) -> Result<(), FieldError> {
        let timeout_ok = |t: u32| (5..=300).contains(&t);
        match &self.action {
            RuleAction::ForwardConditional {
                busy,
                no_answer,
                unreachable,
                ring_timeout_seconds,
            } => {
                if busy.is_none() && no_answer.is_none() && unreachable.is_none() {
                    return Err(FieldError::new(
                        "action",
                        "give at least one of busy, no_answer, unreachable",
                    ));
                }
                if !timeout_ok(*ring_timeout_seconds) {
                    return Err(FieldError::new(
                        "action.ring_timeout_seconds",
                        "a ring timeout is 5 to 300 seconds",
                    ));
                }
            }
            RuleAction::SimultaneousRing {
                numbers,
                ring_timeout_seconds,
            } => {
                if numbers.is_empty() || numbers.len() > 10 {
                    return Err(FieldError::new("action.numbers", "give 1 to 10 numbers"));
                }
                if !timeout_ok(*ring_timeout_seconds) {
                    return Err(FieldError::new(
                        "action.ring_timeout_seconds",
                        "a ring timeout is 5 to 300 seconds",
                    ));
                }
            }
            _ => {}
        }
        if self.position > 1000 {
            return Err(FieldError::new("position", "a position is 0 to 1000"));
        }
        Ok(())
    }

    /// The extensions this rule sends calls to (they must exist in the domain).
    pub fn destinations(&self) -> Vec<(&'static str, &Destination)> {
        match &self.action {
            RuleAction::ForwardAlways { to } => vec![("action.to", to)],
            RuleAction::ForwardConditional {
                busy,
                no_answer,
                unreachable,
                ..
            } => [
                ("action.busy", busy),
                ("action.no_answer", no_answer),
                ("action.unreachable", unreachable),
            ]
            .into_iter()
            .filter_map(|(f, d)| d.as_ref().map(|d| (f, d)))
            .collect(),
            RuleAction::SimultaneousRing { numbers, .. } => {
                numbers.iter().map(|d| ("action.numbers", d)).collect()
            }
            RuleAction::DoNotDisturb | RuleAction::SendToVoicemail => Vec::new(),
        }
    }
}

// ---------- contacts ----------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Work,
    Mobile,
    Home,
    Fax,
    Other,
}

impl PhoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Work => "work",
            PhoneKind::Mobile => "mobile",
            PhoneKind::Home => "home",
            PhoneKind::Fax => "fax",
            PhoneKind::Other => "other",
        }
    }
    pub fn parse(raw: &str) -> Option<PhoneKind> {
        Some(match raw.trim().to_ascii_lowercase().as_str() {
            "work" => PhoneKind::Work,
            "mobile" | "cell" => PhoneKind::Mobile,
            "home" => PhoneKind::Home,
            "fax" => PhoneKind::Fax,
            "other" | "voice" | "" => PhoneKind::Other,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPhone {
    pub kind: PhoneKind,
    pub number: DialString,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default)]
    pub phones: Vec<ContactPhone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Note>,
}

impl Contact {
    pub fn check(&self) -> Result<(), FieldError> {
        if self.first_name.is_none() && self.last_name.is_none() && self.company.is_none() {
            return Err(FieldError::new(
                "last_name",
                "a contact has a first name, a last name or a company",
            ));
        }
        if self.phones.len() > 10 {
            return Err(FieldError::new(
                "phones",
                "a contact has at most 10 numbers",
            ));
        }
        Ok(())
    }
    /// "Last, First" or the company, for sorting and display.
    pub fn display_name(&self) -> String {
        match (&self.last_name, &self.first_name) {
            (Some(l), Some(f)) => format!("{l}, {f}"),
            (Some(n), None) | (None, Some(n)) => n.to_string(),
            (None, None) => self
                .company
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

// ---------- voicemail ----------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Folder {
    New,
    Saved,
    Trash,
}

/// A message left in a user's box (deposited by the switch, or uploaded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VoicemailMessage {
    pub caller_number: DialString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_name: Option<Label>,
    pub received_at: Timestamp,
    pub folder: Folder,
    pub read: bool,
    pub audio: Audio,
}

/// A recorded greeting; the one `active` plays to callers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Greeting {
    pub name: Label,
    pub active: bool,
    pub audio: Audio,
}

/// A hold-music file of the domain, played in `position` order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MusicOnHold {
    pub name: Label,
    #[serde(default)]
    pub position: u32,
    pub audio: Audio,
}

// ---------- auto attendants and conferences ----------

/// What a key press does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum MenuTarget {
    User(Extension),
    CallQueue(Extension),
    Conference(Extension),
    AutoAttendant(Extension),
    Voicemail(Extension),
    External(E164),
    /// Play the menu again.
    Repeat,
}

/// The menu that plays while its time frame is active (absent: the default menu).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Menu {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_frame_id: Option<Id<TimeFrame>>,
    /// Keys `0`–`9`, `*`, `#` to what they do.
    pub options: BTreeMap<String, MenuTarget>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoAttendant {
    pub extension: Extension,
    pub name: Label,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    pub menus: Vec<Menu>,
    /// Set by uploading a greeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<Audio>,
}

impl AutoAttendant {
    pub fn check(&self) -> Result<(), FieldError> {
        if self.menus.is_empty() || self.menus.len() > 20 {
            return Err(FieldError::new(
                "menus",
                "an auto attendant has 1 to 20 menus",
            ));
        }
        let mut frames = std::collections::BTreeSet::new();
        for (i, menu) in self.menus.iter().enumerate() {
            if !frames.insert(menu.time_frame_id) {
                return Err(FieldError::new(
                    format!("menus[{i}].time_frame_id"),
                    "one menu per time frame",
                ));
            }
            if menu.options.is_empty() {
                return Err(FieldError::new(
                    format!("menus[{i}].options"),
                    "a menu has at least one option",
                ));
            }
            for key in menu.options.keys() {
                let ok = key.len() == 1
                    && key
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '*' || c == '#');
                if !ok {
                    return Err(FieldError::new(
                        format!("menus[{i}].options.{key}"),
                        "an option's key is one of 0-9, * or #",
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conference {
    pub extension: Extension,
    pub name: Label,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    #[serde(default = "ten")]
    pub max_participants: u32,
}

fn ten() -> u32 {
    10
}

impl Conference {
    pub fn check(&self) -> Result<(), FieldError> {
        if !(2..=500).contains(&self.max_participants) {
            return Err(FieldError::new(
                "max_participants",
                "a conference has room for 2 to 500 participants",
            ));
        }
        Ok(())
    }
}

// ---------- account preferences ----------

string_value!(
    /// An ISO 3166-1 alpha-2 country code, e.g. `US`.
    CountryCode
);
impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
            return invalid("a country is a two-letter ISO code such as US or CA");
        }
        Ok(CountryCode(s))
    }
}

/// A dispatchable (911) location, for the domain, a site or a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    /// The name dispatchers see.
    pub caller_name: Label,
    pub street: Label,
    /// Suite, floor, room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Label>,
    pub city: Label,
    /// State or province code (two letters in US and CA).
    pub region: Label,
    pub postal_code: Label,
    pub country: CountryCode,
    /// The number that calls back (the callback number).
    pub callback_number: E164,
}

impl EmergencyAddress {
    pub fn check(&self) -> Result<(), FieldError> {
        let postal = self.postal_code.as_str();
        let region = self.region.as_str();
        match self.country.as_str() {
            "US" => {
                let ok = postal.len() == 5 && postal.bytes().all(|b| b.is_ascii_digit())
                    || postal.len() == 10
                        && postal.as_bytes()[5] == b'-'
                        && postal
                            .bytes()
                            .enumerate()
                            .all(|(i, b)| i == 5 || b.is_ascii_digit());
                if !ok {
                    return Err(FieldError::new(
                        "postal_code",
                        "a US ZIP code is 12345 or 12345-6789",
                    ));
                }
            }
            "CA" => {
                let p: Vec<char> = postal.chars().filter(|c| *c != ' ').collect();
                let ok = p.len() == 6
                    && p.iter().enumerate().all(|(i, c)| {
                        if i % 2 == 0 {
                            c.is_ascii_alphabetic()
                        } else {
                            c.is_ascii_digit()
                        }
                    });
                if !ok {
                    return Err(FieldError::new(
                        "postal_code",
                        "a Canadian postal code is A1A 1A1",
                    ));
                }
            }
            _ => {}
        }
        if matches!(self.country.as_str(), "US" | "CA")
            && (region.len() != 2 || !region.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(FieldError::new(
                "region",
                "in the US and Canada the region is the two-letter code, e.g. NY or ON",
            ));
        }
        Ok(())
    }
}

string_value!(
    /// An ISO 4217 currency code, e.g. `USD`.
    Currency
);
impl Currency {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
            return invalid("a currency is a three-letter ISO code such as USD");
        }
        Ok(Currency(s))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    pub description: Label,
    pub quantity: u32,
    /// In the currency's minor unit (cents).
    pub unit_price_cents: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Open,
    /// The customer says it paid; the reseller's billing system has not confirmed yet.
    PaymentSubmitted,
    Paid,
    Void,
}

/// A payment the Office Manager submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub amount_cents: i64,
    /// How it was paid, e.g. "ACH", "card ending 4242".
    pub method: Label,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Label>,
    pub submitted_at: Timestamp,
    pub submitted_by: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// The reseller's invoice number, unique in the domain.
    pub number: Label,
    pub issued_on: CivilDate,
    pub due_on: CivilDate,
    pub period_start: CivilDate,
    pub period_end: CivilDate,
    pub currency: Currency,
    pub lines: Vec<InvoiceLine>,
    #[serde(default = "open")]
    pub status: InvoiceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
}

fn open() -> InvoiceStatus {
    InvoiceStatus::Open
}

impl Invoice {
    pub fn total_cents(&self) -> i64 {
        self.lines
            .iter()
            .map(|l| i64::from(l.quantity).saturating_mul(l.unit_price_cents))
            .fold(0i64, i64::saturating_add)
    }
    pub fn check(&self) -> Result<(), FieldError> {
        if self.lines.is_empty() || self.lines.len() > 500 {
            return Err(FieldError::new("lines", "an invoice has 1 to 500 lines"));
        }
        if self.due_on.date() < self.issued_on.date() {
            return Err(FieldError::new(
                "due_on",
                "an invoice falls due after it is issued",
            ));
        }
        if self.period_end.date() < self.period_start.date() {
            return Err(FieldError::new(
                "period_end",
                "a period ends after it starts",
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if line.unit_price_cents.abs() > 10_000_000_000 {
                return Err(FieldError::new(
                    format!("lines[{i}].unit_price_cents"),
                    "a unit price is at most 100,000,000.00",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    Billing,
    Technical,
    Administrative,
    Emergency,
}

/// A person the provider may deal with for the domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizedContact {
    pub name: Label,
    pub email: Email,
    pub phone: E164,
    pub role: ContactRole,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_addresses() {
        assert_eq!(
            MacAddress::parse("00:0B:82:12:34:56").unwrap().as_str(),
            "000b82123456"
        );
        assert!(MacAddress::parse("000b8212345").is_err());
        assert!(MacAddress::parse("01:00:5e:00:00:01").is_err());
        assert!(MacAddress::parse("zz0b82123456").is_err());
    }

    #[test]
    fn routes_in_short_form() {
        assert_eq!(
            Route::parse_short("user:105").unwrap(),
            Route::User(Extension::parse("105").unwrap())
        );
        assert_eq!(Route::parse_short("none").unwrap(), Route::None);
        assert!(Route::parse_short("fax:1").is_err());
    }

    #[test]
    fn emergency_addresses_are_checked_per_country() {
        let mut a: EmergencyAddress = serde_json::from_value(serde_json::json!({
            "caller_name": "Acme", "street": "1 Main St", "city": "Springfield", "region": "IL",
            "postal_code": "62701", "country": "us", "callback_number": "+12175550100"
        }))
        .unwrap();
        assert!(a.check().is_ok());
        a.postal_code = Label::parse("6270").unwrap();
        assert_eq!(a.check().unwrap_err().field, "postal_code");
    }
}
