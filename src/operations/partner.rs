//! The partner's own access: its business id and system user token. Live mode reads them from
//! the configuration; sandbox mode asks the simulator's tester API for a partner token once
//! and keeps it sealed in the database like every other token.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;
use url::Url;

use crate::crypto::KeyRing;
use crate::db::{SecretSlot, SecretStore};
use crate::graph::GraphClient;

pub struct Partner {
    pub graph: GraphClient,
    pub business_id: Option<String>,
    configured: Option<SecretString>,
    /// Sandbox: the simulator's tester API (`…/sandbox/api/partner-token`).
    sandbox_token_url: Option<Url>,
    repo: Arc<dyn SecretStore>,
    keys: Arc<KeyRing>,
    cached: OnceCell<SecretString>,
    /// How this instance paces Intent API calls after Meta throttles (`intent.rs`).
    pub intent_pacer: super::pacer::Pacer,
}

fn slot() -> SecretSlot {
    SecretSlot {
        owner_kind: "partner".into(),
        owner_id: "self".into(),
        purpose: "system_user_token".into(),
    }
}

impl Partner {
    pub fn new(
        graph: GraphClient,
        business_id: Option<String>,
        configured: Option<SecretString>,
        sandbox_token_url: Option<Url>,
        repo: Arc<dyn SecretStore>,
        keys: Arc<KeyRing>,
    ) -> Self {
        Self {
            graph,
            business_id,
            configured,
            sandbox_token_url,
            repo,
            keys,
            cached: OnceCell::new(),
            intent_pacer: super::pacer::Pacer::default(),
        }
    }

    /// The partner's system user token, or why there is none.
    pub async fn token(&self) -> Result<SecretString, String> {
        if let Some(token) = &self.configured {
            return Ok(token.clone());
        }
        self.cached
            .get_or_try_init(|| async {
                if let Ok(Some(sealed)) = self.repo.get_secret(&slot()).await {
                    if let Ok(token) = self.keys.open(&slot(), &sealed) {
                        return Ok(token);
                    }
                }
                let url = self
                    .sandbox_token_url
                    .clone()
                    .ok_or("META_SYSTEM_USER_TOKEN is not configured")?;
                #[derive(serde::Deserialize)]
                struct Answer {
                    access_token: String,
                }
                let answer: Answer = reqwest::Client::new()
                    .post(url)
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .map_err(|_| "the simulator did not answer".to_string())?
                    .json()
                    .await
                    .map_err(|_| "the simulator's answer was not a token".to_string())?;
                let token = SecretString::from(answer.access_token);
                self.repo
                    .put_secret(&slot(), &self.keys.seal(&slot(), &token))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(token)
            })
            .await
            .map(|t| SecretString::from(t.expose_secret().to_string()))
    }

    pub fn business_id(&self) -> Result<&str, String> {
        self.business_id
            .as_deref()
            .ok_or_else(|| "META_PARTNER_BUSINESS_ID is not configured".to_string())
    }
}
