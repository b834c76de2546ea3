//! The public status page of one signup (`/status/{key}`): a live checklist for the business
//! admin. The server renders it whole; `public/status.js` re-reads the page every two seconds
//! until the account is ready and swaps the checklist in place, so it follows webhooks and
//! pipeline jobs handled by any portal instance without a reload or any WebAssembly.

use leptos::prelude::*;
use leptos_meta::{Script, Title};
use leptos_router::hooks::use_params_map;

use crate::signup::api::signup_status;
use crate::signup::port::{CheckItem, CheckState, SignupStatusView};

#[component]
pub fn StatusPage() -> impl IntoView {
    let params = use_params_map();
    let key = params.read_untracked().get("key").unwrap_or_default();
    let status = Resource::new(move || key.clone(), signup_status);
    view! {
        <Title text="Your WhatsApp setup" />
        <div id="status" data-testid="status">
            <Suspense fallback=|| view! { <p class="muted">"Loading your status…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(view) => view! { <StatusCard view /> }.into_any(),
                        Err(crate::error::AppError::NotFound) => {
                            crate::components::not_found::answer_not_found();
                            view! {
                            <section class="card error-card" role="alert">
                                <h1>"Status page not found"</h1>
                                <p>"Check the link you were given, or start again from the signup page."</p>
                            </section>
                            }
                            .into_any()
                        }
                        Err(e) => view! {
                            <section class="card error-card" role="alert" data-testid="status-error">
                                <h1>"Your status could not be loaded"</h1>
                                <p>{e.to_string()}</p>
                            </section>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
        <Script src=crate::assets::href("status.js") defer="defer" />
    }
}

#[component]
fn StatusCard(view: SignupStatusView) -> impl IntoView {
    let ready = view.ready;
    let mut names: Vec<String> = [view.business_name.clone(), view.waba_name.clone()]
        .into_iter()
        .flatten()
        .collect();
    names.dedup();
    let account = names.join(" · ");
    let phones = view.phone_numbers.join(", ");
    view! {
        <section class="card status-card" data-testid="status-card" data-ready=ready.to_string()>
            <p class="eyebrow">"Your WhatsApp setup"</p>
            <h1 data-testid="status-headline">{view.headline.clone()}</h1>
            {(!account.is_empty()).then(|| view! { <p class="muted">{account}</p> })}
            {(!phones.is_empty()).then(|| view! { <p class="muted">"Phone: " {phones}</p> })}
            <ol class="checklist">
                {view.items.into_iter().map(|item| view! { <CheckRow item /> }).collect_view()}
            </ol>
            {(!ready)
                .then(|| {
                    view! {
                        <p class="muted small">
                            "This page updates by itself. You can close it and come back later."
                        </p>
                    }
                })}
        </section>
    }
}

#[component]
fn CheckRow(item: CheckItem) -> impl IntoView {
    let (icon, badge) = match item.state {
        CheckState::Done => ("✓", "Done"),
        CheckState::Working => ("…", "In progress"),
        CheckState::Waiting => ("◷", "Waiting for Meta"),
        CheckState::ActionNeeded => ("!", "Your action needed"),
        CheckState::Failed => ("×", "Stopped"),
        CheckState::Pending => ("○", "Not started"),
    };
    let state = item.state.as_str();
    view! {
        <li class=format!("check check-{state}") data-testid=format!("check-{}", item.key) data-state=state>
            <span class="check-icon" aria-hidden="true">{icon}</span>
            <div class="check-body">
                <div class="check-title">
                    <strong>{item.label}</strong>
                    <span class=format!("badge state-{state}")>{badge}</span>
                </div>
                <p class="check-detail">{item.detail}</p>
            </div>
        </li>
    }
}
