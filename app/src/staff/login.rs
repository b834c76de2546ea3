//! Staff sign-in. A plain form post to `/auth/login` (works before hydration); the server
//! answers with a redirect, back here with `?error=…` when the sign-in failed.

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
            "Too many failed sign-ins. For your security, try again in {minutes} minute{}.",
            if minutes == "1" { "" } else { "s" }
        );
    }
    match error {
        "invalid" => "Wrong email or password.".into(),
        "unavailable" => "Sign-in is unavailable right now. Please try again.".into(),
        "expired" => "The second step of sign-in timed out. Enter your password again.".into(),
        _ => "Sign-in failed. Please try again.".into(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|e| message(&e));
    let signed_out = move || query.read().get("signed_out").is_some();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    view! {
        <Title text="Sign in" />
        <section class="card narrow login">
            <h1>"Sign in"</h1>
            <p class="muted">"Partner staff only. Businesses sign up on the public signup page."</p>
            {move || error().map(|e| view! { <p class="alert error" role="alert" data-testid="login-error">{e}</p> })}
            {move || signed_out().then(|| view! { <p class="alert ok" role="status">"You are signed out."</p> })}
            <form method="post" action="/auth/login" class="form">
                <input type="hidden" name="next" value=next />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <button class="button primary" type="submit" data-testid="sign-in">"Sign in"</button>
            </form>
            <p class="muted small">
                "No account yet? An admin creates one with " <code>"mm-portal admin create"</code> "."
            </p>
        </section>
    }
}
