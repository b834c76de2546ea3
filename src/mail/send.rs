//! The `mail.send` job: one queued mail over SMTP. The job's lease (renewed by the worker's
//! heartbeat) keeps two instances from sending it at once; a crash after the server's 250 and
//! before the `sent` mark sends it again, with the same `Message-ID` so mail programs can
//! drop the copy.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};

use crate::db::{now_millis, Job, MailRow, MailStore, SEND_MAIL_JOB};
use crate::jobs::{JobHandler, Outcome};

use super::Mailer;

pub struct MailSendHandler {
    pub store: Arc<dyn MailStore>,
    pub mailer: Mailer,
    /// For the `Message-ID` and `List-Unsubscribe`.
    pub public_url: url::Url,
}

#[derive(serde::Deserialize)]
struct Payload {
    mail_id: i64,
}

#[async_trait]
impl JobHandler for MailSendHandler {
    fn kind(&self) -> &'static str {
        SEND_MAIL_JOB
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
            return Outcome::Fail {
                error: "unreadable mail.send job".into(),
            };
        };
        let mail = match self.store.mail_get(payload.mail_id).await {
            Ok(Some(mail)) if mail.state == "queued" => mail,
            Ok(_) => return Outcome::Done,
            Err(error) => return retry(error.to_string()),
        };
        let Some(transport) = &self.mailer.transport else {
            // Sandbox mode without SMTP: the mail is caught on /sandbox/mail. Live mode
            // without SMTP: staff see why nothing left.
            let (state, error) = if self.mailer.sandbox {
                ("caught", None)
            } else {
                ("failed", Some("SMTP_URL is not set: no mail can be sent"))
            };
            return self.attempted(&mail, state, error).await;
        };
        // Unsubscribed since it was queued: it never leaves.
        let status_key = match mail.signup_id {
            Some(signup) => match self.store.mail_contact(signup).await {
                Ok(Some(contact)) => Some(contact.status_key),
                Ok(None) => return self.attempted(&mail, "unsubscribed", None).await,
                Err(error) => return retry(error.to_string()),
            },
            None => None,
        };
        let message = match self.message(&mail, status_key.as_deref()) {
            Ok(message) => message,
            Err(error) => {
                return self
                    .attempted(
                        &mail,
                        "failed",
                        Some(&format!("the mail could not be built: {error}")),
                    )
                    .await
            }
        };
        match transport.send(message).await {
            Ok(_) => self.attempted(&mail, "sent", None).await,
            Err(error) if error.is_permanent() => {
                let reason = smtp_reason(&error);
                self.attempted(&mail, "failed", Some(&reason)).await;
                Outcome::Fail { error: reason }
            }
            Err(error) => {
                let reason = smtp_reason(&error);
                let _ = self
                    .store
                    .mail_attempted(mail.id, "queued", Some(&reason), now_millis())
                    .await;
                retry(reason)
            }
        }
    }
}

impl MailSendHandler {
    async fn attempted(&self, mail: &MailRow, state: &str, error: Option<&str>) -> Outcome {
        match self
            .store
            .mail_attempted(mail.id, state, error, now_millis())
            .await
        {
            Ok(()) => Outcome::Done,
            Err(error) => retry(error.to_string()),
        }
    }

    fn message(&self, mail: &MailRow, status_key: Option<&str>) -> Result<Message, String> {
        let to = mail
            .recipient
            .parse()
            .map_err(|_| "the recipient is not an email address".to_string())?;
        let host = self.public_url.host_str().unwrap_or("localhost");
        let mut builder = Message::builder()
            .from(self.mailer.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!("<mail-{}@{host}>", mail.id)));
        if let Some(key) = status_key {
            let link = self
                .public_url
                .join(&format!("mail/unsubscribe/{key}"))
                .map_err(|e| e.to_string())?;
            // RFC 8058: one-click unsubscribe from the mail program.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{link}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        // lettre picks each part's encoding (quoted-printable for these UTF-8 paragraphs,
        // whose lines are longer than 8-bit mail allows).
        let part = |content_type: ContentType, body: &str| {
            SinglePart::builder()
                .header(content_type)
                .body(Body::new(body.to_string()))
        };
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &mail.text_body))
                    .singlepart(part(ContentType::TEXT_HTML, &mail.html_body)),
            )
            .map_err(|e| e.to_string())
    }
}

fn retry(error: String) -> Outcome {
    Outcome::Retry {
        error,
        after: Duration::from_secs(30),
    }
}

/// What the SMTP server said, without lettre's own text (it can name the server's address).
fn smtp_reason(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("the mail server refused it (SMTP {code})"),
        None if error.is_transient() => "the mail server asked to try later".into(),
        None => "the mail server could not be reached".into(),
    }
}
