//! My account (every role; the name in the header links here): who is signed in, with which
//! role, and a form to change one's own password. A password an admin chose (new account,
//! reset) is pointed out, and sign-in lands here until its owner has chosen their own; with
//! `?next=` the page then offers the way on.

use leptos::form::ActionForm;
use leptos::html::Form;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::IdentityRefresh;
use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::staff::account_api::{account_info, ChangePassword, SetMailAlerts};
use crate::staff::port::{MyAccount, StaffRole};
use crate::staff::two_factor::TwoFactorSection;

/// Only a path on this site (no open redirect through a crafted link).
fn local_path(next: String) -> Option<String> {
    (crate::staff::port::is_local_path(&next) && next != "/account").then_some(next)
}

fn role_help(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Admin => "Manages staff accounts and settings, and runs every action.",
        StaffRole::Operator => "Runs onboarding and Marketing Messages actions.",
        StaffRole::Viewer => "Reads the dashboard; changes nothing.",
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    // Reloaded after a successful change only; a refused attempt changes nothing shown.
    let changed = RwSignal::new(0u32);
    let account = Resource::new(move || changed.get(), |_| account_info());
    let form = NodeRef::<Form>::new();
    let refresh = use_context::<IdentityRefresh>();
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            changed.update(|n| *n += 1);
            if let Some(refresh) = refresh {
                refresh.notify();
            }
            // Typed passwords do not stay in the page once used (after a refusal they do,
            // to be corrected).
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    view! {
        <Title text="My account" />
        <div class="page-head">
            <div>
                <h1>"My account"</h1>
                <p class="muted">"Who you are signed in as, your password and two-factor sign-in."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || account.get().map(|r| match r {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(me) => {
                    let email = me.email.clone();
                    let (alerts, role) = (me.mail_alerts, me.role);
                    view! {
                        <AccountFacts me />
                        <MailAlertsForm alerts role />
                        <PasswordForm change email form />
                        <TwoFactorSection />
                    }.into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn PasswordForm(
    change: ServerAction<ChangePassword>,
    email: String,
    form: NodeRef<Form>,
) -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").and_then(local_path);
    view! {
        <section class="card settings account-password" data-testid="change-password">
            <h2>"Change password"</h2>
            <p class="muted">
                "Changing it signs your account out everywhere else; you stay signed in here. "
                "Five wrong current passwords lock sign-in to your account for 15 minutes."
            </p>
            {move || change.value().get().map(|r| match r {
                Ok(text) => view! {
                    <div class="alert ok" role="status" data-testid="password-result">
                        {text}
                        {next().map(|next| view! {
                            " " <a href=next data-testid="continue">"Continue"</a>
                        })}
                    </div>
                }.into_any(),
                Err(e) => view! {
                    <p class="alert error" role="alert" data-testid="password-result">{e.to_string()}</p>
                }.into_any(),
            })}
            <ActionForm action=change node_ref=form attr:class="form">
                // For password managers: whose password this is (not sent).
                <input type="text" autocomplete="username" value=email readonly hidden />
                <label for="current_password">"Current password"</label>
                <input id="current_password" name="current_password" type="password"
                    autocomplete="current-password" required data-testid="current-password" />
                <label for="new_password">"New password"</label>
                <input id="new_password" name="new_password" type="password"
                    autocomplete="new-password" required aria-describedby="new-password-help"
                    data-testid="new-password" />
                <p id="new-password-help" class="hint">
                    "At least 12 characters; a few unrelated words are easy to remember and hard to guess. "
                    "Not your email address, not the current password."
                </p>
                <label for="confirm_password">"Confirm new password"</label>
                <input id="confirm_password" name="confirm_password" type="password"
                    autocomplete="new-password" required data-testid="confirm-password" />
                <button class="button" type="submit" data-testid="change-password-submit"
                    disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// One's own alert mail: on or off (docs/MAIL.md). Viewers change nothing, so they get none.
#[component]
fn MailAlertsForm(alerts: bool, role: StaffRole) -> impl IntoView {
    let save = ServerAction::<SetMailAlerts>::new();
    let gets = role != StaffRole::Viewer;
    view! {
        <section class="card settings" data-testid="mail-alerts">
            <h2>"Email alerts"</h2>
            <p class="muted">
                {if gets {
                    "A mail when a WABA needs attention: an onboarding step stopped, or Meta restricted the account. At most one per WABA a day."
                } else {
                    "Alerts go to admins and operators; viewers get none."
                }}
            </p>
            {move || save.value().get().map(|r| match r {
                Ok(true) => view! { <p class="alert ok" role="status" data-testid="mail-alerts-result">"Alerts are on."</p> }.into_any(),
                Ok(false) => view! { <p class="alert ok" role="status" data-testid="mail-alerts-result">"Alerts are off."</p> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert" data-testid="mail-alerts-result">{e.to_string()}</p> }.into_any(),
            })}
            <ActionForm action=save attr:class="form">
                <label class="check">
                    <input type="checkbox" name="alerts" value="on" checked=alerts
                        disabled=!gets data-testid="mail-alerts-toggle" />
                    " Email me when a WABA needs attention"
                </label>
                <button class="button secondary" type="submit" data-testid="mail-alerts-save"
                    disabled=move || !gets || save.pending().get()>
                    "Save"
                </button>
            </ActionForm>
        </section>
    }
}

/// Who is signed in, and the state of their password.
#[component]
fn AccountFacts(me: MyAccount) -> impl IntoView {
    let changed = me
        .password_changed_at
        .map(format_time)
        .unwrap_or_else(|| "not since the account was created".into());
    view! {
        {me.must_change_password.then(|| view! {
            <p class="alert warn account-notice" role="status" data-testid="must-change-notice">
                <strong>"Please choose your own password. "</strong>
                "An admin set the one you signed in with, so someone else has seen it."
            </p>
        })}
        <section class="card settings" data-testid="account-details">
            <h2>"Signed in as"</h2>
            <dl class="facts">
                <dt>"Name"</dt>
                <dd data-testid="account-name">{me.display_name}</dd>
                <dt>"Email"</dt>
                <dd class="mono" data-testid="account-email">{me.email}</dd>
                <dt>"Role"</dt>
                <dd data-testid="account-role">
                    <span class="badge info">{me.role.label()}</span>
                    " "
                    <span class="muted small">{role_help(me.role)}</span>
                </dd>
                <dt>"Last sign-in"</dt>
                <dd>{me.last_login_at.map(format_time).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Password changed"</dt>
                <dd data-testid="password-changed">{changed}</dd>
            </dl>
        </section>
    }
}
