//! The system status card: shows the health report and re-checks it on demand.

use leptos::prelude::*;

use crate::health::api::system_health;
use crate::health::port::HealthReport;

#[component]
pub fn SystemStatusCard() -> impl IntoView {
    let check = ServerAction::<crate::health::api::SystemHealth>::new();
    let initial = Resource::new(|| (), |_| system_health());
    let checks_done = move || check.version().get();

    view! {
        <section class="card" aria-labelledby="system-status-title">
            <div class="card-head">
                <h2 id="system-status-title">"System status"</h2>
                <button
                    class="button secondary"
                    data-testid="check-health"
                    disabled=move || check.pending().get()
                    on:click=move |_| {
                        check.dispatch(crate::health::api::SystemHealth {});
                    }
                >
                    {move || if check.pending().get() { "Checking…" } else { "Check now" }}
                </button>
            </div>
            <Suspense fallback=|| view! { <p class="muted">"Loading status…"</p> }>
                {move || {
                    let report = match check.value().get() {
                        Some(result) => Some(result),
                        None => initial.get(),
                    };
                    report
                        .map(|result| match result {
                            Ok(report) => view! { <HealthDetails report /> }.into_any(),
                            Err(e) => {
                                view! { <p class="error" role="alert">{e.to_string()}</p> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <p class="muted small" data-testid="checks-done">
                {move || match checks_done() {
                    0 => "Checked when the page loaded.".to_string(),
                    1 => "Re-checked once since the page loaded.".to_string(),
                    n => format!("Re-checked {n} times since the page loaded."),
                }}
            </p>
        </section>
    }
}

#[component]
fn HealthDetails(report: HealthReport) -> impl IntoView {
    let db = report.database;
    let (badge_class, badge_text) = if db.reachable {
        ("badge ok", "reachable")
    } else {
        ("badge bad", "unreachable")
    };
    view! {
        <dl class="facts" data-testid="health-details">
            <dt>"Mode"</dt>
            <dd>
                <span class="badge info">{report.mode.label()}</span>
            </dd>
            <dt>"Database"</dt>
            <dd>
                {db.backend} " " <span class=badge_class data-testid="db-state">{badge_text}</span>
                <span class="muted small">{format!(" {:.1} ms", db.latency_ms)}</span>
            </dd>
            <dt>"Queued jobs"</dt>
            <dd>{report.queued_jobs}</dd>
            <dt>"Uptime"</dt>
            <dd>{format_uptime(report.uptime_seconds)}</dd>
            <dt>"Version"</dt>
            <dd>{report.version}</dd>
        </dl>
    }
}

fn format_uptime(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::format_uptime;

    #[test]
    fn uptime_is_human_readable() {
        assert_eq!(format_uptime(5), "5 s");
        assert_eq!(format_uptime(125), "2 min 5 s");
        assert_eq!(format_uptime(7322), "2 h 2 min");
    }
}
