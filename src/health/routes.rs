//! `GET /healthz`: liveness plus database reachability, for load balancers and operators.
//! 200 when the database answers, 503 when it does not; the body is JSON either way. The
//! details (mode, version, backend, latency, queue depth, uptime) are for signed-in staff and
//! probes on this host (loopback, after trusted proxies); anyone else gets the bare status.

use app::health::port::HealthReport;
use app::staff::port::{LoopbackCaller, StaffIdentity};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use std::sync::Arc;

use app::health::port::HealthPort;

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    #[serde(flatten)]
    report: Option<HealthReport>,
}

pub fn routes(port: Arc<dyn HealthPort>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(port)
}

async fn healthz(State(port): State<Arc<dyn HealthPort>>, request: Request) -> Response {
    let extensions = request.extensions();
    let details =
        extensions.get::<StaffIdentity>().is_some() || extensions.get::<LoopbackCaller>().is_some();
    let report = port.health().await;
    let (code, status) = if report.database.reachable {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    let report = details.then_some(report);
    (code, Json(HealthBody { status, report })).into_response()
}
