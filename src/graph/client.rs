//! The HTTP client for the Graph API calls the onboarding pipeline makes.
//!
//! Every call that carries a business token also carries `appsecret_proof` (docs/PRODUCT.md §"Security promises"). The
//! token travels in the `Authorization` header, never in a URL, so it cannot reach an access log
//! or an error message through the request line. Errors come back as [`GraphCallError`], which
//! says whether to retry and for how long, and whose `Display` holds Meta's message and code but
//! never a token.
//!
//! In sandbox mode the base URL is the simulator on this server (`…/sandbox/graph`); the
//! simulator answers with the same shapes, so this client does not know which one it talks to.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use super::error::transport_kind;
use super::{appsecret_proof, BusinessUseCaseUsage, GraphError, Reaction};

/// How long one Graph call may take before it counts as a transient failure.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a Graph call failed, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GraphCallError {
    /// Graph answered with its error object.
    #[error("{}", .error.staff_message())]
    Graph {
        status: u16,
        /// Boxed: the error is rare and this keeps every `Result` small.
        error: Box<GraphError>,
        /// From `X-Business-Use-Case-Usage`, when Meta said how long to wait.
        regain_access_after: Option<Duration>,
    },
    /// No usable answer: connection refused, timeout, or a body that is not Graph's.
    #[error("Meta could not be reached ({0})")]
    Transport(String),
    /// A 200 whose body was not what the endpoint documents.
    #[error("Meta answered with an unexpected body ({0})")]
    Unexpected(String),
}

impl GraphCallError {
    /// Whether another attempt may succeed, and whether it is a rate limit.
    pub fn reaction(&self) -> Reaction {
        match self {
            GraphCallError::Graph { status, error, .. } => error.reaction(*status),
            GraphCallError::Transport(_) => Reaction::Retry {
                rate_limited: false,
            },
            GraphCallError::Unexpected(_) => Reaction::Stop,
        }
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            GraphCallError::Graph { error, .. } => Some(error.code),
            _ => None,
        }
    }

    pub fn regain_access_after(&self) -> Option<Duration> {
        match self {
            GraphCallError::Graph {
                regain_access_after,
                ..
            } => *regain_access_after,
            _ => None,
        }
    }
}

pub type GraphResult<T> = Result<T, GraphCallError>;

/// Where Graph is and which app the portal is.
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    /// Ends with `/`, e.g. `https://graph.facebook.com/` or `http://127.0.0.1:3000/sandbox/graph/`.
    base: Url,
    version: String,
    app_id: String,
    app_secret: std::sync::Arc<SecretString>,
    /// Calls by operation and outcome, for `/metrics`.
    counters: crate::monitoring::Counters,
}

/// `debug_token`'s `data`, the parts the portal reads.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenInfo {
    #[serde(default)]
    pub is_valid: bool,
    #[serde(default)]
    pub app_id: Option<String>,
    #[serde(default)]
    pub granular_scopes: Vec<GranularScope>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GranularScope {
    pub scope: String,
    #[serde(default)]
    pub target_ids: Vec<String>,
}

impl TokenInfo {
    /// The object ids a scope was granted on.
    pub fn targets_of(&self, scope: &str) -> Vec<String> {
        self.granular_scopes
            .iter()
            .filter(|s| s.scope == scope)
            .flat_map(|s| s.target_ids.iter().cloned())
            .collect()
    }
}

/// The WABA fields the pipeline reads.
#[derive(Debug, Clone, Deserialize)]
pub struct WabaInfo {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub marketing_messages_onboarding_status: Option<String>,
    /// The legacy status field (seed 001: deprecated in 24.0), on versions that have it.
    #[serde(default)]
    pub marketing_messages_lite_api_status: Option<String>,
    #[serde(default)]
    pub owner_business_info: Option<OwnerBusiness>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OwnerBusiness {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// One of a WABA's phone numbers.
#[derive(Debug, Clone, Deserialize)]
pub struct PhoneInfo {
    pub id: String,
    #[serde(default)]
    pub display_phone_number: Option<String>,
    #[serde(default)]
    pub verified_name: Option<String>,
    #[serde(default)]
    pub quality_rating: Option<String>,
    /// `CLOUD_API` once registered.
    #[serde(default)]
    pub platform_type: Option<String>,
    /// True for numbers connected through the WhatsApp Business app (coexistence).
    #[serde(default)]
    pub is_on_biz_app: Option<bool>,
}

#[derive(Deserialize)]
struct Page<T> {
    data: Vec<T>,
}

/// One message template, as `message_templates` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
}

/// One page of a cursor-paged Graph edge.
#[derive(Debug, Clone, Deserialize)]
pub struct CursorPage<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Paging {
    #[serde(default)]
    pub cursors: Option<Cursors>,
    /// Present only when there is a next page.
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
}

impl<T> CursorPage<T> {
    /// The `after` cursor when Graph says there is another page.
    pub fn next_cursor(&self) -> Option<String> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.after.clone()
    }
}

impl GraphClient {
    pub fn new(
        base: Url,
        version: &str,
        app_id: &str,
        app_secret: std::sync::Arc<SecretString>,
    ) -> Self {
        let mut base = base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            // Graph never redirects; a redirect would carry the code or the secret elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client with default settings builds");
        Self {
            http,
            base,
            version: version.to_string(),
            app_id: app_id.to_string(),
            app_secret,
            counters: crate::monitoring::Counters::default(),
        }
    }

    /// Counts this client's calls in `counters` (the running portal's).
    pub fn with_counters(mut self, counters: crate::monitoring::Counters) -> Self {
        self.counters = counters;
        self
    }

    fn url(&self, path: &str) -> GraphResult<Url> {
        self.base
            .join(&format!(
                "{}/{}",
                self.version,
                path.trim_start_matches('/')
            ))
            .map_err(|e| GraphCallError::Transport(format!("bad Graph URL: {e}")))
    }

    /// `POST oauth/access_token`: the Embedded Signup code for the business token, as an
    /// OAuth 2.0 authorization-code grant ([`super::oauth`]).
    pub async fn exchange_code(&self, code: &str) -> GraphResult<SecretString> {
        let url = self.url("oauth/access_token")?;
        let result =
            super::oauth::exchange_code(&self.http, url, &self.app_id, &self.app_secret, code)
                .await
                .map_err(|refused| match refused {
                    super::oauth::Refused::Graph { status, error } => GraphCallError::Graph {
                        status,
                        error,
                        regain_access_after: None,
                    },
                    super::oauth::Refused::Transport(kind) => GraphCallError::Transport(kind),
                    super::oauth::Refused::Unexpected(what) => GraphCallError::Unexpected(what),
                });
        self.count("oauth/access_token", &result);
        result
    }

    /// `GET debug_token` with the app token: what `token` is valid for.
    pub async fn debug_token(&self, token: &SecretString) -> GraphResult<TokenInfo> {
        #[derive(Deserialize)]
        struct Debug {
            data: TokenInfo,
        }
        let mut url = self.url("debug_token")?;
        url.query_pairs_mut()
            .append_pair("input_token", token.expose_secret())
            .append_pair(
                "access_token",
                &format!("{}|{}", self.app_id, self.app_secret.expose_secret()),
            );
        let debug: Debug = self.send("debug_token", self.http.get(url)).await?;
        Ok(debug.data)
    }

    /// `GET /{WABA}?fields=…`.
    pub async fn waba(&self, token: &SecretString, waba_id: &str) -> GraphResult<WabaInfo> {
        let fields =
            "id,name,currency,country,marketing_messages_onboarding_status,owner_business_info";
        self.get("waba", token, waba_id, &[("fields", fields)])
            .await
    }

    /// `GET /{WABA}/phone_numbers`.
    pub async fn phone_numbers(
        &self,
        token: &SecretString,
        waba_id: &str,
    ) -> GraphResult<Vec<PhoneInfo>> {
        let fields =
            "id,display_phone_number,verified_name,quality_rating,platform_type,is_on_biz_app,status";
        let page: Page<PhoneInfo> = self
            .get(
                "phone_numbers",
                token,
                &format!("{waba_id}/phone_numbers"),
                &[("fields", fields)],
            )
            .await?;
        Ok(page.data)
    }

    /// `POST /{WABA}/subscribed_apps`: this app receives the WABA's webhooks.
    pub async fn subscribe_app(&self, token: &SecretString, waba_id: &str) -> GraphResult<()> {
        let answer: Value = self
            .post(
                "subscribed_apps",
                token,
                &format!("{waba_id}/subscribed_apps"),
                json!({}),
            )
            .await?;
        expect_success(&answer)
    }

    /// `POST /{PHONE}/register` with a 6-digit PIN (two-step verification).
    pub async fn register_phone(
        &self,
        token: &SecretString,
        phone_id: &str,
        pin: &SecretString,
    ) -> GraphResult<()> {
        let body = json!({"messaging_product": "whatsapp", "pin": pin.expose_secret()});
        let answer: Value = self
            .post("register", token, &format!("{phone_id}/register"), body)
            .await?;
        expect_success(&answer)
    }

    /// `POST /{WABA}?is_enabled_for_insights=true`: confirms template analytics on the WABA
    /// (once; Meta: "cannot be disabled"), docs/meta/mm-metrics.md.
    pub async fn enable_insights(&self, token: &SecretString, waba_id: &str) -> GraphResult<()> {
        let _: Value = self
            .post(
                "enable_insights",
                token,
                waba_id,
                json!({"is_enabled_for_insights": true}),
            )
            .await?;
        Ok(())
    }

    /// `GET /{WABA}/template_analytics` for at most 10 templates, daily, between `start` and
    /// `end` (Unix seconds), for `product_type` traffic (docs/meta/mm-metrics.md): Meta's
    /// answer as JSON (its data points carry undocumented conversion keys, read by the
    /// caller).
    pub async fn template_analytics(
        &self,
        token: &SecretString,
        waba_id: &str,
        template_ids: &[String],
        (start, end): (i64, i64),
        product_type: &str,
    ) -> GraphResult<Value> {
        let ids = serde_json::to_string(template_ids).expect("ids serialise");
        let (start, end) = (start.to_string(), end.to_string());
        self.get(
            "template_analytics",
            token,
            &format!("{waba_id}/template_analytics"),
            &[
                ("start", start.as_str()),
                ("end", end.as_str()),
                ("granularity", "DAILY"),
                ("template_ids", ids.as_str()),
                ("product_type", product_type),
            ],
        )
        .await
    }

    /// `POST /{PHONE}/smb_app_data` with `sync_type` `smb_app_state_sync` (the Business app's
    /// contacts) or `history` (its chats) for a coexistence number
    /// (docs/meta/coexistence-sync.md): Meta's `request_id`. Accepted means only that:
    /// what was shared arrives as webhooks.
    pub async fn smb_app_data(
        &self,
        token: &SecretString,
        phone_id: &str,
        sync_type: &str,
    ) -> GraphResult<String> {
        #[derive(Deserialize)]
        struct Accepted {
            request_id: String,
        }
        let body = json!({"messaging_product": "whatsapp", "sync_type": sync_type});
        let answer: Accepted = self
            .post(
                "smb_app_data",
                token,
                &format!("{phone_id}/smb_app_data"),
                body,
            )
            .await?;
        Ok(answer.request_id)
    }

    /// `GET /{PARTNER_BUSINESS}/client_whatsapp_business_accounts`: one page of the WABAs
    /// customers shared with the partner, with their MM onboarding status (seed 001).
    pub async fn client_wabas(
        &self,
        token: &SecretString,
        partner_business_id: &str,
        after: Option<&str>,
    ) -> GraphResult<CursorPage<WabaInfo>> {
        let fields =
            "id,name,currency,country,marketing_messages_onboarding_status,owner_business_info";
        self.client_wabas_with(token, partner_business_id, fields, None, after)
            .await
    }

    /// [`client_wabas`](Self::client_wabas) with chosen `fields` and an optional `filtering`
    /// (seed 001's JSON list of `{field, operator, value}`), 100 a page.
    pub async fn client_wabas_with(
        &self,
        token: &SecretString,
        partner_business_id: &str,
        fields: &str,
        filtering: Option<&str>,
        after: Option<&str>,
    ) -> GraphResult<CursorPage<WabaInfo>> {
        let mut params = vec![("fields", fields), ("limit", "100")];
        if let Some(filtering) = filtering {
            params.push(("filtering", filtering));
        }
        if let Some(after) = after {
            params.push(("after", after));
        }
        self.get(
            "client_whatsapp_business_accounts",
            token,
            &format!("{partner_business_id}/client_whatsapp_business_accounts"),
            &params,
        )
        .await
    }

    /// `GET /{WABA}/message_templates` (docs/meta/templates.md), one page of 100 after
    /// `after`: each template's id, name, language, status and category.
    pub async fn message_templates(
        &self,
        token: &SecretString,
        waba_id: &str,
        after: Option<&str>,
    ) -> GraphResult<CursorPage<TemplateInfo>> {
        let mut params = vec![
            ("fields", "id,name,language,status,category"),
            ("limit", "100"),
        ];
        if let Some(after) = after {
            params.push(("after", after));
        }
        self.get(
            "message_templates",
            token,
            &format!("{waba_id}/message_templates"),
            &params,
        )
        .await
    }

    /// The Graph API version this client calls (`v23.0`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `POST /{END_BUSINESS}/onboard_partners_to_mm_lite` (the Intent API, seed 004): asks the
    /// business to onboard; Meta answers the pending request's id (the same one again while it
    /// is pending).
    pub async fn onboard_to_mm(
        &self,
        token: &SecretString,
        business_id: &str,
        solution_id: Option<&str>,
    ) -> GraphResult<String> {
        #[derive(Deserialize)]
        struct Answer {
            request_id: String,
        }
        let body = match solution_id {
            Some(id) => json!({ "solution_id": id }),
            None => json!({}),
        };
        let answer: Answer = self
            .post(
                "onboard_partners_to_mm_lite",
                token,
                &format!("{business_id}/onboard_partners_to_mm_lite"),
                body,
            )
            .await?;
        Ok(answer.request_id)
    }

    /// `POST /{CLIENT_BUSINESS}/system_user_access_tokens?fetch_only=true`: the business
    /// integration system user token after an Intent API onboarding (seed 000).
    pub async fn fetch_bisuat(
        &self,
        token: &SecretString,
        business_id: &str,
    ) -> GraphResult<SecretString> {
        #[derive(Deserialize)]
        struct Answer {
            access_token: String,
        }
        let answer: Answer = self
            .post(
                "system_user_access_tokens",
                token,
                &format!("{business_id}/system_user_access_tokens?fetch_only=true"),
                json!({}),
            )
            .await?;
        Ok(SecretString::from(answer.access_token))
    }

    /// `POST /{PHONE}/marketing_messages`: one marketing template through the MM API (seed
    /// 002). Returns the message id (`wamid…`). Never retried by the caller on a timeout: the
    /// message may have gone out.
    pub async fn send_marketing(
        &self,
        token: &SecretString,
        phone_id: &str,
        body: Value,
    ) -> GraphResult<String> {
        #[derive(Deserialize)]
        struct Sent {
            id: String,
        }
        #[derive(Deserialize)]
        struct Answer {
            messages: Vec<Sent>,
        }
        let answer: Answer = self
            .post(
                "marketing_messages",
                token,
                &format!("{phone_id}/marketing_messages"),
                body,
            )
            .await?;
        answer
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .ok_or_else(|| GraphCallError::Unexpected("no message id in the answer".into()))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        token: &SecretString,
        path: &str,
        params: &[(&str, &str)],
    ) -> GraphResult<T> {
        let mut url = self.url(path)?;
        url.query_pairs_mut()
            .extend_pairs(params)
            .append_pair("appsecret_proof", &appsecret_proof(token, &self.app_secret));
        let request = self.http.get(url).bearer_auth(token.expose_secret());
        self.send(operation, request).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        token: &SecretString,
        path: &str,
        body: Value,
    ) -> GraphResult<T> {
        let mut url = self.url(path)?;
        url.query_pairs_mut()
            .append_pair("appsecret_proof", &appsecret_proof(token, &self.app_secret));
        let request = self
            .http
            .post(url)
            .bearer_auth(token.expose_secret())
            .json(&body);
        self.send(operation, request).await
    }

    /// Sends one call of `operation` (the Graph edge, for `/metrics`) and counts how it ended.
    async fn send<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> GraphResult<T> {
        let result = self.call(request).await;
        self.count(operation, &result);
        result
    }

    /// Counts one call of `operation` by its outcome, for `/metrics`.
    fn count<T>(&self, operation: &'static str, result: &GraphResult<T>) {
        use crate::monitoring::GraphOutcome;
        let outcome = match result {
            Ok(_) => GraphOutcome::Ok,
            Err(GraphCallError::Graph { error, .. }) => GraphOutcome::Graph(error.code),
            Err(GraphCallError::Transport(_)) => GraphOutcome::Transport,
            Err(GraphCallError::Unexpected(_)) => GraphOutcome::Unexpected,
        };
        self.counters.graph_called(operation, outcome);
    }

    async fn call<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> GraphResult<T> {
        // reqwest's errors include the URL, which may hold a code or the app secret: keep only
        // the kind of failure.
        let response = request
            .send()
            .await
            .map_err(|e| GraphCallError::Transport(transport_kind(&e)))?;
        let status = response.status().as_u16();
        let usage = response
            .headers()
            .get("x-business-use-case-usage")
            .and_then(|v| v.to_str().ok())
            .map(BusinessUseCaseUsage::parse);
        let body = response
            .bytes()
            .await
            .map_err(|e| GraphCallError::Transport(transport_kind(&e)))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&body)
                .map_err(|e| GraphCallError::Unexpected(e.to_string()));
        }
        match GraphError::from_body(&body) {
            Some(error) => Err(GraphCallError::Graph {
                status,
                error: Box::new(error),
                regain_access_after: usage.and_then(|u| u.time_to_regain_access()),
            }),
            None => Err(GraphCallError::Transport(format!(
                "HTTP {status} without a Graph error body"
            ))),
        }
    }
}

fn expect_success(answer: &Value) -> GraphResult<()> {
    if answer.get("success").and_then(Value::as_bool) == Some(true) {
        Ok(())
    } else {
        Err(GraphCallError::Unexpected(
            "expected {\"success\": true}".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meta's Graph API is HTTPS: the client must open TLS to an `https` base (a build of
    /// reqwest without a TLS backend refuses such URLs before connecting).
    #[tokio::test]
    async fn an_https_graph_base_is_spoken_to_in_tls() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let first_bytes = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = [0u8; 2];
            socket.read_exact(&mut head).await.unwrap();
            head
        });
        let client = GraphClient::new(
            Url::parse(&format!("https://127.0.0.1:{port}/")).unwrap(),
            "v23.0",
            "app",
            std::sync::Arc::new(SecretString::from("secret")),
        );
        let call = tokio::spawn(async move {
            let _ =
                tokio::time::timeout(Duration::from_secs(5), client.exchange_code("code")).await;
        });
        let head = tokio::time::timeout(Duration::from_secs(5), first_bytes)
            .await
            .expect("the client never connected to the https base")
            .unwrap();
        call.abort();
        // A TLS record of type handshake (0x16), version 3.x: a ClientHello.
        assert_eq!(head, [0x16, 0x03]);
    }
}
