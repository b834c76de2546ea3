//! The staff WABA list: filters, orders, keyset pages, the Intent API selection over the same
//! filters, and their query plans.

use async_trait::async_trait;

use super::engine::{query, query_scalar, Statement};
use super::*;

/// The columns of the staff WABA list ([`WabaRow`]).
const SEARCH_COLUMNS: &str = "SELECT w.id, w.meta_waba_id, w.name, b.name AS business_name,
                b.meta_business_id,
                w.onboarding_status, w.coexistence, w.country, w.account_health,
                w.mm_terms_signed_at,
                (SELECT COUNT(*) FROM onboarding_steps s
                  WHERE s.waba_id = w.id AND s.state = 'failed') AS failed_steps,
                (SELECT p.display_phone_number FROM phone_numbers p
                  WHERE p.waba_id = w.id ORDER BY p.id LIMIT 1) AS phone,
                w.updated_at
         FROM wabas w JOIN businesses b ON b.id = w.business_id";

/// The columns of the Intent API selection ([`SelectionRow`]) over the same filters.
const SELECTION_COLUMNS: &str =
    "SELECT w.id, w.updated_at, w.name, b.id AS business_id, b.meta_business_id,
            b.name AS business_name, w.onboarding_status,
            (SELECT i.state FROM intent_requests i
              WHERE i.business_id = b.id) AS intent_state
     FROM wabas w JOIN businesses b ON b.id = w.business_id";

/// The staff WABA list's queries.
#[async_trait]
pub trait WabaListStore: Send + Sync + 'static {
    async fn search_wabas(&self, search: &WabaSearch) -> DbResult<Vec<WabaRow>>;
    /// The page of `search` with each WABA's business and Intent API request state (for a
    /// bulk Intent API run over a filtered list).
    async fn intent_selection(&self, search: &WabaSearch) -> DbResult<Vec<SelectionRow>>;
    /// The query plan of the default WABA list query with `search`'s filters, one line per
    /// step (to show which indexes are used).
    async fn explain_search(&self, search: &WabaSearch) -> DbResult<Vec<String>>;
    /// WABAs with an account health other than `active`.
    async fn count_restricted_wabas(&self) -> DbResult<i64>;
}

/// `columns` with `search`'s filters, order and page appended. Name searches run as one-off
/// statements (`persistent(false)`): PostgreSQL then plans each with its pattern. A cached
/// statement may switch to a generic plan after five runs, one plan for every pattern, fast
/// for a rare name or a common word but not both.
fn search_statement<'q>(
    columns: String,
    search: &WabaSearch,
    names_containing: fn(&mut Statement<'_>, &str),
) -> Statement<'q> {
    let pattern = search_pattern(search.text.as_deref());
    let mut statement = query(columns);
    push_search_filters(&mut statement, search, pattern.as_deref(), names_containing);
    statement.persistent(search.text.is_none())
}

/// `%text%` in lower case, with LIKE's wildcards (and PostgreSQL's escape) taken out.
pub(crate) fn search_pattern(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_', '\\'], "")))
}

/// Appends the list query's filters and order to `query`. Only the filters in use are
/// written (a generic `($1 IS NULL OR col = $1)` keeps both engines from using the indexes):
/// the id keyset then reads the primary key backwards, and a status filter reads the
/// `(onboarding_status, id)` index. A search text of digits only (a WABA id or a phone
/// number) is matched exactly on the WABA id or as a phone substring, skipping the name scan.
// Long on purpose: one statement's WHERE and ORDER BY, each filter a few lines, in the order
// they are written into the SQL.
fn push_search_filters(
    query: &mut Statement<'_>,
    search: &WabaSearch,
    pattern: Option<&str>,
    names_containing: fn(&mut Statement<'_>, &str),
) {
    query.push(" WHERE 1 = 1");
    if let Some(status) = &search.status {
        query
            .push(" AND w.onboarding_status = ")
            .push_bind(status.clone());
    }
    if let Some(country) = &search.country {
        query.push(" AND w.country = ").push_bind(country.clone());
    }
    if let Some(from) = search.added_from {
        query.push(" AND w.created_at >= ").push_bind(from);
    }
    if let Some(before) = search.added_before {
        query.push(" AND w.created_at < ").push_bind(before);
    }
    if let Some(since) = search.updated_since {
        query.push(" AND w.updated_at >= ").push_bind(since);
    }
    // Keyset: row values compare like the ORDER BY below, and both engines turn them
    // into a range on the matching index.
    match &search.after {
        Some(WabaCursor::Id(id)) => {
            let op = if search.sort == WabaSort::Oldest {
                " > "
            } else {
                " < "
            };
            query.push(" AND w.id").push(op).push_bind(*id);
        }
        Some(WabaCursor::Updated(at, id)) => {
            query
                .push(" AND (w.updated_at, w.id) < (")
                .push_bind(*at)
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
        Some(WabaCursor::Name(name, id)) => {
            query
                .push(" AND (w.name, w.id) > (")
                .push_bind(name.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
        None => {}
    }
    if let Some(coexistence) = search.coexistence {
        query.push(" AND w.coexistence = ").push_bind(coexistence);
    }
    if search.needs_attention {
        query.push(
            " AND w.id IN (SELECT s.waba_id FROM onboarding_steps s WHERE s.state = 'failed')",
        );
    }
    if let Some(pattern) = pattern {
        // A WABA id or a phone number, however it was typed: +55 (11) 91234-5678.
        let digits: String = pattern
            .chars()
            .filter(|c| !matches!(c, '%' | ' ' | '+' | '-' | '(' | ')'))
            .collect();
        if digits.len() >= 5 && digits.bytes().all(|b| b.is_ascii_digit()) {
            // One WABA id, or a phone number's whole digits or beginning (a range on the
            // digits index; ':' sorts right after '9'). A UNION, not an OR, so that each
            // side uses its index on PostgreSQL too.
            query
                .push(" AND w.id IN (SELECT id FROM wabas WHERE meta_waba_id = ")
                .push_bind(digits.clone())
                .push(" UNION SELECT p.waba_id FROM phone_numbers p WHERE p.phone_digits >= ")
                .push_bind(digits.clone())
                .push(" AND p.phone_digits < ")
                .push_bind(format!("{digits}:"))
                .push(")");
        } else {
            // Text with letters: names only (a phone number or a WABA id has none),
            // through the dialect's substring index.
            query.push(" AND ");
            names_containing(query, pattern);
        }
    }
    query
        .push(match search.sort {
            WabaSort::Newest => " ORDER BY w.id DESC",
            WabaSort::Oldest => " ORDER BY w.id ASC",
            WabaSort::RecentlyUpdated => " ORDER BY w.updated_at DESC, w.id DESC",
            WabaSort::Name => " ORDER BY w.name ASC, w.id ASC",
        })
        .push(" LIMIT ")
        .push_bind(search.limit);
}

#[async_trait]
impl WabaListStore for SqlStore {
    async fn search_wabas(&self, search: &WabaSearch) -> DbResult<Vec<WabaRow>> {
        let names = self.dialect().names_containing;
        search_statement(SEARCH_COLUMNS.to_string(), search, names)
            .rows()
            .fetch_all(&self.pool)
            .await
    }

    async fn intent_selection(&self, search: &WabaSearch) -> DbResult<Vec<SelectionRow>> {
        let names = self.dialect().names_containing;
        search_statement(SELECTION_COLUMNS.to_string(), search, names)
            .rows()
            .fetch_all(&self.pool)
            .await
    }

    async fn explain_search(&self, search: &WabaSearch) -> DbResult<Vec<String>> {
        let dialect = self.dialect();
        let columns = format!("{} {}", dialect.explain, SEARCH_COLUMNS);
        search_statement(columns, search, dialect.names_containing)
            .plan_lines(&self.pool)
            .await
    }

    async fn count_restricted_wabas(&self) -> DbResult<i64> {
        Ok(query_scalar(
            "SELECT COUNT(*) FROM wabas
                 WHERE account_health IS NOT NULL AND account_health <> 'active'",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}
