//! The public status page of one signup (`/status/{key}`): a live checklist for the business
//! admin. It re-reads the status every two seconds until the account is ready, so it follows
//! webhooks and pipeline jobs handled by any portal instance without a reload.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::signup::api::signup_status;
use crate::signup::port::{CheckItem, CheckState, SignupStatusView};

const REFRESH_MS: u64 = 2000;

#[component]
pub fn StatusPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let (tick, set_tick) = signal(0u32);
    let status = Resource::new(move || (key(), tick.get()), |(key, _)| signup_status(key));
    let (last, set_last) = signal(None::<SignupStatusView>);
    Effect::new(move |_| {
        if let Some(Ok(view)) = status.get() {
            set_last.set(Some(view));
        }
    });
    // Poll in the browser until ready; keep showing the last good answer in between.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let ready = last.get_untracked().map(|v| v.ready).unwrap_or(false);
                if !ready {
                    set_tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_millis(REFRESH_MS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    view! {
        <Title text="Your WhatsApp setup" />
        <Transition fallback=|| view! { <p class="muted">"Loading your status…"</p> }>
            {move || {
                let current = status.get();
                match (current, last.get()) {
                    (Some(Err(crate::error::AppError::NotFound)), _) => {
                        view! {
                            <section class="card error-card" role="alert">
                                <h1>"Status page not found"</h1>
                                <p>"Check the link you were given, or start again from the signup page."</p>
                            </section>
                        }
                            .into_any()
                    }
                    (Some(Ok(view)), _) | (_, Some(view)) => view! { <StatusCard view /> }.into_any(),
                    (Some(Err(e)), None) => {
                        view! {
                            <section class="card error-card" role="alert">
                                <h1>"Your status could not be loaded"</h1>
                                <p>{e.to_string()}</p>
                            </section>
                        }
                            .into_any()
                    }
                    (None, None) => view! { <p class="muted">"Loading your status…"</p> }.into_any(),
                }
            }}
        </Transition>
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
