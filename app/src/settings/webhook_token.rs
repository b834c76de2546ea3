//! Settings → webhooks (admins): the callback URL to enter in the App Dashboard and the verify
//! token's rotation. A new token is shown once; the previous one keeps working for a day so
//! that Meta's re-verification never fails while the dashboard is being updated.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::settings::api::{webhook_token, RotateWebhookToken};
use crate::settings::port::WebhookTokenStatus;

#[component]
pub fn WebhookTokenSection() -> impl IntoView {
    let rotate = ServerAction::<RotateWebhookToken>::new();
    let status = Resource::new(move || rotate.version().get(), |_| webhook_token());
    view! {
        <section class="card settings" data-testid="webhook-settings">
            <h2>"Webhooks"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || status.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(status) => view! { <TokenState status /> }.into_any(),
                })}
            </Transition>
            {move || rotate.value().get().map(|r| match r {
                Ok(token) => view! {
                    <div class="alert ok" role="status" data-testid="new-verify-token">
                        "New verify token (shown once): "
                        <code class="secret" data-testid="new-verify-token-value">{token}</code>
                        <p class="small">"Paste it into the App Dashboard (WhatsApp → Configuration → Webhook → Verify token) and save: Meta verifies it at once."</p>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            <ActionForm action=rotate attr:class="form">
                <button class="button secondary" type="submit" data-testid="rotate-verify-token" disabled=move || rotate.pending().get()>
                    "Rotate the verify token"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TokenState(status: WebhookTokenStatus) -> impl IntoView {
    let never_verified = if status.rotated_at.is_some() {
        "not since the last rotation"
    } else {
        "not recorded yet"
    };
    let origin = match (&status.rotated_at, &status.rotated_by) {
        (Some(at), Some(by)) => format!("Rotated {} by {by}.", format_time(*at)),
        _ => "Set by the portal's configuration (WEBHOOK_VERIFY_TOKEN); never rotated here."
            .to_string(),
    };
    view! {
        <dl class="facts">
            <dt>"Callback URL"</dt>
            <dd><code data-testid="callback-url">{status.callback_url}</code></dd>
            <dt>"Verify token"</dt>
            <dd data-testid="verify-token-state">{origin}</dd>
            {status.previous_until.map(|until| view! {
                <dt>"Previous token"</dt>
                <dd>{format!("Still accepted until {}.", format_time(until))}</dd>
            })}
            <dt>"Last verified by Meta"</dt>
            <dd data-testid="last-verified">{status.last_verified_at.map(format_time).unwrap_or_else(|| never_verified.into())}</dd>
        </dl>
    }
}
