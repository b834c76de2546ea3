//! Portal events: what changed, signed under the Standard Webhooks specification and sent to
//! the partner's event endpoints, so its CRM learns that a customer became ready without
//! polling. Events are written by database triggers in the transaction of the change they
//! report (migration 000021): an event exists exactly when its change committed. Each has a
//! stable `evt_…` id to deduplicate on and, when it concerns a WABA, the WABA's sequence number
//! (`data.sequence`) to restore order. Delivery is the relay's dispatcher ([`feed`]).

pub mod feed;

use serde_json::Value;

use crate::db::{EventRow, SecretSlot};
use crate::partner_api::page::timestamp;

/// Every event type, in the order the documentation lists them.
pub const TYPES: &[&str] = &[
    "signup.started",
    "signup.completed",
    "signup.failed",
    "waba.status_changed",
    "waba.ready",
    "waba.needs_attention",
    "waba.offboarded",
    "intent.sent",
    "intent.failed",
];

/// How long the previous secret keeps signing after a rotation: receivers switch meanwhile.
pub const ROTATION_OVERLAP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The types an endpoint asks for: names from [`TYPES`], `signup.*`-style groups, or `*`.
pub fn parse_types(list: &[String]) -> Result<Vec<String>, String> {
    if list.is_empty() {
        return Err("`events` needs at least one event type, or [\"*\"] for every event.".into());
    }
    if list.len() > 50 {
        return Err("`events` takes at most 50 entries.".into());
    }
    if list.iter().any(|t| t == "*") {
        return Ok(vec!["*".into()]);
    }
    for wanted in list {
        let known = TYPES.contains(&wanted.as_str())
            || wanted
                .strip_suffix(".*")
                .is_some_and(|group| TYPES.iter().any(|t| t.split('.').next() == Some(group)));
        if !known {
            return Err(format!(
                "`events` holds {wanted:?}, which is not an event type. Known: {}, a group such \
                 as \"waba.*\", or \"*\".",
                TYPES.join(", ")
            ));
        }
    }
    let mut types = list.to_vec();
    types.sort();
    types.dedup();
    Ok(types)
}

/// The body sent for an event: `{"type", "timestamp", "data"}` (keys in that order), the
/// WABA's sequence number in `data.sequence`. Made from the stored columns the same way
/// every time, so every resend carries the same bytes and the same signature input.
pub fn body(event: &EventRow) -> Vec<u8> {
    let mut data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    if let (Some(seq), Value::Object(map)) = (event.waba_seq, &mut data) {
        map.insert("sequence".into(), seq.into());
    }
    format!(
        r#"{{"type":{},"timestamp":{},"data":{}}}"#,
        Value::from(event.event_type.as_str()),
        Value::from(timestamp(event.occurred_at)),
        data
    )
    .into_bytes()
}

/// Where an endpoint's signing secret is sealed; `previous` holds the one a rotation replaced.
pub fn secret_slot(endpoint_id: i64, previous: bool) -> SecretSlot {
    SecretSlot {
        owner_kind: "event_endpoint".into(),
        owner_id: endpoint_id.to_string(),
        purpose: if previous {
            "previous_signing_secret"
        } else {
            "signing_secret"
        }
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str, seq: Option<i64>) -> EventRow {
        EventRow {
            id: 7,
            public_id: "evt_1".into(),
            event_type: "waba.ready".into(),
            waba_seq: seq,
            data: data.into(),
            occurred_at: 1_764_681_428_123,
        }
    }

    #[test]
    fn the_body_is_type_timestamp_data_with_the_sequence() {
        // PostgreSQL's json_build_object spaces its output; the body is the same either way.
        let sqlite = body(&event(r#"{"waba_id":"w1","customer_id":null}"#, Some(4)));
        let postgres = body(&event(
            r#"{"waba_id" : "w1", "customer_id" : null}"#,
            Some(4),
        ));
        assert_eq!(sqlite, postgres);
        assert_eq!(
            String::from_utf8(sqlite).unwrap(),
            r#"{"type":"waba.ready","timestamp":"2025-12-02T13:17:08.123Z","data":{"customer_id":null,"sequence":4,"waba_id":"w1"}}"#
        );
        let no_waba = body(&event(r#"{"business_id":"b1"}"#, None));
        assert!(!String::from_utf8(no_waba).unwrap().contains("sequence"));
    }

    #[test]
    fn endpoints_ask_for_known_types_groups_or_everything() {
        assert_eq!(parse_types(&["*".into(), "x".into()]).unwrap(), vec!["*"]);
        assert_eq!(
            parse_types(&["waba.ready".into(), "signup.*".into(), "waba.ready".into()]).unwrap(),
            vec!["signup.*", "waba.ready"]
        );
        assert!(parse_types(&[]).is_err());
        let unknown = parse_types(&["waba.exploded".into()]).unwrap_err();
        assert!(unknown.contains("waba.exploded") && unknown.contains("waba.ready"));
        assert!(parse_types(&["nothing.*".into()]).is_err());
    }
}
