//! What a WABA and a phone number node have in Graph's JSON, and `fields=` selection: one
//! definition for every endpoint that answers those nodes (`GET /{id}`, `phone_numbers`,
//! `client_whatsapp_business_accounts`).

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::model::{Phone, Waba};

/// An object's stored fields, the start of its Graph fields.
fn stored_fields<T: Serialize>(object: &T) -> Map<String, Value> {
    match serde_json::to_value(object) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The fields a WABA has in Graph's JSON at `version`, and the ones `GET /{WABA}` returns
/// without `fields=`.
pub fn waba_fields(waba: &Waba, version: &str) -> (Map<String, Value>, &'static [&'static str]) {
    let mut fields = stored_fields(waba);
    fields.remove("owner_business_id");
    // Simulator bookkeeping, not Graph fields.
    fields.remove("mm_terms_accepted");
    fields.remove("terms_delay_ms");
    fields.remove("terms_due_at");
    fields.insert(
        "owner_business_info".into(),
        json!({"id": waba.owner_business_id}),
    );
    if legacy_status_available(version) {
        let legacy = if waba.marketing_messages_onboarding_status == "ONBOARDED" {
            "ONBOARDED"
        } else {
            "NOT_ONBOARDED"
        };
        fields.insert(LEGACY_STATUS_FIELD.into(), json!(legacy));
    }
    (fields, &["id", "name"])
}

/// Seed 001: "A legacy field marketing_messages_lite_api_status exists for the same purpose but
/// is being deprecated in version 24.0."
pub const LEGACY_STATUS_FIELD: &str = "marketing_messages_lite_api_status";

/// The simulator serves the legacy `marketing_messages_lite_api_status` field up to v23.0;
/// newer versions only have `marketing_messages_onboarding_status`. (Meta has not published
/// the removal version; this is the simulator's stated choice, see docs/SIMULATOR.md.)
fn legacy_status_available(version: &str) -> bool {
    version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        .is_some_and(|major| major <= 23)
}

/// The fields a phone number has in Graph's JSON, and the ones returned without `fields=`.
pub fn phone_fields(phone: &Phone) -> (Map<String, Value>, &'static [&'static str]) {
    let mut fields = stored_fields(phone);
    fields.remove("waba_id");
    fields.remove("coexistence");
    fields.remove("registrations");
    fields.remove("pin");
    fields.remove("app_data_syncs");
    fields.insert("throughput".into(), json!({"level": "STANDARD"}));
    fields.insert("is_on_biz_app".into(), json!(phone.coexistence));
    // PENDING until `register` (or for ever, for a number on the Business app alone);
    // CONNECTED once it serves Cloud API (tests/fixtures/meta-openapi/README.md).
    let connected = phone.platform_type == "CLOUD_API" || phone.coexistence;
    fields.insert(
        "status".into(),
        json!(if connected { "CONNECTED" } else { "PENDING" }),
    );
    (
        fields,
        &[
            "status",
            "verified_name",
            "code_verification_status",
            "display_phone_number",
            "quality_rating",
            "platform_type",
            "throughput",
            "id",
        ],
    )
}

/// The names in a `fields=` parameter (comma-separated, blanks ignored), or `defaults`
/// when the caller named none.
pub fn field_list<'a>(requested: Option<&'a String>, defaults: &[&'a str]) -> Vec<&'a str> {
    match requested {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect(),
        None => defaults.to_vec(),
    }
}

/// The `fields=` list (or `defaults`), refusing a field `all` does not have: Graph's
/// "nonexisting field" error naming the `node` type.
pub fn checked_fields<'a>(
    all: &Map<String, Value>,
    defaults: &[&'a str],
    requested: Option<&'a String>,
    node: &str,
) -> Result<Vec<&'a str>, SimError> {
    let wanted = field_list(requested, defaults);
    if let Some(missing) = wanted.iter().find(|field| !all.contains_key(**field)) {
        return Err(errors::nonexisting_field(missing, node));
    }
    Ok(wanted)
}

/// The `wanted` fields of `all` (those it has), always with `id`.
pub fn pick(all: &Map<String, Value>, wanted: &[&str]) -> Value {
    let mut out = Map::new();
    for field in wanted {
        if let Some(value) = all.get(*field) {
            out.insert(field.to_string(), value.clone());
        }
    }
    out.entry("id")
        .or_insert_with(|| all.get("id").cloned().unwrap_or(Value::Null));
    Value::Object(out)
}

/// Picks `fields=` from `all` (or the defaults), refusing fields the node does not have.
pub fn select(
    all: &Map<String, Value>,
    defaults: &[&str],
    requested: Option<&String>,
    node: &str,
) -> Result<Value, SimError> {
    let wanted = checked_fields(all, defaults, requested, node)?;
    Ok(pick(all, &wanted))
}
