//! `GET /wabas.csv`: the staff WABA list as CSV, with the same filters as the page, streamed
//! in keyset batches so memory stays constant whatever the number of WABAs. Staff only; each
//! export is written to the audit log.

use std::sync::Arc;

use app::staff::port::StaffIdentity;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;

use app::wabas::port::{WabaCursor, WabaFilter};

use crate::db::{NewAuditEntry, WabaRow};

/// The stores this module reads and writes.
pub trait Stores: crate::db::AuditStore + crate::db::WabaListStore {}
impl<T: crate::db::AuditStore + crate::db::WabaListStore> Stores for T {}

const BATCH: i64 = 1000;

#[derive(Clone)]
pub struct ExportState {
    pub store: Arc<dyn Stores>,
}

/// A CSV field: quoted when needed, and defused against spreadsheet formula injection
/// (a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'`: spreadsheets skip the
/// last two and read a formula after them), since business names come from users.
fn field(text: &str) -> String {
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !phone_like {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn line(row: &WabaRow) -> String {
    let fields = [
        row.meta_waba_id.clone(),
        row.name.clone(),
        row.business_name.clone(),
        row.phone.clone().unwrap_or_default(),
        row.onboarding_status.clone().unwrap_or_default(),
        row.country.clone().unwrap_or_default(),
        row.coexistence.to_string(),
        row.account_health.clone().unwrap_or_default(),
        (row.mm_terms_signed_at.is_some()).to_string(),
        (row.failed_steps > 0).to_string(),
        row.updated_at.to_string(),
    ];
    let mut out = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

const HEADER: &str = "waba_id,waba_name,business_name,phone,onboarding_status,country,coexistence,account_health,terms_signed,needs_attention,updated_at_ms\r\n";

pub async fn wabas_csv(
    State(state): State<ExportState>,
    staff: Option<Extension<StaffIdentity>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(Extension(staff)) = staff else {
        return (StatusCode::UNAUTHORIZED, "Please sign in to export.").into_response();
    };
    let filter = WabaFilter::from_query(|key| query.get(key).cloned());
    let search = match crate::wabas::search::waba_search(&filter, BATCH) {
        Ok(search) => search,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    let _ = state
        .store
        .append_audit(&NewAuditEntry {
            staff_id: Some(staff.id),
            actor: staff.email.clone(),
            action: "wabas.export_csv".into(),
            target_kind: None,
            target_id: None,
            detail: Some(filter.to_query(false)).filter(|q| !q.is_empty()),
            ip: staff.ip.clone(),
        })
        .await;
    let store = state.store.clone();
    // State: (the next page's search, header sent?, finished?).
    let stream = futures::stream::unfold(
        (search, false, false),
        move |(mut search, header_sent, finished)| {
            let store = store.clone();
            async move {
                if !header_sent {
                    return Some((
                        Ok::<_, std::io::Error>(HEADER.to_string()),
                        (search, true, false),
                    ));
                }
                if finished {
                    return None;
                }
                match store.search_wabas(&search).await {
                    Ok(rows) => {
                        let done = (rows.len() as i64) < search.limit;
                        search.after = rows
                            .last()
                            .map(|r| WabaCursor::after(search.sort, r.id, r.updated_at, &r.name));
                        let chunk: String = rows.iter().map(line).collect();
                        if chunk.is_empty() {
                            None
                        } else {
                            Some((Ok(chunk), (search, true, done)))
                        }
                    }
                    Err(error) => {
                        tracing::error!(%error, "CSV export stopped");
                        Some((
                            Err(std::io::Error::other("export failed")),
                            (search, true, true),
                        ))
                    }
                }
            }
        },
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"wabas.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("+55 11 91234 5678"), "+55 11 91234 5678");
        assert_eq!(field("+1 (415) 555-0100"), "+1 (415) 555-0100");
        assert_eq!(field("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
    }
}
