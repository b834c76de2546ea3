//! Settings → staff accounts (admins): who can sign in, with which role; new accounts and
//! password resets get an initial password that is shown here once.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::staff::api::{staff_accounts, CreateStaff, ResetStaffPassword, SetStaffAccess};
use crate::staff::port::{StaffAccount, StaffRole};

const ROLES: [StaffRole; 3] = [StaffRole::Admin, StaffRole::Operator, StaffRole::Viewer];

#[component]
pub fn StaffAccountsSection() -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let access = ServerAction::<SetStaffAccess>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let accounts = Resource::new(
        move || (create.version().get(), access.version().get()),
        |_| staff_accounts(),
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
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || accounts.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(list) => view! { <AccountTable list access reset /> }.into_any(),
                })}
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

#[component]
fn AccountTable(
    list: Vec<StaffAccount>,
    access: ServerAction<SetStaffAccess>,
    reset: ServerAction<ResetStaffPassword>,
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
                        let email = account.email.clone();
                        view! {
                            <tr data-testid="staff-row" data-email=email class:muted=account.disabled>
                                <td>
                                    <strong>{account.display_name}</strong>
                                    <div class="small mono">{account.email}</div>
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
                                <td>
                                    <ActionForm action=reset attr:class="row-form">
                                        <input type="hidden" name="id" value=reset_id />
                                        <button class="button secondary small" type="submit" data-testid="reset-password">"Reset password"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
