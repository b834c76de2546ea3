//! The business admin's checklist: computed from what the portal knows, never optimistic.
//! Each line says what is done, what we are doing, what we wait for, or what the business must
//! do, in plain words.

use app::signup::port::{CheckItem, CheckState, SignupStatusView};
use app::wabas::connection::{business_words, connection_of};

use crate::db::{OnboardingStep, Phone, Signup, Waba};

use super::pipeline::Step;

pub struct StatusInput<'a> {
    pub signup: &'a Signup,
    pub waba: Option<&'a Waba>,
    pub steps: &'a [OnboardingStep],
    pub phones: &'a [Phone],
    pub business_name: Option<String>,
}

fn step(steps: &[OnboardingStep], which: Step) -> Option<&OnboardingStep> {
    steps.iter().find(|s| s.step == which.as_str())
}

fn item(key: &str, label: &str, state: CheckState, detail: impl Into<String>) -> CheckItem {
    CheckItem {
        key: key.into(),
        label: label.into(),
        state,
        detail: detail.into(),
    }
}

/// What a business can do about each onboarding status that blocks it.
pub fn status_guidance(status: &str) -> Option<(CheckState, &'static str)> {
    Some(match status {
        "INELIGIBLE_ON_BEHALF_OF_WABA" => (CheckState::ActionNeeded, "This account is managed on your behalf by a partner (on-behalf-of). Ask us to move its ownership to your business; then it becomes eligible."),
        "INELIGIBLE_INACTIVE_OR_RESTRICTED" => (CheckState::ActionNeeded, "Meta has restricted or deactivated this account. Check Business Support Home in Meta Business Suite and resolve the restriction."),
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED" => (CheckState::ActionNeeded, "Marketing Messages API is not yet available for businesses in your country."),
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP" => (CheckState::ActionNeeded, "This account's number is used only in the WhatsApp Business app. Connect it to the Cloud API (or use coexistence) to become eligible."),
        "PENDING_VALID_PAYMENT_METHOD" => (CheckState::ActionNeeded, "Add a valid payment method to your WhatsApp Business Account in Meta Business Suite (Billing & payments)."),
        "PENDING_INTERNAL_SETUP" => (CheckState::Waiting, "Meta is finishing its setup of your account. This usually takes a few minutes; nothing to do."),
        "ELIGIBLE" => (CheckState::Waiting, "Your account is eligible. Waiting for Meta to confirm the Marketing Messages terms."),
        _ => return None,
    })
}

fn from_step(s: Option<&OnboardingStep>, pending: &str) -> (CheckState, String) {
    match s {
        None => (CheckState::Pending, pending.to_string()),
        Some(s) => match s.state.as_str() {
            "done" | "skipped" => (CheckState::Done, s.detail.clone().unwrap_or_default()),
            "running" | "queued" => (CheckState::Working, "In progress…".into()),
            "retrying" => (
                CheckState::Working,
                "Meta is busy; we retry automatically.".into(),
            ),
            "failed" => (
                CheckState::Failed,
                format!(
                    "Stopped: {}. Our team sees this and will resume it.",
                    s.detail.clone().unwrap_or_default()
                ),
            ),
            "waiting" => (CheckState::Waiting, s.detail.clone().unwrap_or_default()),
            _ => (CheckState::Pending, pending.to_string()),
        },
    }
}

/// A line's state and what it tells the business admin.
type Line = (CheckState, String);

fn line(key: &str, label: &str, (state, detail): Line) -> CheckItem {
    item(key, label, state, detail)
}

/// The checklist, one line per step the admin can see, and its headline.
pub fn build(input: &StatusInput<'_>) -> SignupStatusView {
    let mut items = vec![
        line("connected", "Connected to Meta", connected(input)),
        line(
            "webhooks",
            "Updates from Meta switched on",
            from_step(
                step(input.steps, Step::SubscribeWebhooks),
                "We will switch on updates from Meta for your account.",
            ),
        ),
        line("number", "Phone number ready", number(input)),
        line("terms", "Marketing Messages terms signed", terms(input)),
    ];
    let restricted = input
        .waba
        .and_then(|w| w.account_health.as_deref())
        .is_some_and(|h| h != "active");
    let ready = items.iter().all(|i| i.state == CheckState::Done) && !restricted;
    items.push(line(
        "ready",
        "Ready to send marketing messages",
        ready_line(ready, restricted),
    ));
    SignupStatusView {
        business_name: input.business_name.clone(),
        waba_name: input.waba.map(|w| w.name.clone()),
        phone_numbers: input
            .phones
            .iter()
            .map(|p| p.display_phone_number.clone())
            .collect(),
        headline: headline(ready, &items).to_string(),
        ready,
        items,
    }
}

fn connected(input: &StatusInput<'_>) -> Line {
    let signup = input.signup;
    let connection = connection_of(input.waba.and_then(|w| w.connection_state.as_deref()));
    if let Some(words) = business_words(connection) {
        // Offboarded: Meta reconnects it after the business acts; the others end it.
        let state = if connection == "offboarded" {
            CheckState::ActionNeeded
        } else {
            CheckState::Failed
        };
        return (state, words.to_string());
    }
    match signup.stage.as_str() {
        "exchanged" => (
            CheckState::Done,
            format!(
                "Your WhatsApp Business Account {} is connected.",
                input.waba.map(|w| w.name.as_str()).unwrap_or("")
            ),
        ),
        "exchanging" => (CheckState::Working, "Connecting to Meta…".into()),
        "failed" => (
            CheckState::Failed,
            signup
                .error
                .clone()
                .unwrap_or_else(|| "The connection failed. Please connect again.".into()),
        ),
        "cancelled" => (
            CheckState::ActionNeeded,
            format!(
                "The signup window was closed{}. Open the signup page and connect again.",
                signup
                    .cancel_step
                    .as_ref()
                    .map(|s| format!(" at step {s}"))
                    .unwrap_or_default()
            ),
        ),
        _ => (CheckState::Pending, "Not connected yet.".into()),
    }
}

fn number(input: &StatusInput<'_>) -> Line {
    let register = step(input.steps, Step::RegisterPhone);
    let mut number = from_step(
        register,
        "We will register your phone number for the Cloud API.",
    );
    if let Some(s) = register {
        if s.state == "failed" && s.error_code == Some(133016) {
            number = (
                CheckState::Failed,
                "Meta allows 10 registrations of a number per 72 hours and this number reached it. We will retry when the limit resets.".into(),
            );
        }
        if s.state == "skipped" && input.phones.is_empty() {
            number = (
                CheckState::ActionNeeded,
                "No phone number was shared. Add one to your WhatsApp Business Account in WhatsApp Manager.".into(),
            );
        }
    }
    number
}

fn terms(input: &StatusInput<'_>) -> Line {
    let status = input.waba.and_then(|w| w.onboarding_status.clone());
    let signed = input.waba.is_some_and(|w| {
        w.mm_terms_signed_at.is_some() || w.onboarding_status.as_deref() == Some("ONBOARDED")
    });
    if signed {
        (
            CheckState::Done,
            "Meta confirmed: you accepted the Marketing Messages API terms.".to_string(),
        )
    } else if let Some((state, text)) = status.as_deref().and_then(status_guidance) {
        (state, text.to_string())
    } else if input.signup.stage == "exchanged" {
        (
            CheckState::Waiting,
            "Waiting for Meta to confirm the Marketing Messages terms.".into(),
        )
    } else {
        (CheckState::Pending, "After you connect.".into())
    }
}

fn ready_line(ready: bool, restricted: bool) -> Line {
    if ready {
        (
            CheckState::Done,
            "You can send marketing messages through us.".to_string(),
        )
    } else if restricted {
        (
            CheckState::ActionNeeded,
            "Meta reported a restriction on this account. Check Business Support Home.".into(),
        )
    } else {
        (
            CheckState::Pending,
            "As soon as the steps above are done.".into(),
        )
    }
}

fn headline(ready: bool, items: &[CheckItem]) -> &'static str {
    if ready {
        "You're ready to send marketing messages"
    } else if items.iter().any(|i| i.state == CheckState::Failed) {
        "We hit a problem — details below"
    } else if items.iter().any(|i| i.state == CheckState::ActionNeeded) {
        "Your action is needed"
    } else {
        "Setting up your account…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signup(stage: &str) -> Signup {
        Signup {
            id: 1,
            nonce: "n".into(),
            status_key: "k".into(),
            campaign: None,
            feature_type: String::new(),
            stage: stage.into(),
            meta_business_id: None,
            meta_waba_id: None,
            meta_phone_id: None,
            coexistence: false,
            cancel_step: None,
            error: None,
            waba_id: Some(1),
            exchange_started_at: None,
            exchanged_at: None,
            created_at: 0,
            updated_at: 0,
            link_id: None,
            customer_id: None,
        }
    }

    fn waba(status: Option<&str>, signed: bool, health: Option<&str>) -> Waba {
        Waba {
            id: 1,
            meta_waba_id: "w".into(),
            business_id: 1,
            name: "Acme".into(),
            currency: None,
            country: None,
            onboarding_status: status.map(str::to_string),
            status_changed_at: None,
            coexistence: false,
            created_at: 0,
            updated_at: 0,
            connection_state: None,
            connection_changed_at: None,
            account_health: health.map(str::to_string),
            health_changed_at: None,
            mm_terms_signed_at: signed.then_some(1),
        }
    }

    fn step(step: Step, state: &str, code: Option<i64>) -> OnboardingStep {
        OnboardingStep {
            waba_id: 1,
            step: step.as_str().into(),
            state: state.into(),
            attempts: 1,
            detail: Some(format!("{state} detail")),
            error_code: code,
            updated_at: 0,
        }
    }

    fn state_of(view: &SignupStatusView, key: &str) -> CheckState {
        view.items.iter().find(|i| i.key == key).unwrap().state
    }

    fn view(signup: &Signup, waba: &Waba, steps: &[OnboardingStep]) -> SignupStatusView {
        build(&StatusInput {
            signup,
            waba: Some(waba),
            steps,
            phones: &[],
            business_name: Some("Acme".into()),
        })
    }

    #[test]
    fn a_disconnected_account_is_said_in_plain_words_and_is_not_ready() {
        let signup = signup("exchanged");
        let steps = [
            step(Step::SubscribeWebhooks, "done", None),
            step(Step::RegisterPhone, "done", None),
        ];
        for (connection, state) in [
            ("offboarded", CheckState::ActionNeeded),
            ("removed", CheckState::Failed),
            ("uninstalled", CheckState::Failed),
            ("deleted", CheckState::Failed),
        ] {
            let mut account = waba(Some("ONBOARDED"), true, Some("active"));
            account.connection_state = Some(connection.into());
            let shown = view(&signup, &account, &steps);
            assert!(!shown.ready, "{connection}: not ready");
            assert_eq!(state_of(&shown, "connected"), state, "{connection}");
            let line = shown.items.iter().find(|i| i.key == "connected").unwrap();
            assert_eq!(Some(line.detail.as_str()), business_words(connection));
        }
    }

    #[test]
    fn ready_only_when_every_line_is_done() {
        let signup = signup("exchanged");
        let steps = [
            step(Step::SubscribeWebhooks, "done", None),
            step(Step::RegisterPhone, "done", None),
        ];
        let ready = view(
            &signup,
            &waba(Some("ONBOARDED"), true, Some("active")),
            &steps,
        );
        assert!(ready.ready);
        assert_eq!(state_of(&ready, "ready"), CheckState::Done);

        let waiting = view(
            &signup,
            &waba(Some("PENDING_INTERNAL_SETUP"), false, None),
            &steps,
        );
        assert!(!waiting.ready);
        assert_eq!(state_of(&waiting, "terms"), CheckState::Waiting);
        assert_eq!(waiting.headline, "Setting up your account…");

        let restricted = view(
            &signup,
            &waba(Some("ONBOARDED"), true, Some("restricted")),
            &steps,
        );
        assert!(!restricted.ready);
        assert_eq!(state_of(&restricted, "ready"), CheckState::ActionNeeded);
    }

    #[test]
    fn blocked_states_say_what_to_do() {
        let signup = signup("exchanged");
        let steps = [step(Step::SubscribeWebhooks, "done", None)];
        let view = view(
            &signup,
            &waba(Some("PENDING_VALID_PAYMENT_METHOD"), false, None),
            &steps,
        );
        assert_eq!(state_of(&view, "terms"), CheckState::ActionNeeded);
        assert!(view.items[3].detail.contains("payment method"));
        assert_eq!(view.headline, "Your action is needed");
        for status in [
            "INELIGIBLE_ON_BEHALF_OF_WABA",
            "INELIGIBLE_INACTIVE_OR_RESTRICTED",
            "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
            "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
        ] {
            assert_eq!(status_guidance(status).unwrap().0, CheckState::ActionNeeded);
        }
        assert!(
            status_guidance("SOMETHING_NEW").is_none(),
            "unknown values are data"
        );
    }

    #[test]
    fn failures_and_retries_read_plainly() {
        let signup = signup("exchanged");
        let steps = [
            step(Step::SubscribeWebhooks, "retrying", Some(2)),
            step(Step::RegisterPhone, "failed", Some(133016)),
        ];
        let view = view(&signup, &waba(None, false, None), &steps);
        assert_eq!(state_of(&view, "webhooks"), CheckState::Working);
        assert_eq!(state_of(&view, "number"), CheckState::Failed);
        assert!(view.items[2].detail.contains("10 registrations"));
        assert_eq!(view.headline, "We hit a problem — details below");
    }
}
