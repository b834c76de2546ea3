//! The Intent API through the partner API: ask one business to onboard to the MM API
//! (`POST /api/v1/businesses/{business_id}/intent`, refused with the reason when it cannot be
//! asked), a bulk run over the WABA list's filters (`POST /api/v1/intents`), and the state of
//! each (`GET`). The requests go out through the same paced, durable queue staff use.

use app::api_keys::port::Scope;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::input::StrictJson;
use super::page::timestamp;
use super::problem::{ApiResult, Problem};
use super::ApiState;
use crate::db::{now_millis, Business, SelectionRow, WabaSearch, WabaSort};
use crate::errors::internal;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(ask_business, business_intent))
        .routes(routes!(ask_many))
        .routes(routes!(batch_progress))
}

/// One business's Intent API request.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntentState {
    /// Meta's business portfolio id.
    pub business_id: String,
    /// `queued`, `sending`, `sent` (Meta emailed the business's admins), `failed`, `cancelled`.
    pub state: String,
    /// The run it belongs to (see `GET /intents/{batch}`).
    pub batch: String,
    /// Meta's request id, once sent.
    pub request_id: Option<String>,
    /// Why it failed, with Meta's error when Meta refused.
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

async fn business_or_404(state: &ApiState, business_id: &str) -> Result<Business, Problem> {
    state
        .store
        .business_by_meta_id(business_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            Problem::not_found(format!("No business with id {business_id} is known here."))
        })
}

async fn intent_state(
    state: &ApiState,
    business: &Business,
) -> Result<Option<IntentState>, Problem> {
    Ok(state
        .store
        .intent_get(business.id)
        .await
        .map_err(internal)?
        .map(|row| IntentState {
            business_id: business.meta_business_id.clone(),
            state: row.state,
            batch: row.batch,
            request_id: row.request_id,
            error: row.error,
            created_at: timestamp(row.created_at),
            updated_at: timestamp(row.updated_at),
        }))
}

/// Why `business` cannot be asked now, from its WABAs and its request (`None`: it can).
async fn refusal(state: &ApiState, business: &Business) -> Result<Option<String>, Problem> {
    let intent = state
        .store
        .intent_get(business.id)
        .await
        .map_err(internal)?
        .map(|r| r.state);
    let wabas = state
        .store
        .wabas_of_business(business.id)
        .await
        .map_err(internal)?;
    let mut reasons = Vec::new();
    for (id, _) in wabas {
        let Some(waba) = state.store.waba_by_id(id).await.map_err(internal)? else {
            continue;
        };
        let row = SelectionRow {
            id,
            updated_at: waba.updated_at,
            name: waba.name,
            business_id: business.id,
            meta_business_id: business.meta_business_id.clone(),
            business_name: business.name.clone(),
            onboarding_status: waba.onboarding_status,
            intent_state: intent.clone(),
        };
        match crate::operations::selection::skip_reason(&row) {
            None => return Ok(None),
            Some(reason) => reasons.push(reason),
        }
    }
    reasons.dedup();
    Ok(Some(if reasons.is_empty() {
        "The business has no WhatsApp Business Account known here.".into()
    } else {
        reasons.join("; ")
    }))
}

/// Asks one business, through Meta's Intent API, to onboard to the MM API.
#[utoipa::path(post, path = "/businesses/{business_id}/intent", tag = "intents",
    params(("business_id" = String, Path, description = "Meta's business portfolio id")),
    security(("api_key" = ["intents:write"])),
    responses(
        (status = 202, body = IntentState, description = "Queued; sent at the paced rate"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json",
         description = "The business cannot be asked now; `detail` says why"),
    ))]
async fn ask_business(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(business_id): Path<String>,
) -> ApiResult<(StatusCode, Json<IntentState>)> {
    caller.require(Scope::IntentsWrite)?;
    let business = business_or_404(&state, &business_id).await?;
    if let Some(reason) = refusal(&state, &business).await? {
        return Err(Problem::new(StatusCode::CONFLICT, "not-eligible", reason));
    }
    let batch = format!("api-{}", now_millis());
    let queued = crate::operations::intent::queue(
        state.store.as_ref(),
        &batch,
        &[(business.id, business.meta_business_id.clone())],
        state.intent_rate_per_second,
    )
    .await
    .map_err(internal)?;
    if queued == 0 {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "not-eligible",
            "The business already has an Intent API request queued or sent.",
        ));
    }
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "intent.send",
        ("business", &business_id),
        serde_json::json!({ "batch": batch }),
    )
    .await?;
    let intent = intent_state(&state, &business)
        .await?
        .ok_or_else(|| internal("the queued request is missing"))?;
    Ok((StatusCode::ACCEPTED, Json(intent)))
}

/// The state of one business's Intent API request.
#[utoipa::path(get, path = "/businesses/{business_id}/intent", tag = "intents",
    params(("business_id" = String, Path, description = "Meta's business portfolio id")),
    security(("api_key" = ["intents:write"])),
    responses(
        (status = 200, body = IntentState),
        (status = 404, body = Problem, content_type = "application/problem+json",
         description = "No such business, or it was never asked"),
    ))]
async fn business_intent(
    State(state): State<ApiState>,
    caller: Caller,
    Path(business_id): Path<String>,
) -> ApiResult<Json<IntentState>> {
    caller.require(Scope::IntentsWrite)?;
    let business = business_or_404(&state, &business_id).await?;
    intent_state(&state, &business)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("This business was never asked through the Intent API."))
}

/// The WABA list's filters, to pick the businesses of a bulk run.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentFilter {
    /// Meta's onboarding status, e.g. `ELIGIBLE`.
    pub status: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub coexistence: Option<bool>,
    pub needs_attention: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIntent {
    /// Which WABAs' businesses to ask; `{}` asks every eligible business.
    pub filter: IntentFilter,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Skipped {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkQueued {
    /// Follow it with `GET /intents/{batch}`.
    pub batch: String,
    /// WABAs matching the filter.
    pub matched: i64,
    /// Businesses queued (each once).
    pub queued: i64,
    /// WABAs left out, by why.
    pub skipped: Vec<Skipped>,
    /// Requests per second the run is sent at.
    pub rate_per_second: f64,
}

/// Asks every eligible business of the WABAs matching a filter (at most 100,000 WABAs).
#[utoipa::path(post, path = "/intents", tag = "intents",
    request_body = BulkIntent,
    security(("api_key" = ["intents:write"])),
    responses(
        (status = 202, body = BulkQueued),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json",
         description = "No business of the selection can be asked now"),
    ))]
async fn ask_many(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    StrictJson(body): StrictJson<BulkIntent>,
) -> ApiResult<(StatusCode, Json<BulkQueued>)> {
    caller.require(Scope::IntentsWrite)?;
    let filter = body.filter;
    let country = match filter.country {
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        Some(_) => {
            return Err(Problem::invalid(
                "`filter.country` must be a two-letter code.",
            ))
        }
        None => None,
    };
    let search = WabaSearch {
        status: filter.status.filter(|s| !s.is_empty()),
        country,
        coexistence: filter.coexistence,
        needs_attention: filter.needs_attention.unwrap_or(false),
        sort: WabaSort::Newest,
        limit: 1,
        ..Default::default()
    };
    let selection = crate::operations::selection::select(state.store.as_ref(), &search)
        .await
        .map_err(internal)?;
    let skipped: Vec<Skipped> = selection
        .preview()
        .skipped
        .into_iter()
        .map(|g| Skipped {
            reason: g.reason,
            count: g.count,
        })
        .collect();
    if selection.eligible.is_empty() {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "not-eligible",
            format!(
                "No business of the {} matching WABAs can be asked now{}.",
                selection.matched,
                skipped
                    .first()
                    .map(|s| format!(" (mostly: {})", s.reason))
                    .unwrap_or_default()
            ),
        ));
    }
    let batch = format!("api-bulk-{}", now_millis());
    let queued = crate::operations::intent::queue(
        state.store.as_ref(),
        &batch,
        &selection.eligible,
        state.intent_rate_per_second,
    )
    .await
    .map_err(internal)?;
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "intent.bulk",
        ("batch", &batch),
        serde_json::json!({ "queued": queued, "matched": selection.matched }),
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(BulkQueued {
            batch,
            matched: selection.matched,
            queued: queued as i64,
            skipped,
            rate_per_second: state.intent_rate_per_second,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchProgress {
    pub batch: String,
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
    /// Share of the run no longer waiting (sent, failed or cancelled), 0–1.
    pub done: f64,
}

/// How far a run is.
#[utoipa::path(get, path = "/intents/{batch}", tag = "intents",
    params(("batch" = String, Path, description = "The `batch` a request answered")),
    security(("api_key" = ["intents:write"])),
    responses(
        (status = 200, body = BatchProgress),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn batch_progress(
    State(state): State<ApiState>,
    caller: Caller,
    Path(batch): Path<String>,
) -> ApiResult<Json<BatchProgress>> {
    caller.require(Scope::IntentsWrite)?;
    let counts = state.store.intent_counts(&batch).await.map_err(internal)?;
    if counts.is_empty() {
        return Err(Problem::not_found(format!("No Intent API run `{batch}`.")));
    }
    let count = |name: &str| {
        counts
            .iter()
            .find(|(s, _)| s == name)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let waiting = count("queued") + count("sending");
    Ok(Json(BatchProgress {
        queued: count("queued"),
        sending: count("sending"),
        sent: count("sent"),
        failed: count("failed"),
        cancelled: count("cancelled"),
        done: if total == 0 {
            1.0
        } else {
            (total - waiting) as f64 / total as f64
        },
        batch,
    }))
}
