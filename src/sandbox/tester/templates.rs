//! The tester's templates (docs/meta/templates.md), each change sent to the portal as Meta
//! sends it:
//!
//! - `POST /sandbox/api/wabas/{waba_id}/templates` `{"name", "language"?, "category"?,
//!   "status"?}` (defaults `en_US`, `MARKETING`, `APPROVED`): a new template of the WABA, and
//!   its `message_template_status_update` webhook; 201 with the template; 400 for a name
//!   that is not `^[a-z0-9_]+$` or an unknown category; 404 for an unknown WABA.
//! - `POST /sandbox/api/templates/{id}/status` `{"event": "PAUSED"}`: the status changes,
//!   and its webhook; 202.
//! - `POST /sandbox/api/templates/{id}/category` `{"new_category": "UTILITY"}` (a completed
//!   recategorisation) or `{"correct_category": "UTILITY", "in_seconds": 86400}` (Meta's
//!   24-hour notice: the category stays): the `template_category_update` webhook; 202.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::{TesterError, TesterJson, TesterResult};
use crate::sandbox::core::ids::graph_id;
use crate::sandbox::core::store::{load, update};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, MessageTemplate, Waba};
use crate::sandbox::webhooks;

const CATEGORIES: [&str; 3] = ["MARKETING", "UTILITY", "AUTHENTICATION"];

fn unavailable<E>(_: E) -> TesterError {
    TesterError::unavailable("the simulator could not store it")
}

fn default_language() -> String {
    "en_US".into()
}
fn default_category() -> String {
    "MARKETING".into()
}
fn default_status() -> String {
    "APPROVED".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    name: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_category")]
    category: String,
    #[serde(default = "default_status")]
    status: String,
}

pub async fn create(
    State(state): State<SandboxState>,
    Path(waba_id): Path<String>,
    TesterJson(request): TesterJson<NewTemplate>,
) -> TesterResult<(StatusCode, Json<Value>)> {
    let name_ok = !request.name.is_empty()
        && request.name.len() <= 512
        && request
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !name_ok {
        return Err(TesterError::bad_request(
            "name must match ^[a-z0-9_]+$ (at most 512 characters), as Meta requires",
        ));
    }
    let category = request.category.to_ascii_uppercase();
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(TesterError::bad_request(
            "category must be MARKETING, UTILITY or AUTHENTICATION",
        ));
    }
    if load::<Waba>(&state, model::WABA, &waba_id)
        .await
        .map_err(unavailable)?
        .is_none()
    {
        return Err(TesterError::new(StatusCode::NOT_FOUND, "no such WABA"));
    }
    let template = MessageTemplate {
        id: graph_id(),
        waba_id: waba_id.clone(),
        name: request.name,
        language: request.language,
        category,
        status: request.status.to_ascii_uppercase(),
    };
    let data = serde_json::to_string(&template).map_err(unavailable)?;
    state
        .store
        .sandbox_insert(model::MESSAGE_TEMPLATE, &template.id, Some(&waba_id), &data)
        .await
        .map_err(unavailable)?;
    webhooks::deliver(
        &state,
        webhooks::template_status(&template, &template.status),
    );
    Ok((StatusCode::CREATED, Json(json!(template))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusEvent {
    event: String,
}

pub async fn status(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    TesterJson(request): TesterJson<StatusEvent>,
) -> TesterResult<StatusCode> {
    let event = request.event.trim().to_ascii_uppercase();
    if event.is_empty() {
        return Err(TesterError::bad_request("event must name the new status"));
    }
    let updated = update(
        &state,
        model::MESSAGE_TEMPLATE,
        &id,
        5,
        |t: &mut MessageTemplate| {
            t.status = event.clone();
            Some(t.clone())
        },
    )
    .await
    .map_err(unavailable)?
    .ok_or_else(|| TesterError::new(StatusCode::NOT_FOUND, "no such template"))?;
    webhooks::deliver(&state, webhooks::template_status(&updated, &event));
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryChange {
    #[serde(default)]
    new_category: Option<String>,
    #[serde(default)]
    correct_category: Option<String>,
    #[serde(default)]
    in_seconds: Option<i64>,
}

pub async fn category(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    TesterJson(request): TesterJson<CategoryChange>,
) -> TesterResult<StatusCode> {
    let upper = |c: &Option<String>| c.as_deref().map(str::to_ascii_uppercase);
    let (new, correct) = (
        upper(&request.new_category),
        upper(&request.correct_category),
    );
    for category in [&new, &correct].into_iter().flatten() {
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(TesterError::bad_request(
                "categories are MARKETING, UTILITY or AUTHENTICATION",
            ));
        }
    }
    let body = match (new, correct) {
        (Some(new), None) => {
            let mut previous = String::new();
            let updated = update(
                &state,
                model::MESSAGE_TEMPLATE,
                &id,
                5,
                |t: &mut MessageTemplate| {
                    previous = t.category.clone();
                    t.category = new.clone();
                    Some(t.clone())
                },
            )
            .await
            .map_err(unavailable)?
            .ok_or_else(|| TesterError::new(StatusCode::NOT_FOUND, "no such template"))?;
            webhooks::template_category(&updated, Some(&previous), None)
        }
        (None, Some(correct)) => {
            let (template, _) = load::<MessageTemplate>(&state, model::MESSAGE_TEMPLATE, &id)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| TesterError::new(StatusCode::NOT_FOUND, "no such template"))?;
            let at = crate::db::now_millis() / 1000 + request.in_seconds.unwrap_or(86_400);
            webhooks::template_category(&template, None, Some((&correct, at)))
        }
        _ => {
            return Err(TesterError::bad_request(
                "give new_category (a completed change) or correct_category (a notice)",
            ))
        }
    };
    webhooks::deliver(&state, body);
    Ok(StatusCode::ACCEPTED)
}
