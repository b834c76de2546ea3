//! Server functions of the public signup and status pages. Anonymous by design: each one is
//! bound to a signup nonce or a status key, never to a staff session.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::signup::port::*;

#[cfg(feature = "ssr")]
fn signup_port() -> Result<std::sync::Arc<dyn SignupPort>, AppError> {
    crate::staff::guard::context_port("signup-context")
}

/// The shape of every public server function: count the call against its client address's
/// limit, then run it; failures get their HTTP status (429 with `Retry-After` when limited).
#[cfg(feature = "ssr")]
pub(crate) async fn public<T, F>(
    call: PublicCall,
    run: impl FnOnce(std::sync::Arc<dyn SignupPort>) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let client = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().copied());
    let result = async {
        let port = signup_port()?;
        port.admit(call, client).await?;
        run(port).await
    }
    .await;
    crate::error::with_status(result)
}

/// The public settings the signup page launches Embedded Signup with.
#[server(prefix = "/api", endpoint = "signup_config")]
pub async fn signup_config() -> Result<crate::signup::port::SignupConfig, AppError> {
    let lang = crate::i18n::request_lang();
    public(PublicCall::Read, |port| async move {
        let mut config = port.config().await;
        config.sdk_url = crate::i18n::sdk_url_in(&config.sdk_url, lang);
        Ok(config)
    })
    .await
}

/// A new signup session for this visit; returns its nonce. Called by `public/signup.js`,
/// with the token of the signup link the page was opened through, if any (409 with the
/// reason when the link may no longer start signups).
#[server(prefix = "/api", endpoint = "signup_start")]
pub async fn signup_start(
    campaign: Option<String>,
    link: Option<String>,
) -> Result<String, AppError> {
    let lang = crate::i18n::request_lang();
    public(PublicCall::Start, |port| async move {
        port.start(campaign, link, lang).await
    })
    .await
}

/// The admin pressed the button and the Embedded Signup popup opened.
#[server(prefix = "/api", endpoint = "signup_launched")]
pub async fn signup_launched(nonce: String) -> Result<(), AppError> {
    public(PublicCall::Event, |port| async move {
        port.launched(&nonce).await
    })
    .await
}

/// One `WA_EMBEDDED_SIGNUP` session-info message, as the page received it (parsed on the
/// server into known fields; 400 when it does not parse).
#[server(prefix = "/api", endpoint = "signup_event")]
pub async fn signup_event(nonce: String, payload: String) -> Result<(), AppError> {
    public(PublicCall::Event, |port| async move {
        port.event(&nonce, &payload).await
    })
    .await
}

/// The popup closed without a code.
#[server(prefix = "/api", endpoint = "signup_abandoned")]
pub async fn signup_abandoned(nonce: String) -> Result<(), AppError> {
    public(PublicCall::Event, |port| async move {
        port.abandoned(&nonce).await
    })
    .await
}

/// Exchanges the code from `FB.login` on the server; returns the status page key. The token
/// never leaves the server.
#[server(prefix = "/api", endpoint = "signup_complete")]
pub async fn signup_complete(
    nonce: String,
    code: String,
    email: Option<String>,
) -> Result<String, AppError> {
    let contact = AdminContact {
        email: email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty()),
        lang: crate::i18n::request_lang(),
    };
    public(PublicCall::Exchange, |port| async move {
        port.complete(&nonce, &code, contact).await
    })
    .await
}
/// The public status checklist of one signup.
#[server(prefix = "/api", endpoint = "signup_status")]
pub async fn signup_status(key: String) -> Result<crate::signup::port::SignupStatusView, AppError> {
    let lang = crate::i18n::request_lang();
    public(PublicCall::Read, |port| async move {
        port.status(&key, lang).await
    })
    .await
}
