//! Fault injection: the simulator fails the next N calls of one operation on purpose, so the
//! portal's retries, rate-limit handling and "stopped with a reason" paths can be exercised.
//!
//! `POST /sandbox/api/faults {"operation": "register", "kind": "transient", "count": 2}` arms a
//! fault; `DELETE /sandbox/api/faults` clears them all. Faults live in the simulator's store
//! (kind `fault`, id = operation), so every instance sharing the database sees them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::errors::{self, SimError};
use super::SandboxState;

const FAULT: &str = "fault";

/// Operations a fault can target.
pub const OPERATIONS: &[&str] = &[
    "exchange",
    "debug_token",
    "subscribe",
    "waba",
    "phone_numbers",
    "register",
    "onboard_partners_to_mm_lite",
    "send",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 500, Graph code 2, `is_transient: true`.
    Transient,
    /// Code 80007 with an `X-Business-Use-Case-Usage` header.
    RateLimit,
    /// Code 200, a missing permission: retrying cannot help.
    Permanent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    pub operation: String,
    pub kind: FaultKind,
    /// How many calls fail before the operation works again.
    pub count: u32,
    /// For rate limits: the wait Meta announces, in minutes.
    #[serde(default)]
    pub regain_access_minutes: u32,
}

/// Fails this call if a fault is armed for `operation`, using one of its remaining count.
pub async fn take(state: &SandboxState, operation: &str) -> Result<(), SimError> {
    for _ in 0..8 {
        let Some(stored) = state
            .store
            .sandbox_get(FAULT, operation)
            .await
            .map_err(|_| errors::internal())?
        else {
            return Ok(());
        };
        let Ok(mut fault) = serde_json::from_str::<Fault>(&stored.data) else {
            return Ok(());
        };
        if fault.count == 0 {
            return Ok(());
        }
        fault.count -= 1;
        let data = serde_json::to_string(&fault).map_err(|_| errors::internal())?;
        // Two calls racing for the last failure: one of them gets it.
        if state
            .store
            .sandbox_update(FAULT, operation, &data, stored.version)
            .await
            .map_err(|_| errors::internal())?
        {
            return Err(match fault.kind {
                FaultKind::Transient => errors::internal(),
                FaultKind::RateLimit => errors::rate_limited(fault.regain_access_minutes),
                FaultKind::Permanent => errors::permission_denied(),
            });
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct FaultError {
    pub error: String,
}

type FaultResult = Result<StatusCode, (StatusCode, Json<FaultError>)>;

fn store_error() -> (StatusCode, Json<FaultError>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(FaultError {
            error: "the simulator could not store the fault".into(),
        }),
    )
}

/// `POST /sandbox/api/faults`.
pub async fn arm(State(state): State<SandboxState>, Json(fault): Json<Fault>) -> FaultResult {
    if !OPERATIONS.contains(&fault.operation.as_str()) {
        return Err((
            StatusCode::BAD_REQUEST,
            Json(FaultError {
                error: format!("operation must be one of {}", OPERATIONS.join(", ")),
            }),
        ));
    }
    let data = serde_json::to_string(&fault).map_err(|_| store_error())?;
    state
        .store
        .sandbox_delete(FAULT, &fault.operation)
        .await
        .map_err(|_| store_error())?;
    state
        .store
        .sandbox_insert(FAULT, &fault.operation, None, &data)
        .await
        .map_err(|_| store_error())?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /sandbox/api/faults`.
pub async fn clear(State(state): State<SandboxState>) -> FaultResult {
    for operation in OPERATIONS {
        state
            .store
            .sandbox_delete(FAULT, operation)
            .await
            .map_err(|_| store_error())?;
    }
    Ok(StatusCode::NO_CONTENT)
}
