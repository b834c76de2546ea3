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
    let message = match error {
        AppError::NotFound => "This signup link is not valid. Check that you copied all of it, or ask your partner for a new one.".to_string(),
        AppError::Conflict(reason) => reason,
        other => other.to_string(),
    };
    view! {
        <Title text="Signup link" />
        <section class="card signup-refused" data-testid="link-refused">
            <h1>"This link cannot be used"</h1>
            <p class="lead">{message}</p>
            <p class="muted">"Nothing was shared with anyone: your WhatsApp account is as it was."</p>
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
    let config = Resource::new(|| (), |_| signup_config());
    // Text that depends on the settings; the button and notice below stay outside any
    // Suspense so the nodes `signup.js` drives are never re-rendered by hydration.
    let partner = move || {
        config
            .get()
            .and_then(Result::ok)
            .map(|c| c.partner_name)
            .unwrap_or_else(|| "Your WhatsApp partner".into())
    };
    let sandbox = move || config.get().and_then(Result::ok).is_some_and(|c| c.sandbox);
    let unavailable = move || config.get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text="Connect WhatsApp" />
        <section class="signup" id="signup" data-campaign=campaign data-link=link data-prefill=prefill>
            <Transition fallback=|| ()>
                {move || {
                    sandbox()
                        .then(|| {
                            view! {
                                <p class="banner" role="note">
                                    "Sandbox mode: Meta is simulated by this portal. No real Facebook account is used."
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
                                    "Signup is not available right now: " {e}
                                </p>
                            }
                        })
                }}
            </Transition>
            <div class="signup-grid">
                <div class="card signup-main">
                    <p class="eyebrow">
                        <Transition fallback=|| "Your WhatsApp partner">{partner}</Transition>
                    </p>
                    <h1>"Send WhatsApp marketing messages with us"</h1>
                    <p class="lead">
                        "Connect your WhatsApp Business Account in a few clicks. You sign in with "
                        "Facebook in a window from Meta; we never see your password."
                    </p>
                    <button
                        id="connect"
                        class="button primary large"
                        data-testid="connect"
                        disabled=true
                    >
                        "Connect with Facebook"
                    </button>
                    <p
                        id="signup-notice"
                        class="notice"
                        role="status"
                        aria-live="polite"
                        data-testid="signup-notice"
                    >
                        "Loading Facebook sign-in…"
                    </p>
                </div>
                <aside class="card">
                    <h2>"What you agree to"</h2>
                    <ul class="agree">
                        <li>
                            "You share your WhatsApp Business Account with "
                            <strong>
                                <Transition fallback=|| "your partner">{partner}</Transition>
                            </strong>
                            ", who sends messages on your behalf."
                        </li>
                        <li>
                            "You accept Meta's Marketing Messages API for WhatsApp terms in Meta's window."
                        </li>
                        <li>
                            "Meta charges per delivered marketing message, billed to your account's payment method."
                        </li>
                        <li>"You can remove our access at any time in Meta Business Suite."</li>
                    </ul>
                    <h2>"What happens next"</h2>
                    <ol class="steps">
                        <li>
                            "Meta's window opens: choose or create your business, account and number."
                        </li>
                        <li>"We connect your account and switch on updates from Meta."</li>
                        <li>"A status page shows each step until you're ready to send."</li>
                    </ol>
                </aside>
            </div>
        </section>
    }
}
