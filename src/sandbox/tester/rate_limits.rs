//! The sustained Intent API rate limit as the tester sets it (`POST` / `DELETE
//! /sandbox/api/rate-limits`) and the call counts it reads (`GET /sandbox/api/stats/intents`).
//! The limit itself and the counting: `sandbox/rate_limit.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::errors::{TesterError, TesterJson, TesterResult};
use crate::sandbox::core::SandboxState;
use crate::sandbox::rate_limit::{self, IntentStats, Limit, OPERATIONS};

const STORE_FAILED: &str = "the simulator could not use its store";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateLimitRequest {
    pub operation: String,
    pub per_second: f64,
    #[serde(default)]
    pub burst: Option<f64>,
    /// 4 (HTTP 429, the OpenAPI file's throttling answer) or 80007 (HTTP 400).
    #[serde(default)]
    pub code: Option<i64>,
}

impl RateLimitRequest {
    /// The limit asked for: a known operation, a positive rate, code 4 (default) or 80007; a
    /// `burst` below 1 (or none) is one second of calls.
    fn limit(&self) -> Result<Limit, String> {
        if !OPERATIONS.contains(&self.operation.as_str()) {
            return Err(format!(
                "operation must be one of {}",
                OPERATIONS.join(", ")
            ));
        }
        if !(self.per_second.is_finite() && self.per_second > 0.0) {
            return Err("per_second must be a positive number".into());
        }
        let code = self.code.unwrap_or(4);
        if !matches!(code, 4 | 80007) {
            return Err("code must be 4 or 80007".into());
        }
        let burst = self
            .burst
            .filter(|b| b.is_finite() && *b >= 1.0)
            .unwrap_or(self.per_second.max(1.0));
        Ok(Limit {
            per_second: self.per_second,
            burst,
            code,
        })
    }
}

/// `POST /sandbox/api/rate-limits`: 204, or 400 for an unknown operation or a rate that is
/// not positive.
pub async fn set(
    State(state): State<SandboxState>,
    TesterJson(request): TesterJson<RateLimitRequest>,
) -> TesterResult<StatusCode> {
    let limit = request.limit().map_err(TesterError::bad_request)?;
    rate_limit::set_limit(&state, &request.operation, limit)
        .await
        .map_err(|_| TesterError::unavailable(STORE_FAILED))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /sandbox/api/rate-limits`: no limits any more. 204.
pub async fn clear(State(state): State<SandboxState>) -> TesterResult<StatusCode> {
    rate_limit::clear_limits(&state)
        .await
        .map_err(|_| TesterError::unavailable(STORE_FAILED))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /sandbox/api/stats/intents`.
pub async fn stats(State(state): State<SandboxState>) -> TesterResult<Json<IntentStats>> {
    rate_limit::intent_stats(&state)
        .await
        .map(Json)
        .map_err(|_| TesterError::unavailable(STORE_FAILED))
}
