//! Each kind of setting: its table, resources, uniqueness and references.

use crate::settings::{RefTarget, Reference, SettingKind, Unique};
use switchboard_domain::*;
use switchboard_policy::Resource;

fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn reference(field: impl Into<String>, target: RefTarget) -> Reference {
    Reference {
        field: field.into(),
        target,
    }
}

fn destination(field: &str, d: &Destination) -> Option<Reference> {
    d.extension()
        .map(|e| reference(field, RefTarget::AnyExtension(e)))
}

impl SettingKind for Device {
    const TABLE: &'static str = "devices";
    const NOUN: &'static str = "device";
    const UNIQUE: Option<(Unique, &'static str)> = Some((Unique::Installation, "mac"));
    fn resource(_: bool) -> Resource {
        Resource::Devices
    }
    fn unique_key(&self) -> Option<String> {
        Some(self.mac.to_string())
    }
    fn name(&self) -> String {
        self.label
            .as_ref()
            .map_or_else(|| self.model.to_string(), ToString::to_string)
    }
    fn search_text(&self) -> String {
        join(&[
            Some(self.mac.as_str()),
            Some(self.model.as_str()),
            self.label.as_ref().map(Label::as_str),
        ])
    }
    fn check(&self) -> Result<(), FieldError> {
        Device::check(self)
    }
}

impl SettingKind for PhoneNumber {
    const TABLE: &'static str = "phone_numbers";
    const NOUN: &'static str = "phone_number";
    const ROUTED: bool = true;
    const UNIQUE: Option<(Unique, &'static str)> = Some((Unique::Installation, "number"));
    fn resource(_: bool) -> Resource {
        Resource::PhoneNumbers
    }
    fn unique_key(&self) -> Option<String> {
        Some(self.number.to_string())
    }
    fn name(&self) -> String {
        self.number.to_string()
    }
    fn search_text(&self) -> String {
        join(&[
            Some(self.number.as_str()),
            self.label.as_ref().map(Label::as_str),
        ])
    }
    fn references(&self) -> Vec<Reference> {
        let target = match &self.route {
            Route::User(e) => RefTarget::User(e.clone()),
            Route::CallQueue(e) => RefTarget::CallQueue(e.clone()),
            Route::AutoAttendant(e) => RefTarget::AutoAttendant(e.clone()),
            Route::Conference(e) => RefTarget::Conference(e.clone()),
            Route::None | Route::External(_) => return Vec::new(),
        };
        vec![reference("route", target)]
    }
}

impl SettingKind for TimeFrame {
    const TABLE: &'static str = "time_frames";
    const NOUN: &'static str = "time_frame";
    const REF_KIND: Option<&'static str> = Some("time_frame");
    fn resource(owned: bool) -> Resource {
        if owned {
            Resource::TimeFramesPersonal
        } else {
            Resource::TimeFramesShared
        }
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
    fn check(&self) -> Result<(), FieldError> {
        self.schedule.check()
    }
}

impl SettingKind for AnswerRule {
    const TABLE: &'static str = "answer_rules";
    const NOUN: &'static str = "answer_rule";
    const UNIQUE: Option<(Unique, &'static str)> = Some((Unique::Owner, "time_frame_id"));
    fn resource(_: bool) -> Resource {
        Resource::AnswerRules
    }
    /// One rule per time frame of a user ("always" counts as one).
    fn unique_key(&self) -> Option<String> {
        Some(
            self.time_frame_id
                .map_or_else(|| "always".to_owned(), |id| id.to_string()),
        )
    }
    fn name(&self) -> String {
        let kind = serde_json::to_value(&self.action)
            .ok()
            .and_then(|v| v["kind"].as_str().map(str::to_owned))
            .unwrap_or_default();
        format!("{} (position {})", kind.replace('_', " "), self.position)
    }
    fn check(&self) -> Result<(), FieldError> {
        AnswerRule::check(self)
    }
    fn references(&self) -> Vec<Reference> {
        let mut out: Vec<Reference> = self
            .destinations()
            .into_iter()
            .filter_map(|(field, d)| destination(field, d))
            .collect();
        if let Some(frame) = self.time_frame_id {
            out.push(reference("time_frame_id", RefTarget::TimeFrame(frame)));
        }
        out
    }
}

impl SettingKind for Contact {
    const TABLE: &'static str = "contacts";
    const NOUN: &'static str = "contact";
    fn resource(owned: bool) -> Resource {
        if owned {
            Resource::ContactsPersonal
        } else {
            Resource::ContactsShared
        }
    }
    fn name(&self) -> String {
        self.display_name()
    }
    fn search_text(&self) -> String {
        let phones: Vec<&str> = self.phones.iter().map(|p| p.number.as_str()).collect();
        let digits: String = phones
            .iter()
            .flat_map(|p| p.chars().filter(char::is_ascii_digit).chain([' ']))
            .collect();
        join(&[
            self.first_name.as_ref().map(Label::as_str),
            self.last_name.as_ref().map(Label::as_str),
            self.company.as_ref().map(Label::as_str),
            self.email.as_ref().map(Email::as_str),
            Some(&phones.join(" ")),
            Some(&digits),
        ])
    }
    fn check(&self) -> Result<(), FieldError> {
        Contact::check(self)
    }
}

impl SettingKind for VoicemailMessage {
    const TABLE: &'static str = "voicemail_messages";
    const NOUN: &'static str = "voicemail_message";
    fn resource(_: bool) -> Resource {
        Resource::Voicemail
    }
    fn name(&self) -> String {
        self.received_at.to_rfc3339()
    }
    fn search_text(&self) -> String {
        join(&[
            Some(self.caller_number.as_str()),
            self.caller_name.as_ref().map(Label::as_str),
        ])
    }
}

impl SettingKind for Greeting {
    const TABLE: &'static str = "voicemail_greetings";
    const NOUN: &'static str = "greeting";
    fn resource(_: bool) -> Resource {
        Resource::Voicemail
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
}

impl SettingKind for MusicOnHold {
    const TABLE: &'static str = "music_on_hold";
    const NOUN: &'static str = "music_on_hold";
    const REF_KIND: Option<&'static str> = Some("music_on_hold");
    fn resource(_: bool) -> Resource {
        Resource::MusicOnHold
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
}

impl SettingKind for AutoAttendant {
    const TABLE: &'static str = "auto_attendants";
    const NOUN: &'static str = "auto_attendant";
    const REF_KIND: Option<&'static str> = Some("auto_attendant");
    const LIMIT: Option<LimitKind> = Some(LimitKind::MaxAutoAttendants);
    const UNIQUE: Option<(Unique, &'static str)> = Some((Unique::Domain, "extension"));
    fn resource(_: bool) -> Resource {
        Resource::AutoAttendants
    }
    fn unique_key(&self) -> Option<String> {
        Some(self.extension.to_string())
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
    fn search_text(&self) -> String {
        join(&[Some(self.extension.as_str()), Some(self.name.as_str())])
    }
    fn site(&self) -> Option<SiteId> {
        self.site_id
    }
    fn extension(&self) -> Option<&Extension> {
        Some(&self.extension)
    }
    fn check(&self) -> Result<(), FieldError> {
        AutoAttendant::check(self)
    }
    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for (i, menu) in self.menus.iter().enumerate() {
            if let Some(frame) = menu.time_frame_id {
                out.push(reference(
                    format!("menus[{i}].time_frame_id"),
                    RefTarget::TimeFrame(frame),
                ));
            }
            for (key, target) in &menu.options {
                let field = format!("menus[{i}].options.{key}");
                let target = match target {
                    MenuTarget::User(e) => RefTarget::User(e.clone()),
                    MenuTarget::CallQueue(e) => RefTarget::CallQueue(e.clone()),
                    MenuTarget::Conference(e) => RefTarget::Conference(e.clone()),
                    MenuTarget::AutoAttendant(e) => RefTarget::AutoAttendant(e.clone()),
                    MenuTarget::Voicemail(e) => RefTarget::Voicemail(e.clone()),
                    MenuTarget::External(_) | MenuTarget::Repeat => continue,
                };
                out.push(reference(field, target));
            }
        }
        out
    }
}

impl SettingKind for Conference {
    const TABLE: &'static str = "conferences";
    const NOUN: &'static str = "conference";
    const REF_KIND: Option<&'static str> = Some("conference");
    const LIMIT: Option<LimitKind> = Some(LimitKind::MaxConferences);
    const UNIQUE: Option<(Unique, &'static str)> = Some((Unique::Domain, "extension"));
    fn resource(_: bool) -> Resource {
        Resource::Conferences
    }
    fn unique_key(&self) -> Option<String> {
        Some(self.extension.to_string())
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
    fn search_text(&self) -> String {
        join(&[Some(self.extension.as_str()), Some(self.name.as_str())])
    }
    fn site(&self) -> Option<SiteId> {
        self.site_id
    }
    fn extension(&self) -> Option<&Extension> {
        Some(&self.extension)
    }
    fn check(&self) -> Result<(), FieldError> {
        Conference::check(self)
    }
}

impl SettingKind for EmergencyAddress {
    const TABLE: &'static str = "emergency_addresses";
    const NOUN: &'static str = "emergency_address";
    fn resource(_: bool) -> Resource {
        Resource::EmergencyAddresses
    }
    fn name(&self) -> String {
        format!("{}, {}", self.street, self.city)
    }
    fn search_text(&self) -> String {
        join(&[
            Some(self.caller_name.as_str()),
            Some(self.street.as_str()),
            Some(self.city.as_str()),
            Some(self.postal_code.as_str()),
        ])
    }
    fn site(&self) -> Option<SiteId> {
        self.site_id
    }
    fn check(&self) -> Result<(), FieldError> {
        EmergencyAddress::check(self)
    }
}

impl SettingKind for Invoice {
    const TABLE: &'static str = "invoices";
    const NOUN: &'static str = "invoice";
    const UNIQUE: Option<(Unique, &'static str)> = Some((Unique::Domain, "number"));
    fn resource(_: bool) -> Resource {
        Resource::Invoices
    }
    fn unique_key(&self) -> Option<String> {
        Some(self.number.to_string())
    }
    fn name(&self) -> String {
        format!("{} {}", self.issued_on, self.number)
    }
    fn check(&self) -> Result<(), FieldError> {
        Invoice::check(self)
    }
}

impl SettingKind for AuthorizedContact {
    const TABLE: &'static str = "authorized_contacts";
    const NOUN: &'static str = "authorized_contact";
    fn resource(_: bool) -> Resource {
        Resource::AuthorizedContacts
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
    fn search_text(&self) -> String {
        join(&[Some(self.name.as_str()), Some(self.email.as_str())])
    }
}
