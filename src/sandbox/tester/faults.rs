//! `POST /sandbox/api/faults` arms a fault (204), `DELETE /sandbox/api/faults` clears every
//! fault (204) and sends the webhook a `reorder` fault was still holding. What faults do and
//! how they are stored: `sandbox/faults.rs`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

use super::errors::{TesterError, TesterResult};
use crate::sandbox::core::SandboxState;
use crate::sandbox::faults::{self, Fault};
use crate::sandbox::webhooks;

const STORE_FAILED: &str = "the simulator could not store the fault";

/// `POST /sandbox/api/faults`. Every refusal is a 400 with `{"error": "…"}` saying why
/// (an unknown kind or a rate-limit code other than 4, 80007 or 130429 included).
pub async fn arm(State(state): State<SandboxState>, body: Bytes) -> TesterResult<StatusCode> {
    let fault: Fault = serde_json::from_slice(&body)
        .map_err(|e| TesterError::bad_request(format!("not a fault: {e}")))?;
    faults::check(&fault).map_err(TesterError::bad_request)?;
    faults::arm(&state, fault)
        .await
        .map_err(|_| TesterError::unavailable(STORE_FAILED))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /sandbox/api/faults`: clears every fault; a webhook held by `reorder` is sent now.
pub async fn clear(State(state): State<SandboxState>) -> TesterResult<StatusCode> {
    let held = faults::clear(&state)
        .await
        .map_err(|_| TesterError::unavailable(STORE_FAILED))?;
    if let Some(webhook) = held {
        webhooks::send_now(&state, vec![webhook]);
    }
    Ok(StatusCode::NO_CONTENT)
}
