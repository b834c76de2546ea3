//! `GET /healthz`: liveness plus database reachability, for load balancers and operators.
//! 200 when the database answers, 503 when it does not; the body is JSON either way.

use app::health::port::HealthReport;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use std::sync::Arc;

use app::health::port::HealthPort;

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    #[serde(flatten)]
    report: HealthReport,
}

pub fn routes(port: Arc<dyn HealthPort>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(port)
}

async fn healthz(State(port): State<Arc<dyn HealthPort>>) -> (StatusCode, Json<HealthBody>) {
    let report = port.health().await;
    let (code, status) = if report.database.reachable {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    (code, Json(HealthBody { status, report }))
}
