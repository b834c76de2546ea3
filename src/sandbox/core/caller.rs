//! Who is calling a Graph endpoint and with what. Every Graph handler opens the same way:
//! a known Graph version in the path, the object id after it, the parameters (the query
//! string, plus a JSON or form body on POST), then the caller's token with its
//! `appsecret_proof`, then the object the path names, if the token covers it. That opening
//! is the [`GraphRequest`] and [`Authenticated`] extractors and their object loaders, so a
//! handler starts at what is particular to its endpoint.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::errors::{self, SimError};
use super::store::{load, token_key};
use super::SandboxState;
use crate::db::now_millis;
use crate::graph::appsecret_proof;
use crate::sandbox::model::{self, Phone, Token, Waba};

pub type Params = HashMap<String, String>;

/// The opening of every Graph handler, checked in Graph's order: the path's version (an
/// unknown one is "Unknown path components"), the object id after it, the parameters.
pub struct GraphRequest {
    pub version: String,
    /// The `{id}` of the path; empty on the version-level routes (`oauth/access_token`,
    /// `debug_token`).
    pub id: String,
    /// The query string, plus on POST the body's parameters ([`post_params`]).
    pub params: Params,
    pub headers: HeaderMap,
}

impl FromRequest<SandboxState> for GraphRequest {
    /// axum's own answer for a path, query or body it cannot read (as before the extractor),
    /// Graph's error for an unknown version.
    type Rejection = Response;

    async fn from_request(request: Request, state: &SandboxState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Path(path) = Path::<HashMap<String, String>>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Query(query) = Query::<Params>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let headers = parts.headers.clone();
        let post = parts.method == Method::POST;
        let body = if post {
            Bytes::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?
        } else {
            Bytes::new()
        };
        let version = path.get("version").cloned().unwrap_or_default();
        check_version(&version).map_err(IntoResponse::into_response)?;
        Ok(GraphRequest {
            id: path.get("id").cloned().unwrap_or_default(),
            params: if post {
                post_params(&query, &body)
            } else {
                query
            },
            version,
            headers,
        })
    }
}

impl GraphRequest {
    pub fn param(&self, name: &str) -> Option<&String> {
        self.params.get(name)
    }

    /// A parameter that must be present and non-empty (Graph's "The parameter … is required").
    pub fn required(&self, name: &str) -> Result<&String, SimError> {
        self.params
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| errors::missing_parameter(name))
    }

    /// The caller's token, checked the way Graph checks it: present, known, not expired, and
    /// accompanied by a correct `appsecret_proof` (the sandbox app requires proofs).
    pub async fn caller(&self, state: &SandboxState) -> Result<Token, SimError> {
        let bearer = self
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let token = bearer
            .or_else(|| self.params.get("access_token").cloned())
            .ok_or_else(errors::no_access_token)?;
        let (stored, _) = load::<Token>(state, model::TOKEN, &token_key(&token))
            .await?
            .ok_or_else(errors::invalid_token)?;
        if stored.is_expired(now_millis()) {
            return Err(errors::expired_token());
        }
        let proof = self
            .params
            .get("appsecret_proof")
            .ok_or_else(errors::appsecret_proof_missing)?;
        let expected = appsecret_proof(&SecretString::from(token), &state.app_secret);
        if !secret_eq(&proof.to_ascii_lowercase(), &expected) {
            return Err(errors::appsecret_proof_invalid());
        }
        Ok(stored)
    }
}

/// Compares a secret in constant time.
pub fn secret_eq(given: &str, expected: &str) -> bool {
    bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Whether `given` is the app's secret (constant time).
pub fn is_app_secret(state: &SandboxState, given: &str) -> bool {
    secret_eq(given, state.app_secret.expose_secret())
}

/// A [`GraphRequest`] whose caller's token passed [`GraphRequest::caller`]: the extractor of
/// every handler that answers token errors as Graph usually does.
pub struct Authenticated {
    pub request: GraphRequest,
    pub token: Token,
}

impl FromRequest<SandboxState> for Authenticated {
    type Rejection = Response;

    async fn from_request(request: Request, state: &SandboxState) -> Result<Self, Response> {
        let request = GraphRequest::from_request(request, state).await?;
        let token = request
            .caller(state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Authenticated { request, token })
    }
}

impl Authenticated {
    /// The WABA the path names, if the token covers it; Graph's "Unsupported get request"
    /// otherwise (the same answer for an unknown WABA and another business's).
    pub async fn waba(&self, state: &SandboxState) -> Result<(Waba, i64), SimError> {
        let id = &self.request.id;
        match load::<Waba>(state, model::WABA, id).await? {
            Some(found) if self.token.covers(id) => {
                self.still_authorized(state, &found.0)?;
                Ok(found)
            }
            _ => Err(errors::unsupported_get(id)),
        }
    }

    /// A business token stops working once its business removed the partner, uninstalled
    /// the app or deleted the WABA (the partner's own system-user token is not the
    /// business's and goes on working).
    pub fn still_authorized(&self, state: &SandboxState, waba: &Waba) -> Result<(), SimError> {
        let ended = matches!(
            waba.connection.as_deref(),
            Some("removed" | "uninstalled" | "deleted")
        );
        if ended
            && !self
                .token
                .covers(crate::config::SANDBOX_PARTNER_BUSINESS_ID)
        {
            return Err(errors::app_not_authorized(&state.app_id));
        }
        Ok(())
    }

    /// The phone number the path names, if the token covers its WABA; `refused(id)` otherwise
    /// (Graph's "Unsupported get request" or "… post request").
    pub async fn phone(
        &self,
        state: &SandboxState,
        refused: fn(&str) -> SimError,
    ) -> Result<(Phone, i64), SimError> {
        let id = &self.request.id;
        match load::<Phone>(state, model::PHONE, id).await? {
            Some((phone, version)) if self.token.covers(&phone.waba_id) => {
                if let Some((waba, _)) = load::<Waba>(state, model::WABA, &phone.waba_id).await? {
                    self.still_authorized(state, &waba)?;
                }
                Ok((phone, version))
            }
            _ => Err(refused(id)),
        }
    }
}

/// Graph ids are numeric strings.
pub fn is_numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

pub fn check_version(version: &str) -> Result<(), SimError> {
    if crate::config::is_graph_version(version) {
        Ok(())
    } else {
        Err(errors::unknown_path(version))
    }
}

/// Graph takes POST parameters from the query string, a form body or a JSON body.
pub fn post_params(query: &Params, body: &Bytes) -> Params {
    let mut params = query.clone();
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in map {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            params.insert(key, text);
        }
    } else if let Ok(form) = serde_urlencoded::from_bytes::<HashMap<String, String>>(body) {
        params.extend(form);
    }
    params
}
