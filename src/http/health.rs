//! `GET /healthz`: liveness plus database reachability, for load balancers and operators.
//! 200 when the database answers, 503 when it does not; the body is JSON either way.

use app::ports::HealthReport;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::AppState;

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    #[serde(flatten)]
    report: HealthReport,
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<HealthBody>) {
    let report = state.portal.health().await;
    let (code, status) = if report.database.reachable {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    (code, Json(HealthBody { status, report }))
}
