//! Test sends through `POST /{PHONE}/marketing_messages` (docs/PRODUCT.md §"Test sends"): proof that an
//! onboarding worked. One call, never repeated automatically: a send that timed out may have
//! been delivered, so the person is told to check the timeline before sending again. Meta's
//! MM API errors get plain-language explanations.

use std::sync::Arc;

use serde_json::json;

use crate::crypto::KeyRing;
use crate::db::{NewTimelineEvent, Waba};
use crate::graph::{GraphCallError, GraphClient};
use crate::signup::{business_token, NoToken};

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::TimelineStore + crate::db::WabaStore + crate::db::SecretStore + crate::db::TemplateStore
{
}
impl<
        T: crate::db::TimelineStore
            + crate::db::WabaStore
            + crate::db::SecretStore
            + crate::db::TemplateStore,
    > Stores for T
{
}

/// What staff asked to send.
#[derive(Debug, Clone)]
pub struct TestSend {
    pub to: String,
    pub template: String,
    pub language: String,
    pub ttl_seconds: Option<u32>,
    pub activity_sharing: bool,
    /// `CLOUD_API_FALLBACK` or `STRICT`.
    pub product_policy: Option<String>,
}

/// Meta's MM API error codes and what they mean for the person sending.
pub fn explain(code: i64) -> Option<&'static str> {
    Some(match code {
        131055 => "This account is not onboarded to the Marketing Messages API yet: the business must accept the MM API terms first.",
        134100 => "This phone number cannot send marketing messages yet: it must be registered for the Cloud API.",
        131063 => "Meta could not send this through the MM API, and the STRICT product policy forbids falling back to the Cloud API.",
        134101 => "This template is still being set up for the MM API (this takes about 10 minutes after it is created or approved). Try again later.",
        134102 => "This template cannot be sent through the MM API (its type or category is not supported).",
        132018 => "The template's parameters do not match what the template expects.",
        131049 => "Meta did not deliver this message to keep the ecosystem healthy (per-user marketing limit). Try another recipient or later.",
        _ => return None,
    })
}

pub struct TestSender {
    pub graph: GraphClient,
    pub repo: Arc<dyn Stores>,
    pub keys: Arc<KeyRing>,
}

/// Languages compare as Meta writes them either way: `en_US`, `en-US`, `EN_us`.
fn same_language(a: &str, b: &str) -> bool {
    a.replace('-', "_")
        .eq_ignore_ascii_case(&b.replace('-', "_"))
}

impl TestSender {
    /// Refuses a template the WABA's listing says cannot go through the MM API now (not
    /// marketing, not approved, still syncing), or does not have, with the reason; before
    /// any Graph call (docs/meta/templates.md).
    async fn check_template(&self, waba_id: i64, request: &TestSend) -> Result<(), String> {
        let (synced, templates) = self
            .repo
            .templates_for_waba(waba_id)
            .await
            .map_err(|_| "The account's templates could not be read.".to_string())?;
        if synced.is_none() {
            return Err("This account's templates have not been listed from Meta yet: press “Sync templates” and try again in a moment.".into());
        }
        let name = request.template.trim();
        let named: Vec<_> = templates.iter().filter(|t| t.name == name).collect();
        let Some(template) = named
            .iter()
            .find(|t| same_language(&t.language, request.language.trim()))
            .or_else(|| named.first())
        else {
            return Err(format!("This account has no template named “{name}”: sync its templates or check the name."));
        };
        if !same_language(&template.language, request.language.trim()) {
            return Err(format!(
                "“{name}” exists in {} only, not in “{}”.",
                named
                    .iter()
                    .map(|t| t.language.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                request.language.trim()
            ));
        }
        match crate::templates::readiness::refusal(template, crate::db::now_millis()) {
            Some(reason) => Err(format!(
                "“{name}” cannot be sent through the MM API now: {reason}."
            )),
            None => Ok(()),
        }
    }

    /// Sends and returns the message id, or an explanation. Writes the attempt on the
    /// WABA's timeline either way.
    pub async fn send(
        &self,
        waba: &Waba,
        request: &TestSend,
        actor: &str,
    ) -> Result<String, String> {
        let to: String = request.to.chars().filter(char::is_ascii_digit).collect();
        if !(8..=15).contains(&to.len()) {
            return Err(
                "The recipient must be a phone number in international format (8 to 15 digits)."
                    .into(),
            );
        }
        if request.template.trim().is_empty() {
            return Err("Name the approved marketing template to send.".into());
        }
        self.check_template(waba.id, request).await?;
        let phones = self
            .repo
            .phones_for_waba(waba.id)
            .await
            .map_err(|_| "The account's numbers could not be read.".to_string())?;
        let Some(phone) = phones.iter().find(|p| p.registered || p.coexistence) else {
            return Err(explain(134100).unwrap_or_default().to_string());
        };
        let token = match business_token(self.repo.as_ref(), &self.keys, waba).await {
            Ok(token) => token,
            Err(NoToken::Missing) => return Err("There is no business token for this account yet (it was not onboarded through this portal).".into()),
            Err(NoToken::Disconnected(reason)) => return Err(reason.into()),
        };
        let mut body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {
                "name": request.template.trim(),
                "language": {"code": request.language.trim(), "policy": "deterministic"}
            },
            "message_activity_sharing": request.activity_sharing,
        });
        if let Some(ttl) = request.ttl_seconds {
            body["message_send_ttl_seconds"] = json!(ttl);
        }
        if let Some(policy) = request.product_policy.as_deref().filter(|p| !p.is_empty()) {
            body["product_policy"] = json!(policy);
        }
        let result = self
            .graph
            .send_marketing(&token, &phone.meta_phone_id, body)
            .await;
        let (summary, answer) = match result {
            Ok(id) => (
                format!("Test message {id} sent to {to} (template {})", request.template.trim()),
                Ok(format!("Sent: message {id}. Its delivery statuses appear on the timeline and in the metrics.")),
            ),
            Err(error) => {
                let text = match &error {
                    GraphCallError::Transport(_) => "Meta did not answer in time. The message may or may not have gone out: check this account's timeline for its status before sending again (sends are never repeated automatically).".to_string(),
                    other => match other.code().and_then(|code| explain(code).map(|p| (code, p))) {
                        Some((code, plain)) => format!("{plain} (Meta error {code})"),
                        None => other.to_string(),
                    },
                };
                (format!("Test message to {to} failed: {text}"), Err(text))
            }
        };
        let _ = self
            .repo
            .append_timeline(&NewTimelineEvent {
                waba_id: Some(waba.id),
                kind: "send.test".into(),
                summary,
                detail: None,
                actor: actor.to_string(),
            })
            .await;
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn every_mm_error_in_the_design_is_explained() {
        for code in [131055, 134100, 131063, 134101, 134102, 132018] {
            assert!(explain(code).is_some(), "{code}");
        }
        assert!(explain(100).is_none());
    }
}
