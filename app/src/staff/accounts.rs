//! Settings → staff accounts (admins): who can sign in, with which role; new accounts and
//! password resets get an initial password that is shown here once. Also whether two-factor
//! sign-in is required for everyone, and removing an account's second factor (a lost phone).

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::staff::api::{staff_accounts, CreateStaff, ResetStaffPassword, SetStaffAccess};
use crate::staff::port::{StaffAccount, StaffRole, TwoFactorOverview};
use crate::staff::two_factor_api::{two_factor_accounts, RemoveTwoFactor, RequireTwoFactor};

const ROLES: [StaffRole; 3] = [StaffRole::Admin, StaffRole::Operator, StaffRole::Viewer];

#[component]
pub fn StaffAccountsSection() -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let access = ServerAction::<SetStaffAccess>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let require = ServerAction::<RequireTwoFactor>::new();
    let remove = ServerAction::<RemoveTwoFactor>::new();
    let accounts = Resource::new(
        move || (create.version().get(), access.version().get()),
        |_| staff_accounts(),
    );
    let two_factor = Resource::new(
        move || {
            (
                require.version().get(),
                remove.version().get(),
                create.version().get(),
            )
        },
        |_| two_factor_accounts(),
    );
    view! {
        <section class="card settings wide" data-testid="staff-accounts">
            <h2>"Staff accounts"</h2>
            <p class="muted">
                "Admins manage accounts and settings; operators run onboarding actions; viewers only read. "
                "A disabled account is signed out at its next request."
            </p>
            {move || access.value().get().map(|r| match r {
                Ok(text) => view! { <p class="alert ok" role="status" data-testid="access-result">{text}</p> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert" data-testid="access-result">{e.to_string()}</p> }.into_any(),
            })}
            {move || reset.value().get().map(|r| match r {
                Ok(password) => view! { <InitialPassword password /> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            {move || remove.value().get().map(|r| match r {
                Ok(text) => view! { <p class="alert ok" role="status" data-testid="remove-two-factor-result">{text}</p> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert" data-testid="remove-two-factor-result">{e.to_string()}</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || two_factor.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(overview) => view! { <RequireTwoFactorForm overview=overview.clone() require /> }.into_any(),
                })}
                {move || match (accounts.get(), two_factor.get()) {
                    (Some(Err(e)), _) => Some(view! { <Refused error=e /> }.into_any()),
                    (Some(Ok(list)), Some(Ok(overview))) => {
                        let enrolled = overview.enabled;
                        Some(view! { <AccountTable list enrolled access reset remove /> }.into_any())
                    }
                    _ => None,
                }}
            </Transition>
            <h3>"Add an account"</h3>
            {move || create.value().get().map(|r| match r {
                Ok(password) => view! { <InitialPassword password /> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert" data-testid="create-result">{e.to_string()}</p> }.into_any(),
            })}
            <ActionForm action=create attr:class="form create-form">
                <input name="email" type="email" placeholder="name@partner.example" aria-label="Email" required data-testid="new-staff-email" />
                <input name="name" placeholder="Full name" aria-label="Name" data-testid="new-staff-name" />
                <select name="role" aria-label="Role" data-testid="new-staff-role">
                    {ROLES.map(|r| view! { <option value=role_value(r) selected=r == StaffRole::Operator>{r.label()}</option> }).collect_view()}
                </select>
                <button class="button" type="submit" data-testid="create-staff" disabled=move || create.pending().get()>"Create account"</button>
            </ActionForm>
        </section>
    }
}

fn role_value(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Admin => "admin",
        StaffRole::Operator => "operator",
        StaffRole::Viewer => "viewer",
    }
}

/// The password to hand over, shown once.
#[component]
fn InitialPassword(password: String) -> impl IntoView {
    view! {
        <div class="alert ok" role="status" data-testid="initial-password">
            "Initial password (shown once; hand it over privately): "
            <code class="secret" data-testid="initial-password-value">{password}</code>
        </div>
    }
}

/// The rule for everyone: two-factor sign-in optional or required.
#[component]
fn RequireTwoFactorForm(
    overview: TwoFactorOverview,
    require: ServerAction<RequireTwoFactor>,
) -> impl IntoView {
    let required = overview.required;
    view! {
        <div class="require-two-factor" data-testid="require-two-factor">
            <div>
                <strong>"Two-factor sign-in: "</strong>
                {if required {
                    view! { <span class="badge ok" data-testid="two-factor-rule">"required for everyone"</span> }.into_any()
                } else {
                    view! { <span class="badge" data-testid="two-factor-rule">"optional"</span> }.into_any()
                }}
                <p class="muted small">
                    {if required {
                        "Accounts without it can open only My account until they set it up."
                    } else {
                        "Each person can turn it on from My account."
                    }}
                </p>
            </div>
            <ActionForm action=require attr:class="row-form">
                <input type="hidden" name="required" value=(!required).to_string() />
                <button class="button secondary small" type="submit" data-testid="toggle-require-two-factor"
                    disabled=move || require.pending().get()>
                    {if required { "Make it optional" } else { "Require for everyone" }}
                </button>
            </ActionForm>
            {move || require.value().get().map(|r| match r {
                Ok(text) => view! { <p class="alert ok small" role="status" data-testid="require-result">{text}</p> }.into_any(),
                Err(e) => view! { <p class="alert error small" role="alert" data-testid="require-result">{e.to_string()}</p> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn AccountTable(
    list: Vec<StaffAccount>,
    enrolled: Vec<i64>,
    access: ServerAction<SetStaffAccess>,
    reset: ServerAction<ResetStaffPassword>,
    remove: ServerAction<RemoveTwoFactor>,
) -> impl IntoView {
    view! {
        <div class="table-card">
            <table class="table compact">
                <thead>
                    <tr><th>"Name"</th><th>"Role and access"</th><th>"Last sign-in"</th><th></th></tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|account| {
                        let id = account.id.to_string();
                        let reset_id = id.clone();
                        let remove_id = id.clone();
                        let has_two_factor = enrolled.contains(&account.id);
                        let email = account.email.clone();
                        view! {
                            <tr data-testid="staff-row" data-email=email class:muted=account.disabled>
                                <td>
                                    <strong>{account.display_name}</strong>
                                    <div class="small mono">{account.email}</div>
                                    {has_two_factor.then(|| view! { <span class="badge ok small" title="Signs in with two-factor" data-testid="staff-two-factor">"2FA"</span> })}
                                </td>
                                <td>
                                    <ActionForm action=access attr:class="row-form">
                                        <input type="hidden" name="id" value=id />
                                        <select name="role" aria-label="Role" data-testid="staff-role">
                                            {ROLES.map(|r| view! { <option value=role_value(r) selected=r == account.role>{r.label()}</option> }).collect_view()}
                                        </select>
                                        <select name="disabled" aria-label="Access" data-testid="staff-disabled">
                                            <option value="false" selected=!account.disabled>"Enabled"</option>
                                            <option value="true" selected=account.disabled>"Disabled"</option>
                                        </select>
                                        <button class="button secondary small" type="submit" data-testid="save-access">"Save"</button>
                                    </ActionForm>
                                </td>
                                <td class="small muted">{account.last_login_at.map(format_time).unwrap_or_else(|| "never".into())}</td>
                                <td class="staff-actions">
                                    <ActionForm action=reset attr:class="row-form">
                                        <input type="hidden" name="id" value=reset_id />
                                        <button class="button secondary small" type="submit" data-testid="reset-password">"Reset password"</button>
                                    </ActionForm>
                                    {has_two_factor.then(|| view! {
                                        <ActionForm action=remove attr:class="row-form">
                                            <input type="hidden" name="id" value=remove_id.clone() />
                                            <button class="button secondary small" type="submit" data-testid="remove-two-factor"
                                                title="For a lost phone: they sign in with the password alone and set up a new app">
                                                "Remove 2FA"
                                            </button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
