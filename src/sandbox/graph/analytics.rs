//! Template analytics (docs/meta/mm-metrics.md), as the simulator keeps them: every accepted
//! MM API send of a stored template counts in a [`TemplateMetric`] of its UTC day
//! ([`count_send`]).
//!
//! - `POST /{WABA_ID}?is_enabled_for_insights=true` confirms template analytics: `{"id"}`.
//! - `GET /{WABA_ID}/template_analytics?start&end&granularity=DAILY&template_ids=[…]
//!   &product_type=…`: `start`/`end` Unix seconds or `YYYY-MM-DD`; at most 10 ids (a JSON
//!   array); `product_type` `MARKETING_MESSAGES_API_FOR_WHATSAPP` or
//!   `MARKETING_MESSAGES_LITE_API` for MM traffic (Meta spells it both ways), `CLOUD_API` or
//!   none for Cloud API traffic (none counted here: the simulator's Cloud API sends are not
//!   kept). Answers `{"data": [{"granularity": "DAILY", "product_type", "data_points": [
//!   {"template_id", "start", "end", "sent", "delivered", "read", "clicked": [{"type":
//!   "url_button", "button_content", "count"}], "website_purchases"}]}]}` — the conversion key
//!   is the simulator's choice (Meta documents none). Errors are code 100: analytics not
//!   confirmed (the simulator's wording), a missing or malformed parameter.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::sandbox::core::caller::Authenticated;
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::{encode, list_decoded, load, update};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, MessageTemplate, Phone, TemplateMetric, Waba};

const MM_PRODUCT_TYPES: [&str; 2] = [
    "MARKETING_MESSAGES_API_FOR_WHATSAPP",
    "MARKETING_MESSAGES_LITE_API",
];
const MAX_TEMPLATE_IDS: usize = 10;
const DAY: i64 = 86_400;

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route("/{version}/{id}", post(confirm_insights))
        .route(
            "/{version}/{id}/template_analytics",
            get(template_analytics),
        )
}

/// `POST /{WABA_ID}?is_enabled_for_insights=true`.
pub async fn confirm_insights(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    if caller
        .request
        .param("is_enabled_for_insights")
        .map(String::as_str)
        != Some("true")
    {
        return Err(errors::invalid_parameter(
            "The only WABA field the simulator updates is is_enabled_for_insights=true",
        ));
    }
    update(&state, model::WABA, &waba.id, 5, |w: &mut Waba| {
        w.insights_enabled = true;
        Some(())
    })
    .await?
    .ok_or_else(errors::internal)?;
    Ok(Json(json!({ "id": waba.id })))
}

/// Unix seconds of a `start`/`end` value (seconds or `YYYY-MM-DD`), moved back to 00:00 UTC.
fn day_start(name: &str, raw: &str) -> Result<i64, SimError> {
    let seconds = match raw.parse::<i64>() {
        Ok(seconds) => seconds,
        Err(_) => app::calendar::parse_utc_day(raw)
            .map(|millis| millis / 1000)
            .ok_or_else(|| {
                errors::invalid_parameter(&format!(
                    "Param {name} must be a UNIX timestamp or a YYYY-MM-DD date"
                ))
            })?,
    };
    Ok(seconds - seconds.rem_euclid(DAY))
}

pub async fn template_analytics(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    let request = &caller.request;
    let start = day_start("start", request.required("start")?)?;
    let end = day_start("end", request.required("end")?)?;
    if !request
        .required("granularity")?
        .eq_ignore_ascii_case("DAILY")
    {
        return Err(errors::invalid_parameter("Param granularity must be DAILY"));
    }
    let ids: Vec<String> = serde_json::from_str::<Vec<Value>>(request.required("template_ids")?)
        .map_err(|_| {
            errors::invalid_parameter("Param template_ids must be an array of template IDs")
        })?
        .into_iter()
        .map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    if ids.is_empty() || ids.len() > MAX_TEMPLATE_IDS {
        return Err(errors::invalid_parameter(
            "Param template_ids must name 1 to 10 templates",
        ));
    }
    let product = request
        .param("product_type")
        .map(|p| p.to_ascii_uppercase())
        .unwrap_or_else(|| "CLOUD_API".into());
    let mm = MM_PRODUCT_TYPES.contains(&product.as_str());
    if !mm && product != "CLOUD_API" {
        return Err(errors::invalid_parameter(&format!(
            "Param product_type: unknown value {product}"
        )));
    }
    if !waba.insights_enabled {
        return Err(errors::invalid_parameter(
            "Template analytics are not confirmed for this WhatsApp Business Account: POST is_enabled_for_insights=true first",
        ));
    }
    let points: Vec<Value> = if mm {
        list_decoded::<TemplateMetric>(&state, model::TEMPLATE_METRIC, Some(&waba.id))
            .await?
            .into_iter()
            .filter(|m| ids.contains(&m.template_id) && m.start >= start && m.start <= end)
            .map(|m| {
                let mut point = json!({
                    "template_id": m.template_id,
                    "start": m.start,
                    "end": m.start + DAY,
                    "sent": m.sent,
                    "delivered": m.delivered,
                    "read": m.read,
                    "website_purchases": m.website_purchases,
                });
                if m.clicked > 0 {
                    point["clicked"] = json!([{"type": "url_button", "button_content": "Shop now", "count": m.clicked}]);
                }
                point
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(json!({
        "data": [{
            "granularity": "DAILY",
            "product_type": product.to_ascii_lowercase(),
            "data_points": points,
        }]
    })))
}

/// Counts an accepted MM API send of `template` (by name) from `phone` in its day's metric,
/// when the WABA has that template stored.
pub async fn count_send(
    state: &SandboxState,
    phone: &Phone,
    template: &str,
    clicked: bool,
) -> Result<(), SimError> {
    let templates =
        list_decoded::<MessageTemplate>(state, model::MESSAGE_TEMPLATE, Some(&phone.waba_id))
            .await?;
    let Some(stored) = templates.into_iter().find(|t| t.name == template) else {
        return Ok(());
    };
    let now = crate::db::now_millis() / 1000;
    let start = now - now.rem_euclid(DAY);
    let id = format!("{}:{}:{start}", phone.waba_id, stored.id);
    let add = |m: &mut TemplateMetric| {
        m.sent += 1;
        m.delivered += 1;
        m.read += 1;
        if clicked {
            m.clicked += 1;
            m.website_purchases += m.clicked % 2;
        }
    };
    for _ in 0..5 {
        if load::<TemplateMetric>(state, model::TEMPLATE_METRIC, &id)
            .await?
            .is_some()
        {
            if update(
                state,
                model::TEMPLATE_METRIC,
                &id,
                5,
                |m: &mut TemplateMetric| {
                    add(m);
                    Some(())
                },
            )
            .await?
            .is_some()
            {
                return Ok(());
            }
            continue;
        }
        let mut metric = TemplateMetric {
            template_id: stored.id.clone(),
            start,
            ..Default::default()
        };
        add(&mut metric);
        match state
            .store
            .sandbox_insert(
                model::TEMPLATE_METRIC,
                &id,
                Some(&phone.waba_id),
                &encode(&metric)?,
            )
            .await
        {
            Ok(()) => return Ok(()),
            Err(crate::db::DbError::Conflict) => continue,
            Err(error) => return Err(errors::store(error)),
        }
    }
    Err(errors::internal())
}
