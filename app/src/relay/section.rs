//! Settings → Your platform (admins): where the portal forwards Meta's webhooks (relay
//! destinations) and sends its own events (event endpoints) — each with how it is doing (lag,
//! deliveries, failures, what waits for a retry), pause and resume, a replay of the last day,
//! and for event endpoints the delivery log and a secret rotation. The same as the partner
//! API's `/relay-destinations` and `/event-endpoints`.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::error::AppError;
use crate::relay::api::{
    event_deliveries, relay_destinations, CreateRelayDestination, DeleteRelayDestination,
    PauseRelayDestination, ReplayRelayDestination, RotateEventSecret,
};
use crate::relay::port::{DestinationView, Kind, MadeDestination};

#[derive(Clone, Copy)]
struct Actions {
    pause: ServerAction<PauseRelayDestination>,
    delete: ServerAction<DeleteRelayDestination>,
    replay: ServerAction<ReplayRelayDestination>,
    rotate: ServerAction<RotateEventSecret>,
}

#[component]
pub fn RelaySection() -> impl IntoView {
    let create = ServerAction::<CreateRelayDestination>::new();
    let actions = Actions {
        pause: ServerAction::new(),
        delete: ServerAction::new(),
        replay: ServerAction::new(),
        rotate: ServerAction::new(),
    };
    let list = Resource::new(
        move || {
            (
                create.version().get(),
                actions.pause.version().get(),
                actions.delete.version().get(),
                actions.replay.version().get(),
                actions.rotate.version().get(),
            )
        },
        |_| relay_destinations(),
    );
    let failed = move || {
        [
            actions.pause.value().get().and_then(|r| r.err()),
            actions.delete.value().get().and_then(|r| r.err()),
            actions.replay.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <section class="card settings" data-testid="relay">
            <h2>"Your platform"</h2>
            <p class="muted">
                "Meta allows one webhook URL per app. Point it at the portal and forward what Meta sends to your messaging platform, byte for byte; and get the portal's own events ("
                <code>"waba.ready"</code>", "<code>"signup.completed"</code>"…) signed under Standard Webhooks. Retried for 72 hours, then paused."
            </p>
            <SecretShown result=create.value() />
            <SecretShown result=actions.rotate.value() />
            {move || actions.replay.value().get().and_then(|r| r.ok()).map(|n| view! {
                <p class="alert ok" role="status" data-testid="relay-replayed">{format!("{n} items will be sent again.")}</p>
            })}
            {move || failed().map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted" data-testid="no-destinations">"Nothing is forwarded yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <DestinationTable list actions /> }.into_any(),
                })}
            </Transition>
            <div class="form-pair">
                <ActionForm action=create attr:class="form">
                    <h3>"Forward Meta's webhooks"</h3>
                    <input type="hidden" name="kind" value="relay" />
                    <label for="relay_url">"URL"</label>
                    <input id="relay_url" name="url" type="url" placeholder="https://platform.example.com/meta-webhooks" required data-testid="relay-url" />
                    <label for="relay_fields">"Fields"</label>
                    <input id="relay_fields" name="topics" value="*" required data-testid="relay-fields" />
                    <p class="small muted">"Meta's webhook fields, comma-separated ("<code>"messages, account_update"</code>"), or "<code>"*"</code>". Signed like Meta, your existing webhook handler works unchanged."</p>
                    <label for="relay_signing">"Signing"</label>
                    <select id="relay_signing" name="signing" data-testid="relay-signing">
                        <option value="meta">"Like Meta (X-Hub-Signature-256)"</option>
                        <option value="own">"Standard Webhooks, own secret"</option>
                    </select>
                    <button class="button" type="submit" data-testid="create-relay" disabled=move || create.pending().get()>"Add destination"</button>
                </ActionForm>
                <ActionForm action=create attr:class="form">
                    <h3>"Send the portal's events"</h3>
                    <input type="hidden" name="kind" value="events" />
                    <label for="events_url">"URL"</label>
                    <input id="events_url" name="url" type="url" placeholder="https://crm.example.com/portal-events" required data-testid="events-url" />
                    <label for="events_types">"Events"</label>
                    <input id="events_types" name="topics" value="*" required data-testid="events-types" />
                    <p class="small muted">"Comma-separated: "<code>"waba.ready"</code>", a group such as "<code>"waba.*"</code>", or "<code>"*"</code>"."</p>
                    <button class="button" type="submit" data-testid="create-endpoint" disabled=move || create.pending().get()>"Add endpoint"</button>
                </ActionForm>
            </div>
        </section>
    }
}

/// A secret just made, shown once; or why nothing was made.
#[component]
fn SecretShown(
    #[prop(into)] result: Signal<Option<Result<MadeDestination, AppError>>>,
) -> impl IntoView {
    move || {
        result.get().map(|r| match r {
            Ok(MadeDestination { destination, secret: Some(secret) }) => view! {
                <div class="alert ok" role="status" data-testid="new-destination">
                    {format!("Signing secret for {} — copy it now, it is shown only once: ", destination.url)}
                    <code class="secret" data-testid="new-destination-secret">{secret}</code>
                </div>
            }
            .into_any(),
            Ok(MadeDestination { destination, secret: None }) => view! {
                <div class="alert ok" role="status" data-testid="new-destination">
                    {format!("Forwarding to {}, signed like Meta.", destination.url)}
                </div>
            }
            .into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="destination-error">{e.to_string()}</p> }.into_any(),
        })
    }
}

fn health(d: &DestinationView) -> String {
    let mut parts = vec![format!("{} delivered", d.delivered)];
    if d.failed_attempts > 0 {
        parts.push(format!("{} failed attempts", d.failed_attempts));
    }
    if d.waiting_retries > 0 {
        parts.push(format!("{} waiting for a retry", d.waiting_retries));
    }
    parts.join(" · ")
}

#[component]
fn DestinationTable(list: Vec<DestinationView>, actions: Actions) -> impl IntoView {
    view! {
        <ul class="destinations">
            {list.into_iter().map(|d| view! { <DestinationRow d actions /> }).collect_view()}
        </ul>
    }
}

#[component]
fn DestinationRow(d: DestinationView, actions: Actions) -> AnyView {
    let kind = d.kind.as_str();
    let paused = d.state != "active";
    let what = match d.kind {
        Kind::Relay => format!(
            "Meta's webhooks ({}) · signed {}",
            d.topics.join(", "),
            if d.signing == "own" {
                "with its own secret"
            } else {
                "like Meta"
            }
        ),
        Kind::Events => format!(
            "Portal events ({}) · Standard Webhooks",
            d.topics.join(", ")
        ),
    };
    let state = match (&d.paused_reason, paused) {
        (Some(reason), true) => format!("Paused: {reason}"),
        (None, true) => "Paused".to_string(),
        _ => "Active".to_string(),
    };
    let last = d
        .last_success_at
        .map(|t| format!("last {}", format_time(t)))
        .unwrap_or_else(|| "none yet".into());
    let lag = d
        .lag_ms
        .map(|ms| format!(" · lag {ms} ms"))
        .unwrap_or_default();
    let (log_open, set_log_open) = signal(false);
    let endpoint = d.id;
    view! {
        <li class="destination" data-testid="destination-row" data-kind=kind data-url=d.url.clone() class:muted=paused>
            <div class="destination-head">
                <strong class="mono small destination-url">{d.url.clone()}</strong>
                <span class="badge" class:bad=paused data-testid="destination-state">{state}</span>
            </div>
            <div class="small muted">{what}</div>
            <div class="small" data-testid="destination-health">{format!("{} · {last}{lag}", health(&d))}</div>
            {d.last_error.clone().map(|e| view! { <div class="small error-text" data-testid="destination-last-error">{format!("Last error: {e}")}</div> })}
            <RowActions kind=d.kind id=d.id paused actions />
            {(d.kind == Kind::Events).then(|| view! {
                <button class="link small" type="button" data-testid="toggle-deliveries" on:click=move |_| set_log_open.update(|o| *o = !*o)>
                    {move || if log_open.get() { "Hide the delivery log" } else { "Show the delivery log" }}
                </button>
                {move || log_open.get().then(|| view! { <DeliveryLog id=endpoint /> })}
            })}
        </li>
    }
    .into_any()
}

/// Pause or resume, replay the last day, rotate (event endpoints), remove.
#[component]
fn RowActions(kind: Kind, id: i64, paused: bool, actions: Actions) -> AnyView {
    let events = kind == Kind::Events;
    let kind = kind.as_str();
    let id = id.to_string();
    let (replay_id, rotate_id, delete_id) = (id.clone(), id.clone(), id.clone());
    view! {
            <div class="actions">
                <ActionForm action=actions.pause attr:class="row-form">
                    <input type="hidden" name="kind" value=kind />
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="paused" value=(!paused).to_string() />
                    <button class="button secondary small" type="submit" data-testid="pause-destination">{if paused { "Resume" } else { "Pause" }}</button>
                </ActionForm>
                <ActionForm action=actions.replay attr:class="row-form">
                    <input type="hidden" name="kind" value=kind />
                    <input type="hidden" name="id" value=replay_id.clone() />
                    <input type="hidden" name="hours" value="24" />
                    <button class="button secondary small" type="submit" title="Sends again everything of the last 24 hours" data-testid="replay-destination">"Replay 24 h"</button>
                </ActionForm>
                {events.then(|| view! {
                    <ActionForm action=actions.rotate attr:class="row-form">
                        <input type="hidden" name="id" value=rotate_id.clone() />
                        <button class="button secondary small" type="submit" title="A new secret; the old one keeps signing for 24 hours" data-testid="rotate-secret">"Rotate secret"</button>
                    </ActionForm>
                })}
                <ActionForm action=actions.delete attr:class="row-form">
                    <input type="hidden" name="kind" value=kind />
                    <input type="hidden" name="id" value=delete_id />
                    <button class="button danger small" type="submit" data-testid="delete-destination">"Remove"</button>
                </ActionForm>
            </div>
    }
    .into_any()
}

#[component]
fn DeliveryLog(id: i64) -> impl IntoView {
    let log = Resource::new(move || id, event_deliveries);
    view! {
        <Transition fallback=|| view! { <p class="small muted">"Loading…"</p> }>
            {move || log.get().map(|r| match r {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="small muted" data-testid="delivery-log">"No attempts yet."</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="delivery-log small" data-testid="delivery-log">
                        {list.into_iter().map(|a| {
                            let ok = a.error.is_none();
                            view! {
                                <li class:error-text=!ok>
                                    {format!("{} · {} · {} · {}", format_time(a.attempted_at), a.event_type, a.event_id,
                                        a.error.unwrap_or_else(|| "delivered".into()))}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
    }
}
