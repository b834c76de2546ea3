//! `ACCOUNT_RECONNECTED` (docs/meta/offboarding.md): Meta reconnected a WABA it had offboarded
//! after a device change or a number re-registration. While it was offboarded every pipeline
//! step refused to use its token and stopped; the change that reconnects it queues a
//! [`RECONNECTED_JOB`] in the same transaction, and this handler resumes the stopped step, as a
//! staff member's "Resume" would.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;

use super::pipeline::{resume, Stores};
use crate::db::changes::RECONNECTED_JOB;
use crate::db::Job;
use crate::jobs::{JobHandler, Outcome};

/// Who the timeline names as having resumed the pipeline.
const ACTOR: &str = "Meta (ACCOUNT_RECONNECTED)";

pub struct ReconnectHandler {
    pub store: Arc<dyn Stores>,
}

#[derive(Deserialize)]
struct Payload {
    meta_waba_id: String,
}

#[async_trait]
impl JobHandler for ReconnectHandler {
    fn kind(&self) -> &'static str {
        RECONNECTED_JOB
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
            return Outcome::Fail {
                error: "unreadable reconnect job".into(),
            };
        };
        let retry = |error: crate::db::DbError| Outcome::Retry {
            error: error.to_string(),
            after: std::time::Duration::from_secs(2),
        };
        let waba = match self.store.waba_by_meta_id(&payload.meta_waba_id).await {
            Ok(Some(waba)) => waba,
            Ok(None) => return Outcome::Done,
            Err(error) => return retry(error),
        };
        // A later event may have disconnected it again before this ran.
        if app::wabas::connection::token_usable(waba.connection_state.as_deref()).is_err() {
            return Outcome::Done;
        }
        match resume(self.store.as_ref(), waba.id, ACTOR).await {
            Ok(_) => Outcome::Done,
            Err(error) => retry(error),
        }
    }
}
