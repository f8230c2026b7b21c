//! The voicemail PIN form: on one's own Messages tab, and on a user's page for a manager who may
//! update that user. The PIN is never shown (the API keeps only its hash): the form says whether
//! one is set, sets a new one or clears it.

use super::*;
use crate::html::button_form;
use switchboard_api::api::voicemail_pin::VoicemailPinBody;

/// The form, posting to `action` (`…/pin`); `set`: a PIN is set now.
pub(super) fn section(ctx: &Ctx, sub: Option<&Submitted>, action: &str, set: bool) -> Markup {
    // Only this form's own refusal is shown here (another form on the page sends no `pin`).
    let sub = sub.filter(|s| s.value("pin").is_some());
    html! {
        section.card #voicemail-pin {
            h2 { (t("voicemail-pin")) }
            p { @if set { (t("voicemail-pin-is-set")) } @else { (t("voicemail-pin-not-set")) } }
            form method="post" action=(action) {
                (csrf(&ctx.s.csrf))
                (form_error(sub.filter(|s| s.failure.field.as_deref() != Some("pin"))))
                (field_with(sub, "pin", t("new-voicemail-pin"), Input::Password, "", true))
                button.primary type="submit" name="do" value="set" { (t("set-voicemail-pin")) }
            }
            @if set {
                (button_form(action, &ctx.s.csrf, t("clear-voicemail-pin"), "secondary", &[("do", "clear")]))
            }
        }
    }
}

/// Set or clear the PIN of `owner` (an extension, or `~`).
pub(super) async fn act(ctx: &Ctx, owner: &str, form: &Form<'_>) -> R<()> {
    match form.text("do") {
        "clear" => {
            ctx.api()
                .call(endpoints::clear_voicemail_pin(MINE, owner))
                .await
        }
        _ => {
            let body = VoicemailPinBody {
                pin: form.text("pin").to_owned(),
            };
            ctx.api()
                .call(endpoints::set_voicemail_pin(MINE, owner, &body))
                .await
        }
    }
}
