//! Parked webhook deliveries: what Meta sent that the portal could not process, with the
//! error, and a replay button for operators.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::live::{format_time, use_live};
use crate::components::signin_required::Refused;
use crate::staff::api::whoami;
use crate::staff::port::StaffRole;
use crate::webhooks::api::{parked_webhooks, ReplayWebhook};

#[component]
pub fn InboxPage() -> impl IntoView {
    let tick = use_live(|| "inbox".to_string());
    let replay = ServerAction::<ReplayWebhook>::new();
    let parked = Resource::new(
        move || (tick.get(), replay.version().get()),
        |_| parked_webhooks(),
    );
    let me = Resource::new(|| (), |_| whoami());
    let can_operate = move || {
        me.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|s| s.role.allows(StaffRole::Operator))
    };
    view! {
        <Title text="Parked webhooks" />
        <h1>"Parked webhooks"</h1>
        <p class="muted">
            "Deliveries from Meta that could not be processed after several attempts (or could not be read at all). "
            "They are stored as received; replay one after fixing the cause."
        </p>
        {move || replay.value().get().map(|r| match r {
            Ok(text) => view! { <p class="alert ok" role="status">{text}</p> }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || parked.get().map(|result| match result {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(rows) if rows.is_empty() => view! {
                    <p class="card muted" data-testid="inbox-empty">"Nothing is parked: every delivery was processed."</p>
                }.into_any(),
                Ok(rows) => view! {
                    <div class="card table-card">
                        <table class="table" data-testid="inbox-table">
                            <thead><tr><th>"Received"</th><th>"Error"</th><th>"Body"</th><th></th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| {
                                    let id = row.id;
                                    view! {
                                        <tr data-testid="parked-row">
                                            <td class="small">{format_time(row.received_at)}<div class="muted">{format!("#{} · {} attempt(s)", row.id, row.attempts)}</div></td>
                                            <td class="small">{row.error.unwrap_or_default()}</td>
                                            <td><code class="preview">{row.preview}</code><div class="muted small">{format!("{} bytes", row.size)}</div></td>
                                            <td>
                                                {can_operate().then(|| view! {
                                                    <button class="button secondary" data-testid="replay" on:click=move |_| { replay.dispatch(ReplayWebhook { id }); }>"Replay"</button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}
