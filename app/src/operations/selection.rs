//! `/operations/intent?…`: a bulk Intent API run over the WABA list's current filter. Shows,
//! before anything is sent, how many businesses would be asked and why the others are left
//! out; then sends on one click and points to the progress on the operations page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::signin_required::Refused;
use crate::operations::api::{intent_preview, SendIntentToSelection};
use crate::operations::port::IntentPreview;
use crate::wabas::port::WabaFilter;

#[component]
pub fn IntentSelectionPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || WabaFilter::from_query(|key| query.read().get(key));
    let send = ServerAction::<SendIntentToSelection>::new();
    let preview = Resource::new(
        move || (filter(), send.version().get()),
        |(f, _)| intent_preview(f),
    );
    let back = move || format!("/wabas?{}", filter().to_query(false));
    view! {
        <Title text="Intent API for a selection" />
        <div class="page-head">
            <div>
                <p class="eyebrow">"MM operations"</p>
                <h1>"Ask a selection to onboard"</h1>
                <p class="muted">"Intent API requests (onboard_partners_to_mm_lite) for the businesses of the WABAs in "
                    <a href=back>"this filtered list"</a> "."</p>
            </div>
        </div>
        {move || send.value().get().map(|r| match r {
            Ok(text) => view! {
                <p class="alert ok" role="status" data-testid="selection-result">
                    {text} " " <a href="/operations">"Follow the progress"</a>
                </p>
            }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="selection-result">{e.to_string()}</p> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="muted">"Looking at the selection…"</p> }>
            {move || preview.get().map(|r| match r {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(preview) => view! { <Preview preview send filter=filter() /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Preview(
    preview: IntentPreview,
    send: ServerAction<SendIntentToSelection>,
    filter: WabaFilter,
) -> impl IntoView {
    let eligible = preview.eligible;
    let skipped: i64 = preview.skipped.iter().map(|g| g.count).sum();
    view! {
        <div class="tiles">
            <div class="tile"><span class="tile-number" data-testid="matched">{preview.matched}</span><span class="tile-label">"WABAs in the selection"</span></div>
            <div class="tile"><span class="tile-number" data-testid="eligible">{eligible}</span><span class="tile-label">"businesses to ask"</span></div>
            <div class="tile"><span class="tile-number" data-testid="skipped">{skipped}</span><span class="tile-label">"WABAs left out"</span></div>
        </div>
        <section class="card">
            {preview.truncated.then(|| view! {
                <p class="alert error">{format!("Only the first {} WABAs were looked at: narrow the filter to cover the rest.", IntentPreview::LIMIT)}</p>
            })}
            <button
                class="button"
                data-testid="send-to-selection"
                disabled=move || eligible == 0 || send.pending().get()
                on:click=move |_| { send.dispatch(SendIntentToSelection { filter: filter.clone() }); }
            >
                {format!("Ask {eligible} business{} to onboard", if eligible == 1 { "" } else { "es" })}
            </button>
        </section>
        {(!preview.skipped.is_empty()).then(|| view! {
            <section class="card">
                <h2>"Left out, and why"</h2>
                <table class="table compact" data-testid="skipped-reasons">
                    <thead><tr><th>"Reason"</th><th>"WABAs"</th><th>"For example"</th></tr></thead>
                    <tbody>
                        {preview.skipped.into_iter().map(|group| view! {
                            <tr data-testid="skip-reason">
                                <td>{group.reason}</td>
                                <td>{group.count}</td>
                                <td class="muted small">{group.examples.join(", ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
    }
}
