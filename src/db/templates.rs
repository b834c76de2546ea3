//! Each WABA's message templates (migration 000025, docs/meta/templates.md): the listing from
//! `GET /{WABA}/message_templates` written in one transaction, and (in `changes.rs`) the
//! status and category webhooks. When a template becomes MM-ready is decided here, where it
//! is first seen: the rule is `crate::templates::readiness`.

use async_trait::async_trait;

use super::engine::{query, query_as, Tx};
use super::*;

/// How long Meta's ad sync of a new or newly approved marketing template takes at most.
pub const SYNC_MILLIS: Millis = 10 * 60 * 1000;

/// One template as Graph lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSeen {
    pub meta_template_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
}

/// One stored template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Template {
    pub meta_template_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    pub correct_category: Option<String>,
    pub category_changes_at: Option<Millis>,
    pub first_seen_at: Millis,
    pub ready_at: Millis,
    pub updated_at: Millis,
}

const COLUMNS: &str = "SELECT meta_template_id, name, language, category, status,
        correct_category, category_changes_at, first_seen_at, ready_at, updated_at
     FROM message_templates";

/// Message templates.
#[async_trait]
pub trait TemplateStore: Send + Sync + 'static {
    /// Writes a complete listing of `waba_id`'s templates at `now`: new ones are inserted,
    /// known ones updated, and known ones the listing no longer has become `DELETED`. On the
    /// WABA's first listing every template is taken as synced already (it existed before the
    /// portal looked); a template that appears later is ready [`SYNC_MILLIS`] after. Returns
    /// the number of templates listed.
    async fn templates_sync(
        &self,
        waba_id: i64,
        listed: &[TemplateSeen],
        now: Millis,
    ) -> DbResult<usize>;
    /// Every template of the WABA, by name and language, and when they were last listed.
    async fn templates_for_waba(&self, waba_id: i64) -> DbResult<(Option<Millis>, Vec<Template>)>;
}

#[async_trait]
impl TemplateStore for SqlStore {
    async fn templates_sync(
        &self,
        waba_id: i64,
        listed: &[TemplateSeen],
        now: Millis,
    ) -> DbResult<usize> {
        let mut tx = self.pool.begin().await?;
        let first: Option<Option<Millis>> =
            super::engine::query_scalar("SELECT templates_synced_at FROM wabas WHERE id = $1")
                .bind(waba_id)
                .fetch_optional(&mut tx)
                .await?;
        let Some(synced_before) = first else {
            return Ok(0);
        };
        let ready_at = if synced_before.is_some() {
            now + SYNC_MILLIS
        } else {
            now
        };
        for template in listed {
            upsert(&mut tx, waba_id, template, now, ready_at).await?;
        }
        // What the listing no longer has was deleted at Meta.
        query(
            "UPDATE message_templates SET status = 'DELETED', updated_at = $1
              WHERE waba_id = $2 AND updated_at < $1 AND status <> 'DELETED'",
        )
        .bind(now)
        .bind(waba_id)
        .execute(&mut tx)
        .await?;
        query("UPDATE wabas SET templates_synced_at = $1 WHERE id = $2")
            .bind(now)
            .bind(waba_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(listed.len())
    }

    async fn templates_for_waba(&self, waba_id: i64) -> DbResult<(Option<Millis>, Vec<Template>)> {
        let synced: Option<Option<Millis>> =
            super::engine::query_scalar("SELECT templates_synced_at FROM wabas WHERE id = $1")
                .bind(waba_id)
                .fetch_optional(&self.pool)
                .await?;
        let templates = query_as(format!(
            "{COLUMNS} WHERE waba_id = $1 ORDER BY name, language"
        ))
        .bind(waba_id)
        .fetch_all(&self.pool)
        .await?;
        Ok((synced.flatten(), templates))
    }
}

/// Inserts or updates one template; `ready_at` applies to a template seen for the first
/// time, or one that became approved just now.
pub(super) async fn upsert(
    tx: &mut Tx,
    waba_id: i64,
    template: &TemplateSeen,
    now: Millis,
    ready_at: Millis,
) -> DbResult<()> {
    query(
        "INSERT INTO message_templates (waba_id, meta_template_id, name, language, category,
                                        status, first_seen_at, ready_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)
             ON CONFLICT (waba_id, meta_template_id) DO UPDATE SET
                name = COALESCE(NULLIF(excluded.name, ''), message_templates.name),
                language = COALESCE(NULLIF(excluded.language, ''), message_templates.language),
                category = COALESCE(NULLIF(excluded.category, ''), message_templates.category),
                ready_at = CASE WHEN message_templates.status <> 'APPROVED'
                                 AND excluded.status = 'APPROVED'
                                THEN excluded.ready_at ELSE message_templates.ready_at END,
                status = excluded.status,
                updated_at = excluded.updated_at",
    )
    .bind(waba_id)
    .bind(&template.meta_template_id)
    .bind(&template.name)
    .bind(&template.language)
    .bind(&template.category)
    .bind(&template.status)
    .bind(now)
    .bind(ready_at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// `message_template_status_update` for the WABA `meta_waba_id`: approved now means ready
/// [`SYNC_MILLIS`] after the event.
pub(super) async fn status_changed(
    tx: &mut Tx,
    meta_waba_id: &str,
    template: &TemplateSeen,
    event_time: Millis,
    now: Millis,
) -> DbResult<()> {
    let waba: Option<i64> =
        super::engine::query_scalar("SELECT id FROM wabas WHERE meta_waba_id = $1")
            .bind(meta_waba_id)
            .fetch_optional(&mut *tx)
            .await?;
    match waba {
        Some(waba_id) => upsert(tx, waba_id, template, now, event_time + SYNC_MILLIS).await,
        None => Ok(()),
    }
}

/// `template_category_update`: the category now, and the one Meta announced for later.
pub(super) async fn category_changed(
    tx: &mut Tx,
    meta_waba_id: &str,
    meta_template_id: &str,
    category: &str,
    correct: Option<&(String, Millis)>,
    now: Millis,
) -> DbResult<()> {
    query(
        "UPDATE message_templates SET category = $1, correct_category = $2,
                category_changes_at = $3, updated_at = $4
          WHERE meta_template_id = $5
            AND waba_id = (SELECT id FROM wabas WHERE meta_waba_id = $6)",
    )
    .bind(category)
    .bind(correct.map(|(future, _)| future.clone()))
    .bind(correct.map(|(_, at)| *at))
    .bind(now)
    .bind(meta_template_id)
    .bind(meta_waba_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
