//! Who is calling: `Authorization: Bearer mmp_…` checked against the stored hash on every
//! request, the key's rate limit, and the record of the use (key, scope, route, status, client
//! address). A handler states the scope it needs with [`Caller::require`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::api_keys::port::Scope;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;

use super::problem::Problem;
use crate::api_keys::uses::UseRecorder;
use crate::db::{now_millis, ApiKeyStore, ApiKeyUse};

/// The authenticated key of this request.
#[derive(Clone)]
pub struct Caller {
    pub key_id: i64,
    pub name: String,
    /// `mmp_<prefix>`: how the audit log names the key.
    pub prefix: String,
    scopes: Arc<[Scope]>,
    /// The scope the handler asked for, for the use record.
    used: Arc<Mutex<Option<Scope>>>,
}

impl Caller {
    /// `Ok` when the key holds `scope`; otherwise a 403 naming it.
    pub fn require(&self, scope: Scope) -> Result<(), Problem> {
        if let Ok(mut used) = self.used.lock() {
            *used = Some(scope);
        }
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "missing-scope",
                format!(
                    "This key lacks the scope `{}` ({}); an admin can make a key that has it.",
                    scope.as_str(),
                    scope.help()
                ),
            ))
        }
    }

    /// How the staff audit log names the key.
    pub fn actor(&self) -> String {
        format!("api-key:{} ({})", self.prefix, self.name)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Problem::unauthorized("Send `Authorization: Bearer <key>`."))
    }
}

/// Requests per second per key, with a burst of twice that.
#[derive(Clone)]
pub struct RateLimit {
    per_second: f64,
    buckets: Arc<Mutex<HashMap<i64, (f64, Instant)>>>,
}

impl RateLimit {
    pub fn new(per_second: u32) -> Self {
        RateLimit {
            per_second: f64::from(per_second.max(1)),
            buckets: Arc::default(),
        }
    }

    /// `Ok` to go ahead, or the whole seconds to wait. Per instance: several instances each
    /// allow the rate (documented).
    fn take(&self, key_id: i64) -> Result<(), u64> {
        let burst = self.per_second * 2.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().map_err(|_| 1u64)?;
        let (tokens, at) = buckets.entry(key_id).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[derive(Clone)]
pub struct AuthState {
    pub store: Arc<dyn ApiKeyStore>,
    pub uses: UseRecorder,
    pub limit: RateLimit,
}

/// The key of `request`, or the problem to answer.
async fn authenticate(state: &AuthState, headers: &HeaderMap) -> Result<Caller, Problem> {
    let header = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| Problem::unauthorized("Send `Authorization: Bearer <key>`."))?;
    let key = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| Problem::unauthorized("The Authorization header must be `Bearer <key>`."))?;
    let unknown = || Problem::unauthorized("This API key is not valid.");
    let prefix = crate::api_keys::prefix_of(key).ok_or_else(unknown)?;
    let row = state
        .store
        .api_key_by_prefix(prefix)
        .await
        .map_err(crate::errors::internal)?
        .ok_or_else(unknown)?;
    let secret = SecretString::from(key.to_string());
    if !crate::api_keys::admits(&row, &secret, now_millis()) {
        return Err(match row.revoked_at {
            Some(_) if crate::api_keys::hash_key(key) == row.secret_hash => {
                Problem::unauthorized("This API key was revoked.")
            }
            _ => unknown(),
        });
    }
    Ok(Caller {
        key_id: row.id,
        name: row.name.clone(),
        prefix: format!("mmp_{}", row.prefix),
        scopes: crate::api_keys::scopes(&row).into(),
        used: Arc::default(),
    })
}

/// The middleware in front of every `/api/v1` route but the OpenAPI document.
pub async fn require_key(
    State(state): State<AuthState>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match authenticate(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(problem) => return problem.into_response(),
    };
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".into());
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let response = match state.limit.take(caller.key_id) {
        Ok(()) => {
            request.extensions_mut().insert(caller.clone());
            next.run(request).await
        }
        Err(seconds) => Problem::rate_limited(seconds).into_response(),
    };
    let scope = caller
        .used
        .lock()
        .ok()
        .and_then(|s| *s)
        .map(|s| s.as_str().to_string());
    state
        .uses
        .record(ApiKeyUse {
            key_id: caller.key_id,
            scope,
            method,
            route,
            status: i64::from(response.status().as_u16()),
            ip,
            used_at: now_millis(),
        })
        .await;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_then_asks_to_wait() {
        let limit = RateLimit::new(5);
        for _ in 0..10 {
            assert_eq!(limit.take(1), Ok(()));
        }
        assert_eq!(limit.take(1), Err(1));
        assert_eq!(limit.take(2), Ok(()), "each key has its own bucket");
    }
}
