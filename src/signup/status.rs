//! The business admin's checklist: computed from what the portal knows, never optimistic.
//! Each line says what is done, what we are doing, what we wait for, or what the business must
//! do, in plain words and in the business's language (`app/locales/*/public.ftl`).

use app::i18n::{t, t_args, Lang};
use app::signup::port::{CheckItem, CheckState, SignupStatusView};
use app::wabas::connection::connection_of;

use crate::db::{OnboardingStep, Phone, Signup, Waba};

use super::pipeline::Step;

pub struct StatusInput<'a> {
    pub signup: &'a Signup,
    pub waba: Option<&'a Waba>,
    pub steps: &'a [OnboardingStep],
    pub phones: &'a [Phone],
    pub business_name: Option<String>,
    pub lang: Lang,
}

fn step(steps: &[OnboardingStep], which: Step) -> Option<&OnboardingStep> {
    steps.iter().find(|s| s.step == which.as_str())
}

/// What a business can do about each onboarding status that blocks it: the state and the
/// text's Fluent id.
pub fn status_guidance(status: &str) -> Option<(CheckState, &'static str)> {
    Some(match status {
        "INELIGIBLE_ON_BEHALF_OF_WABA" => (CheckState::ActionNeeded, "guidance-on-behalf-of"),
        "INELIGIBLE_INACTIVE_OR_RESTRICTED" => (CheckState::ActionNeeded, "guidance-restricted"),
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED" => (CheckState::ActionNeeded, "guidance-country"),
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP" => {
            (CheckState::ActionNeeded, "guidance-business-app")
        }
        "PENDING_VALID_PAYMENT_METHOD" => (CheckState::ActionNeeded, "guidance-payment-method"),
        "PENDING_INTERNAL_SETUP" => (CheckState::Waiting, "guidance-internal-setup"),
        "ELIGIBLE" => (CheckState::Waiting, "guidance-eligible"),
        _ => return None,
    })
}

/// A pipeline step's line: `pending` and `done` are the step's own Fluent ids.
fn from_step(lang: Lang, s: Option<&OnboardingStep>, pending: &str, done: &str) -> Line {
    let said = |key: &str| t(lang, key);
    match s.map(|s| s.state.as_str()) {
        None => (CheckState::Pending, said(pending)),
        Some("done" | "skipped") => (CheckState::Done, said(done)),
        Some("running" | "queued") => (CheckState::Working, said("step-in-progress")),
        Some("retrying") => (CheckState::Working, said("step-retrying")),
        Some("failed") => {
            // Meta's or our own technical reason, as recorded: not translated.
            let reason = s.and_then(|s| s.detail.clone()).unwrap_or_default();
            (
                CheckState::Failed,
                t_args(lang, "step-failed", &[("reason", &reason)]),
            )
        }
        Some("waiting") => (CheckState::Waiting, said("step-waiting")),
        Some(_) => (CheckState::Pending, said(pending)),
    }
}

/// A line's state and what it tells the business admin.
type Line = (CheckState, String);

fn line(lang: Lang, key: &str, (state, detail): Line) -> CheckItem {
    CheckItem {
        key: key.into(),
        label: t(lang, &format!("check-{key}")),
        state,
        detail,
    }
}

/// The checklist, one line per step the admin can see, and its headline.
pub fn build(input: &StatusInput<'_>) -> SignupStatusView {
    let lang = input.lang;
    let mut items = vec![
        line(lang, "connected", connected(input)),
        line(
            lang,
            "webhooks",
            from_step(
                lang,
                step(input.steps, Step::SubscribeWebhooks),
                "webhooks-pending",
                "webhooks-done",
            ),
        ),
        line(lang, "number", number(input)),
        line(lang, "terms", terms(input)),
    ];
    let restricted = input
        .waba
        .and_then(|w| w.account_health.as_deref())
        .is_some_and(|h| h != "active");
    let ready = items.iter().all(|i| i.state == CheckState::Done) && !restricted;
    items.push(line(lang, "ready", ready_line(lang, ready, restricted)));
    SignupStatusView {
        business_name: input.business_name.clone(),
        waba_name: input.waba.map(|w| w.name.clone()),
        phone_numbers: input
            .phones
            .iter()
            .map(|p| p.display_phone_number.clone())
            .collect(),
        headline: t(lang, headline(ready, &items)),
        ready,
        items,
    }
}

fn connected(input: &StatusInput<'_>) -> Line {
    let (signup, lang) = (input.signup, input.lang);
    let connection = connection_of(input.waba.and_then(|w| w.connection_state.as_deref()));
    if connection != "connected" {
        // Offboarded: Meta reconnects it after the business acts; the others end it.
        let state = if connection == "offboarded" {
            CheckState::ActionNeeded
        } else {
            CheckState::Failed
        };
        return (state, t(lang, &format!("connection-{connection}")));
    }
    match signup.stage.as_str() {
        "exchanged" => (
            CheckState::Done,
            t_args(
                lang,
                "connected-done",
                &[("account", input.waba.map(|w| w.name.as_str()).unwrap_or(""))],
            ),
        ),
        "exchanging" => (CheckState::Working, t(lang, "connected-working")),
        // The recorded reason is technical (Meta's words); the business gets ours.
        "failed" => (CheckState::Failed, t(lang, "connected-failed")),
        "cancelled" => (
            CheckState::ActionNeeded,
            match &signup.cancel_step {
                Some(step) => t_args(lang, "connected-cancelled-at", &[("step", step)]),
                None => t(lang, "connected-cancelled"),
            },
        ),
        _ => (CheckState::Pending, t(lang, "connected-pending")),
    }
}

fn number(input: &StatusInput<'_>) -> Line {
    let lang = input.lang;
    let register = step(input.steps, Step::RegisterPhone);
    let mut number = from_step(lang, register, "number-pending", "number-done");
    if let Some(s) = register {
        if s.state == "failed" && s.error_code == Some(133016) {
            number = (CheckState::Failed, t(lang, "number-limit"));
        }
        if s.state == "skipped" {
            number = if input.phones.is_empty() {
                (CheckState::ActionNeeded, t(lang, "number-none"))
            } else {
                // Coexistence: the number stays on the Business app, unregistered on purpose.
                (CheckState::Done, t(lang, "number-coexistence"))
            };
        }
    }
    number
}

fn terms(input: &StatusInput<'_>) -> Line {
    let lang = input.lang;
    let status = input.waba.and_then(|w| w.onboarding_status.clone());
    let signed = input.waba.is_some_and(|w| {
        w.mm_terms_signed_at.is_some() || w.onboarding_status.as_deref() == Some("ONBOARDED")
    });
    if signed {
        (CheckState::Done, t(lang, "terms-done"))
    } else if let Some((state, key)) = status.as_deref().and_then(status_guidance) {
        (state, t(lang, key))
    } else if input.signup.stage == "exchanged" {
        (CheckState::Waiting, t(lang, "terms-waiting"))
    } else {
        (CheckState::Pending, t(lang, "terms-pending"))
    }
}

fn ready_line(lang: Lang, ready: bool, restricted: bool) -> Line {
    if ready {
        (CheckState::Done, t(lang, "ready-done"))
    } else if restricted {
        (CheckState::ActionNeeded, t(lang, "ready-restricted"))
    } else {
        (CheckState::Pending, t(lang, "ready-pending"))
    }
}

/// The headline's Fluent id.
fn headline(ready: bool, items: &[CheckItem]) -> &'static str {
    if ready {
        "headline-ready"
    } else if items.iter().any(|i| i.state == CheckState::Failed) {
        "headline-problem"
    } else if items.iter().any(|i| i.state == CheckState::ActionNeeded) {
        "headline-action"
    } else {
        "headline-working"
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
            lang: Lang::En,
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
            assert_eq!(
                line.detail,
                t(Lang::En, &format!("connection-{connection}"))
            );
            assert!(line.detail.contains("signup page") || connection == "offboarded");
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
