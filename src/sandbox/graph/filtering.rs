//! `filtering=` of `client_whatsapp_business_accounts`: a JSON list of
//! `{"field", "operator", "value"}` (seed 001's example uses `IN` with a list; the OpenAPI
//! file's phone-number example uses `EQUAL` with a string). Filterable: the WABA's text fields.

use serde_json::{Map, Value};

use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::model::ONBOARDING_STATUSES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    In,
    NotIn,
    Equal,
    NotEqual,
}

#[derive(Debug, Clone)]
pub struct Filter {
    field: String,
    operator: Operator,
    values: Vec<String>,
}

impl Filter {
    pub fn matches(&self, fields: &Map<String, Value>) -> bool {
        let value = fields
            .get(&self.field)
            .and_then(Value::as_str)
            .unwrap_or("");
        let found = self.values.iter().any(|v| v == value);
        match self.operator {
            Operator::In | Operator::Equal => found,
            Operator::NotIn | Operator::NotEqual => !found,
        }
    }
}

const NOT_A_LIST: &str = "must be a list of {field, operator, value} objects";

/// The filters of a `filtering` parameter (none without one), checked against the fields
/// the node has (`available`).
pub fn parse_filtering(
    raw: Option<&String>,
    available: &Map<String, Value>,
) -> Result<Vec<Filter>, SimError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let parsed: Value = serde_json::from_str(raw).map_err(|_| errors::invalid_filtering(None))?;
    let Value::Array(items) = parsed else {
        return Err(errors::invalid_filtering(Some(NOT_A_LIST)));
    };
    items
        .iter()
        .map(|item| parse_filter(item, available))
        .collect()
}

fn parse_filter(item: &Value, available: &Map<String, Value>) -> Result<Filter, SimError> {
    let (Some(field), Some(operator), Some(value)) = (
        item.get("field").and_then(Value::as_str),
        item.get("operator").and_then(Value::as_str),
        item.get("value"),
    ) else {
        return Err(errors::invalid_filtering(Some(NOT_A_LIST)));
    };
    if !available.get(field).is_some_and(Value::is_string) {
        return Err(errors::invalid_filtering(Some(&format!(
            "field {field} is not supported"
        ))));
    }
    let operator_kind = match operator.to_ascii_uppercase().as_str() {
        "IN" => Operator::In,
        "NOT_IN" => Operator::NotIn,
        "EQUAL" => Operator::Equal,
        "NOT_EQUAL" => Operator::NotEqual,
        _ => {
            return Err(errors::invalid_filtering(Some(&format!(
                "operator {operator} is not supported; use IN, NOT_IN, EQUAL or NOT_EQUAL"
            ))))
        }
    };
    let values = filter_values(operator_kind, operator, value)?;
    if field == "marketing_messages_onboarding_status" {
        if let Some(unknown) = values
            .iter()
            .find(|v| !ONBOARDING_STATUSES.contains(&v.as_str()))
        {
            return Err(errors::invalid_filtering(Some(&format!(
                "value {unknown} is not a valid marketing_messages_onboarding_status"
            ))));
        }
    }
    Ok(Filter {
        field: field.to_string(),
        operator: operator_kind,
        values,
    })
}

/// A list of strings for `IN` / `NOT_IN`, one string for `EQUAL` / `NOT_EQUAL`.
fn filter_values(kind: Operator, operator: &str, value: &Value) -> Result<Vec<String>, SimError> {
    let needs_list = || {
        errors::invalid_filtering(Some(&format!(
            "operator {operator} needs a list of strings as value"
        )))
    };
    match (kind, value) {
        (Operator::In | Operator::NotIn, Value::Array(list)) => list
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(needs_list),
        (Operator::Equal | Operator::NotEqual, Value::String(text)) => Ok(vec![text.clone()]),
        (Operator::In | Operator::NotIn, _) => Err(needs_list()),
        _ => Err(errors::invalid_filtering(Some(&format!(
            "operator {operator} needs a string value"
        )))),
    }
}
