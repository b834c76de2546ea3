//! MM operations for existing customers: discovery of the WABAs shared with the partner, and
//! the Intent API in bulk with its progress (re-read every 2 s) and a cancel button.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::live::use_live;
use crate::components::signin_required::Refused;
use crate::operations::api::{
    mm_operations, CancelIntentBatch, ResumeIntentBatch, SendIntentToEligible, StartDiscovery,
};
use crate::operations::port::{IntentBatch, Operations};

#[component]
pub fn OperationsPage() -> impl IntoView {
    let tick = use_live(|| "intent:*,waba:*".to_string());
    let discover = ServerAction::<StartDiscovery>::new();
    let bulk = ServerAction::<SendIntentToEligible>::new();
    let cancel = ServerAction::<CancelIntentBatch>::new();
    let resume = ServerAction::<ResumeIntentBatch>::new();
    let ops = Resource::new(
        move || {
            (
                tick.get(),
                bulk.version().get(),
                cancel.version().get(),
                resume.version().get(),
                discover.version().get(),
            )
        },
        |_| mm_operations(),
    );
    let result = move || {
        [
            discover.value().get(),
            bulk.value().get(),
            cancel.value().get(),
            resume.value().get(),
        ]
        .into_iter()
        .flatten()
        .last()
    };
    view! {
        <Title text="MM operations" />
        <h1>"Marketing Messages operations"</h1>
        <p class="muted">
            "For customers already on the Cloud API: find their WABAs and ask eligible businesses to onboard to the Marketing Messages API."
        </p>
        {move || result().map(|r| match r {
            Ok(text) => view! { <p class="alert ok" role="status" data-testid="ops-result">{text}</p> }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="ops-result">{e.to_string()}</p> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || ops.get().map(|r| match r {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(ops) => view! { <OpsCards ops discover bulk cancel resume /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn OpsCards(
    ops: Operations,
    discover: ServerAction<StartDiscovery>,
    bulk: ServerAction<SendIntentToEligible>,
    cancel: ServerAction<CancelIntentBatch>,
    resume: ServerAction<ResumeIntentBatch>,
) -> impl IntoView {
    let rate = ops.rate_per_second;
    view! {
        {(!ops.partner_configured).then(|| view! {
            <p class="banner error">"Set META_PARTNER_BUSINESS_ID and META_SYSTEM_USER_TOKEN to use these operations."</p>
        })}
        <div class="grid">
            <section class="card">
                <h2>"Discovery"</h2>
                <p class="muted">"Reads every WABA your customers shared with you, with Meta's onboarding status, and adds or updates them here. Status changes go on each WABA's timeline."</p>
                <button class="button" data-testid="discover" disabled=move || discover.pending().get()
                    on:click=move |_| { discover.dispatch(StartDiscovery {}); }>
                    "Discover WABAs"
                </button>
            </section>
            <section class="card">
                <h2>"Intent API"</h2>
                <p>
                    <strong data-testid="candidates">{ops.candidates}</strong>
                    " businesses have an eligible WABA and no onboarding request yet."
                </p>
                <p class="muted small">{format!("Requests go out at {} per second; each business is asked once.", ops.rate_per_second)}</p>
                <button class="button" data-testid="invite-eligible" disabled=move || bulk.pending().get() || ops.candidates == 0
                    on:click=move |_| { bulk.dispatch(SendIntentToEligible {}); }>
                    "Ask all eligible businesses to onboard"
                </button>
                {ops.latest_batch.map(|batch| view! { <BatchProgress batch rate cancel resume /> })}
            </section>
        </div>
    }
}

#[component]
fn BatchProgress(
    batch: IntentBatch,
    rate: f64,
    cancel: ServerAction<CancelIntentBatch>,
    resume: ServerAction<ResumeIntentBatch>,
) -> impl IntoView {
    let total = (batch.queued + batch.sent + batch.failed + batch.cancelled).max(1);
    let done = batch.sent + batch.failed + batch.cancelled;
    let percent = done as f64 * 100.0 / total as f64;
    let name = batch.batch.clone();
    let resume_name = batch.batch.clone();
    let eta = (batch.queued > 0).then(|| {
        let seconds = (batch.queued as f64 / rate.max(0.01)).ceil() as u64;
        match seconds {
            s if s < 90 => format!("about {s} s left"),
            s => format!("about {} min left", s.div_ceil(60)),
        }
    });
    view! {
        <div class="batch" data-testid="batch">
            <h3 class="small">"Latest request batch"</h3>
            <span class="bar-track wide"><span class="bar-fill" style=format!("width: {percent:.0}%")></span></span>
            <p class="small" data-testid="batch-counts">
                {format!("{} sent · {} queued · {} failed · {} cancelled", batch.sent, batch.queued, batch.failed, batch.cancelled)}
            </p>
            {eta.map(|text| view! { <p class="muted small" data-testid="batch-eta">{text}</p> })}
            {(batch.queued > 0).then(|| view! {
                <button class="button secondary" data-testid="cancel-batch"
                    on:click=move |_| { cancel.dispatch(CancelIntentBatch { batch: name.clone() }); }>
                    "Pause (cancel the queued requests)"
                </button>
            })}
            {(batch.queued == 0 && batch.cancelled > 0).then(|| view! {
                <button class="button secondary" data-testid="resume-batch"
                    on:click=move |_| { resume.dispatch(ResumeIntentBatch { batch: resume_name.clone() }); }>
                    "Resume the cancelled requests"
                </button>
            })}
        </div>
    }
}
