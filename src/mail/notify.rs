//! Which portal events mail a business admin, and the loop that reads them. The events are
//! written in the same transaction as the change they report (EVENTS.md), so reading them in
//! order behind a cursor misses none; each mail's dedupe key makes reading one twice (a crash
//! before the cursor moved) queue nothing new. One instance reads at a time (a lease).

use std::sync::Arc;
use std::time::Duration;

use app::signup::port::SignupPort;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::db::{now_millis, DbResult, EventRow, EventStore, MailContact, MailStore};

use super::compose::{compose, staff_attention, MailContext, MailKind};

/// The stores the notifier reads and writes.
pub trait NotifyStores: MailStore + EventStore {}
impl<T: MailStore + EventStore + ?Sized> NotifyStores for T {}

const BATCH: i64 = 200;
const LEASE: Duration = Duration::from_secs(30);
const EVERY: Duration = Duration::from_secs(1);

pub struct Notifier {
    pub store: Arc<dyn NotifyStores>,
    /// For the partner's name as the signup page shows it now.
    pub signups: Arc<dyn SignupPort>,
    pub public_url: url::Url,
    /// This instance, for the lease.
    pub owner: String,
}

impl Notifier {
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.tick().await {
                // A full batch: more are waiting, read on at once.
                Ok(read) if read as i64 == BATCH => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "mail notifier: reading events failed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(EVERY) => {}
            }
        }
    }

    /// Reads the next events (if this instance holds the lease) and queues their mails;
    /// returns how many events were read.
    pub async fn tick(&self) -> DbResult<usize> {
        let now = now_millis();
        let until = now + LEASE.as_millis() as i64;
        let Some(after) = self
            .store
            .mail_cursor_lease(&self.owner, until, now)
            .await?
        else {
            return Ok(0);
        };
        let events = self.store.event_batch(after, BATCH).await?;
        let Some(last) = events.last().map(|e| e.id) else {
            return Ok(0);
        };
        let context = MailContext {
            partner: self.signups.config().await.partner_name,
            public_url: self.public_url.clone(),
        };
        for event in &events {
            for (kind, contact) in self.mails_for(event).await? {
                let mail = compose(kind, &contact, &context, now);
                self.store.mail_queue(&mail, now).await?;
            }
            if event.event_type == "waba.needs_attention" {
                self.alert_staff(event, now).await?;
            }
        }
        self.store.mail_cursor_advance(&self.owner, last).await?;
        Ok(events.len())
    }

    /// Tells every staff member with alerts on that a WABA needs attention.
    async fn alert_staff(&self, event: &EventRow, now: i64) -> DbResult<()> {
        let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
        for recipient in self.store.staff_alert_recipients().await? {
            if let Some(mail) = staff_attention(&recipient, &data, &self.public_url, now) {
                self.store.mail_queue(&mail, now).await?;
            }
        }
        Ok(())
    }

    async fn mails_for(&self, event: &EventRow) -> DbResult<Vec<(MailKind, MailContact)>> {
        let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
        let Some(kind) = kind_of(&event.event_type, &data) else {
            return Ok(Vec::new());
        };
        let contacts = match (kind, event.event_type.as_str()) {
            (MailKind::StatusLink, _) => match data["signup_id"].as_i64() {
                Some(id) => self.store.mail_contact(id).await?.into_iter().collect(),
                None => Vec::new(),
            },
            (_, "intent.sent") => match data["business_id"].as_str() {
                Some(business) => self.store.mail_contacts_for_business(business).await?,
                None => Vec::new(),
            },
            _ => match data["waba_id"].as_str() {
                Some(waba) => self.store.mail_contacts_for_waba(waba).await?,
                None => Vec::new(),
            },
        };
        Ok(contacts.into_iter().map(|c| (kind, c)).collect())
    }
}

/// The mail an event calls for, if any.
pub fn kind_of(event_type: &str, data: &Value) -> Option<MailKind> {
    match event_type {
        "signup.completed" => Some(MailKind::StatusLink),
        "waba.ready" => Some(MailKind::Ready),
        "intent.sent" => Some(MailKind::ActionTerms),
        "waba.offboarded" if data["connection_state"] == "offboarded" => {
            Some(MailKind::ActionReconnect)
        }
        "waba.needs_attention" if data["reason"] == "restricted" => {
            Some(MailKind::ActionRestricted)
        }
        "waba.status_changed"
            if data["onboarding_status"] == "PENDING_VALID_PAYMENT_METHOD"
                && data["previous"]["onboarding_status"] != "PENDING_VALID_PAYMENT_METHOD" =>
        {
            Some(MailKind::ActionPayment)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_event_that_asks_something_of_the_business_mails_it() {
        assert_eq!(
            kind_of("signup.completed", &json!({"signup_id": 1})),
            Some(MailKind::StatusLink)
        );
        assert_eq!(kind_of("waba.ready", &json!({})), Some(MailKind::Ready));
        assert_eq!(
            kind_of("intent.sent", &json!({})),
            Some(MailKind::ActionTerms)
        );
        assert_eq!(
            kind_of(
                "waba.offboarded",
                &json!({"connection_state": "offboarded"})
            ),
            Some(MailKind::ActionReconnect)
        );
        // Removed or deleted: nothing the business can do by mail.
        assert_eq!(
            kind_of("waba.offboarded", &json!({"connection_state": "removed"})),
            None
        );
        assert_eq!(
            kind_of("waba.needs_attention", &json!({"reason": "restricted"})),
            Some(MailKind::ActionRestricted)
        );
        // A stopped pipeline step is the partner's to fix, not the business's.
        assert_eq!(
            kind_of("waba.needs_attention", &json!({"reason": "step_failed"})),
            None
        );
        let payment = json!({"onboarding_status": "PENDING_VALID_PAYMENT_METHOD",
                             "previous": {"onboarding_status": "ELIGIBLE"}});
        assert_eq!(
            kind_of("waba.status_changed", &payment),
            Some(MailKind::ActionPayment)
        );
        let health_only = json!({"onboarding_status": "PENDING_VALID_PAYMENT_METHOD",
                                 "previous": {"onboarding_status": "PENDING_VALID_PAYMENT_METHOD"}});
        assert_eq!(kind_of("waba.status_changed", &health_only), None);
        assert_eq!(kind_of("signup.started", &json!({})), None);
    }
}
