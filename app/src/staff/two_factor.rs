//! My account → two-factor sign-in: set it up (a secret for the authenticator app, as a QR
//! code and as text, confirmed with a first code), then ten recovery codes shown once; new
//! recovery codes; turning it off (password and a code). Everything a form sends is checked
//! on the server (`crate::staff::two_factor_api`).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::layout::IdentityRefresh;
use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::staff::port::{TwoFactorEnrolment, TwoFactorStatus};
use crate::staff::two_factor_api::{
    my_two_factor, TwoFactorBegin, TwoFactorConfirm, TwoFactorDisable, TwoFactorRecoveryCodes,
};

/// Success or failure of a form, as the account page shows it.
fn outcome(result: Result<String, crate::error::AppError>, testid: &'static str) -> AnyView {
    match result {
        Ok(text) => {
            view! { <p class="alert ok" role="status" data-testid=testid>{text}</p> }.into_any()
        }
        Err(e) => {
            view! { <p class="alert error" role="alert" data-testid=testid>{e.to_string()}</p> }
                .into_any()
        }
    }
}

#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let begin = ServerAction::<TwoFactorBegin>::new();
    let confirm = ServerAction::<TwoFactorConfirm>::new();
    let disable = ServerAction::<TwoFactorDisable>::new();
    let regenerate = ServerAction::<TwoFactorRecoveryCodes>::new();
    // Read again after each *successful* change only: a refused code changes nothing, and
    // re-reading would re-render the form and wipe the code being typed in it.
    let status = Resource::new(
        move || {
            (
                confirm
                    .value()
                    .with(|v| matches!(v, Some(Ok(_))))
                    .then(|| confirm.version().get()),
                disable
                    .value()
                    .with(|v| matches!(v, Some(Ok(_))))
                    .then(|| disable.version().get()),
                regenerate
                    .value()
                    .with(|v| matches!(v, Some(Ok(_))))
                    .then(|| regenerate.version().get()),
            )
        },
        |_| my_two_factor(),
    );
    // The enrolment in progress, until its first code is accepted.
    let enrolment = RwSignal::new(None::<TwoFactorEnrolment>);
    let refresh = use_context::<IdentityRefresh>();
    let query = use_query_map();
    // Where the person was going when sign-in sent them here to set this up.
    let next = move || {
        query
            .read()
            .get("next")
            .filter(|next| crate::staff::port::is_local_path(next) && next != "/account")
    };
    Effect::new(move |_| {
        if let Some(Ok(started)) = begin.value().get() {
            enrolment.set(Some(started));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = confirm.value().get() {
            enrolment.set(None);
            if let Some(refresh) = refresh {
                refresh.notify();
            }
        }
    });
    view! {
        <section class="card settings two-factor" data-testid="two-factor">
            <h2>"Two-factor sign-in"</h2>
            <p class="muted">
                "After your password, sign-in asks for a 6-digit code from an authenticator app on your phone "
                "(Google Authenticator, Microsoft Authenticator, 1Password, Aegis…), so a stolen password alone opens nothing."
            </p>
            {move || disable.value().get().map(|r| outcome(r, "two-factor-result"))}
            {move || confirm.value().get().and_then(Result::ok).map(|codes| view! {
                <p class="alert ok" role="status" data-testid="two-factor-result">
                    "Two-factor sign-in is on: sign-in asks for a code from now on."
                    {next().map(|next| view! { " " <a href=next data-testid="continue">"Continue"</a> })}
                </p>
                <RecoveryCodes codes />
            })}
            {move || regenerate.value().get().and_then(Result::ok).map(|codes| view! { <RecoveryCodes codes /> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || status.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(state) if state.enabled => view! { <Enabled state disable regenerate /> }.into_any(),
                    Ok(state) => view! { <NotEnabled state begin confirm enrolment /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Two-factor sign-in is off: why to turn it on, and the set-up once started.
#[component]
fn NotEnabled(
    state: TwoFactorStatus,
    begin: ServerAction<TwoFactorBegin>,
    confirm: ServerAction<TwoFactorConfirm>,
    enrolment: RwSignal<Option<TwoFactorEnrolment>>,
) -> impl IntoView {
    view! {
        <p class="two-factor-state">
            <span class="badge" data-testid="two-factor-state">"Off"</span>
        </p>
        {state.required.then(|| view! {
            <p class="alert warn" role="status" data-testid="two-factor-required">
                <strong>"An admin requires two-factor sign-in for every account. "</strong>
                "Until you set it up, only this page opens."
            </p>
        })}
        {move || begin.value().get().and_then(Result::err).map(|e| view! {
            <p class="alert error" role="alert">{e.to_string()}</p>
        })}
        {move || match enrolment.get() {
            None => view! {
                <ActionForm action=begin attr:class="form">
                    <button class="button" type="submit" data-testid="two-factor-begin"
                        disabled=move || begin.pending().get()>
                        "Set up two-factor sign-in"
                    </button>
                </ActionForm>
            }.into_any(),
            Some(started) => view! { <Enrolment started confirm /> }.into_any(),
        }}
    }
}

/// The two steps of a set-up: add the account to the app, then prove it with a code.
#[component]
fn Enrolment(
    started: TwoFactorEnrolment,
    confirm: ServerAction<TwoFactorConfirm>,
) -> impl IntoView {
    let TwoFactorEnrolment {
        secret,
        uri,
        qr_svg,
    } = started;
    view! {
        <ol class="enrol-steps">
            <li>
                <strong>"Add MM Portal to your authenticator app."</strong>
                " Scan the QR code, or type the key in (time-based, 6 digits, 30 seconds)."
                <div class="enrol-key">
                    {qr_svg.map(|svg| view! { <div class="qr" role="img" aria-label="QR code of the key" inner_html=svg></div> })}
                    <div class="enrol-text">
                        <span class="small muted">"Key"</span>
                        <code class="secret totp-secret" data-testid="totp-secret">{secret}</code>
                        <details>
                            <summary class="small">"Set-up link"</summary>
                            <code class="secret small" data-testid="totp-uri">{uri}</code>
                        </details>
                    </div>
                </div>
            </li>
            <li>
                <strong>"Enter the code the app shows now."</strong>
                {move || confirm.value().get().and_then(Result::err).map(|e| view! {
                    <p class="alert error" role="alert" data-testid="confirm-result">{e.to_string()}</p>
                })}
                <ActionForm action=confirm attr:class="form code-form">
                    <label for="enrol_code">"Code"</label>
                    <input id="enrol_code" name="code" type="text" inputmode="numeric"
                        class="code-input" autocomplete="one-time-code" required maxlength="8"
                        data-testid="enrol-code" />
                    <button class="button" type="submit" data-testid="two-factor-confirm"
                        disabled=move || confirm.pending().get()>
                        "Turn on"
                    </button>
                </ActionForm>
            </li>
        </ol>
    }
}

/// Two-factor sign-in is on: its state, new recovery codes, turning it off.
#[component]
fn Enabled(
    state: TwoFactorStatus,
    disable: ServerAction<TwoFactorDisable>,
    regenerate: ServerAction<TwoFactorRecoveryCodes>,
) -> impl IntoView {
    let since = state.enabled_at.map(format_time).unwrap_or_default();
    let left = state.recovery_codes_left;
    view! {
        <p class="two-factor-state">
            <span class="badge ok" data-testid="two-factor-state">"On"</span>
            " "
            <span class="muted small">"since " {since}</span>
        </p>
        <p class:alert=left <= 3 class:warn=left <= 3 data-testid="recovery-left">
            {format!("{left} unused recovery code{} left.", if left == 1 { "" } else { "s" })}
        </p>
        <div class="two-factor-actions">
            <div>
                <h3>"New recovery codes"</h3>
                <p class="muted small">"The ones you have stop working."</p>
                {move || regenerate.value().get().and_then(Result::err).map(|e| view! {
                    <p class="alert error" role="alert" data-testid="regenerate-result">{e.to_string()}</p>
                })}
                <ActionForm action=regenerate attr:class="form code-form">
                    <label for="regen_code">"Current code"</label>
                    <input id="regen_code" name="code" type="text" inputmode="numeric" class="code-input"
                        autocomplete="one-time-code" required maxlength="8" data-testid="regenerate-code" />
                    <button class="button secondary" type="submit" data-testid="regenerate-submit"
                        disabled=move || regenerate.pending().get()>"Make new codes"</button>
                </ActionForm>
            </div>
            <div>
                <h3>"Turn off"</h3>
                <p class="muted small">"Your password and a code (or a recovery code)."</p>
                <ActionForm action=disable attr:class="form code-form">
                    <label for="off_password">"Password"</label>
                    <input id="off_password" name="password" type="password" autocomplete="current-password"
                        required data-testid="disable-password" />
                    <label for="off_code">"Code"</label>
                    <input id="off_code" name="code" type="text" autocomplete="one-time-code" class="code-input"
                        required maxlength="64" data-testid="disable-code" />
                    <button class="button secondary danger" type="submit" data-testid="disable-submit"
                        disabled=move || disable.pending().get()>"Turn off two-factor sign-in"</button>
                </ActionForm>
            </div>
        </div>
    }
}

/// Recovery codes, shown once after they are made.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert warn recovery" role="status" data-testid="recovery-codes">
            <strong>"Save these recovery codes now; they are not shown again."</strong>
            " Each signs you in once when your phone is not at hand."
            <ul class="recovery-list">
                {codes.into_iter().map(|code| view! { <li><code data-testid="recovery-code">{code}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}
