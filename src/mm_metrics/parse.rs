//! Meta's `template_analytics` answer → one row per template and day. Known keys: `sent`,
//! `delivered`, `read`, `clicked[]` (counts summed), `cost[]` (`amount_spent` kept); every
//! other numeric key of a data point is a conversion metric, kept by its name, because Meta
//! documents the metric types but not their keys in the answer.

use serde_json::{Map, Value};

use crate::db::TemplateMetricsDay;

const KNOWN: [&str; 8] = [
    "template_id",
    "start",
    "end",
    "sent",
    "delivered",
    "read",
    "clicked",
    "cost",
];

/// Every data point of every `data[]` entry.
pub fn days(answer: &Value) -> Vec<TemplateMetricsDay> {
    let entries = answer.get("data").and_then(Value::as_array);
    entries
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("data_points").and_then(Value::as_array))
        .flatten()
        .filter_map(day)
        .collect()
}

fn day(point: &Value) -> Option<TemplateMetricsDay> {
    let number = |key: &str| point.get(key).and_then(Value::as_i64).unwrap_or(0);
    let template = match point.get("template_id")? {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    let start = point.get("start").and_then(Value::as_i64)?;
    let clicked = point
        .get("clicked")
        .and_then(Value::as_array)
        .map(|clicks| {
            clicks
                .iter()
                .filter_map(|c| c.get("count").and_then(Value::as_i64))
                .sum()
        })
        .unwrap_or(0);
    let amount_spent = point
        .get("cost")
        .and_then(Value::as_array)
        .and_then(|costs| {
            costs
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("amount_spent"))
        })
        .and_then(|c| c.get("value"))
        .map(Value::to_string);
    let conversions: Map<String, Value> = point
        .as_object()?
        .iter()
        .filter(|(key, value)| !KNOWN.contains(&key.as_str()) && value.is_number())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Some(TemplateMetricsDay {
        meta_template_id: template,
        day: app::calendar::utc_day(start * 1000),
        sent: number("sent"),
        delivered: number("delivered"),
        read: number("read"),
        clicked,
        conversions: Value::Object(conversions).to_string(),
        amount_spent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metas_example_and_unknown_conversion_keys() {
        // docs/meta/mm-metrics.md, Meta's example, plus a conversion key.
        let answer: Value = serde_json::from_str(r#"{"data": [{"granularity": "DAILY", "product_type": "cloud_api", "data_points": [
            {"template_id": "1421988012088524", "start": 1718064000, "end": 1718150400, "sent": 1, "delivered": 1, "read": 1,
             "cost": [{"type": "amount_spent", "value": 0.01}, {"type": "cost_per_delivered", "value": 0.01}]},
            {"template_id": "2632273056924580", "start": 1718064000, "end": 1718150400, "sent": 1, "delivered": 1, "read": 1,
             "clicked": [{"type": "quick_reply_button", "button_content": "Contact Support", "count": 108},
                         {"type": "unique_url_button", "button_content": "Tell me more", "count": 16}],
             "website_purchases": 3}
        ]}], "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}}"#).unwrap();
        let days = days(&answer);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].day, "2024-06-11");
        assert_eq!(days[0].amount_spent.as_deref(), Some("0.01"));
        assert_eq!(days[0].conversions, "{}");
        assert_eq!(days[1].clicked, 124);
        assert_eq!(days[1].conversions, r#"{"website_purchases":3}"#);
        assert!(super::days(&serde_json::json!({"data": "nonsense"})).is_empty());
    }
}
