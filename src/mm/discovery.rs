//! Discovery: pages through `client_whatsapp_business_accounts` (every WABA customers shared
//! with the partner, with `marketing_messages_onboarding_status`, seed 001), following the
//! cursors, and upserts each business and WABA. A status that changed goes on the WABA's
//! timeline. The job is idempotent: a crash mid-way re-reads from the first page.

use std::sync::Arc;

use async_trait::async_trait;

use super::partner::Partner;
use crate::db::{now_millis, Job, NewBusiness, NewJob, NewTimelineEvent, Repository, WabaUpsert};
use crate::jobs::{JobHandler, Outcome};

pub const JOB_KIND: &str = "mm.discovery";

/// Queues one discovery run (at most one waits at a time).
pub async fn enqueue(repo: &dyn Repository) -> crate::db::DbResult<bool> {
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
    pub repo: Arc<dyn Repository>,
}

#[async_trait]
impl JobHandler for DiscoveryHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    async fn run(&self, job: &Job) -> Outcome {
        let (token, partner_id) = match (self.partner.token().await, self.partner.business_id()) {
            (Ok(token), Ok(id)) => (token, id.to_string()),
            (Err(e), _) | (_, Err(e)) => return Outcome::Fail { error: e },
        };
        let mut after: Option<String> = None;
        let (mut seen, mut added, mut changed) = (0, 0, 0);
        loop {
            let page = match self
                .partner
                .graph
                .client_wabas(&token, &partner_id, after.as_deref())
                .await
            {
                Ok(page) => page,
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
                    _ => info.marketing_messages_onboarding_status.clone(),
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
