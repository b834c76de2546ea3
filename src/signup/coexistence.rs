//! The pipeline's coexistence step (docs/meta/coexistence-sync.md): for a number that stays
//! on the WhatsApp Business app, ask Meta for the app's contacts and then its chat history
//! (`POST /{PHONE}/smb_app_data`), each once, within 24 hours of onboarding — after that "they
//! must be offboarded and complete the flow again".
//!
//! Each request is recorded when Meta accepts it, so a retry never asks twice. A crash between
//! Meta's answer and the record would: Meta refuses a second request (a partner's field notes
//! report Graph code 4; Meta documents none), so that refusal counts as accepted before.

use secrecy::SecretString;

use crate::db::coexistence::WINDOW_MILLIS;
use crate::db::{now_millis, CoexistenceStore, CoexistenceSync, Phone, SyncType, Waba};
use crate::graph::{GraphCallError, GraphClient};

/// How the step ended.
pub enum Synced {
    /// Both requests are accepted (now or before).
    Requested(String),
    /// Not a coexistence number: nothing to sync.
    NotCoexistence,
    /// The 24 hours passed before both requests were made.
    Expired(String),
}

/// Graph's code for a repeated request (see the module's note).
const REPEATED: i64 = 4;

/// Runs the step for `waba`, whose numbers are `phones`.
pub async fn run(
    graph: &GraphClient,
    store: &dyn CoexistenceStore,
    waba: &Waba,
    phones: &[Phone],
    token: &SecretString,
) -> Result<Synced, GraphCallError> {
    let Some(phone) = phones.iter().find(|p| p.coexistence) else {
        return Ok(Synced::NotCoexistence);
    };
    let now = now_millis();
    let sync = store
        .coexistence_start(waba.id, now)
        .await
        .map_err(|e| GraphCallError::Transport(format!("database: {e}")))?;
    let started = sync.started_at.unwrap_or(now);
    for kind in [SyncType::Contacts, SyncType::History] {
        if requested(&sync, kind).is_some() {
            continue;
        }
        if now > started + WINDOW_MILLIS {
            return Ok(Synced::Expired(format!(
                "The 24 hours to sync the WhatsApp Business app's {} passed at {} without it; \
                 Meta requires the business to offboard and complete the signup again.",
                what(kind),
                app::components::live::format_time(started + WINDOW_MILLIS)
            )));
        }
        let request_id = match graph
            .smb_app_data(token, &phone.meta_phone_id, kind.as_str())
            .await
        {
            Ok(id) => id,
            Err(GraphCallError::Graph { error, .. }) if error.code == REPEATED => {
                "(accepted before; Meta refused a second request)".to_string()
            }
            Err(error) => return Err(error),
        };
        store
            .coexistence_requested(waba.id, kind, &request_id, now_millis())
            .await
            .map_err(|e| GraphCallError::Transport(format!("database: {e}")))?;
    }
    Ok(Synced::Requested(
        "Asked Meta for the WhatsApp Business app's contacts and chat history; they arrive as webhooks."
            .into(),
    ))
}

fn requested(sync: &CoexistenceSync, kind: SyncType) -> Option<&str> {
    match kind {
        SyncType::Contacts => sync.contacts_request_id.as_deref(),
        SyncType::History => sync.history_request_id.as_deref(),
    }
}

fn what(kind: SyncType) -> &'static str {
    match kind {
        SyncType::Contacts => "contacts",
        SyncType::History => "chat history",
    }
}
