//! Response validation against Meta's OpenAPI file: the schemas that
//! `scripts/extract-openapi-schemas.py` extracted (with `$ref`s resolved) into
//! `tests/fixtures/meta-openapi/`, and a small JSON-schema validator for them.
//!
//! The validator knows the keywords those schemas use for structure: `type` (a name or a
//! list; OpenAPI 3.0's `nullable`), `enum`, `const`, `properties`, `required`, `items`,
//! `additionalProperties` (when given), `oneOf`, `anyOf`, `allOf`. Value constraints
//! (`pattern`, `minLength`, `maxLength`, `minimum`, `format`, …) are not checked.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// One extracted endpoint: its success (200) and error schemas.
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: String,
    pub method: String,
    pub path: String,
    pub success: Value,
    pub error: Value,
}

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/meta-openapi")
}

/// The extracted operation `name` (a file name in the fixture directory, without `.json`).
pub fn operation(name: &str) -> &'static Operation {
    static CACHE: OnceLock<HashMap<String, Operation>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let mut all = HashMap::new();
        for entry in std::fs::read_dir(fixtures_dir()).expect("the OpenAPI fixtures exist") {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let fixture: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            all.insert(
                name.clone(),
                Operation {
                    name,
                    method: fixture["method"].as_str().unwrap_or("").to_string(),
                    path: fixture["path"].as_str().unwrap_or("").to_string(),
                    success: fixture["success"].clone(),
                    error: fixture["error"].clone(),
                },
            );
        }
        all
    });
    all.get(name)
        .unwrap_or_else(|| panic!("no OpenAPI fixture {name}.json"))
}

/// The fixture that describes a simulator Graph call: `method` and the path segments after
/// the version (`["123", "register"]`). `is_phone` tells phone ids from WABA ids for
/// `GET /{id}`. `None` for calls the OpenAPI file does not cover (the code exchange,
/// `debug_token`, `system_user_access_tokens`, unknown paths): their error answers are
/// checked against Graph's generic error object (`graph_error`) instead.
pub fn operation_for(
    method: &str,
    segments: &[&str],
    is_phone: impl Fn(&str) -> bool,
) -> Option<&'static str> {
    let method = method.to_ascii_uppercase();
    Some(match (method.as_str(), segments) {
        ("GET", [id]) if is_phone(id) => "phone_number",
        ("GET", [id]) if !matches!(*id, "debug_token" | "oauth") => "waba",
        ("GET", [_, "phone_numbers"]) => "phone_numbers",
        ("GET", [_, "subscribed_apps"]) => "subscribed_apps_get",
        ("POST", [_, "subscribed_apps"]) => "subscribed_apps_post",
        ("DELETE", [_, "subscribed_apps"]) => "subscribed_apps_delete",
        ("POST", [_, "register"]) => "register",
        ("POST", [_, "marketing_messages"]) => "marketing_messages",
        ("POST", [_, "messages"]) => "messages",
        ("GET", [_, "client_whatsapp_business_accounts"]) => "client_whatsapp_business_accounts",
        ("POST", [_, "onboard_partners_to_mm_lite"]) => "onboard_partners_to_mm_lite",
        _ => return None,
    })
}

/// Checks one Graph answer: 200 against the operation's success schema, anything else
/// against its error schema (or the generic Graph error for uncovered calls). Panics with
/// every violation found.
pub fn check_answer(operation: Option<&str>, status: u16, body: &Value, context: &str) {
    let schema = match (operation, status) {
        (Some(name), 200) => &self::operation(name).success,
        (Some(name), _) => &self::operation(name).error,
        (None, 200) => return,
        (None, _) => &self::operation("graph_error").error,
    };
    if let Err(problems) = validate(schema, body) {
        panic!(
            "{context}: HTTP {status} answer does not match the OpenAPI schema of {}:\n  {}\n\
             body: {body}",
            operation.unwrap_or("graph_error"),
            problems.join("\n  ")
        );
    }
}

/// Validates `value` against `schema`; `Err` lists each violation with its JSON pointer.
pub fn validate(schema: &Value, value: &Value) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    check(schema, value, "", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        // An unknown type name accepts nothing, so a typo in a schema fails loudly.
        _ => false,
    }
}

fn check(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        // `true` / `{}`-like schemas accept anything; `false` nothing.
        if schema == &Value::Bool(false) {
            problems.push(format!("{at}: no value is allowed here"));
        }
        return;
    };
    let here = if at.is_empty() { "/" } else { at };
    if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(kind) = schema.get("type") {
        let names: Vec<&str> = match kind {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !names.iter().any(|name| type_matches(name, value)) {
            problems.push(format!(
                "{here}: expected {}, got {value}",
                names.join(" or ")
            ));
            return;
        }
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(value) {
            problems.push(format!(
                "{here}: {value} is not one of {}",
                Value::Array(allowed.clone())
            ));
        }
    }
    if let Some(expected) = schema.get("const") {
        if expected != value {
            problems.push(format!("{here}: expected {expected}, got {value}"));
        }
    }
    if let Some(object) = value.as_object() {
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    problems.push(format!("{here}: missing required property {name:?}"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, item) in object {
            let path = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
            match properties.and_then(|p| p.get(name)) {
                Some(property) => check(property, item, &path, problems),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        problems.push(format!("{path}: property {name:?} is not allowed"))
                    }
                    Some(extra @ Value::Object(_)) => check(extra, item, &path, problems),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (n, item) in array.iter().enumerate() {
            check(items, item, &format!("{at}/{n}"), problems);
        }
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for sub in all {
            check(sub, value, at, problems);
        }
    }
    if let Some(Value::Array(any)) = schema.get("anyOf") {
        if !any.iter().any(|sub| validate_at(sub, value, at).is_ok()) {
            problems.push(format!(
                "{here}: matches none of anyOf's {} schemas",
                any.len()
            ));
        }
    }
    if let Some(Value::Array(one)) = schema.get("oneOf") {
        let matching = one
            .iter()
            .filter(|sub| validate_at(sub, value, at).is_ok())
            .count();
        if matching != 1 {
            problems.push(format!(
                "{here}: matches {matching} of oneOf's {} schemas, not exactly one",
                one.len()
            ));
        }
    }
}

fn validate_at(schema: &Value, value: &Value, at: &str) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    check(schema, value, at, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
