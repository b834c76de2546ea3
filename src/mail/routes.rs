//! `/mail/unsubscribe/{key}` (every mode: the page a mail's link opens, and RFC 8058's
//! one-click POST from mail programs) and, in sandbox mode, the outbox: `/sandbox/mail` for
//! people and `/sandbox/api/mail` for tests.

use std::sync::Arc;

use app::i18n::{t, t_args, Lang};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::db::{now_millis, MailStore};

use super::compose::escape;

#[derive(Clone)]
pub struct MailRoutesState {
    pub store: Arc<dyn MailStore>,
}

/// The unsubscribe routes, and the sandbox outbox when `sandbox`.
pub fn routes(state: MailRoutesState, sandbox: bool) -> Router {
    let mut router = Router::new().route(
        "/mail/unsubscribe/{key}",
        get(unsubscribe_page).post(unsubscribe),
    );
    if sandbox {
        router = router
            .route("/sandbox/mail", get(outbox_page))
            .route("/sandbox/api/mail", get(outbox_json));
    }
    router.with_state(state)
}

/// A small page of its own (no application around it): a mail program or a phone opens it.
fn page(lang: Lang, title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;\
         margin:3rem auto;padding:0 1.25rem;color:#1a202c}}button{{font:inherit;padding:.6rem 1.2rem;\
         border-radius:8px;border:0;background:#0b6e4f;color:#fff;cursor:pointer}}</style></head>\
         <body>{body}</body></html>",
        lang.code(),
        escape(title)
    ))
}

/// Asks before unsubscribing: link checkers in mail systems open every link they see.
async fn unsubscribe_page(Path(key): Path<String>, Query(query): Query<LangQuery>) -> Response {
    // The mail's link says the admin's language.
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_default();
    let title = t(lang, "unsubscribe-title");
    let body = format!(
        "<h1>{}</h1><form method=\"post\"><button type=\"submit\" data-testid=\"unsubscribe\">{}</button></form>",
        escape(&title),
        escape(&t(lang, "unsubscribe-confirm")),
    );
    // The key is not checked here: the POST says whether it exists.
    let _ = key;
    page(lang, &title, &body).into_response()
}

async fn unsubscribe(State(state): State<MailRoutesState>, Path(key): Path<String>) -> Response {
    if key.len() > 200 {
        return not_found();
    }
    match state.store.mail_unsubscribe(&key, now_millis()).await {
        Ok(Some((email, lang))) => {
            let lang = Lang::from_code(&lang).unwrap_or_default();
            let title = t(lang, "unsubscribe-title");
            let email = email.unwrap_or_default();
            let body = format!(
                "<h1 data-testid=\"unsubscribed\">{}</h1><p>{}</p>",
                escape(&t(lang, "unsubscribe-heading")),
                escape(&t_args(lang, "unsubscribe-body", &[("email", &email)])),
            );
            page(lang, &title, &body).into_response()
        }
        Ok(None) => not_found(),
        Err(error) => {
            tracing::error!(%error, "unsubscribe failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

fn not_found() -> Response {
    let lang = Lang::En;
    let title = t(lang, "unsubscribe-title");
    let body = format!("<p>{}</p>", escape(&t(lang, "unsubscribe-invalid")));
    (StatusCode::NOT_FOUND, page(lang, &title, &body)).into_response()
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(serde::Deserialize)]
struct OutboxQuery {
    limit: Option<i64>,
}

async fn outbox_json(
    State(state): State<MailRoutesState>,
    Query(query): Query<OutboxQuery>,
) -> Response {
    match state
        .store
        .mail_recent(query.limit.unwrap_or(50).clamp(1, 500))
        .await
    {
        Ok(mails) => Json(serde_json::json!({ "data": mails })).into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Every mail the portal queued, newest first: what each business admin got, or would get.
async fn outbox_page(State(state): State<MailRoutesState>) -> Response {
    let mails = match state.store.mail_recent(100).await {
        Ok(mails) => mails,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let rows: String = if mails.is_empty() {
        "<p>No mail yet. Sign up with an email on the signup page.</p>".into()
    } else {
        mails
            .iter()
            .map(|m| {
                format!(
                    "<article data-testid=\"mail\" data-kind=\"{kind}\" data-state=\"{state}\" \
                     style=\"border:1px solid #e2e8f0;border-radius:10px;padding:1rem;margin:1rem 0\">\
                     <p style=\"color:#718096;margin:0\">{kind} · {state} · {lang} · to {to}</p>\
                     <h2 style=\"font-size:1.1rem\">{subject}</h2>\
                     <pre style=\"white-space:pre-wrap;overflow-wrap:anywhere;font:inherit\">{text}</pre></article>",
                    kind = escape(&m.kind),
                    state = escape(&m.state),
                    lang = escape(&m.lang),
                    to = escape(&m.recipient),
                    subject = escape(&m.subject),
                    text = escape(&m.text_body),
                )
            })
            .collect()
    };
    page(
        Lang::En,
        "Sandbox mail",
        &format!(
            "<h1>Sandbox mail</h1><p>Mail the portal queued for business admins. With \
             <code>SMTP_URL</code> set it is also sent; without it, it stops here \
             (<em>caught</em>).</p>{rows}"
        ),
    )
    .into_response()
}
