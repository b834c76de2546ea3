//! Fault injection: the simulator misbehaves on purpose for the next N calls of one operation
//! (or the next N webhooks), so the portal's retries, rate-limit handling, idempotency and
//! "stopped with a reason" paths can be exercised.
//!
//! The tester arms them (`tester/faults.rs`: `POST /sandbox/api/faults` arms a fault,
//! `DELETE /sandbox/api/faults` clears them all and sends a webhook a `reorder` fault still
//! holds); Graph handlers take them ([`take`]) and webhook delivery plans by them
//! ([`plan_webhook`]); this module knows neither. Bodies:
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

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::DbError;
use crate::sandbox::core::errors::{self, RateLimitCode, SimError};
use crate::sandbox::core::store::{replace, update};
use crate::sandbox::core::SandboxState;

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
    "smb_app_data",
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
    change: impl FnMut(&mut StoredFault) -> Option<T>,
) -> Result<Option<T>, SimError> {
    update(state, FAULT, key, 8, change).await
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

/// Arms `fault` (checked), replacing the one of the same operation and kind group; a webhook
/// still held by a previous `reorder` fault stays held until the next webhook.
pub async fn arm(state: &SandboxState, fault: Fault) -> Result<(), DbError> {
    let key = store_key(&fault.operation, fault.kind);
    let held_webhook = state
        .store
        .sandbox_get(FAULT, &key)
        .await?
        .and_then(|stored| serde_json::from_str::<StoredFault>(&stored.data).ok())
        .and_then(|s| s.held_webhook);
    let stored = StoredFault {
        fault,
        held_webhook,
    };
    // Plain data (strings, numbers, a JSON value): serialising cannot fail.
    let data = serde_json::to_string(&stored).expect("a fault serialises");
    replace(state, FAULT, &key, None, &data).await
}

/// Clears every fault; returns the webhook a `reorder` fault was holding, for the caller to
/// send now.
pub async fn clear(state: &SandboxState) -> Result<Option<Value>, DbError> {
    let keys = OPERATIONS
        .iter()
        .flat_map(|op| [op.to_string(), store_key(op, FaultKind::Latency)])
        .chain([WEBHOOKS.to_string()]);
    let mut held = None;
    for key in keys {
        if key == WEBHOOKS {
            if let Ok(Some(stored)) = state.store.sandbox_get(FAULT, &key).await {
                if let Ok(StoredFault {
                    held_webhook: Some(webhook),
                    ..
                }) = serde_json::from_str(&stored.data)
                {
                    held = Some(webhook);
                }
            }
        }
        state.store.sandbox_delete(FAULT, &key).await?;
    }
    Ok(held)
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
