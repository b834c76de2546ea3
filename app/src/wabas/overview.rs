//! The staff overview: WABAs per onboarding status, the signup funnel of the last 30 days with
//! its drop-off per step, signups per day, every WABA's message statuses per day, and what
//! needs attention. Drawn as charts; re-read every 5 s.

use leptos::prelude::*;

use crate::components::live::{status_help, use_live};
use crate::components::signin_required::Refused;
use crate::wabas::api::dashboard_overview;
use crate::wabas::metrics_chart::MessagesChart;
use crate::wabas::port::{Funnel, Overview};

#[component]
pub fn OverviewDashboard() -> impl IntoView {
    let tick = use_live(|| "waba:*,signup:*".to_string());
    let overview = Resource::new(move || tick.get(), |_| dashboard_overview());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(o) => view! { <Dashboard overview=o /> }.into_any(),
            })}
        </Transition>
    }
}

fn tile_class(count: i64, alert: &'static str) -> &'static str {
    if count > 0 {
        alert
    } else {
        "tile"
    }
}

fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[component]
fn Dashboard(overview: Overview) -> impl IntoView {
    let total = overview.total_wabas;
    let max = overview
        .status_counts
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0);
    view! {
        <h1>"Overview"</h1>
        <div class="tiles">
            <a class="tile" href="/wabas" data-testid="tile-total">
                <span class="tile-number">{total}</span>
                <span class="tile-label">"customer WABAs"</span>
            </a>
            <a class=tile_class(overview.failed_pipelines, "tile bad") href="/wabas?attention=1" data-testid="tile-failed">
                <span class="tile-number">{overview.failed_pipelines}</span>
                <span class="tile-label">"stopped pipelines"</span>
            </a>
            <a class=tile_class(overview.parked_webhooks, "tile warn") href="/inbox" data-testid="tile-parked">
                <span class="tile-number">{overview.parked_webhooks}</span>
                <span class="tile-label">"parked webhooks"</span>
            </a>
            <div class=tile_class(overview.restricted_wabas, "tile warn") data-testid="tile-restricted">
                <span class="tile-number">{overview.restricted_wabas}</span>
                <span class="tile-label">"restricted accounts"</span>
            </div>
            <a class=tile_class(overview.paused_feeds, "tile bad") href="/settings" data-testid="tile-paused"
                title="Relay destinations and event endpoints that are paused: your platform gets nothing from them until they are resumed (Settings, Your platform)">
                <span class="tile-number">{overview.paused_feeds}</span>
                <span class="tile-label">"paused deliveries"</span>
            </a>
        </div>
        <div class="grid">
            <section class="card" aria-labelledby="by-status">
                <h2 id="by-status">"WABAs by onboarding status"</h2>
                {(total == 0).then(|| view! { <p class="muted">"No WABA yet. Share your signup page: " <a href="/signup" rel="external">"/signup"</a></p> })}
                <ul class="bars" data-testid="status-chart">
                    {overview.status_counts.iter().map(|(status, count)| {
                        let label = status.clone().unwrap_or_else(|| "UNKNOWN".into());
                        let href = status.as_ref().map(|s| format!("/wabas?status={s}")).unwrap_or_else(|| "/wabas".into());
                        let width = percent(*count, max);
                        view! {
                            <li title=status_help(&label)>
                                <a class="bar-label" href=href>{label.replace('_', " ").to_lowercase()}</a>
                                <span class="bar-track"><span class="bar-fill" style=format!("width: {width:.1}%")></span></span>
                                <span class="bar-value">{*count}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <FunnelChart funnel=overview.funnel.clone() />
        </div>
        <div class="grid">
            <SignupsPerDay days=overview.signups_per_day.clone() />
            <section class="card" aria-labelledby="messages-title">
                <h2 id="messages-title">"Messages · last 14 days, all WABAs"</h2>
                {if overview.metrics.is_empty() {
                    view! { <p class="muted" data-testid="no-overall-metrics">"No message statuses yet: they come from Meta's status webhooks after sends."</p> }.into_any()
                } else {
                    view! { <MessagesChart metrics=overview.metrics.clone() /> }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn SignupsPerDay(days: Vec<(String, i64)>) -> impl IntoView {
    let top = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let total: i64 = days.iter().map(|(_, n)| n).sum();
    view! {
        <section class="card" aria-labelledby="signups-title">
            <h2 id="signups-title">"Signups per day · last 30 days"</h2>
            <div class="spark" data-testid="signups-chart" role="img" aria-label=format!("{total} signups in 30 days")>
                {days.into_iter().map(|(day, n)| view! {
                    <span
                        class:zero=n == 0
                        style=format!("height: {:.1}%", percent(n, top).max(2.0))
                        title=format!("{day}: {n}")
                    ></span>
                }).collect_view()}
            </div>
            <p class="muted small">{format!("{total} signups started in the last 30 days.")}</p>
        </section>
    }
}

#[component]
fn FunnelChart(funnel: Funnel) -> impl IntoView {
    let stages = [
        ("Page visits", funnel.started),
        ("Opened Meta's window", funnel.launched),
        ("Finished in Meta's window", funnel.finished),
        ("Connected (code exchanged)", funnel.exchanged),
        ("Onboarded", funnel.onboarded),
    ];
    let top = funnel.started.max(1);
    view! {
        <section class="card" aria-labelledby="funnel-title">
            <h2 id="funnel-title">"Signup funnel · last 30 days"</h2>
            <ul class="bars funnel" data-testid="funnel-chart">
                {stages.iter().enumerate().map(|(i, (label, count))| {
                    let previous = if i == 0 { *count } else { stages[i - 1].1 };
                    // A step can count more than the one before it (signups finished through
                    // the API or the sandbox skip the page's steps): no drop to show then.
                    let drop = if i == 0 || previous == 0 || *count >= previous { String::new() } else { format!("−{:.0}%", 100.0 - percent(*count, previous)) };
                    view! {
                        <li>
                            <span class="bar-label">{*label}</span>
                            <span class="bar-track"><span class="bar-fill" style=format!("width: {:.1}%", percent(*count, top))></span></span>
                            <span class="bar-value">{*count} <span class="muted small">{drop}</span></span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted small">
                {format!("{} cancelled or closed the window, {} failed at the code exchange.", funnel.cancelled, funnel.failed)}
            </p>
            {(!funnel.cancel_steps.is_empty()).then(|| view! {
                <h3 class="small">"Where admins left Meta's window"</h3>
                <ul class="plain small">
                    {funnel.cancel_steps.iter().map(|(step, n)| view! { <li>{step.clone()} ": " {*n}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}
