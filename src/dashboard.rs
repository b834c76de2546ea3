//! The partner dashboard's port ([`app::ports::DashboardPort`]): read models for the overview,
//! the WABA list and detail, the audit log, parked webhooks, and the staff actions (resume a
//! pipeline, replay a webhook, discovery, Intent API requests).

use std::sync::Arc;

use app::error::AppError;
use app::ports::{
    AuditRow, DashboardPort, DayMetrics, EsSettings, FailureCount, Funnel, IntentBatch,
    IntentPreview, Operations, Overview, ParkedDelivery, PhoneView, StaffIdentity, StepView,
    TestSendRequest, TimelineView, WabaAction, WabaCursor, WabaDetail, WabaFilter, WabaListRow,
    WabaPage,
};
use async_trait::async_trait;

use crate::db::{now_millis, DashboardStore, NewAuditEntry, Repository, SignupStore, WabaRow};
use crate::onboarding::pipeline::{self, STEPS};

const PAGE_SIZE: i64 = 50;
const FUNNEL_DAYS: i64 = 30;
const METRIC_DAYS: i64 = 14;
const DAY_MILLIS: i64 = 86_400_000;

fn day_metrics(m: crate::db::DailyMetrics) -> DayMetrics {
    DayMetrics {
        day: m.day,
        category: m.category,
        sent: m.sent,
        delivered: m.delivered,
        read: m.read,
        failed: m.failed,
        clicked: m.clicked,
    }
}

pub struct DashboardService {
    repo: Arc<dyn Repository>,
    signups: Arc<dyn SignupStore>,
    store: Arc<dyn DashboardStore>,
    /// Intent API pacing for bulk sends.
    pub intent_rate_per_second: f64,
    pub partner_configured: bool,
    /// The environment's Embedded Signup settings, shown until an admin saves others.
    pub es_defaults: EsSettings,
    pub sender: Option<Arc<crate::mm::send::TestSender>>,
}

impl DashboardService {
    pub fn new(
        repo: Arc<dyn Repository>,
        signups: Arc<dyn SignupStore>,
        store: Arc<dyn DashboardStore>,
    ) -> Self {
        Self {
            repo,
            signups,
            store,
            intent_rate_per_second: 5.0,
            partner_configured: false,
            sender: None,
            es_defaults: EsSettings {
                partner_name: String::new(),
                config_id: String::new(),
                feature_type: String::new(),
                es_version: "v3".into(),
                solution_id: None,
            },
        }
    }
}

impl DashboardService {
    async fn waba_or_not_found(&self, id: i64) -> Result<crate::db::Waba, AppError> {
        self.signups
            .waba_by_id(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)
    }

    /// Queues one paced Intent API batch for `businesses` and audits it (`filter`: the list
    /// selection it came from, if any).
    async fn queue_bulk(
        &self,
        staff: &StaffIdentity,
        businesses: &[(i64, String)],
        filter: Option<String>,
    ) -> Result<String, AppError> {
        let batch = format!("bulk-{}", now_millis());
        let queued = crate::mm::intent::queue(
            self.repo.as_ref(),
            self.store.as_ref(),
            &batch,
            businesses,
            self.intent_rate_per_second,
        )
        .await
        .map_err(internal)?;
        let detail = serde_json::json!({ "queued": queued, "filter": filter }).to_string();
        self.audit_action(staff, "intent.bulk", Some(("batch", &batch)), Some(detail))
            .await?;
        Ok(format!(
            "{queued} Intent API requests queued, sent at {} per second.",
            self.intent_rate_per_second
        ))
    }
}

/// Logs a failure staff cannot act on and gives them only a reference to quote.
pub(crate) fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(%error, reference, "staff request failed");
    AppError::Internal(reference)
}

fn list_row(row: WabaRow) -> WabaListRow {
    WabaListRow {
        id: row.id,
        meta_waba_id: row.meta_waba_id,
        name: row.name,
        business_name: row.business_name,
        onboarding_status: row.onboarding_status,
        coexistence: row.coexistence,
        country: row.country,
        account_health: row.account_health,
        terms_signed: row.mm_terms_signed_at.is_some(),
        needs_attention: row.failed_steps > 0,
        phone: row.phone,
        updated_at: row.updated_at,
    }
}

impl DashboardService {
    async fn batch(&self, batch: &str) -> Result<IntentBatch, AppError> {
        let counts = self.store.intent_counts(batch).await.map_err(internal)?;
        let count = |state: &str| {
            counts
                .iter()
                .find(|(s, _)| s == state)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        Ok(IntentBatch {
            batch: batch.to_string(),
            queued: count("queued"),
            sent: count("sent"),
            failed: count("failed"),
            cancelled: count("cancelled"),
        })
    }

    async fn audit_action(
        &self,
        staff: &StaffIdentity,
        action: &str,
        target: Option<(&str, &str)>,
        detail: Option<String>,
    ) -> Result<(), AppError> {
        self.repo
            .append_audit(&NewAuditEntry {
                staff_id: Some(staff.id),
                actor: staff.email.clone(),
                action: action.into(),
                target_kind: target.map(|t| t.0.to_string()),
                target_id: target.map(|t| t.1.to_string()),
                detail,
                ip: staff.ip.clone(),
            })
            .await
            .map_err(internal)?;
        Ok(())
    }
}

#[async_trait]
impl DashboardPort for DashboardService {
    async fn overview(&self) -> Result<Overview, AppError> {
        let status_counts = self.repo.count_wabas_by_status().await.map_err(internal)?;
        let today = now_millis().div_euclid(DAY_MILLIS);
        let since = (today - FUNNEL_DAYS + 1) * DAY_MILLIS;
        let f = self.store.signup_funnel(since).await.map_err(internal)?;
        let per_day = self.store.signups_per_day(since).await.map_err(internal)?;
        let signups_per_day = (today - FUNNEL_DAYS + 1..=today)
            .map(|day| {
                let count = per_day
                    .iter()
                    .find(|(d, _)| *d == day)
                    .map_or(0, |(_, n)| *n);
                (app::calendar::utc_day(day * DAY_MILLIS), count)
            })
            .collect();
        let metrics_since = app::calendar::utc_day((today - METRIC_DAYS + 1) * DAY_MILLIS);
        let metrics = self
            .store
            .metrics_by_day(&metrics_since)
            .await
            .map_err(internal)?
            .into_iter()
            .map(day_metrics)
            .collect();
        Ok(Overview {
            signups_per_day,
            metrics,
            total_wabas: status_counts.iter().map(|(_, n)| n).sum(),
            status_counts,
            funnel: Funnel {
                started: f.started,
                launched: f.launched,
                finished: f.finished,
                exchanged: f.exchanged,
                onboarded: f.onboarded,
                cancelled: f.cancelled,
                failed: f.failed,
                cancel_steps: f.cancel_steps,
            },
            failed_pipelines: self
                .store
                .count_failed_pipelines()
                .await
                .map_err(internal)?,
            parked_webhooks: self.store.count_parked_webhooks().await.map_err(internal)?,
            restricted_wabas: self
                .store
                .count_restricted_wabas()
                .await
                .map_err(internal)?,
        })
    }

    async fn wabas(&self, filter: WabaFilter) -> Result<WabaPage, AppError> {
        let search = crate::search::waba_search(&filter, PAGE_SIZE + 1)?;
        let rows = self.store.search_wabas(&search).await.map_err(internal)?;
        let more = rows.len() as i64 > PAGE_SIZE;
        let rows: Vec<WabaListRow> = rows
            .into_iter()
            .take(PAGE_SIZE as usize)
            .map(list_row)
            .collect();
        let next_after = rows
            .last()
            .filter(|_| more)
            .map(|row| WabaCursor::after(filter.sort, row.id, row.updated_at, &row.name).encode());
        Ok(WabaPage { rows, next_after })
    }

    async fn waba(&self, id: i64) -> Result<WabaDetail, AppError> {
        let waba = self.waba_or_not_found(id).await?;
        let business = self
            .signups
            .business_by_id(waba.business_id)
            .await
            .map_err(internal)?;
        let phones = self.repo.phones_for_waba(id).await.map_err(internal)?;
        let mut steps = self.signups.steps_for_waba(id).await.map_err(internal)?;
        let order = |name: &str| STEPS.iter().position(|s| s.as_str() == name).unwrap_or(99);
        steps.sort_by_key(|s| order(&s.step));
        let timeline = self
            .repo
            .timeline_for_waba(id, 100)
            .await
            .map_err(internal)?;
        let signup = self.signups.signup_for_waba(id).await.map_err(internal)?;
        let failed = steps.iter().any(|s| s.state == "failed");
        let metrics = self
            .repo
            .metrics_for_waba(&waba.meta_waba_id)
            .await
            .map_err(internal)?;
        let failures = self
            .repo
            .failures_for_waba(&waba.meta_waba_id)
            .await
            .map_err(internal)?;
        Ok(WabaDetail {
            metrics: metrics
                .into_iter()
                .rev()
                .take(30)
                .rev()
                .map(day_metrics)
                .collect(),
            failures: failures
                .into_iter()
                .rev()
                .take(30)
                .map(|(day, code, count)| FailureCount {
                    meaning: crate::mm::send::explain(code).map(str::to_string),
                    day,
                    code,
                    count,
                })
                .collect(),
            row: WabaListRow {
                id,
                meta_waba_id: waba.meta_waba_id.clone(),
                name: waba.name.clone(),
                business_name: business
                    .as_ref()
                    .map(|b| b.name.clone())
                    .unwrap_or_default(),
                onboarding_status: waba.onboarding_status.clone(),
                coexistence: waba.coexistence,
                country: waba.country.clone(),
                account_health: waba.account_health.clone(),
                terms_signed: waba.mm_terms_signed_at.is_some(),
                needs_attention: failed,
                phone: phones.first().map(|p| p.display_phone_number.clone()),
                updated_at: waba.updated_at,
            },
            meta_business_id: business.map(|b| b.meta_business_id).unwrap_or_default(),
            currency: waba.currency,
            connection_state: waba.connection_state,
            phones: phones
                .into_iter()
                .map(|p| PhoneView {
                    meta_phone_id: p.meta_phone_id,
                    display_phone_number: p.display_phone_number,
                    verified_name: p.verified_name,
                    registered: p.registered,
                    coexistence: p.coexistence,
                    quality_rating: p.quality_rating,
                })
                .collect(),
            steps: steps
                .into_iter()
                .map(|s| StepView {
                    step: s.step,
                    state: s.state,
                    attempts: s.attempts,
                    detail: s.detail,
                    error_code: s.error_code,
                    updated_at: s.updated_at,
                })
                .collect(),
            timeline: timeline
                .into_iter()
                .map(|t| TimelineView {
                    kind: t.kind,
                    summary: t.summary,
                    actor: t.actor,
                    occurred_at: t.occurred_at,
                })
                .collect(),
            status_page: signup.map(|s| format!("/status/{}", s.status_key)),
        })
    }

    async fn resume(&self, staff: &StaffIdentity, id: i64) -> Result<String, AppError> {
        self.waba_or_not_found(id).await?;
        let resumed = pipeline::resume(self.repo.as_ref(), self.signups.as_ref(), id, &staff.email)
            .await
            .map_err(internal)?;
        let Some(step) = resumed else {
            return Err(AppError::Invalid(
                "Nothing to resume: no step of this account's onboarding has failed.".into(),
            ));
        };
        self.repo
            .append_audit(&NewAuditEntry {
                staff_id: Some(staff.id),
                actor: staff.email.clone(),
                action: "onboarding.resume".into(),
                target_kind: Some("waba".into()),
                target_id: Some(id.to_string()),
                detail: Some(format!("{{\"step\":\"{}\"}}", step.as_str())),
                ip: staff.ip.clone(),
            })
            .await
            .map_err(internal)?;
        Ok(format!("Onboarding resumed at the step {}.", step.as_str()))
    }

    async fn waba_action(
        &self,
        staff: &StaffIdentity,
        id: i64,
        action: WabaAction,
    ) -> Result<String, AppError> {
        let waba = self.waba_or_not_found(id).await?;
        let started = match action {
            WabaAction::Resubscribe | WabaAction::Recheck => {
                let step = if action == WabaAction::Resubscribe {
                    pipeline::Step::SubscribeWebhooks
                } else {
                    pipeline::Step::FetchAccount
                };
                pipeline::repeat(
                    self.repo.as_ref(),
                    self.signups.as_ref(),
                    id,
                    step,
                    &staff.email,
                )
                .await
                .map_err(internal)?;
                match action {
                    WabaAction::Resubscribe => "Re-subscribing this WABA's webhooks: the result appears in its steps and timeline.",
                    _ => "Re-reading this WABA from Meta: its status and numbers update in a moment.",
                }
            }
            WabaAction::RefetchToken => {
                let intent = match self
                    .store
                    .business_of_waba(&waba.meta_waba_id)
                    .await
                    .map_err(internal)?
                {
                    Some((business_id, _)) => {
                        self.store.intent_get(business_id).await.map_err(internal)?
                    }
                    None => None,
                };
                if !intent.is_some_and(|row| row.state == "sent" || row.state == "sending") {
                    return Err(AppError::Invalid(
                        "This business was not onboarded through the Intent API, so Meta has no business token (BISUAT) to fetch for it: its token came from Embedded Signup.".into(),
                    ));
                }
                crate::mm::bisuat::enqueue_refetch(self.repo.as_ref(), &waba.meta_waba_id)
                    .await
                    .map_err(internal)?;
                "Fetching the business token again: the timeline shows when it is stored."
            }
        };
        self.repo
            .append_audit(&NewAuditEntry {
                staff_id: Some(staff.id),
                actor: staff.email.clone(),
                action: format!("waba.{}", action.as_str()),
                target_kind: Some("waba".into()),
                target_id: Some(id.to_string()),
                detail: None,
                ip: staff.ip.clone(),
            })
            .await
            .map_err(internal)?;
        Ok(started.to_string())
    }

    async fn parked(&self) -> Result<Vec<ParkedDelivery>, AppError> {
        let rows = self.repo.parked_webhooks(200).await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let text = String::from_utf8_lossy(&row.body);
                ParkedDelivery {
                    id: row.id,
                    received_at: row.received_at,
                    attempts: row.attempts,
                    error: row.last_error,
                    preview: text.chars().take(400).collect(),
                    size: row.body.len(),
                }
            })
            .collect())
    }

    async fn operations(&self) -> Result<Operations, AppError> {
        let candidates = self
            .store
            .count_intent_candidates()
            .await
            .map_err(internal)?;
        let latest_batch = match self.store.intent_latest_batch().await.map_err(internal)? {
            Some(batch) => Some(self.batch(&batch).await?),
            None => None,
        };
        Ok(Operations {
            candidates,
            latest_batch,
            rate_per_second: self.intent_rate_per_second,
            partner_configured: self.partner_configured,
        })
    }

    async fn test_send(
        &self,
        staff: &StaffIdentity,
        waba_id: i64,
        request: TestSendRequest,
    ) -> Result<String, AppError> {
        let sender = self
            .sender
            .clone()
            .ok_or_else(|| AppError::Unavailable("sending is not configured".into()))?;
        let waba = self.waba_or_not_found(waba_id).await?;
        let send = crate::mm::send::TestSend {
            to: request.to,
            template: request.template,
            language: if request.language.trim().is_empty() {
                "en".into()
            } else {
                request.language
            },
            ttl_seconds: request.ttl_hours.map(|h| h.saturating_mul(3600)),
            activity_sharing: request.activity_sharing,
            product_policy: Some(request.product_policy).filter(|p| !p.is_empty()),
        };
        self.audit_action(staff, "send.test", Some(("waba", &waba.meta_waba_id)), None)
            .await?;
        sender
            .send(&waba, &send, &staff.email)
            .await
            .map_err(AppError::Invalid)
    }

    async fn es_settings(&self) -> Result<EsSettings, AppError> {
        Ok(crate::onboarding::settings::effective(self.store.as_ref(), &self.es_defaults).await)
    }

    async fn save_es_settings(
        &self,
        staff: &StaffIdentity,
        settings: EsSettings,
    ) -> Result<String, AppError> {
        let settings = EsSettings {
            partner_name: settings.partner_name.trim().to_string(),
            config_id: settings.config_id.trim().to_string(),
            feature_type: settings.feature_type.trim().to_string(),
            es_version: settings.es_version.trim().to_string(),
            solution_id: settings
                .solution_id
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        };
        let problems = crate::onboarding::settings::problems(&settings);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems.join(" ")));
        }
        let json =
            serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        self.store
            .setting_put(crate::onboarding::settings::KEY, &json, &staff.email)
            .await
            .map_err(internal)?;
        self.audit_action(staff, "settings.embedded_signup", None, Some(json))
            .await?;
        Ok("Saved. The signup page uses these settings from now on.".into())
    }

    async fn discover(&self, staff: &StaffIdentity) -> Result<String, AppError> {
        let queued = crate::mm::discovery::enqueue(self.repo.as_ref())
            .await
            .map_err(internal)?;
        self.audit_action(staff, "discovery.start", None, None)
            .await?;
        Ok(if queued {
            "Discovery started: every WABA shared with you is being read from Meta.".into()
        } else {
            "A discovery run is already under way.".into()
        })
    }

    async fn invite(&self, staff: &StaffIdentity, waba_id: i64) -> Result<String, AppError> {
        let waba = self.waba_or_not_found(waba_id).await?;
        let business = self
            .signups
            .business_by_id(waba.business_id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let batch = format!("single-{}", now_millis());
        let queued = crate::mm::intent::queue(
            self.repo.as_ref(),
            self.store.as_ref(),
            &batch,
            &[(business.id, business.meta_business_id.clone())],
            self.intent_rate_per_second,
        )
        .await
        .map_err(internal)?;
        if queued == 0 {
            return Err(AppError::Invalid(
                "This business already has an Intent API request queued or sent.".into(),
            ));
        }
        self.audit_action(
            staff,
            "intent.send",
            Some(("business", &business.meta_business_id)),
            None,
        )
        .await?;
        Ok(format!(
            "Intent API request queued for {}: Meta will email its admins.",
            business.name
        ))
    }

    async fn invite_eligible(&self, staff: &StaffIdentity) -> Result<String, AppError> {
        let candidates = self
            .store
            .intent_candidates(100_000)
            .await
            .map_err(internal)?;
        if candidates.is_empty() {
            return Err(AppError::Invalid(
                "No eligible business is waiting for an Intent API request.".into(),
            ));
        }
        self.queue_bulk(staff, &candidates, None).await
    }

    async fn intent_preview(&self, filter: WabaFilter) -> Result<IntentPreview, AppError> {
        let search = crate::search::waba_search(&filter, 1)?;
        let selection = crate::mm::selection::select(self.store.as_ref(), &search)
            .await
            .map_err(internal)?;
        Ok(selection.preview())
    }

    async fn invite_filtered(
        &self,
        staff: &StaffIdentity,
        filter: WabaFilter,
    ) -> Result<String, AppError> {
        let search = crate::search::waba_search(&filter, 1)?;
        let selection = crate::mm::selection::select(self.store.as_ref(), &search)
            .await
            .map_err(internal)?;
        if selection.eligible.is_empty() {
            return Err(AppError::Invalid(
                "No business in this selection can be asked now: see the reasons listed.".into(),
            ));
        }
        self.queue_bulk(staff, &selection.eligible, Some(filter.to_query(false)))
            .await
    }

    async fn cancel_batch(&self, staff: &StaffIdentity, batch: &str) -> Result<String, AppError> {
        let cancelled = self.store.intent_cancel(batch).await.map_err(internal)?;
        self.audit_action(staff, "intent.cancel", Some(("batch", batch)), None)
            .await?;
        Ok(format!(
            "{cancelled} queued requests cancelled; sent ones stay sent."
        ))
    }

    async fn resume_batch(&self, staff: &StaffIdentity, batch: &str) -> Result<String, AppError> {
        let members = self
            .store
            .intent_batch_members(batch, "cancelled")
            .await
            .map_err(internal)?;
        let queued = crate::mm::intent::queue(
            self.repo.as_ref(),
            self.store.as_ref(),
            batch,
            &members,
            self.intent_rate_per_second,
        )
        .await
        .map_err(internal)?;
        self.audit_action(staff, "intent.resume", Some(("batch", batch)), None)
            .await?;
        Ok(format!("{queued} requests queued again."))
    }

    async fn replay(&self, staff: &StaffIdentity, id: i64) -> Result<String, AppError> {
        if !self.repo.replay_webhook(id).await.map_err(internal)? {
            return Err(AppError::Invalid(
                "This delivery is not parked (already replayed or processed).".into(),
            ));
        }
        self.repo
            .append_audit(&NewAuditEntry {
                staff_id: Some(staff.id),
                actor: staff.email.clone(),
                action: "webhook.replay".into(),
                target_kind: Some("webhook".into()),
                target_id: Some(id.to_string()),
                detail: None,
                ip: staff.ip.clone(),
            })
            .await
            .map_err(internal)?;
        Ok(format!("Delivery {id} is back in the processing queue."))
    }

    async fn audit(&self, before: Option<i64>) -> Result<Vec<AuditRow>, AppError> {
        let entries = self.repo.list_audit(before, 100).await.map_err(internal)?;
        Ok(entries
            .into_iter()
            .map(|e| AuditRow {
                id: e.id,
                actor: e.actor,
                action: e.action,
                target: match (e.target_kind, e.target_id) {
                    (Some(kind), Some(id)) => Some(format!("{kind} {id}")),
                    (Some(kind), None) => Some(kind),
                    _ => None,
                },
                detail: e.detail,
                ip: e.ip,
                occurred_at: e.occurred_at,
            })
            .collect())
    }
}
