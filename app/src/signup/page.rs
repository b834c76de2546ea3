//! The public signup page: the partner's offer, what the business agrees to, one button.
//!
//! The page is rendered here; launching Embedded Signup is done by `public/signup.js`, a
//! small script with no dependencies, because `FB.login` must be called synchronously in the
//! click handler (or browsers block the popup) and the Facebook SDK is a plain script. It
//! reads the launch settings from the `signup_config` server function and the session nonce
//! from `signup_start`.

use leptos::prelude::*;
use leptos_meta::{Script, Title};
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::i18n::{request_lang, t, t_args, Lang};
use crate::signup::api::signup_config;
use crate::signup_links::api::signup_link;

/// `/signup` and `/signup/<campaign>`.
#[component]
pub fn SignupPage() -> impl IntoView {
    let params = use_params_map();
    let campaign = params.read_untracked().get("campaign").unwrap_or_default();
    view! {
        <SignupView campaign />
        <Script src=crate::assets::href("signup.js") defer="defer" />
    }
}

/// `/signup/link/<token>`: the signup page opened through a partner's signup link, with the
/// link's pre-fill; an expired, withdrawn, used or unknown link gets a page saying so.
#[component]
pub fn SignupLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let key = token.clone();
    let link = Resource::new(move || key.clone(), signup_link);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match link.await {
                        Ok(launch) => view! {
                            <SignupView campaign=String::new() link=token prefill=launch.prefill.unwrap_or_default() />
                        }
                        .into_any(),
                        Err(error) => view! { <LinkRefused error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
        // Outside the Suspense: a script streamed in with its content would never run.
        <Script src=crate::assets::href("signup.js") defer="defer" />
    }
}

/// Why a signup link does not open the signup page, for the business that followed it.
#[component]
fn LinkRefused(error: AppError) -> impl IntoView {
    let lang = request_lang();
    let message = match error {
        AppError::NotFound => t(lang, "link-refused-invalid"),
        AppError::Conflict(reason) => reason,
        other => other.to_string(),
    };
    view! {
        <Title text=t(lang, "link-title") />
        <section class="card signup-refused" data-testid="link-refused">
            <h1>{t(lang, "link-refused-heading")}</h1>
            <p class="lead">{message}</p>
            <p class="muted">{t(lang, "link-refused-nothing-shared")}</p>
        </section>
    }
}

#[component]
// Long on purpose: the public signup page's one view; its script hooks (`public/signup.js`)
// rely on these element ids together.
fn SignupView(
    campaign: String,
    /// The signup link's token, when opened through one.
    #[prop(optional)]
    link: String,
    /// The link's pre-fill (Meta's `extras.setup`, JSON).
    #[prop(optional)]
    prefill: String,
) -> impl IntoView {
    let lang = request_lang();
    let prefill_email = prefill_email_of(&prefill);
    let fallback_partner = t(lang, "signup-partner-fallback");
    let config = Resource::new(|| (), |_| signup_config());
    // Text that depends on the settings; the button and notice below stay outside any
    // Suspense so the nodes `signup.js` drives are never re-rendered by hydration.
    let partner = move || {
        config
            .get()
            .and_then(Result::ok)
            .map(|c| c.partner_name)
            .unwrap_or_else(|| fallback_partner.clone())
    };
    let agree_share = {
        let partner = partner.clone();
        move || t_args(lang, "signup-agree-share", &[("partner", &partner())])
    };
    let sandbox = move || config.get().and_then(Result::ok).is_some_and(|c| c.sandbox);
    let unavailable = move || config.get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text=t(lang, "signup-title") />
        <section class="signup" id="signup" data-campaign=campaign data-link=link data-prefill=prefill>
            // The script's messages in the page's language (`{name}` filled in by the script).
            <span id="signup-texts" hidden data-texts=script_texts(lang)></span>
            <Transition fallback=|| ()>
                {move || {
                    sandbox()
                        .then(|| {
                            view! {
                                <p class="banner" role="note">
                                    {t(lang, "signup-sandbox-banner")}
                                </p>
                            }
                        })
                }}
                // The launch settings, so `signup.js` starts without asking for them (one round
                // trip less on a slow phone); all of it is public, as in Meta's own snippet.
                {move || {
                    config
                        .get()
                        .and_then(Result::ok)
                        .and_then(|c| serde_json::to_string(&c).ok())
                        .map(|json| view! { <span id="signup-config" hidden data-config=json></span> })
                }}
                {move || {
                    unavailable()
                        .map(|e| {
                            view! {
                                <p class="banner error" role="alert">
                                    {t_args(lang, "signup-unavailable", &[("reason", &e)])}
                                </p>
                            }
                        })
                }}
            </Transition>
            <div class="signup-grid">
                <div class="card signup-main">
                    <p class="eyebrow">
                        <Transition fallback=|| ()>{partner.clone()}</Transition>
                    </p>
                    <h1>{t(lang, "signup-heading")}</h1>
                    <p class="lead">{t(lang, "signup-lead")}</p>
                    <label class="signup-email" for="admin-email">
                        <span>{t(lang, "signup-email-label")}</span>
                        <input
                            id="admin-email"
                            name="email"
                            type="email"
                            autocomplete="email"
                            inputmode="email"
                            maxlength="254"
                            data-testid="admin-email"
                            value=prefill_email
                        />
                        <small class="muted">{t(lang, "signup-email-hint")}</small>
                    </label>

                    <button
                        id="connect"
                        class="button primary large"
                        data-testid="connect"
                        disabled=true
                    >
                        {t(lang, "signup-connect")}
                    </button>
                    <p
                        id="signup-notice"
                        class="notice"
                        role="status"
                        aria-live="polite"
                        data-testid="signup-notice"
                    >
                        {t(lang, "signup-loading")}
                    </p>
                </div>
                <aside class="card">
                    <h2>{t(lang, "signup-agree-heading")}</h2>
                    <ul class="agree">
                        <li>
                            <Transition fallback=|| ()>{agree_share.clone()}</Transition>
                        </li>
                        <li>{t(lang, "signup-agree-terms")}</li>
                        <li>{t(lang, "signup-agree-billing")}</li>
                        <li>{t(lang, "signup-agree-remove")}</li>
                    </ul>
                    <h2>{t(lang, "signup-next-heading")}</h2>
                    <ol class="steps">
                        <li>{t(lang, "signup-next-window")}</li>
                        <li>{t(lang, "signup-next-connect")}</li>
                        <li>{t(lang, "signup-next-status")}</li>
                    </ol>
                </aside>
            </div>
        </section>
    }
}

/// The messages of `public/signup.js`, keyed by their Fluent id without `js-`, as JSON.
/// Placeables come out as `{name}` for the script to fill in.
fn script_texts(lang: Lang) -> String {
    const KEYS: [&str; 16] = [
        "ready",
        "rate-limited-wait",
        "rate-limited",
        "session-failed",
        "sdk-slow",
        "sdk-start-failed",
        "sdk-missing",
        "cancelled",
        "meta-error",
        "meta-done",
        "popup-closed",
        "connecting",
        "connected",
        "window-open",
        "unreachable",
        "email-invalid",
    ];
    let tokens = [
        ("seconds", "{seconds}"),
        ("reason", "{reason}"),
        ("step", "{step}"),
        ("status", "{status}"),
    ];
    let mut texts: serde_json::Map<String, serde_json::Value> = KEYS
        .iter()
        .map(|key| {
            let text = t_args(lang, &format!("js-{key}"), &tokens);
            (key.to_string(), serde_json::Value::String(text))
        })
        .collect();
    texts.insert(
        "unavailable".into(),
        t_args(lang, "signup-unavailable", &tokens).into(),
    );
    serde_json::Value::Object(texts).to_string()
}

/// The business email of a signup link's pre-fill (Meta's `extras.setup.business.email`), to
/// fill the optional email field in.
fn prefill_email_of(prefill: &str) -> String {
    serde_json::from_str::<serde_json::Value>(prefill)
        .ok()
        .and_then(|setup| setup["business"]["email"].as_str().map(str::to_string))
        .unwrap_or_default()
}
