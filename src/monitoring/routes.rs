//! `GET /metrics`. On the portal's own address it answers signed-in staff and scrapers on
//! this host (loopback, after trusted proxies) and is a plain 404 for anyone else, like the
//! details of `/healthz`; a Prometheus server elsewhere scrapes the separate listener
//! (`--metrics-addr`), which serves nothing but this route.

use std::sync::Arc;

use app::staff::port::{LoopbackCaller, StaffIdentity};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::db::{now_millis, MonitoringStore};

/// The exposition format's media type (OpenMetrics 1.0, which Prometheus negotiates).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone)]
pub struct MonitoringState {
    pub store: Arc<dyn MonitoringStore>,
    pub counters: super::Counters,
    /// Answer everyone: true on the separate metrics listener only.
    pub open: bool,
}

pub fn routes(state: MonitoringState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn metrics(State(state): State<MonitoringState>, request: Request) -> Response {
    let extensions = request.extensions();
    let allowed = state.open
        || extensions.get::<StaffIdentity>().is_some()
        || extensions.get::<LoopbackCaller>().is_some();
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let now = now_millis();
    match state.store.monitoring_snapshot(now).await {
        Ok(snapshot) => (
            [(header::CONTENT_TYPE, CONTENT_TYPE)],
            super::render(&state.counters, &snapshot, now),
        )
            .into_response(),
        // A scrape that fails is itself the alert (`up == 0`): the cause goes to the log, the
        // body says no more than that.
        Err(error) => {
            tracing::error!(%error, "metrics: the database did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database did not answer\n",
            )
                .into_response()
        }
    }
}
