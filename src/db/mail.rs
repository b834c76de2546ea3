//! Mail to business admins (migration 000028, docs/MAIL.md): the admin's contact on the
//! signup, the outbox (each mail queued with its `mail.send` job in one transaction), and
//! the notifier's cursor over the portal events.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// The job that sends one queued mail (`{"mail_id": …}`).
pub const SEND_MAIL_JOB: &str = "mail.send";

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// `status_link`, `action_payment`, `action_terms`, `action_reconnect`,
    /// `action_restricted`, `ready`.
    pub kind: String,
    pub signup_id: Option<i64>,
    pub recipient: String,
    pub lang: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The same key twice queues one mail (kind, signup and day).
    pub dedupe_key: String,
}

/// One mail of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct MailRow {
    pub id: i64,
    pub kind: String,
    pub signup_id: Option<i64>,
    pub recipient: String,
    pub lang: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// `queued`, `sent`, `caught` (sandbox without SMTP), `failed`, or `unsubscribed` (the
    /// admin unsubscribed before it left).
    pub state: String,
    pub attempts: i64,
    pub error: Option<String>,
    pub created_at: Millis,
    pub sent_at: Option<Millis>,
}

/// A business admin who gave an email and did not unsubscribe, with what their mail needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailContact {
    pub signup_id: i64,
    pub status_key: String,
    pub email: String,
    pub lang: String,
    pub waba_name: Option<String>,
}

/// A staff member who gets alerts (an admin or operator, active, alerts on).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffRecipient {
    pub id: i64,
    pub email: String,
}

const MAIL_COLUMNS: &str = "SELECT id, kind, signup_id, recipient, lang, subject, text_body,
        html_body, state, attempts, error, created_at, sent_at FROM mail_outbox";

const CONTACT_COLUMNS: &str = "SELECT s.id AS signup_id, s.status_key, s.admin_email AS email,
        s.lang, w.name AS waba_name
     FROM signups s LEFT JOIN wabas w ON w.id = s.waba_id";

const REACHABLE: &str = "s.admin_email IS NOT NULL AND s.mail_unsubscribed_at IS NULL
        AND s.stage = 'exchanged'";

#[async_trait]
pub trait MailStore: Send + Sync + 'static {
    /// Keeps the admin's email (or none) and the page's language on the signup `nonce`.
    async fn signup_set_contact(
        &self,
        nonce: &str,
        email: Option<&str>,
        lang: &str,
    ) -> DbResult<()>;
    /// The signup's admin, if reachable by mail.
    async fn mail_contact(&self, signup_id: i64) -> DbResult<Option<MailContact>>;
    /// The reachable admins of every signup that connected the WABA `meta_waba_id`.
    async fn mail_contacts_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<MailContact>>;
    /// The same for every WABA of the business `meta_business_id`.
    async fn mail_contacts_for_business(
        &self,
        meta_business_id: &str,
    ) -> DbResult<Vec<MailContact>>;
    /// Queues `mail` and its send job together; `None` when its dedupe key was queued before.
    async fn mail_queue(&self, mail: &NewMail, now: Millis) -> DbResult<Option<i64>>;
    async fn mail_get(&self, id: i64) -> DbResult<Option<MailRow>>;
    /// Records one attempt's end: `sent`, `caught` or `failed` (with the error), or still
    /// `queued` after a transient error.
    async fn mail_attempted(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
        now: Millis,
    ) -> DbResult<()>;
    /// The newest mails first (the sandbox outbox page).
    async fn mail_recent(&self, limit: i64) -> DbResult<Vec<MailRow>>;
    /// Stops mail to the admin of the signup whose status page is `status_key`; their email
    /// and language, or `None` for an unknown key.
    async fn mail_unsubscribe(
        &self,
        status_key: &str,
        now: Millis,
    ) -> DbResult<Option<(Option<String>, String)>>;
    /// Takes the notifier's lease until `until` (when free, expired or already `owner`'s):
    /// the id of the last event handled, or `None` when another instance holds it.
    async fn mail_cursor_lease(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Option<i64>>;
    /// Moves the cursor to `last_event_id` (only while `owner` holds the lease).
    async fn mail_cursor_advance(&self, owner: &str, last_event_id: i64) -> DbResult<()>;
    /// Whether the staff member wants alert mail.
    async fn staff_mail_alerts(&self, staff_id: i64) -> DbResult<bool>;
    async fn set_staff_mail_alerts(&self, staff_id: i64, on: bool) -> DbResult<()>;
    /// Who gets an alert now.
    async fn staff_alert_recipients(&self) -> DbResult<Vec<StaffRecipient>>;
}

#[derive(sqlx::FromRow)]
struct Unsubscribed {
    admin_email: Option<String>,
    lang: String,
}

#[async_trait]
impl MailStore for SqlStore {
    async fn signup_set_contact(
        &self,
        nonce: &str,
        email: Option<&str>,
        lang: &str,
    ) -> DbResult<()> {
        query("UPDATE signups SET admin_email = $1, lang = $2 WHERE nonce = $3")
            .bind(email)
            .bind(lang)
            .bind(nonce)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn mail_contact(&self, signup_id: i64) -> DbResult<Option<MailContact>> {
        Ok(
            query_as(format!("{CONTACT_COLUMNS} WHERE s.id = $1 AND {REACHABLE}"))
                .bind(signup_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn mail_contacts_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<MailContact>> {
        Ok(query_as(format!(
            "{CONTACT_COLUMNS} WHERE w.meta_waba_id = $1 AND {REACHABLE} ORDER BY s.id"
        ))
        .bind(meta_waba_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn mail_contacts_for_business(
        &self,
        meta_business_id: &str,
    ) -> DbResult<Vec<MailContact>> {
        Ok(query_as(format!(
            "{CONTACT_COLUMNS} JOIN businesses b ON b.id = w.business_id
              WHERE b.meta_business_id = $1 AND {REACHABLE} ORDER BY s.id"
        ))
        .bind(meta_business_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn mail_queue(&self, mail: &NewMail, now: Millis) -> DbResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = query_scalar(
            "INSERT INTO mail_outbox (kind, signup_id, recipient, lang, subject, text_body,
                    html_body, dedupe_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (dedupe_key) DO NOTHING
             RETURNING id",
        )
        .bind(&mail.kind)
        .bind(mail.signup_id)
        .bind(&mail.recipient)
        .bind(&mail.lang)
        .bind(&mail.subject)
        .bind(&mail.text_body)
        .bind(&mail.html_body)
        .bind(&mail.dedupe_key)
        .bind(now)
        .fetch_optional(&mut tx)
        .await?;
        if let Some(id) = id {
            super::jobs::insert_job(
                &mut tx,
                &NewJob {
                    kind: SEND_MAIL_JOB.into(),
                    payload: serde_json::json!({ "mail_id": id }).to_string(),
                    run_at: now,
                    max_attempts: 8,
                    dedupe_key: Some(format!("{SEND_MAIL_JOB}:{id}")),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn mail_get(&self, id: i64) -> DbResult<Option<MailRow>> {
        Ok(query_as(format!("{MAIL_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn mail_attempted(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
        now: Millis,
    ) -> DbResult<()> {
        let sent_at = (state == "sent" || state == "caught").then_some(now);
        query(
            "UPDATE mail_outbox SET state = $1, error = $2, attempts = attempts + 1,
                    sent_at = COALESCE(sent_at, $3)
              WHERE id = $4",
        )
        .bind(state)
        .bind(error)
        .bind(sent_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mail_recent(&self, limit: i64) -> DbResult<Vec<MailRow>> {
        Ok(
            query_as(format!("{MAIL_COLUMNS} ORDER BY id DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn mail_unsubscribe(
        &self,
        status_key: &str,
        now: Millis,
    ) -> DbResult<Option<(Option<String>, String)>> {
        let row: Option<Unsubscribed> = query_as(
            "UPDATE signups SET mail_unsubscribed_at = COALESCE(mail_unsubscribed_at, $1)
              WHERE status_key = $2
              RETURNING admin_email, lang",
        )
        .bind(now)
        .bind(status_key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.admin_email, r.lang)))
    }

    async fn mail_cursor_lease(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Option<i64>> {
        Ok(query_scalar(
            "UPDATE mail_cursor SET leased_by = $1, leased_until = $2
              WHERE id = 1 AND (leased_by IS NULL OR leased_by = $1 OR leased_until < $3)
              RETURNING last_event_id",
        )
        .bind(owner)
        .bind(until)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn mail_cursor_advance(&self, owner: &str, last_event_id: i64) -> DbResult<()> {
        query(
            "UPDATE mail_cursor SET last_event_id = $1
              WHERE id = 1 AND leased_by = $2 AND last_event_id < $1",
        )
        .bind(last_event_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn staff_mail_alerts(&self, staff_id: i64) -> DbResult<bool> {
        Ok(
            query_scalar::<bool>("SELECT mail_alerts FROM staff_users WHERE id = $1")
                .bind(staff_id)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or(false),
        )
    }

    async fn set_staff_mail_alerts(&self, staff_id: i64, on: bool) -> DbResult<()> {
        query("UPDATE staff_users SET mail_alerts = $1 WHERE id = $2")
            .bind(on)
            .bind(staff_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn staff_alert_recipients(&self) -> DbResult<Vec<StaffRecipient>> {
        Ok(query_as(
            "SELECT id, email FROM staff_users
              WHERE mail_alerts AND NOT disabled AND role IN ('admin', 'operator')
              ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
