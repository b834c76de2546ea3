//! The public status page of one signup (`/status/{key}`): a live checklist for the business
//! admin. The server renders it whole; `public/status.js` re-reads the page every two seconds
//! until the account is ready and swaps the checklist in place, so it follows webhooks and
//! pipeline jobs handled by any portal instance without a reload or any WebAssembly.

use leptos::prelude::*;
use leptos_meta::{Script, Title};
use leptos_router::hooks::use_params_map;

use crate::i18n::{request_lang, t, t_args, Lang};
use crate::signup::api::signup_status;
use crate::signup::port::{CheckItem, CheckState, SignupStatusView};

#[component]
pub fn StatusPage() -> impl IntoView {
    let params = use_params_map();
    let key = params.read_untracked().get("key").unwrap_or_default();
    let status = Resource::new(move || key.clone(), signup_status);
    let lang = request_lang();
    let loading = t(lang, "status-loading");
    view! {
        <Title text=t(lang, "status-title") />
        <div id="status" data-testid="status" data-connection-lost=t(lang, "status-connection-lost")>
            <Suspense fallback=move || view! { <p class="muted">{loading.clone()}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(view) => view! { <StatusCard view lang /> }.into_any(),
                        Err(crate::error::AppError::NotFound) => {
                            crate::components::not_found::answer_not_found();
                            view! {
                            <section class="card error-card" role="alert">
                                <h1>{t(lang, "status-not-found-heading")}</h1>
                                <p>{t(lang, "status-not-found-body")}</p>
                            </section>
                            }
                            .into_any()
                        }
                        Err(e) => view! {
                            <section class="card error-card" role="alert" data-testid="status-error">
                                <h1>{t(lang, "status-error-heading")}</h1>
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
fn StatusCard(view: SignupStatusView, lang: Lang) -> impl IntoView {
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
            <p class="eyebrow">{t(lang, "status-eyebrow")}</p>
            <h1 data-testid="status-headline">{view.headline.clone()}</h1>
            {(!account.is_empty()).then(|| view! { <p class="muted">{account}</p> })}
            {(!phones.is_empty())
                .then(|| view! { <p class="muted">{t_args(lang, "status-phone", &[("phones", &phones)])}</p> })}
            <ol class="checklist">
                {view.items.into_iter().map(|item| view! { <CheckRow item lang /> }).collect_view()}
            </ol>
            {(!ready)
                .then(|| {
                    view! {
                        <p class="muted small">{t(lang, "status-updates-itself")}</p>
                    }
                })}
        </section>
    }
}

#[component]
fn CheckRow(item: CheckItem, lang: Lang) -> impl IntoView {
    let (icon, badge) = match item.state {
        CheckState::Done => ("✓", "badge-done"),
        CheckState::Working => ("…", "badge-working"),
        CheckState::Waiting => ("◷", "badge-waiting"),
        CheckState::ActionNeeded => ("!", "badge-action-needed"),
        CheckState::Failed => ("×", "badge-failed"),
        CheckState::Pending => ("○", "badge-pending"),
    };
    let badge = t(lang, badge);
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
