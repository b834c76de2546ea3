//! Discovery: pages through `client_whatsapp_business_accounts` (every WABA customers shared
//! with the partner, with `marketing_messages_onboarding_status`, seed 001), following the
//! cursors, and upserts each business and WABA. A status that changed goes on the WABA's
//! timeline. The job is idempotent: a crash mid-way re-reads from the first page.
//!
//! Older Graph versions (docs/PRODUCT.md §"Discovery and the Intent API"): seed 001 says the legacy
//! `marketing_messages_lite_api_status` "is being deprecated in version 24.0". On versions up
//! to v23.0 the legacy field is requested too, and used when
//! `marketing_messages_onboarding_status` is absent from a WABA; when Graph says the new field
//! does not exist (`(#100) Tried accessing nonexisting field`), the run continues with the
//! legacy field alone. From v24.0 only the new field is requested (asking for a removed field
//! would fail the call).

use std::sync::Arc;

use async_trait::async_trait;

use super::partner::Partner;
use crate::db::{now_millis, Job, NewBusiness, NewJob, NewTimelineEvent, WabaUpsert};
use crate::graph::client::WabaInfo;
use crate::graph::GraphCallError;
use crate::jobs::{JobHandler, Outcome};

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::AuditStore + crate::db::JobStore + crate::db::TimelineStore + crate::db::WabaStore
{
}
impl<
        T: crate::db::AuditStore
            + crate::db::JobStore
            + crate::db::TimelineStore
            + crate::db::WabaStore,
    > Stores for T
{
}

pub const JOB_KIND: &str = "mm.discovery";

const STATUS_FIELD: &str = "marketing_messages_onboarding_status";

/// Which status fields a discovery run asks Graph for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFields {
    /// v24.0 and later: the legacy field is gone.
    Current,
    /// Up to v23.0: both, the new one preferred.
    Both,
    /// Graph said the new field does not exist (an older version).
    LegacyOnly,
}

impl StatusFields {
    fn for_version(version: &str) -> StatusFields {
        if legacy_field_exists(version) {
            StatusFields::Both
        } else {
            StatusFields::Current
        }
    }

    fn list(self) -> &'static str {
        match self {
            StatusFields::Current => {
                "id,name,currency,country,owner_business_info,marketing_messages_onboarding_status"
            }
            StatusFields::Both => "id,name,currency,country,owner_business_info,marketing_messages_onboarding_status,marketing_messages_lite_api_status",
            StatusFields::LegacyOnly => {
                "id,name,currency,country,owner_business_info,marketing_messages_lite_api_status"
            }
        }
    }

    /// Graph refused the new status field and the legacy one may be read instead.
    fn can_fall_back(self, error: &GraphCallError) -> bool {
        self == StatusFields::Both
            && error.code() == Some(100)
            && error.to_string().contains("nonexisting field")
            && error.to_string().contains(STATUS_FIELD)
    }
}

/// Seed 001: the legacy field "is being deprecated in version 24.0".
fn legacy_field_exists(version: &str) -> bool {
    version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        .is_some_and(|major| major < 24)
}

/// The WABA's onboarding status: `marketing_messages_onboarding_status`, else the legacy
/// `marketing_messages_lite_api_status` (whose `ONBOARDED` means the same; any other legacy
/// value is kept as Meta sent it, since it does not say whether the WABA is eligible).
fn onboarding_status(info: &WabaInfo) -> Option<String> {
    info.marketing_messages_onboarding_status
        .clone()
        .or_else(|| info.marketing_messages_lite_api_status.clone())
}

/// Queues one discovery run (at most one waits at a time).
pub async fn enqueue(repo: &dyn crate::db::JobStore) -> crate::db::DbResult<bool> {
    let minute = now_millis() / 60_000;
    Ok(repo
        .enqueue_job(&NewJob {
            kind: JOB_KIND.into(),
            payload: "{}".into(),
            run_at: now_millis(),
            max_attempts: 8,
            dedupe_key: Some(format!("discovery:{minute}")),
        })
        .await?
        .is_some())
}

pub struct DiscoveryHandler {
    pub partner: Arc<Partner>,
    pub repo: Arc<dyn Stores>,
}

#[async_trait]
impl JobHandler for DiscoveryHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    // Long on purpose: one discovery page walked from Graph to the database (read, fall back
    // to the legacy field, upsert, timeline the changes, queue the next page).
    async fn run(&self, job: &Job) -> Outcome {
        let (token, partner_id) = match (self.partner.token().await, self.partner.business_id()) {
            (Ok(token), Ok(id)) => (token, id.to_string()),
            (Err(e), _) | (_, Err(e)) => return Outcome::Fail { error: e },
        };
        let mut after: Option<String> = None;
        let (mut seen, mut added, mut changed) = (0, 0, 0);
        let mut fields = StatusFields::for_version(self.partner.graph.version());
        loop {
            let page = match self
                .partner
                .graph
                .client_wabas_with(&token, &partner_id, fields.list(), None, after.as_deref())
                .await
            {
                Ok(page) => page,
                Err(error) if fields.can_fall_back(&error) => {
                    tracing::info!("Graph has no marketing_messages_onboarding_status here: reading the legacy field");
                    fields = StatusFields::LegacyOnly;
                    continue;
                }
                Err(error) => return super::outcome_for(&error, job.attempts, job.max_attempts),
            };
            for info in &page.data {
                seen += 1;
                let Some(owner) = info.owner_business_info.as_ref() else {
                    continue;
                };
                let existing = self.repo.waba_by_meta_id(&info.id).await.ok().flatten();
                let business = match self
                    .repo
                    .upsert_business(&NewBusiness {
                        meta_business_id: owner.id.clone(),
                        name: owner
                            .name
                            .clone()
                            .or_else(|| info.name.clone())
                            .unwrap_or_else(|| format!("Business {}", owner.id)),
                    })
                    .await
                {
                    Ok(b) => b,
                    Err(e) => {
                        return Outcome::Retry {
                            error: e.to_string(),
                            after: std::time::Duration::from_secs(2),
                        }
                    }
                };
                let previous = existing.as_ref().and_then(|w| w.onboarding_status.clone());
                // Never step back from ONBOARDED (a terms webhook may be newer than this read).
                let status = match previous.as_deref() {
                    Some("ONBOARDED") => previous.clone(),
                    _ => onboarding_status(info),
                };
                let saved = self
                    .repo
                    .upsert_waba(&WabaUpsert {
                        meta_waba_id: info.id.clone(),
                        business_id: business.id,
                        name: info.name.clone().unwrap_or_else(|| info.id.clone()),
                        currency: info.currency.clone(),
                        country: info.country.clone(),
                        onboarding_status: status.clone(),
                        coexistence: existing.as_ref().is_some_and(|w| w.coexistence),
                        connected_now: false,
                    })
                    .await;
                let Ok(saved) = saved else {
                    return Outcome::Retry {
                        error: "database".into(),
                        after: std::time::Duration::from_secs(2),
                    };
                };
                let summary = match (&existing, &previous) {
                    (None, _) => {
                        added += 1;
                        Some(format!(
                            "Found by discovery with status {}",
                            status.as_deref().unwrap_or("unknown")
                        ))
                    }
                    (Some(_), prev) if prev != &status => {
                        changed += 1;
                        Some(format!(
                            "Onboarding status {} → {}",
                            prev.as_deref().unwrap_or("unknown"),
                            status.as_deref().unwrap_or("unknown")
                        ))
                    }
                    _ => None,
                };
                if let Some(summary) = summary {
                    let _ = self
                        .repo
                        .append_timeline(&NewTimelineEvent {
                            waba_id: Some(saved.id),
                            kind: "discovery.status".into(),
                            summary,
                            detail: None,
                            actor: "meta".into(),
                        })
                        .await;
                }
            }
            match page.next_cursor() {
                Some(cursor) if !page.data.is_empty() => after = Some(cursor),
                _ => break,
            }
        }
        tracing::info!(seen, added, changed, "discovery finished");
        let _ = self
            .repo
            .append_audit(&crate::db::NewAuditEntry {
                staff_id: None,
                actor: "system".into(),
                action: "discovery.finished".into(),
                target_kind: None,
                target_id: None,
                detail: Some(format!(
                    "{{\"seen\":{seen},\"added\":{added},\"status_changes\":{changed}}}"
                )),
                ip: None,
            })
            .await;
        Outcome::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE_FIELDS: &str = "id,name,currency,country,owner_business_info";
    const LEGACY_STATUS_FIELD: &str = "marketing_messages_lite_api_status";

    fn info(current: Option<&str>, legacy: Option<&str>) -> WabaInfo {
        serde_json::from_value(serde_json::json!({
            "id": "1",
            STATUS_FIELD: current,
            LEGACY_STATUS_FIELD: legacy,
        }))
        .unwrap()
    }

    #[test]
    fn the_current_status_wins_and_the_legacy_one_fills_in() {
        assert_eq!(
            onboarding_status(&info(Some("ELIGIBLE"), Some("NOT_ONBOARDED"))).as_deref(),
            Some("ELIGIBLE")
        );
        assert_eq!(
            onboarding_status(&info(None, Some("ONBOARDED"))).as_deref(),
            Some("ONBOARDED")
        );
        assert_eq!(onboarding_status(&info(None, None)), None);
    }

    #[test]
    fn the_legacy_field_is_asked_for_only_before_v24() {
        assert_eq!(StatusFields::for_version("v23.0"), StatusFields::Both);
        assert_eq!(StatusFields::for_version("v19.0"), StatusFields::Both);
        assert_eq!(StatusFields::for_version("v24.0"), StatusFields::Current);
        assert_eq!(StatusFields::for_version("v25.0"), StatusFields::Current);
        assert!(!StatusFields::Current.list().contains(LEGACY_STATUS_FIELD));
        assert!(StatusFields::Both.list().contains(LEGACY_STATUS_FIELD));
        assert!(!StatusFields::LegacyOnly.list().contains(STATUS_FIELD));
        assert!(StatusFields::Both.list().starts_with(BASE_FIELDS));
    }
}
