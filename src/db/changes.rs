//! One webhook change recorded and applied once: the write side of `crate::webhooks::changes`.
//! The change row and its effect share one transaction, so a duplicate delivery, a retry
//! after a crash, or two instances racing on one change all apply it once.

use async_trait::async_trait;

use super::engine::{query, query_scalar, Tx};
use super::*;

/// Webhook changes, applied once each.
#[async_trait]
pub trait ChangeStore: Send + Sync + 'static {
    /// Records `change` and applies its effect in one transaction, unless a change with the
    /// same dedupe key was recorded before. Returns whether it was applied now.
    async fn apply_change(&self, change: &NewChange) -> DbResult<bool>;
}

#[async_trait]
impl ChangeStore for SqlStore {
    async fn apply_change(&self, change: &NewChange) -> DbResult<bool> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        if !record(&mut tx, change, now).await? {
            return Ok(false);
        }
        let waba = change.meta_waba_id.as_deref();
        let creates_waba = matches!(
            change.effect,
            ChangeEffect::TermsSigned
                | ChangeEffect::Connection(_)
                | ChangeEffect::Reconnected
                | ChangeEffect::Health(_)
        );
        if let (true, Some(waba), Some(owner)) =
            (creates_waba, waba, change.owner_business_id.as_deref())
        {
            introduce_waba(&mut tx, waba, owner, now).await?;
        }
        apply_effect(&mut tx, change, waba, now).await?;
        if let Some((kind, summary)) = &change.timeline {
            on_timeline(&mut tx, change, waba, kind, summary, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Inserts the change under its dedupe key; `false` when it was recorded before.
async fn record(tx: &mut Tx, change: &NewChange, now: Millis) -> DbResult<bool> {
    let recorded: Option<i64> = query_scalar(
        "INSERT INTO webhook_changes (inbox_id, dedupe_key, field, meta_waba_id, event,
                                          event_time, payload, flagged, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(change.inbox_id)
    .bind(&change.dedupe_key)
    .bind(&change.field)
    .bind(&change.meta_waba_id)
    .bind(&change.event)
    .bind(change.event_time)
    .bind(&change.payload)
    .bind(change.flagged)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(recorded.is_some())
}

/// A WABA (and its business) Meta tells us about before any signup or discovery saw it.
async fn introduce_waba(tx: &mut Tx, waba: &str, owner: &str, now: Millis) -> DbResult<()> {
    query(
        "INSERT INTO businesses (meta_business_id, name, created_at, updated_at)
             VALUES ($1, $2, $3, $3) ON CONFLICT (meta_business_id) DO NOTHING",
    )
    .bind(owner)
    .bind(format!("Business {owner}"))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    query(
        "INSERT INTO wabas (meta_waba_id, business_id, name, created_at, updated_at)
             SELECT $1, id, $2, $3, $3 FROM businesses WHERE meta_business_id = $4
             ON CONFLICT (meta_waba_id) DO NOTHING",
    )
    .bind(waba)
    .bind(format!("WABA {waba}"))
    .bind(now)
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn apply_effect(
    tx: &mut Tx,
    change: &NewChange,
    waba: Option<&str>,
    now: Millis,
) -> DbResult<()> {
    match &change.effect {
        ChangeEffect::None => Ok(()),
        ChangeEffect::TermsSigned => terms_signed(tx, change, waba, now).await,
        ChangeEffect::Connection(state) => {
            account_state(tx, CONNECTION, change, waba, state, now).await?;
            Ok(())
        }
        ChangeEffect::Reconnected => {
            if account_state(tx, CONNECTION, change, waba, "connected", now).await? > 0 {
                let job = NewJob {
                    kind: RECONNECTED_JOB.into(),
                    payload: serde_json::json!({ "meta_waba_id": waba }).to_string(),
                    run_at: now,
                    max_attempts: 5,
                    dedupe_key: Some(format!("reconnected:{}", change.dedupe_key)),
                };
                super::jobs::insert_job(&mut *tx, &job).await?;
            }
            Ok(())
        }
        ChangeEffect::Health(health) => {
            account_state(tx, HEALTH, change, waba, health, now).await?;
            Ok(())
        }
        ChangeEffect::TemplateStatus(template) => match waba {
            Some(waba) => {
                super::templates::status_changed(tx, waba, template, change.event_time, now).await
            }
            None => Ok(()),
        },
        ChangeEffect::TemplateCategory {
            meta_template_id,
            category,
            correct,
            ..
        } => match waba {
            Some(waba) => {
                super::templates::category_changed(
                    tx,
                    waba,
                    meta_template_id,
                    category,
                    correct.as_ref(),
                    now,
                )
                .await
            }
            None => Ok(()),
        },
        ChangeEffect::Coexistence(webhook) => match waba {
            Some(waba) => super::coexistence::count(tx, waba, webhook, now).await,
            None => Ok(()),
        },
        ChangeEffect::Country(country) => {
            query("UPDATE wabas SET country = $1, updated_at = $2 WHERE meta_waba_id = $3")
                .bind(country)
                .bind(now)
                .bind(waba)
                .execute(&mut *tx)
                .await?;
            Ok(())
        }
        ChangeEffect::Message {
            day,
            category,
            counter,
            error_code,
        } => message(tx, waba.unwrap_or(""), day, category, *counter, *error_code).await,
    }
}

/// `MM_LITE_TERMS_SIGNED`: onboarded, keeping the first signature time.
async fn terms_signed(
    tx: &mut Tx,
    change: &NewChange,
    waba: Option<&str>,
    now: Millis,
) -> DbResult<()> {
    query(
        "UPDATE wabas SET
                status_changed_at = CASE WHEN onboarding_status = 'ONBOARDED'
                    THEN status_changed_at ELSE $1 END,
                onboarding_status = 'ONBOARDED',
                mm_terms_signed_at = COALESCE(mm_terms_signed_at, $2),
                updated_at = $1
             WHERE meta_waba_id = $3",
    )
    .bind(now)
    .bind(change.event_time)
    .bind(waba)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The WABA's connection to this partner, unless a newer event set it already.
const CONNECTION: &str = "UPDATE wabas SET connection_state = $1, connection_changed_at = $2,
            updated_at = $3
     WHERE meta_waba_id = $4
       AND (connection_changed_at IS NULL OR connection_changed_at <= $2)";

/// The WABA's account health, unless a newer event set it already.
const HEALTH: &str = "UPDATE wabas SET account_health = $1, health_changed_at = $2,
            updated_at = $3
     WHERE meta_waba_id = $4
       AND (health_changed_at IS NULL OR health_changed_at <= $2)";

/// The job a reconnect queues: `crate::signup::pipeline` resumes the WABA's stopped steps.
pub const RECONNECTED_JOB: &str = "onboarding.reconnected";

/// Sets one dimension of the account state ([`CONNECTION`] or [`HEALTH`]) to `value`: each
/// keeps the time of the event that set it, so a late, older event never overwrites a newer
/// one. Returns the rows changed (0 when a newer event set it already).
async fn account_state(
    tx: &mut Tx,
    statement: &'static str,
    change: &NewChange,
    waba: Option<&str>,
    value: &str,
    now: Millis,
) -> DbResult<u64> {
    let done = query(statement)
        .bind(value)
        .bind(change.event_time)
        .bind(now)
        .bind(waba)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected())
}

/// One message status or click, counted for its day and pricing category (failures also per
/// error code).
async fn message(
    tx: &mut Tx,
    waba: &str,
    day: &str,
    category: &str,
    counter: Counter,
    error_code: Option<i64>,
) -> DbResult<()> {
    let mut counts = [0i64; 5];
    counts[match counter {
        Counter::Sent => 0,
        Counter::Delivered => 1,
        Counter::Read => 2,
        Counter::Failed => 3,
        Counter::Clicked => 4,
    }] = 1;
    query(
        "INSERT INTO message_metrics_daily
                (meta_waba_id, day, category, sent, delivered, read, failed, clicked)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (meta_waba_id, day, category) DO UPDATE SET
                sent = message_metrics_daily.sent + excluded.sent,
                delivered = message_metrics_daily.delivered + excluded.delivered,
                read = message_metrics_daily.read + excluded.read,
                failed = message_metrics_daily.failed + excluded.failed,
                clicked = message_metrics_daily.clicked + excluded.clicked",
    )
    .bind(waba)
    .bind(day)
    .bind(category)
    .bind(counts[0])
    .bind(counts[1])
    .bind(counts[2])
    .bind(counts[3])
    .bind(counts[4])
    .execute(&mut *tx)
    .await?;
    if let Some(code) = error_code {
        query(
            "INSERT INTO message_failures_daily (meta_waba_id, day, error_code, failures)
             VALUES ($1, $2, $3, 1)
             ON CONFLICT (meta_waba_id, day, error_code) DO UPDATE SET
                failures = message_failures_daily.failures + 1",
        )
        .bind(waba)
        .bind(day)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn on_timeline(
    tx: &mut Tx,
    change: &NewChange,
    waba: Option<&str>,
    kind: &str,
    summary: &str,
    now: Millis,
) -> DbResult<()> {
    query(
        "INSERT INTO timeline_events (waba_id, kind, summary, detail, actor, occurred_at)
         VALUES ((SELECT id FROM wabas WHERE meta_waba_id = $1), $2, $3, $4, 'meta', $5)",
    )
    .bind(waba)
    .bind(kind)
    .bind(summary)
    .bind(&change.payload)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
