//! `/metrics`: what an operator graphs and alerts on, in the Prometheus text format
//! (OpenMetrics), through the `prometheus-client` crate.
//!
//! Two kinds of figures: counters kept by this instance since it started (webhook deliveries
//! by outcome, Graph API calls by operation and error code), and gauges read from the database
//! at each scrape (inbox lag, job queue depth and age, stopped pipelines, relay and event
//! backlogs), so every instance reports the same shared queues. The counters are one
//! [`Counters`] per running portal, handed to the webhook handler and the Graph client.

pub mod routes;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::db::{Millis, MonitoringSnapshot};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GraphCall {
    operation: &'static str,
    outcome: &'static str,
    code: String,
}

/// This instance's counters. Cloning shares them (the families are reference-counted).
#[derive(Clone, Debug, Default)]
pub struct Counters {
    webhooks: Family<Outcome, Counter>,
    graph: Family<GraphCall, Counter>,
}

/// How a Graph API call ended.
pub enum GraphOutcome {
    Ok,
    /// Meta's error object, with its code.
    Graph(i64),
    /// No answer, or one without a Graph error object.
    Transport,
    /// A 2xx answer of the wrong shape.
    Unexpected,
}

impl Counters {
    /// A webhook delivery was answered: `stored` (durably, then 200), `empty` (signed but
    /// nothing in it), or why it was refused.
    pub fn webhook_answered(&self, outcome: &'static str) {
        self.webhooks.get_or_create(&Outcome { outcome }).inc();
    }

    /// A Graph API call `operation` (`oauth/access_token`, `phone_numbers`, …) ended so.
    pub fn graph_called(&self, operation: &'static str, outcome: GraphOutcome) {
        let (outcome, code) = match outcome {
            GraphOutcome::Ok => ("ok", String::new()),
            GraphOutcome::Graph(code) => ("graph_error", code.to_string()),
            GraphOutcome::Transport => ("transport_error", String::new()),
            GraphOutcome::Unexpected => ("unexpected_answer", String::new()),
        };
        self.graph
            .get_or_create(&GraphCall {
                operation,
                outcome,
                code,
            })
            .inc();
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Backlog {
    feed: String,
    destination: String,
    state: String,
}

fn gauge(value: i64) -> Gauge {
    let gauge = Gauge::default();
    gauge.set(value);
    gauge
}

fn family<L>(rows: impl IntoIterator<Item = (L, i64)>) -> Family<L, Gauge>
where
    L: Clone + std::hash::Hash + Eq + EncodeLabelSet + std::fmt::Debug + Send + Sync + 'static,
{
    let family = Family::<L, Gauge>::default();
    for (labels, value) in rows {
        family.get_or_create(&labels).set(value);
    }
    family
}

/// Seconds from `since` to `now`, 0 when nothing is waiting.
fn age_seconds(since: Option<Millis>, now: Millis) -> i64 {
    since.map_or(0, |at| ((now - at).max(0)) / 1000)
}

/// The whole exposition: this instance's counters and the database's gauges at `now`.
pub fn render(counters: &Counters, snapshot: &MonitoringSnapshot, now: Millis) -> String {
    let mut registry = Registry::with_prefix("mm");
    registry.register(
        "webhook_deliveries",
        "Webhook deliveries answered by this instance, by outcome (stored = durably in the inbox)",
        counters.webhooks.clone(),
    );
    registry.register(
        "graph_calls",
        "Graph API calls made by this instance, by operation, outcome and Meta's error code",
        counters.graph.clone(),
    );
    registry.register(
        "webhook_inbox_pending",
        "Verified webhook deliveries stored and not processed yet",
        gauge(snapshot.inbox_pending),
    );
    registry.register(
        "webhook_inbox_lag_seconds",
        "Age of the oldest webhook delivery not processed yet",
        gauge(age_seconds(snapshot.inbox_oldest_pending_at, now)),
    );
    registry.register(
        "webhook_inbox_parked",
        "Webhook deliveries the processor gave up on (replay them from /inbox)",
        gauge(snapshot.inbox_parked),
    );
    registry.register(
        "jobs",
        "Background jobs by status (queued, running, failed)",
        family(snapshot.jobs.iter().map(|(status, n)| {
            (
                Status {
                    status: status.clone(),
                },
                *n,
            )
        })),
    );
    registry.register(
        "jobs_oldest_due_seconds",
        "How long the oldest due job has waited for a worker",
        gauge(age_seconds(snapshot.oldest_due_job_at, now)),
    );
    registry.register(
        "onboarding_pipelines_stopped",
        "WABAs whose onboarding pipeline stopped on a failed step",
        gauge(snapshot.stopped_pipelines),
    );
    registry.register(
        "wabas",
        "Customer WABAs by Meta's MM API onboarding status",
        family(snapshot.wabas.iter().map(|(status, n)| {
            (
                Status {
                    status: status.clone(),
                },
                *n,
            )
        })),
    );
    registry.register(
        "feed_backlog",
        "Rows of its feed (Meta's webhooks for relay destinations, portal events for event endpoints) not yet sent to a destination",
        family(snapshot.backlogs.iter().map(|(feed, id, state, n)| {
            (
                Backlog {
                    feed: feed.clone(),
                    destination: id.to_string(),
                    state: state.clone(),
                },
                *n,
            )
        })),
    );
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_gauges_in_the_text_format() {
        let counters = Counters::default();
        counters.webhook_answered("stored");
        counters.webhook_answered("stored");
        counters.graph_called("phone_numbers", GraphOutcome::Graph(80007));
        let snapshot = MonitoringSnapshot {
            inbox_pending: 3,
            inbox_oldest_pending_at: Some(10_000),
            jobs: vec![("queued".into(), 7)],
            backlogs: vec![("relay".into(), 2, "active".into(), 41)],
            ..Default::default()
        };
        let text = render(&counters, &snapshot, 25_000);
        for line in [
            "# TYPE mm_webhook_deliveries counter",
            "mm_graph_calls_total{operation=\"phone_numbers\",outcome=\"graph_error\",code=\"80007\"} 1",
            "mm_webhook_inbox_pending 3",
            "mm_webhook_inbox_lag_seconds 15",
            "mm_jobs{status=\"queued\"} 7",
            "mm_feed_backlog{feed=\"relay\",destination=\"2\",state=\"active\"} 41",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in:\n{text}");
        }
        assert!(text
            .lines()
            .any(|l| l == "mm_webhook_deliveries_total{outcome=\"stored\"} 2"));
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
