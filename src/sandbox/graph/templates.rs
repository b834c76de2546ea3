//! `GET /{WABA_ID}/message_templates` (docs/meta/templates.md): the WABA's templates in id
//! order with Graph's cursor paging (`limit`, default 25, at most 100; `after` / `before`),
//! `fields=` (default `name`, `language`, `status`, `category`, `id`; an unknown field is
//! Graph's "nonexisting field" error), and the `status` filter as a comma-separated list
//! (`status=approved`, any case). The business token must cover the WABA.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::client_wabas::{decode_cursor, page_body, parse_limit, PageQuery};
use super::fields::checked_fields;
use crate::sandbox::core::caller::Authenticated;
use crate::sandbox::core::errors::SimError;
use crate::sandbox::core::store::list_decoded;
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, MessageTemplate};

const DEFAULT_FIELDS: &[&str] = &["name", "language", "status", "category", "id"];

pub fn router() -> Router<SandboxState> {
    Router::new().route("/{version}/{id}/message_templates", get(message_templates))
}

fn template_fields(template: &MessageTemplate) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("id".into(), json!(template.id));
    fields.insert("name".into(), json!(template.name));
    fields.insert("language".into(), json!(template.language));
    fields.insert("status".into(), json!(template.status));
    fields.insert("category".into(), json!(template.category));
    fields.insert("parameter_format".into(), json!("POSITIONAL"));
    fields.insert(
        "components".into(),
        json!([{"type": "BODY", "text": "Hello!"}]),
    );
    fields
}

pub async fn message_templates(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    let request = &caller.request;
    let example = template_fields(&MessageTemplate {
        id: String::new(),
        waba_id: String::new(),
        name: String::new(),
        language: String::new(),
        category: String::new(),
        status: String::new(),
    });
    let wanted = checked_fields(
        &example,
        DEFAULT_FIELDS,
        request.param("fields"),
        "WhatsAppBusinessHSM",
    )?;
    let cursor = |name: &str| {
        request
            .param(name)
            .map(|c| decode_cursor(name, c))
            .transpose()
    };
    let query = PageQuery {
        legacy_only: false,
        wanted,
        filters: Vec::new(),
        limit: parse_limit(request.param("limit"))?,
        after: cursor("after")?,
        before: cursor("before")?,
    };
    let statuses: Option<Vec<String>> = request.param("status").map(|list| {
        list.split(',')
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let mut templates =
        list_decoded::<MessageTemplate>(&state, model::MESSAGE_TEMPLATE, Some(&waba.id)).await?;
    templates.retain(|t| {
        statuses
            .as_ref()
            .is_none_or(|wanted| wanted.contains(&t.status))
    });
    templates.sort_by(|a, b| a.id.cmp(&b.id));
    let rows: Vec<(String, Map<String, Value>)> = templates
        .iter()
        .map(|t| (t.id.clone(), template_fields(t)))
        .collect();
    Ok(Json(page_body(
        &state,
        request,
        "message_templates",
        &query,
        &rows,
    )))
}
