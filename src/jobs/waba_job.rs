//! What the jobs that work on one WABA with its business token share (the template listing,
//! the Meta metrics fetch): their payload, how they are queued (at most one per time slot,
//! so a burst of requests runs once), and their opening — the WABA read, its token opened
//! unless its connection forbids it.

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::crypto::KeyRing;
use crate::db::{now_millis, DbResult, Job, NewJob, Waba};
use crate::jobs::Outcome;
use crate::signup::{business_token, NoToken};

/// The stores the opening reads.
pub trait WabaTokenStores: crate::db::WabaStore + crate::db::SecretStore {}
impl<T: crate::db::WabaStore + crate::db::SecretStore + ?Sized> WabaTokenStores for T {}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    waba_id: i64,
}

/// Queues a `kind` job for `waba_id`, at most one per `slot`.
pub async fn enqueue(
    jobs: &dyn crate::db::JobStore,
    kind: &str,
    waba_id: i64,
    slot: Duration,
    max_attempts: i64,
) -> DbResult<()> {
    let now = now_millis();
    jobs.enqueue_job(&NewJob {
        kind: kind.into(),
        payload: serde_json::to_string(&Payload { waba_id }).expect("payload serialises"),
        run_at: now,
        max_attempts,
        dedupe_key: Some(format!(
            "{kind}:{waba_id}:{}",
            now / slot.as_millis() as i64
        )),
    })
    .await?;
    Ok(())
}

/// Why a job did not get its WABA and token.
pub enum NotOpened {
    /// End the job with this outcome (unreadable, no such WABA, no token, a database error).
    Outcome(Outcome),
    /// The WABA's connection forbids its token: the reason, for staff.
    Disconnected(&'static str),
}

/// The job's WABA and its business token.
pub async fn open(
    job: &Job,
    store: &dyn WabaTokenStores,
    keys: &KeyRing,
) -> Result<(Waba, SecretString), NotOpened> {
    let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
        return Err(NotOpened::Outcome(Outcome::Fail {
            error: format!("unreadable {} job", job.kind),
        }));
    };
    let waba = match store.waba_by_id(payload.waba_id).await {
        Ok(Some(waba)) => waba,
        Ok(None) => return Err(NotOpened::Outcome(Outcome::Done)),
        Err(error) => {
            return Err(NotOpened::Outcome(Outcome::Retry {
                error: error.to_string(),
                after: Duration::from_secs(2),
            }))
        }
    };
    match business_token(store, keys, &waba).await {
        Ok(token) => Ok((waba, token)),
        Err(NoToken::Missing) => Err(NotOpened::Outcome(Outcome::Done)),
        Err(NoToken::Disconnected(reason)) => Err(NotOpened::Disconnected(reason)),
    }
}
