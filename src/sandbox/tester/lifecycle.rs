//! `POST /sandbox/api/wabas/{waba_id}/account-update` `{"event": "ACCOUNT_OFFBOARDED"}`: the
//! simulator plays one of Meta's connection lifecycle events for a WABA it holds
//! (docs/meta/offboarding.md) — records what it means for the WABA (a removed, uninstalled
//! or deleted WABA's business tokens are refused from then on, as Meta's are) and sends the
//! `account_update` webhook in Meta's shape. 202 `{"event", "connection"}`; 404 for an
//! unknown WABA; 409 for `ACCOUNT_RECONNECTED` on a WABA that was not offboarded.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::{TesterError, TesterJson, TesterResult};
use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::sandbox::core::store::{load, update};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Waba};
use crate::sandbox::webhooks;

/// Each lifecycle event and the connection it leaves (`None` = connected).
const EVENTS: [(&str, Option<&str>); 7] = [
    ("PARTNER_ADDED", None),
    ("PARTNER_APP_INSTALLED", None),
    ("PARTNER_APP_UNINSTALLED", Some("uninstalled")),
    ("PARTNER_REMOVED", Some("removed")),
    ("ACCOUNT_OFFBOARDED", Some("offboarded")),
    ("ACCOUNT_RECONNECTED", None),
    ("ACCOUNT_DELETED", Some("deleted")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRequest {
    event: String,
}

fn unavailable<E>(_: E) -> TesterError {
    TesterError::unavailable("the simulator could not store it")
}

pub async fn account_update(
    State(state): State<SandboxState>,
    Path(waba_id): Path<String>,
    TesterJson(request): TesterJson<LifecycleRequest>,
) -> TesterResult<(StatusCode, Json<Value>)> {
    let event = request.event.trim().to_ascii_uppercase();
    let Some(&(_, connection)) = EVENTS.iter().find(|(name, _)| *name == event) else {
        let names: Vec<&str> = EVENTS.iter().map(|(name, _)| *name).collect();
        return Err(TesterError::bad_request(format!(
            "event must be one of {}",
            names.join(", ")
        )));
    };
    let Some((waba, _)) = load::<Waba>(&state, model::WABA, &waba_id)
        .await
        .map_err(unavailable)?
    else {
        return Err(TesterError::new(StatusCode::NOT_FOUND, "no such WABA"));
    };
    if event == "ACCOUNT_RECONNECTED" && waba.connection.as_deref() != Some("offboarded") {
        return Err(TesterError::new(
            StatusCode::CONFLICT,
            "ACCOUNT_RECONNECTED follows ACCOUNT_OFFBOARDED: offboard the WABA first",
        ));
    }
    let saved = update(&state, model::WABA, &waba_id, 5, |waba: &mut Waba| {
        waba.connection = connection.map(str::to_string);
        Some(())
    })
    .await
    .map_err(unavailable)?;
    if saved.is_none() {
        return Err(unavailable(()));
    }
    webhooks::deliver(
        &state,
        webhooks::account_update(SANDBOX_PARTNER_BUSINESS_ID, &state.app_id, &waba, &event),
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "event": event,
            "connection": connection.unwrap_or("connected"),
        })),
    ))
}
