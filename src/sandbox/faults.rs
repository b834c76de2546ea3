//! Fault injection: the simulator misbehaves on purpose for the next N calls of one operation
//! (or the next N webhooks), so the portal's retries, rate-limit handling, idempotency and
//! "stopped with a reason" paths can be exercised.
//!
//! `POST /sandbox/api/faults` arms a fault, `DELETE /sandbox/api/faults` clears them all (and
//! sends a webhook a `reorder` fault still holds). Bodies:
//!
//! - Graph errors: `{"operation": "register", "kind": "transient" | "rate_limit" |
//!   "permanent", "count": 2}`; rate limits also take `"code": 4 | 80007 | 130429` (default
//!   80007), `"regain_access_minutes"` (default 0) and `"business_id"` (the key of the usage
//!   header; default the sandbox partner).
//! - Slow Graph calls: `{"operation": "register", "kind": "latency", "delay_ms": 1500,
//!   "count": 3}` delays the next 3 calls of the operation (then they proceed normally, or meet
//!   an error fault armed for the same operation: the two are kept apart).
//! - Webhooks to the portal: `{"operation": "webhooks", "kind": "drop" | "duplicate" |
//!   "reorder", "count": N}`: don't deliver the next N; deliver each of the next N twice; hold
//!   the next webhook back and deliver it right after the one that follows it (N times).
//!
//! Faults live in the simulator's store (kind `fault`; id = the operation for errors,
//! `latency:<operation>` for delays, `webhooks` for webhook faults), so every instance sharing
//! the database sees them, and taking one is a versioned update (two racing calls never both
//! take the last one).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::errors::{self, RateLimitCode, SimError};
use super::SandboxState;

const FAULT: &str = "fault";

/// Graph operations a fault can target.
pub const OPERATIONS: &[&str] = &[
    "exchange",
    "debug_token",
    "subscribe",
    "waba",
    "phone_numbers",
    "register",
    "onboard_partners_to_mm_lite",
    "send",
    "messages",
];

/// The pseudo-operation of webhook faults.
pub const WEBHOOKS: &str = "webhooks";

/// The longest `delay_ms` accepted (a minute: longer than any client timeout worth testing).
pub const MAX_DELAY_MS: u64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 500, Graph code 2, `is_transient: true`.
    Transient,
    /// Code 4, 80007 (default) or 130429, HTTP 429, with an `X-Business-Use-Case-Usage` header.
    RateLimit,
    /// Code 200, a missing permission: retrying cannot help.
    Permanent,
    /// The call succeeds (or fails) normally, `delay_ms` late.
    Latency,
    /// Webhooks: not delivered.
    Drop,
    /// Webhooks: delivered twice.
    Duplicate,
    /// Webhooks: held back and delivered after the next one.
    Reorder,
}

impl FaultKind {
    fn is_webhook_fault(self) -> bool {
        matches!(self, Self::Drop | Self::Duplicate | Self::Reorder)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    pub operation: String,
    pub kind: FaultKind,
    /// How many calls (or webhooks) are affected before things work again.
    pub count: u32,
    /// For rate limits: the wait Meta announces, in minutes.
    #[serde(default)]
    pub regain_access_minutes: u32,
    /// For rate limits: 4, 80007 or 130429.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<RateLimitCode>,
    /// For rate limits: the business the usage header reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    /// For latency: how late each affected call answers.
    #[serde(default)]
    pub delay_ms: u64,
}

/// Stored form: the fault plus, for `reorder`, the webhook it is holding back.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFault {
    #[serde(flatten)]
    fault: Fault,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    held_webhook: Option<Value>,
}

fn store_key(operation: &str, kind: FaultKind) -> String {
    if kind == FaultKind::Latency {
        format!("latency:{operation}")
    } else {
        operation.to_string()
    }
}

/// Uses one of the remaining count of the fault stored under `key`, through `change` (which
/// may also edit the stored fault, e.g. to hold a webhook); returns what `change` decided, or
/// `None` when no fault is armed there.
async fn take_one<T>(
    state: &SandboxState,
    key: &str,
    mut change: impl FnMut(&mut StoredFault) -> Option<T>,
) -> Result<Option<T>, SimError> {
    for _ in 0..8 {
        let Some(stored) = state
            .store
            .sandbox_get(FAULT, key)
            .await
            .map_err(errors::store)?
        else {
            return Ok(None);
        };
        let Ok(mut fault) = serde_json::from_str::<StoredFault>(&stored.data) else {
            return Ok(None);
        };
        let Some(outcome) = change(&mut fault) else {
            return Ok(None);
        };
        let data = serde_json::to_string(&fault).map_err(|_| errors::internal())?;
        // Two calls racing for the last one: exactly one of them gets it.
        if state
            .store
            .sandbox_update(FAULT, key, &data, stored.version)
            .await
            .map_err(errors::store)?
        {
            return Ok(Some(outcome));
        }
    }
    Ok(None)
}

/// Applies the faults armed for a Graph `operation`: first an armed delay, then an armed
/// error (which fails this call, using one of its remaining count).
pub async fn take(state: &SandboxState, operation: &str) -> Result<(), SimError> {
    let delay = take_one(state, &store_key(operation, FaultKind::Latency), |stored| {
        let fault = &mut stored.fault;
        (fault.count > 0).then(|| {
            fault.count -= 1;
            fault.delay_ms
        })
    })
    .await?;
    if let Some(delay_ms) = delay {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    let failure = take_one(state, operation, |stored| {
        let fault = &mut stored.fault;
        (fault.count > 0 && !fault.kind.is_webhook_fault() && fault.kind != FaultKind::Latency)
            .then(|| {
                fault.count -= 1;
                fault.clone()
            })
    })
    .await?;
    match failure {
        None => Ok(()),
        Some(fault) => Err(match fault.kind {
            FaultKind::RateLimit => errors::rate_limit(
                fault.code.unwrap_or(RateLimitCode::Business),
                fault.regain_access_minutes,
                fault.business_id.as_deref(),
            ),
            FaultKind::Permanent => errors::permission_denied(),
            _ => errors::internal(),
        }),
    }
}

/// The bodies to deliver, in order, for one outgoing webhook under the armed webhook fault:
/// none (dropped or held back), the body once or twice, or the body then the one held back
/// before it.
pub async fn plan_webhook(state: &SandboxState, body: Value) -> Vec<Value> {
    let incoming = body.clone();
    let planned = take_one(state, WEBHOOKS, move |stored| {
        // A held webhook goes out right after the next one.
        if let Some(held) = stored.held_webhook.take() {
            return Some(vec![incoming.clone(), held]);
        }
        if stored.fault.count == 0 {
            return None;
        }
        stored.fault.count -= 1;
        Some(match stored.fault.kind {
            FaultKind::Drop => vec![],
            FaultKind::Duplicate => vec![incoming.clone(), incoming.clone()],
            FaultKind::Reorder => {
                stored.held_webhook = Some(incoming.clone());
                vec![]
            }
            _ => vec![incoming.clone()],
        })
    })
    .await;
    match planned {
        Ok(Some(bodies)) => bodies,
        // No fault armed, or the store failed: faults never lose a webhook by accident.
        Ok(None) | Err(_) => vec![body],
    }
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

fn bad_request(error: String) -> (StatusCode, Json<FaultError>) {
    (StatusCode::BAD_REQUEST, Json(FaultError { error }))
}

/// Checks a fault's fields fit its kind.
pub fn check(fault: &Fault) -> Result<(), String> {
    if fault.kind.is_webhook_fault() {
        if fault.operation != WEBHOOKS {
            return Err(format!(
                "kind {:?} is a webhook fault: its operation must be \"{WEBHOOKS}\"",
                fault.kind
            )
            .to_lowercase());
        }
    } else if !OPERATIONS.contains(&fault.operation.as_str()) {
        return Err(if fault.operation == WEBHOOKS {
            "webhook faults are drop, duplicate or reorder".into()
        } else {
            format!("operation must be one of {}", OPERATIONS.join(", "))
        });
    }
    if fault.kind == FaultKind::Latency && !(1..=MAX_DELAY_MS).contains(&fault.delay_ms) {
        return Err(format!(
            "a latency fault needs delay_ms between 1 and {MAX_DELAY_MS}"
        ));
    }
    if fault.kind != FaultKind::RateLimit && (fault.code.is_some() || fault.business_id.is_some()) {
        return Err("code and business_id apply to rate_limit faults only".into());
    }
    Ok(())
}

/// `POST /sandbox/api/faults`. Every refusal is a 400 with `{"error": "…"}` saying why
/// (an unknown kind or a rate-limit code other than 4, 80007 or 130429 included).
pub async fn arm(State(state): State<SandboxState>, body: Bytes) -> FaultResult {
    let fault: Fault =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("not a fault: {e}")))?;
    check(&fault).map_err(bad_request)?;
    let key = store_key(&fault.operation, fault.kind);
    // A webhook still held by a previous reorder fault stays held until the next webhook.
    let held_webhook = match state.store.sandbox_get(FAULT, &key).await {
        Ok(Some(stored)) => serde_json::from_str::<StoredFault>(&stored.data)
            .ok()
            .and_then(|s| s.held_webhook),
        Ok(None) => None,
        Err(_) => return Err(store_error()),
    };
    let data = serde_json::to_string(&StoredFault {
        fault,
        held_webhook,
    })
    .map_err(|_| store_error())?;
    state
        .store
        .sandbox_delete(FAULT, &key)
        .await
        .map_err(|_| store_error())?;
    state
        .store
        .sandbox_insert(FAULT, &key, None, &data)
        .await
        .map_err(|_| store_error())?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /sandbox/api/faults`: clears every fault; a webhook held by `reorder` is sent now.
pub async fn clear(State(state): State<SandboxState>) -> FaultResult {
    let keys = OPERATIONS
        .iter()
        .flat_map(|op| [op.to_string(), store_key(op, FaultKind::Latency)])
        .chain([WEBHOOKS.to_string()]);
    for key in keys {
        if key == WEBHOOKS {
            if let Ok(Some(stored)) = state.store.sandbox_get(FAULT, &key).await {
                if let Ok(StoredFault {
                    held_webhook: Some(held),
                    ..
                }) = serde_json::from_str(&stored.data)
                {
                    super::outbound::send_now(&state, vec![held]);
                }
            }
        }
        state
            .store
            .sandbox_delete(FAULT, &key)
            .await
            .map_err(|_| store_error())?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(body: serde_json::Value) -> Result<Fault, String> {
        let fault: Fault = serde_json::from_value(body).map_err(|e| e.to_string())?;
        check(&fault).map(|_| fault)
    }

    #[test]
    fn existing_bodies_still_parse() {
        let f =
            fault(serde_json::json!({"operation": "register", "kind": "transient", "count": 2}))
                .unwrap();
        assert_eq!((f.kind, f.count, f.code), (FaultKind::Transient, 2, None));
    }

    #[test]
    fn rate_limit_codes_are_4_80007_and_130429_only() {
        for code in [4, 80007, 130429] {
            let f = fault(serde_json::json!({
                "operation": "send", "kind": "rate_limit", "count": 1, "code": code
            }))
            .unwrap();
            assert_eq!(f.code.map(i64::from), Some(code));
        }
        let refused = fault(serde_json::json!({
            "operation": "send", "kind": "rate_limit", "count": 1, "code": 17
        }));
        assert!(refused.unwrap_err().contains("4, 80007 or 130429"));
    }

    #[test]
    fn kinds_and_operations_must_match() {
        assert!(
            fault(serde_json::json!({"operation": "send", "kind": "drop", "count": 1})).is_err()
        );
        assert!(fault(
            serde_json::json!({"operation": "webhooks", "kind": "transient", "count": 1})
        )
        .is_err());
        assert!(
            fault(serde_json::json!({"operation": "waba", "kind": "latency", "count": 1}))
                .unwrap_err()
                .contains("delay_ms")
        );
        assert!(fault(serde_json::json!({
            "operation": "waba", "kind": "permanent", "count": 1, "code": 4
        }))
        .is_err());
        assert!(fault(serde_json::json!({
            "operation": "webhooks", "kind": "reorder", "count": 1
        }))
        .is_ok());
    }
}
