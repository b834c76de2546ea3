//! Meta's `WA_EMBEDDED_SIGNUP` session-info messages, parsed into a closed set of fields.
//!
//! The signup page forwards what Meta's window posted, but anyone can call `signup_event`
//! with anything: so a message is read into [`SessionInfo`] (an event from [`InfoEvent`],
//! ids as bounded digit strings, a cancel step from Meta's known ones) and only that is
//! stored, counted and shown. The browser's text itself (error messages, unknown fields, the
//! payload) is never kept. A message that does not parse is refused, and nothing is stored.

use serde::Serialize;
use serde_json::Value;

use crate::db::CancelStep;

/// Longest session-info payload accepted (Meta's are a few hundred bytes).
pub const MAX_EVENT_BYTES: usize = 2 * 1024;
/// Longest id accepted (Meta's WABA, phone number and business ids are 15–17 digits).
const MAX_ID_DIGITS: usize = 20;
/// Longest step name accepted before it is compared with the known ones.
const MAX_STEP_CHARS: usize = 64;

/// The session-info events the portal knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum InfoEvent {
    #[serde(rename = "FINISH")]
    Finish,
    #[serde(rename = "FINISH_ONLY_WABA")]
    FinishOnlyWaba,
    #[serde(rename = "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING")]
    FinishCoexistence,
    #[serde(rename = "CANCEL")]
    Cancel,
    #[serde(rename = "ERROR")]
    Error,
}

impl InfoEvent {
    const ALL: [InfoEvent; 5] = [
        InfoEvent::Finish,
        InfoEvent::FinishOnlyWaba,
        InfoEvent::FinishCoexistence,
        InfoEvent::Cancel,
        InfoEvent::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InfoEvent::Finish => "FINISH",
            InfoEvent::FinishOnlyWaba => "FINISH_ONLY_WABA",
            InfoEvent::FinishCoexistence => "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING",
            InfoEvent::Cancel => "CANCEL",
            InfoEvent::Error => "ERROR",
        }
    }

    fn parse(text: &str) -> Option<InfoEvent> {
        Self::ALL.into_iter().find(|e| e.as_str() == text)
    }

    pub fn is_finish(self) -> bool {
        matches!(
            self,
            InfoEvent::Finish | InfoEvent::FinishOnlyWaba | InfoEvent::FinishCoexistence
        )
    }
}

/// What the portal keeps of one session-info message. Serialised as the event's `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub event: InfoEvent,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waba_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    /// Only for `CANCEL`: where the admin left (missing or unknown: [`CancelStep::Unknown`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_step: Option<CancelStep>,
    /// Meta reported an error (an `error_message`, kept only as this flag, or an `error_id`).
    pub error: bool,
    /// Meta's error id, digits only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

impl SessionInfo {
    /// The parsed fields as JSON, for the event's `detail` column (bounded: ids and enums).
    pub fn detail(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Parses one message as the page forwarded it (a JSON string).
pub fn parse(raw: &str) -> Result<SessionInfo, Malformed> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(Malformed);
    }
    let value: Value = serde_json::from_str(raw).map_err(|_| Malformed)?;
    if value.get("type").and_then(Value::as_str) != Some("WA_EMBEDDED_SIGNUP") {
        return Err(Malformed);
    }
    let event = value
        .get("event")
        .and_then(Value::as_str)
        .and_then(InfoEvent::parse)
        .ok_or(Malformed)?;
    let data = match value.get("data") {
        None | Some(Value::Null) => &Value::Null,
        Some(data @ Value::Object(_)) => data,
        Some(_) => return Err(Malformed),
    };
    let step = match data.get("current_step") {
        None | Some(Value::Null) => None,
        Some(Value::String(step)) if well_formed_step(step) => Some(CancelStep::parse(step)),
        Some(_) => return Err(Malformed),
    };
    let error_id = id(data, "error_id")?;
    let error = event == InfoEvent::Error
        || error_id.is_some()
        || data.get("error_message").is_some_and(|m| !m.is_null());
    Ok(SessionInfo {
        event,
        waba_id: id(data, "waba_id")?,
        phone_number_id: id(data, "phone_number_id")?,
        business_id: id(data, "business_id")?,
        current_step: (event == InfoEvent::Cancel).then(|| step.unwrap_or(CancelStep::Unknown)),
        error,
        error_id,
    })
}

/// A step name as Meta spells them: upper-case letters and underscores, bounded.
fn well_formed_step(step: &str) -> bool {
    (1..=MAX_STEP_CHARS).contains(&step.len())
        && step.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// An id field: absent, or 1–20 digits (as a string or a JSON number); anything else refuses
/// the whole message.
fn id(data: &Value, key: &str) -> Result<Option<String>, Malformed> {
    let text = match data.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        Some(_) => return Err(Malformed),
    };
    if (1..=MAX_ID_DIGITS).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(text))
    } else {
        Err(Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_s_messages_are_read_into_known_fields() {
        let info = parse(
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{"waba_id":"123","phone_number_id":456,"business_id":"789"},"version":3}"#,
        )
        .unwrap();
        assert_eq!(info.event, InfoEvent::Finish);
        assert_eq!(info.waba_id.as_deref(), Some("123"));
        assert_eq!(info.phone_number_id.as_deref(), Some("456"), "numbers too");
        assert_eq!(info.business_id.as_deref(), Some("789"));
        assert!(!info.error);
        // Partial payloads are still events.
        let cancel = parse(r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL"}"#).unwrap();
        assert_eq!(cancel.current_step, Some(CancelStep::Unknown));
        let cancel = parse(
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":{"current_step":"WABA_SELECTION"}}"#,
        )
        .unwrap();
        assert_eq!(cancel.current_step, Some(CancelStep::WabaSelection));
        // An error's text is not kept, only that there was one and its id.
        let error = parse(
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":{"error_message":"<b>hi</b>","error_id":"524126","session_id":"f00"}}"#,
        )
        .unwrap();
        assert!(error.error);
        assert_eq!(error.error_id.as_deref(), Some("524126"));
        assert!(!error.detail().contains("hi"), "{}", error.detail());
    }

    #[test]
    fn a_step_name_nobody_knows_is_unknown_and_markup_is_refused() {
        let new_step = parse(
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":{"current_step":"SOME_NEW_SCREEN"}}"#,
        )
        .unwrap();
        assert_eq!(new_step.current_step, Some(CancelStep::Unknown));
        assert!(!new_step.detail().contains("SOME_NEW_SCREEN"));
        assert_eq!(
            parse(
                r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":{"current_step":"<img src=x>"}}"#
            ),
            Err(Malformed)
        );
    }

    #[test]
    fn anything_else_is_refused() {
        let long_id = format!(
            r#"{{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{{"waba_id":"{}"}}}}"#,
            "1".repeat(21)
        );
        let huge = format!(
            r#"{{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{{"x":"{}"}}}}"#,
            "a".repeat(MAX_EVENT_BYTES)
        );
        for raw in [
            "not json",
            r#"{"type":"SOMETHING_ELSE","event":"FINISH"}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP"}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":""}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"HELLO"}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":"text"}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{"waba_id":"12a"}}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{"waba_id":-1}}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL","data":{"current_step":7}}"#,
            r#"["WA_EMBEDDED_SIGNUP"]"#,
            &long_id,
            &huge,
        ] {
            assert_eq!(parse(raw), Err(Malformed), "{raw}");
        }
    }
}
