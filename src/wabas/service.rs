//! The WABA dashboard's port ([`app::wabas::port::WabasPort`]): the overview, the staff list,
//! one WABA's page, and what operators ask again for a WABA (resume its pipeline, re-run a
//! step, re-fetch its business token).

use std::sync::Arc;

use app::error::AppError;
use app::staff::port::StaffIdentity;
use app::wabas::port::{
    DayMetrics, FailureCount, Funnel, Overview, PhoneView, StepView, TimelineView, WabaAction,
    WabaCursor, WabaDetail, WabaFilter, WabaListRow, WabaPage,
};
use async_trait::async_trait;

use crate::db::{now_millis, NewAuditEntry, WabaRow};
use crate::signup::pipeline::{self, STEPS};

use crate::errors::internal;
use app::wabas::port::WabasPort;

/// The stores this service reads and writes.
pub trait Stores:
    crate::db::AuditStore
    + crate::db::InboxStore
    + crate::db::IntentStore
    + crate::db::MetricsStore
    + crate::db::SignupStore
    + crate::db::StepStore
    + crate::db::TimelineStore
    + crate::db::WabaListStore
    + crate::db::WabaStore
    + crate::db::JobStore
    + crate::db::SignupLinkStore
    + crate::db::MonitoringStore
    + crate::db::TemplateStore
    + crate::db::CoexistenceStore
    + crate::db::MmMetricsStore
{
}
impl<
        T: crate::db::AuditStore
            + crate::db::InboxStore
            + crate::db::IntentStore
            + crate::db::MetricsStore
            + crate::db::SignupStore
            + crate::db::StepStore
            + crate::db::TimelineStore
            + crate::db::WabaListStore
            + crate::db::WabaStore
            + crate::db::JobStore
            + crate::db::SignupLinkStore
            + crate::db::MonitoringStore
            + crate::db::TemplateStore
            + crate::db::CoexistenceStore
            + crate::db::MmMetricsStore,
    > Stores for T
{
}

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

/// Meta's template analytics for the WABA page: per day (all templates, for the chart) and
/// per template (totals and the conversions Meta named).
fn mm_metrics_view(
    fetch: crate::db::TemplateMetricsFetch,
    days: Vec<crate::db::TemplateMetricsDay>,
    templates: &[crate::db::Template],
) -> app::wabas::port::MmMetricsView {
    use std::collections::BTreeMap;
    let mut by_day: BTreeMap<String, DayMetrics> = BTreeMap::new();
    let mut by_template: BTreeMap<
        String,
        (app::wabas::port::TemplateMetricsView, BTreeMap<String, f64>),
    > = BTreeMap::new();
    for d in &days {
        let day = by_day.entry(d.day.clone()).or_insert_with(|| DayMetrics {
            day: d.day.clone(),
            category: "meta_mm_api".into(),
            sent: 0,
            delivered: 0,
            read: 0,
            failed: 0,
            clicked: 0,
        });
        day.sent += d.sent;
        day.delivered += d.delivered;
        day.read += d.read;
        day.clicked += d.clicked;
        let (view, conversions) = by_template
            .entry(d.meta_template_id.clone())
            .or_insert_with(|| {
                let name = templates
                    .iter()
                    .find(|t| t.meta_template_id == d.meta_template_id)
                    .map(|t| t.name.clone());
                (
                    app::wabas::port::TemplateMetricsView {
                        meta_template_id: d.meta_template_id.clone(),
                        name,
                        sent: 0,
                        delivered: 0,
                        read: 0,
                        clicked: 0,
                        conversions: Vec::new(),
                    },
                    BTreeMap::new(),
                )
            });
        view.sent += d.sent;
        view.delivered += d.delivered;
        view.read += d.read;
        view.clicked += d.clicked;
        if let Ok(serde_json::Value::Object(named)) = serde_json::from_str(&d.conversions) {
            for (key, value) in named {
                *conversions.entry(key).or_default() += value.as_f64().unwrap_or(0.0);
            }
        }
    }
    app::wabas::port::MmMetricsView {
        fetched_at: fetch.fetched_at,
        error: fetch.error,
        days: by_day.into_values().collect(),
        templates: by_template
            .into_values()
            .map(|(mut view, conversions)| {
                view.conversions = conversions
                    .into_iter()
                    .map(|(key, value)| (key, format!("{value}")))
                    .collect();
                view
            })
            .collect(),
    }
}

fn coexistence_view(sync: crate::db::CoexistenceSync) -> app::wabas::port::CoexistenceView {
    app::wabas::port::CoexistenceView {
        started_at: sync.started_at,
        deadline: sync
            .started_at
            .map(|at| at + crate::db::coexistence::WINDOW_MILLIS),
        contacts_requested_at: sync.contacts_requested_at,
        history_requested_at: sync.history_requested_at,
        contact_webhooks: sync.contact_webhooks,
        contacts: sync.contacts,
        history_webhooks: sync.history_webhooks,
        history_messages: sync.history_messages,
        history_progress: sync.history_progress,
        history_error: sync.history_error,
        echoes: sync.echoes,
    }
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
        connection: app::wabas::connection::connection_of(row.connection_state.as_deref())
            .to_string(),
        phone: row.phone,
        updated_at: row.updated_at,
    }
}

fn failure_count((day, code, count): (String, i64, i64)) -> FailureCount {
    FailureCount {
        meaning: crate::operations::send::explain(code).map(str::to_string),
        day,
        code,
        count,
    }
}

fn phone_view(p: crate::db::Phone) -> PhoneView {
    PhoneView {
        meta_phone_id: p.meta_phone_id,
        display_phone_number: p.display_phone_number,
        verified_name: p.verified_name,
        registered: p.registered,
        coexistence: p.coexistence,
        quality_rating: p.quality_rating,
    }
}

fn step_view(s: crate::db::OnboardingStep) -> StepView {
    StepView {
        step: s.step,
        state: s.state,
        attempts: s.attempts,
        detail: s.detail,
        error_code: s.error_code,
        updated_at: s.updated_at,
    }
}

fn timeline_view(t: crate::db::TimelineEvent) -> TimelineView {
    TimelineView {
        kind: t.kind,
        summary: t.summary,
        actor: t.actor,
        occurred_at: t.occurred_at,
    }
}

/// The WABA with portal id `id`, or [`AppError::NotFound`].
pub(crate) async fn waba_or_not_found(
    store: &dyn crate::db::WabaStore,
    id: i64,
) -> Result<crate::db::Waba, AppError> {
    store
        .waba_by_id(id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

pub struct WabasService {
    store: Arc<dyn Stores>,
}

impl WabasService {
    pub fn new(store: Arc<dyn Stores>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl WabasPort for WabasService {
    async fn overview(&self) -> Result<Overview, AppError> {
        let status_counts = self.store.count_wabas_by_status().await.map_err(internal)?;
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
            paused_feeds: self.store.count_paused_feeds().await.map_err(internal)?,
        })
    }

    async fn wabas(&self, filter: WabaFilter) -> Result<WabaPage, AppError> {
        let search = crate::wabas::search::waba_search(&filter, PAGE_SIZE + 1)?;
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
        let waba = waba_or_not_found(self.store.as_ref(), id).await?;
        let business = self
            .store
            .business_by_id(waba.business_id)
            .await
            .map_err(internal)?;
        let phones = self.store.phones_for_waba(id).await.map_err(internal)?;
        let mut steps = self.store.steps_for_waba(id).await.map_err(internal)?;
        let order = |name: &str| STEPS.iter().position(|s| s.as_str() == name).unwrap_or(99);
        steps.sort_by_key(|s| order(&s.step));
        let timeline = self
            .store
            .timeline_for_waba(id, 100)
            .await
            .map_err(internal)?;
        let signup = self.store.signup_for_waba(id).await.map_err(internal)?;
        let customer = self.store.waba_customer(id).await.map_err(internal)?;
        let failed = steps.iter().any(|s| s.state == "failed");
        let metrics = self
            .store
            .metrics_for_waba(&waba.meta_waba_id)
            .await
            .map_err(internal)?;
        let failures = self
            .store
            .failures_for_waba(&waba.meta_waba_id)
            .await
            .map_err(internal)?;
        let (templates_synced_at, templates) =
            self.store.templates_for_waba(id).await.map_err(internal)?;
        let now = crate::db::now_millis();
        let coexistence_sync = self
            .store
            .coexistence_get(id)
            .await
            .map_err(internal)?
            .map(coexistence_view)
            .or_else(|| {
                waba.coexistence
                    .then(|| coexistence_view(Default::default()))
            });
        let mm_metrics = mm_metrics_view(
            self.store
                .mm_metrics_fetch_state(id)
                .await
                .map_err(internal)?,
            self.store.mm_metrics_for_waba(id).await.map_err(internal)?,
            &templates,
        );
        Ok(WabaDetail {
            mm_metrics,
            coexistence_sync,
            templates: templates
                .iter()
                .map(|t| crate::templates::readiness::view(t, now))
                .collect(),
            templates_synced_at,
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
                .map(failure_count)
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
                connection: app::wabas::connection::connection_of(waba.connection_state.as_deref())
                    .to_string(),
                phone: phones.first().map(|p| p.display_phone_number.clone()),
                updated_at: waba.updated_at,
            },
            meta_business_id: business.map(|b| b.meta_business_id).unwrap_or_default(),
            currency: waba.currency,
            phones: phones.into_iter().map(phone_view).collect(),
            steps: steps.into_iter().map(step_view).collect(),
            timeline: timeline.into_iter().map(timeline_view).collect(),
            status_page: signup.map(|s| format!("/status/{}", s.status_key)),
            customer_id: customer.as_ref().and_then(|c| c.customer_id.clone()),
            signup_link_id: customer.and_then(|c| c.signup_link_id),
        })
    }

    async fn resume(&self, staff: &StaffIdentity, id: i64) -> Result<String, AppError> {
        waba_or_not_found(self.store.as_ref(), id).await?;
        let resumed = pipeline::resume(self.store.as_ref(), id, &staff.email)
            .await
            .map_err(internal)?;
        let Some(step) = resumed else {
            return Err(AppError::Invalid(
                "Nothing to resume: no step of this account's onboarding has failed.".into(),
            ));
        };
        self.store
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
        let waba = waba_or_not_found(self.store.as_ref(), id).await?;
        let started = match action {
            WabaAction::Resubscribe | WabaAction::Recheck => {
                let step = if action == WabaAction::Resubscribe {
                    pipeline::Step::SubscribeWebhooks
                } else {
                    pipeline::Step::FetchAccount
                };
                pipeline::repeat(self.store.as_ref(), id, step, &staff.email)
                    .await
                    .map_err(internal)?;
                match action {
                    WabaAction::Resubscribe => "Re-subscribing this WABA's webhooks: the result appears in its steps and timeline.",
                    _ => "Re-reading this WABA from Meta: its status and numbers update in a moment.",
                }
            }
            WabaAction::FetchMetrics => {
                crate::mm_metrics::fetch::enqueue(self.store.as_ref(), id)
                    .await
                    .map_err(internal)?;
                "Reading Meta's template analytics for this WABA: they appear below in a moment."
            }
            WabaAction::SyncTemplates => {
                crate::templates::sync::enqueue(self.store.as_ref(), id)
                    .await
                    .map_err(internal)?;
                "Listing this WABA's templates from Meta: they appear below in a moment."
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
                crate::operations::bisuat::enqueue_refetch(self.store.as_ref(), &waba.meta_waba_id)
                    .await
                    .map_err(internal)?;
                "Fetching the business token again: the timeline shows when it is stored."
            }
        };
        self.store
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
}
