//! The second step of staff sign-in, for accounts with two-factor sign-in: a code from the
//! authenticator app, or one of the recovery codes. A plain form post to `/auth/two-factor`
//! (works before hydration); the server answers with a redirect, back here with `?error=…`
//! when the code was refused, or to the sign-in page when the step expired (5 minutes).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn message(error: &str) -> String {
    // Only digits from the link reach the page: the rest of it is anyone's text.
    if let Some(minutes) = error
        .strip_prefix("throttled:")
        .filter(|m| (1..=3).contains(&m.len()) && m.bytes().all(|b| b.is_ascii_digit()))
    {
        return format!(
            "Too many wrong codes. For your security, try again in {minutes} minute{}.",
            if minutes == "1" { "" } else { "s" }
        );
    }
    match error {
        "invalid" => {
            "That code is not right, or was used already. Wait for the next code and try again."
                .into()
        }
        "unavailable" => "Sign-in is unavailable right now. Please try again.".into(),
        _ => "Sign-in failed. Please try again.".into(),
    }
}

#[component]
pub fn TwoFactorLoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|e| message(&e));
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let restart = move || {
        let next = query.read().get("next").unwrap_or_default();
        if crate::staff::port::is_local_path(&next) && next != "/" {
            format!("/login?next={}", crate::wabas::port::percent_encode(&next))
        } else {
            "/login".into()
        }
    };
    view! {
        <Title text="Two-factor sign-in" />
        <section class="card narrow login" data-testid="two-factor-login">
            <h1>"Two-factor sign-in"</h1>
            <p class="muted">
                "Enter the 6-digit code your authenticator app shows for MM Portal."
            </p>
            {move || error().map(|e| view! { <p class="alert error" role="alert" data-testid="login-error">{e}</p> })}
            <form method="post" action="/auth/two-factor" class="form">
                <input type="hidden" name="next" value=next />
                <label for="code">"Code"</label>
                <input id="code" name="code" type="text" inputmode="numeric" class="code-input"
                    autocomplete="one-time-code" required autofocus maxlength="64"
                    spellcheck="false" autocapitalize="off" aria-describedby="code-help"
                    data-testid="two-factor-code" />
                <p id="code-help" class="hint">
                    "No phone at hand? Enter one of your recovery codes instead; each works once."
                </p>
                <button class="button primary" type="submit" data-testid="verify-code">"Verify"</button>
            </form>
            <p class="muted small">
                "Wrong account? " <a href=restart>"Start again"</a>
                ". Lost your phone and your recovery codes? An admin can remove your second factor."
            </p>
        </section>
    }
}
