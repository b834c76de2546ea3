//! Splitting a stored delivery into changes, each with a stable deduplication key and the
//! effect it has on the portal's state. Pure functions: no I/O, easy to test exhaustively.
//!
//! Meta gives no event id and retries (and duplicates) deliveries for days, so the key is:
//! - message statuses: `status:{message id}:{status}`; clicks: `click:{click_id}`; inbound
//!   messages: `message:{id}`;
//! - everything else: a SHA-256 of the field, the entry id and time, and the change's value
//!   (re-serialised with sorted keys, so the same change always hashes the same).
//!
//! `account_update` events are keyed on `waba_info.waba_id` (for `MM_LITE_TERMS_SIGNED` the
//! entry id is the partner's business, not the WABA) and fall back to the entry id.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::{ChangeEffect, CoexistenceWebhook, Counter, Millis, NewChange};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("the delivery is not JSON: {0}")]
    NotJson(String),
    #[error("the delivery has no `entry` array")]
    NoEntries,
}

/// Every change in one delivery.
pub fn split(
    inbox_id: i64,
    body: &[u8],
    received_at: Millis,
) -> Result<Vec<NewChange>, SplitError> {
    let delivery: Value =
        serde_json::from_slice(body).map_err(|e| SplitError::NotJson(e.to_string()))?;
    let entries = delivery
        .get("entry")
        .and_then(Value::as_array)
        .ok_or(SplitError::NoEntries)?;
    let object = delivery.get("object").and_then(Value::as_str).unwrap_or("");
    let known_object = object == "whatsapp_business_account";
    let mut changes = Vec::new();
    for entry in entries {
        let entry_id = id_text(entry.get("id"));
        let entry_time = entry
            .get("time")
            .and_then(seconds)
            .map(|s| s * 1000)
            .unwrap_or(received_at);
        let context = Context {
            inbox_id,
            entry_id: entry_id.clone(),
            entry_time,
        };
        match entry.get("changes").and_then(Value::as_array) {
            Some(list) if known_object => {
                for change in list {
                    split_change(&context, change, &mut changes);
                }
            }
            _ => changes.push(context.flagged(
                object_field(object),
                entry,
                format!("Unrecognised webhook object `{object}` (kept raw)"),
            )),
        }
    }
    Ok(changes)
}

struct Context {
    inbox_id: i64,
    entry_id: Option<String>,
    entry_time: Millis,
}

impl Context {
    fn change(
        &self,
        field: &str,
        value: &Value,
        dedupe_key: String,
        effect: ChangeEffect,
    ) -> NewChange {
        NewChange {
            inbox_id: self.inbox_id,
            dedupe_key,
            field: field.to_string(),
            meta_waba_id: self.entry_id.clone(),
            owner_business_id: None,
            event: None,
            event_time: self.entry_time,
            payload: value.to_string(),
            flagged: false,
            effect,
            timeline: None,
        }
    }

    fn hash_key(&self, field: &str, value: &Value) -> String {
        let mut hasher = Sha256::new();
        hasher.update(field.as_bytes());
        hasher.update([0]);
        hasher.update(self.entry_id.as_deref().unwrap_or("").as_bytes());
        hasher.update([0]);
        hasher.update(self.entry_time.to_be_bytes());
        hasher.update(value.to_string().as_bytes());
        format!("{field}:{}", hex::encode(hasher.finalize()))
    }

    fn flagged(&self, field: String, value: &Value, summary: String) -> NewChange {
        let mut change = self.change(
            &field,
            value,
            self.hash_key(&field, value),
            ChangeEffect::None,
        );
        change.flagged = true;
        change.timeline = Some(("webhook.unrecognised".into(), summary));
        change
    }
}

fn object_field(object: &str) -> String {
    format!("object:{object}")
}

fn split_change(context: &Context, change: &Value, out: &mut Vec<NewChange>) {
    let field = change.get("field").and_then(Value::as_str).unwrap_or("");
    let value = change.get("value").unwrap_or(&Value::Null);
    match field {
        "account_update" => out.push(account_update(context, value)),
        "messages" => messages(context, value, out),
        "message_template_status_update" | "template_category_update" => {
            out.push(template_change(context, field, value))
        }
        "history" | "smb_app_state_sync" | "smb_message_echoes" => {
            out.push(coexistence_change(context, field, value))
        }
        known if KNOWN_FIELDS.contains(&known) => {
            let mut change = context.change(
                field,
                value,
                context.hash_key(field, value),
                ChangeEffect::None,
            );
            change.event = value
                .get("event")
                .and_then(Value::as_str)
                .map(str::to_string);
            let detail = change
                .event
                .clone()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            change.timeline = Some((
                format!("webhook.{field}"),
                format!("Meta sent {field}{detail}"),
            ));
            out.push(change);
        }
        other => out.push(context.flagged(
            other.to_string(),
            change,
            format!("Unrecognised webhook field `{other}` (kept raw)"),
        )),
    }
}

/// Webhook fields Meta documents for WhatsApp Business Accounts that the portal records on the
/// timeline without acting on them.
const KNOWN_FIELDS: &[&str] = &[
    "account_alerts",
    "account_review_update",
    "automatic_events",
    "business_capability_update",
    "message_echoes",
    "message_template_components_update",
    "message_template_quality_update",
    "partner_solutions",
    "payment_configuration_update",
    "phone_number_name_update",
    "phone_number_quality_update",
    "security",
    "user_preferences",
];

fn account_update(context: &Context, value: &Value) -> NewChange {
    let event = value.get("event").and_then(Value::as_str).unwrap_or("");
    let waba_info = value.get("waba_info");
    let waba =
        id_text(waba_info.and_then(|w| w.get("waba_id"))).or_else(|| context.entry_id.clone());
    let owner = id_text(waba_info.and_then(|w| w.get("owner_business_id")));
    let (effect, summary, flagged) = account_event(event, value);
    let mut change = context.change(
        "account_update",
        value,
        context.hash_key("account_update", value),
        effect,
    );
    change.meta_waba_id = waba;
    change.owner_business_id = owner;
    change.event = Some(event.to_string());
    change.flagged = flagged;
    change.timeline = Some((
        format!("webhook.account_update.{}", event.to_lowercase()),
        summary,
    ));
    change
}

/// A coexistence webhook (docs/meta/coexistence-sync.md), counted on the WABA's sync:
/// `smb_app_state_sync` contact entries, `history` messages with the chunk's `progress` (or
/// Meta's error, e.g. 2593109 when the business did not share its history), and
/// `smb_message_echoes` messages sent from the Business app. `entry.id` is the WABA.
fn coexistence_change(context: &Context, field: &str, value: &Value) -> NewChange {
    let count = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_array)
            .map_or(0, |items| items.len() as i64)
    };
    let webhook = match field {
        "smb_app_state_sync" => CoexistenceWebhook::Contacts(count("state_sync")),
        "smb_message_echoes" => CoexistenceWebhook::Echoes(count("message_echoes")),
        _ => {
            let chunks = value.get("history").and_then(Value::as_array);
            let chunks = chunks.map(Vec::as_slice).unwrap_or_default();
            let messages = chunks
                .iter()
                .filter_map(|c| c.get("threads").and_then(Value::as_array))
                .flatten()
                .filter_map(|t| t.get("messages").and_then(Value::as_array))
                .map(|m| m.len() as i64)
                .sum::<i64>()
                + value
                    .get("messages")
                    .and_then(Value::as_array)
                    .map_or(0, |m| m.len() as i64);
            let progress = chunks
                .iter()
                .filter_map(|c| c.pointer("/metadata/progress").and_then(seconds))
                .max();
            let error = chunks
                .iter()
                .filter_map(|c| c.pointer("/errors/0"))
                .map(|e| {
                    format!(
                        "{} ({})",
                        e.get("title").and_then(Value::as_str).unwrap_or("error"),
                        e.get("code").map(Value::to_string).unwrap_or_default()
                    )
                })
                .next();
            CoexistenceWebhook::History {
                messages,
                progress,
                error,
            }
        }
    };
    let summary = match &webhook {
        CoexistenceWebhook::Contacts(n) => format!("Business app contacts synced: {n} entries"),
        CoexistenceWebhook::Echoes(n) => {
            format!("{n} message(s) sent from the WhatsApp Business app")
        }
        CoexistenceWebhook::History {
            error: Some(error), ..
        } => format!("Chat history not shared: {error}"),
        CoexistenceWebhook::History {
            messages, progress, ..
        } => format!(
            "Chat history: {messages} message(s){}",
            progress.map(|p| format!(", {p}% done")).unwrap_or_default()
        ),
    };
    let mut change = context.change(
        field,
        value,
        context.hash_key(field, value),
        ChangeEffect::Coexistence(webhook),
    );
    change.timeline = Some((format!("webhook.{field}"), summary));
    change
}

/// A template's status or category webhook (docs/meta/templates.md). `entry.id` is the WABA;
/// the template is keyed by `message_template_id` (an integer in Meta's payloads). In an
/// impending category change `new_category` is the *current* category and
/// `correct_category` the one it gets at `category_update_timestamp`.
fn template_change(context: &Context, field: &str, value: &Value) -> NewChange {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    let id = id_text(value.get("message_template_id"));
    let name = text("message_template_name").unwrap_or_default();
    let language = text("message_template_language").unwrap_or_default();
    let event = text("event");
    let effect = match (field, id.clone()) {
        ("message_template_status_update", Some(meta_template_id)) => {
            ChangeEffect::TemplateStatus(crate::db::TemplateSeen {
                meta_template_id,
                name: name.clone(),
                language: language.clone(),
                category: text("message_template_category").unwrap_or_default(),
                status: event.clone().unwrap_or_default(),
            })
        }
        (_, Some(meta_template_id)) => match text("new_category") {
            Some(category) => ChangeEffect::TemplateCategory {
                meta_template_id,
                name: name.clone(),
                language: language.clone(),
                category,
                correct: text("correct_category").zip(
                    value
                        .get("category_update_timestamp")
                        .and_then(seconds)
                        .map(|s| s * 1000),
                ),
            },
            None => ChangeEffect::None,
        },
        _ => ChangeEffect::None,
    };
    let flagged = effect == ChangeEffect::None;
    let summary = match &effect {
        ChangeEffect::TemplateStatus(seen) => {
            format!("Template {name} ({language}) is now {}", seen.status)
        }
        ChangeEffect::TemplateCategory {
            category,
            correct: Some((future, _)),
            ..
        } => format!(
            "Template {name} ({language}): Meta will recategorise it from {category} to {future}"
        ),
        ChangeEffect::TemplateCategory { category, .. } => {
            format!("Template {name} ({language}) is now in category {category}")
        }
        _ => format!("Meta sent {field} without a template id or category (kept raw)"),
    };
    let mut change = context.change(field, value, context.hash_key(field, value), effect);
    change.event = event;
    change.flagged = flagged;
    change.timeline = Some((format!("webhook.{field}"), summary));
    change
}

/// The state machine's transitions: what each `account_update` event means for the WABA.
// Long on purpose: a table of Meta's `account_update` events (seed 001, 003), one arm per
// event, read side by side with Meta's list.
fn account_event(event: &str, value: &Value) -> (ChangeEffect, String, bool) {
    let connection = |state: &str| ChangeEffect::Connection(state.to_string());
    let health = |state: &str| ChangeEffect::Health(state.to_string());
    let (effect, summary) = match event {
        "MM_LITE_TERMS_SIGNED" => (
            ChangeEffect::TermsSigned,
            "The business accepted the Marketing Messages API terms".to_string(),
        ),
        "AD_ACCOUNT_LINKED" => (
            ChangeEffect::None,
            "Legacy onboarding signal: ad account linked (MM_LITE_TERMS_SIGNED is authoritative)"
                .to_string(),
        ),
        "PARTNER_ADDED" => (
            connection("connected"),
            "The WABA was shared with this partner".into(),
        ),
        "PARTNER_APP_INSTALLED" => (
            connection("connected"),
            "The business granted this app access".into(),
        ),
        "PARTNER_APP_UNINSTALLED" => (
            connection("uninstalled"),
            "The business revoked this app's access; tokens will stop working".into(),
        ),
        "PARTNER_REMOVED" => (
            connection("removed"),
            "The WABA was unshared from this partner".into(),
        ),
        "ACCOUNT_OFFBOARDED" => (
            connection("offboarded"),
            "Offboarded after a device change or number re-registration".into(),
        ),
        "ACCOUNT_RECONNECTED" => (
            ChangeEffect::Reconnected,
            "Reconnected after offboarding".into(),
        ),
        "ACCOUNT_DELETED" => (connection("deleted"), "The WABA was deleted".into()),
        "ACCOUNT_RESTRICTION" => (health("restricted"), "Meta restricted the account".into()),
        "ACCOUNT_VIOLATION" => {
            let kind = value
                .pointer("/violation_info/violation_type")
                .and_then(Value::as_str)
                .unwrap_or("unspecified");
            (
                health("violation"),
                format!("Policy violation reported: {kind}"),
            )
        }
        "DISABLED_UPDATE" => {
            let state = value
                .pointer("/ban_info/waba_ban_state")
                .and_then(Value::as_str)
                .unwrap_or("");
            if state.eq_ignore_ascii_case("REINSTATE") {
                (health("active"), "The account was reinstated".into())
            } else {
                (
                    health("disabled"),
                    format!("The account was disabled ({state})"),
                )
            }
        }
        "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE" => {
            match value.get("country").and_then(Value::as_str) {
                Some(country) => (
                    ChangeEffect::Country(country.to_string()),
                    format!("Primary business location set to {country}"),
                ),
                None => (
                    ChangeEffect::None,
                    "Primary business location updated".into(),
                ),
            }
        }
        "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE"
        | "VOLUME_BASED_PRICING_TIER_UPDATE"
        | "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE"
        | "BUSINESS_VERIFICATION_STATUS_UPDATE" => (
            ChangeEffect::None,
            format!("Meta sent account_update {event}"),
        ),
        other => {
            return (
                ChangeEffect::None,
                format!("Unrecognised account_update event `{other}` (kept raw)"),
                true,
            )
        }
    };
    (effect, summary, false)
}

fn messages(context: &Context, value: &Value, out: &mut Vec<NewChange>) {
    let mut any = false;
    for status in value
        .get("statuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        any = true;
        out.push(message_status(context, status));
    }
    for action in value
        .get("user_actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        any = true;
        out.push(user_action(context, action));
    }
    for message in value
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        any = true;
        let key = match id_text(message.get("id")) {
            Some(id) => format!("message:{id}"),
            None => context.hash_key("messages", message),
        };
        out.push(context.change("messages", message, key, ChangeEffect::None));
    }
    if !any {
        out.push(context.flagged(
            "messages".into(),
            value,
            "A messages webhook with no statuses, user actions or messages (kept raw)".into(),
        ));
    }
}

fn message_status(context: &Context, status: &Value) -> NewChange {
    let id = id_text(status.get("id")).unwrap_or_default();
    let state = status.get("status").and_then(Value::as_str).unwrap_or("");
    let time = status
        .get("timestamp")
        .and_then(seconds)
        .map(|s| s * 1000)
        .unwrap_or(context.entry_time);
    let counter = match state {
        "sent" => Some(Counter::Sent),
        "delivered" => Some(Counter::Delivered),
        "read" => Some(Counter::Read),
        "failed" => Some(Counter::Failed),
        _ => None,
    };
    let category = status
        .pointer("/pricing/category")
        .and_then(Value::as_str)
        .unwrap_or("unpriced")
        .to_string();
    let error_code = status
        .pointer("/errors/0/code")
        .and_then(Value::as_i64)
        .filter(|_| counter == Some(Counter::Failed));
    let effect = match counter {
        Some(counter) => ChangeEffect::Message {
            day: utc_day(time),
            category,
            counter,
            error_code,
        },
        None => ChangeEffect::None,
    };
    let mut change = context.change("messages", status, format!("status:{id}:{state}"), effect);
    change.event = Some(state.to_string());
    change.event_time = time;
    change.flagged = counter.is_none();
    change
}

fn user_action(context: &Context, action: &Value) -> NewChange {
    let kind = action
        .get("action_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let time = action
        .get("timestamp")
        .and_then(seconds)
        .map(|s| s * 1000)
        .unwrap_or(context.entry_time);
    let click_id = action
        .pointer("/marketing_messages_link_click_data/click_id")
        .and_then(Value::as_str);
    let key = match click_id {
        Some(id) => format!("click:{id}"),
        None => context.hash_key("user_actions", action),
    };
    let is_click = kind == "marketing_messages_link_click";
    let effect = if is_click {
        ChangeEffect::Message {
            day: utc_day(time),
            category: "marketing_lite".into(),
            counter: Counter::Clicked,
            error_code: None,
        }
    } else {
        ChangeEffect::None
    };
    let mut change = context.change("messages", action, key, effect);
    change.event = Some(kind.to_string());
    change.event_time = time;
    change.flagged = !is_click;
    change
}

/// Graph ids arrive as strings, sometimes as numbers.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unix seconds given as a number or a numeric string.
fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time in milliseconds.
pub fn utc_day(millis: Millis) -> String {
    app::calendar::utc_day(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(body: &str) -> NewChange {
        let mut changes = split(1, body.as_bytes(), 5_000).unwrap();
        assert_eq!(changes.len(), 1, "{changes:?}");
        changes.remove(0)
    }

    fn account_update(event: &str, extra: &str) -> String {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"999","time":1731600000,"changes":[{{"field":"account_update","value":{{"event":"{event}","waba_info":{{"waba_id":"102290129340398","owner_business_id":"2729063490586005"}}{extra}}}}}]}}]}}"#
        )
    }

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_731_600_000_000), "2024-11-14");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(-1), "1969-12-31");
    }

    #[test]
    fn terms_signed_is_keyed_on_the_waba_not_the_entry() {
        let change = one(&account_update("MM_LITE_TERMS_SIGNED", ""));
        assert_eq!(change.meta_waba_id.as_deref(), Some("102290129340398"));
        assert_eq!(
            change.owner_business_id.as_deref(),
            Some("2729063490586005")
        );
        assert_eq!(change.effect, ChangeEffect::TermsSigned);
        assert_eq!(change.event_time, 1_731_600_000_000);
        assert!(!change.flagged);
    }

    #[test]
    fn every_account_update_event_has_a_transition() {
        let cases: &[(&str, &str, ChangeEffect)] = &[
            ("MM_LITE_TERMS_SIGNED", "", ChangeEffect::TermsSigned),
            ("AD_ACCOUNT_LINKED", "", ChangeEffect::None),
            (
                "PARTNER_ADDED",
                "",
                ChangeEffect::Connection("connected".into()),
            ),
            (
                "PARTNER_APP_INSTALLED",
                "",
                ChangeEffect::Connection("connected".into()),
            ),
            (
                "PARTNER_APP_UNINSTALLED",
                "",
                ChangeEffect::Connection("uninstalled".into()),
            ),
            (
                "PARTNER_REMOVED",
                "",
                ChangeEffect::Connection("removed".into()),
            ),
            (
                "ACCOUNT_OFFBOARDED",
                "",
                ChangeEffect::Connection("offboarded".into()),
            ),
            ("ACCOUNT_RECONNECTED", "", ChangeEffect::Reconnected),
            (
                "ACCOUNT_DELETED",
                "",
                ChangeEffect::Connection("deleted".into()),
            ),
            (
                "ACCOUNT_RESTRICTION",
                "",
                ChangeEffect::Health("restricted".into()),
            ),
            (
                "ACCOUNT_VIOLATION",
                r#","violation_info":{"violation_type":"SCAM"}"#,
                ChangeEffect::Health("violation".into()),
            ),
            (
                "DISABLED_UPDATE",
                r#","ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"2025-01-01"}"#,
                ChangeEffect::Health("disabled".into()),
            ),
            (
                "DISABLED_UPDATE",
                r#","ban_info":{"waba_ban_state":"REINSTATE"}"#,
                ChangeEffect::Health("active".into()),
            ),
            (
                "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE",
                r#","country":"BR""#,
                ChangeEffect::Country("BR".into()),
            ),
            ("AUTH_INTL_PRICE_ELIGIBILITY_UPDATE", "", ChangeEffect::None),
            ("VOLUME_BASED_PRICING_TIER_UPDATE", "", ChangeEffect::None),
        ];
        for (event, extra, effect) in cases {
            let change = one(&account_update(event, extra));
            assert_eq!(&change.effect, effect, "{event}");
            assert!(!change.flagged, "{event}");
            assert!(change.timeline.is_some(), "{event}");
        }
        let violation = one(&account_update(
            "ACCOUNT_VIOLATION",
            r#","violation_info":{"violation_type":"SCAM"}"#,
        ));
        assert!(violation.timeline.unwrap().1.contains("SCAM"));
    }

    #[test]
    fn unknown_events_fields_and_objects_are_kept_and_flagged() {
        let event = one(&account_update("SOMETHING_NEW", ""));
        assert!(event.flagged);
        assert_eq!(event.effect, ChangeEffect::None);
        let field = one(
            r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"brand_new","value":{"x":1}}]}]}"#,
        );
        assert!(field.flagged);
        assert_eq!(field.field, "brand_new");
        let object = one(r#"{"object":"page","entry":[{"id":"1","changes":[]}]}"#);
        assert!(object.flagged);
        assert_eq!(object.field, "object:page");
    }

    #[test]
    fn the_same_change_always_gets_the_same_key() {
        let body = account_update("PARTNER_ADDED", "");
        assert_eq!(one(&body).dedupe_key, one(&body).dedupe_key);
        // Key order inside the value does not matter.
        let reordered = body.replace(
            r#""event":"PARTNER_ADDED","waba_info":{"waba_id":"102290129340398","owner_business_id":"2729063490586005"}"#,
            r#""waba_info":{"owner_business_id":"2729063490586005","waba_id":"102290129340398"},"event":"PARTNER_ADDED""#,
        );
        assert_ne!(body, reordered);
        assert_eq!(one(&body).dedupe_key, one(&reordered).dedupe_key);
        assert_ne!(
            one(&body).dedupe_key,
            one(&account_update("PARTNER_REMOVED", "")).dedupe_key
        );
    }

    #[test]
    fn statuses_clicks_and_failures_are_counted_by_day_and_category() {
        let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"555","changes":[{"field":"messages","value":{
            "statuses":[
              {"id":"wamid.A","status":"delivered","timestamp":"1731600000","recipient_id":"1","pricing":{"billable":true,"pricing_model":"CBP","category":"marketing_lite"}},
              {"id":"wamid.B","status":"failed","timestamp":"1731600000","recipient_id":"1","errors":[{"code":131049,"title":"ecosystem"}]}
            ],
            "user_actions":[{"action_type":"marketing_messages_link_click","timestamp":"1731600000","marketing_messages_link_click_data":{"click_component":"cta","click_id":"c-1"}}]
        }}]}]}"#;
        let changes = split(7, body.as_bytes(), 0).unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0].dedupe_key, "status:wamid.A:delivered");
        assert_eq!(
            changes[0].effect,
            ChangeEffect::Message {
                day: "2024-11-14".into(),
                category: "marketing_lite".into(),
                counter: Counter::Delivered,
                error_code: None
            }
        );
        assert_eq!(changes[0].meta_waba_id.as_deref(), Some("555"));
        assert_eq!(
            changes[1].effect,
            ChangeEffect::Message {
                day: "2024-11-14".into(),
                category: "unpriced".into(),
                counter: Counter::Failed,
                error_code: Some(131049)
            }
        );
        assert_eq!(changes[2].dedupe_key, "click:c-1");
        assert!(matches!(
            changes[2].effect,
            ChangeEffect::Message {
                counter: Counter::Clicked,
                ..
            }
        ));
        assert!(changes
            .iter()
            .all(|c| c.timeline.is_none() && c.inbox_id == 7));
    }

    #[test]
    fn malformed_deliveries_are_errors_not_panics() {
        assert!(matches!(split(1, b"{", 0), Err(SplitError::NotJson(_))));
        assert_eq!(
            split(1, b"{\"object\":\"x\"}", 0),
            Err(SplitError::NoEntries)
        );
        assert_eq!(split(1, b"[]", 0), Err(SplitError::NoEntries));
        // Odd but valid shapes never panic.
        for body in [
            r#"{"object":"whatsapp_business_account","entry":[{}]}"#,
            r#"{"object":"whatsapp_business_account","entry":[1,"x",null]}"#,
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages"}]}]}"#,
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{}]}}]}]}"#,
        ] {
            split(1, body.as_bytes(), 0).unwrap();
        }
    }

    #[test]
    fn template_webhooks_as_metas_examples_print_them() {
        // docs/meta/templates.md: the approved example, the impending and completed category
        // changes.
        let approved = one(
            r#"{"entry": [{"id": "102290129340398", "time": 1751247548, "changes": [{"value": {"event": "APPROVED", "message_template_id": 1689556908129832, "message_template_name": "order_confirmation", "message_template_language": "en-US", "reason": "NONE", "message_template_category": "UTILITY"}, "field": "message_template_status_update"}]}], "object": "whatsapp_business_account"}"#,
        );
        assert_eq!(approved.meta_waba_id.as_deref(), Some("102290129340398"));
        assert_eq!(
            approved.effect,
            ChangeEffect::TemplateStatus(crate::db::TemplateSeen {
                meta_template_id: "1689556908129832".into(),
                name: "order_confirmation".into(),
                language: "en-US".into(),
                category: "UTILITY".into(),
                status: "APPROVED".into(),
            })
        );
        let notice = one(
            r#"{"entry": [{"id": "102290129340398", "time": 1746082800, "changes": [{"field": "template_category_update", "value": {"message_template_id": 278077987957091, "message_template_name": "welcome_template", "message_template_language": "en-US", "new_category": "UTILITY", "correct_category": "MARKETING", "category_update_timestamp": 1746169200}}]}], "object": "whatsapp_business_account"}"#,
        );
        let ChangeEffect::TemplateCategory {
            category, correct, ..
        } = &notice.effect
        else {
            panic!("{:?}", notice.effect)
        };
        assert_eq!(category, "UTILITY", "new_category is the current one");
        assert_eq!(
            correct.as_ref(),
            Some(&("MARKETING".to_string(), 1_746_169_200_000))
        );
        let done = one(
            r#"{"entry": [{"id": "102290129340398", "time": 1746169200, "changes": [{"field": "template_category_update", "value": {"message_template_id": 278077987957091, "message_template_name": "welcome_template", "message_template_language": "en-US", "previous_category": "UTILITY", "new_category": "MARKETING"}}]}], "object": "whatsapp_business_account"}"#,
        );
        assert!(matches!(
            &done.effect,
            ChangeEffect::TemplateCategory { category, correct: None, .. } if category == "MARKETING"
        ));
        let without_id = one(
            r#"{"entry": [{"id": "1", "time": 1, "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}], "object": "whatsapp_business_account"}"#,
        );
        assert!(without_id.flagged, "kept raw and flagged");
    }
}
