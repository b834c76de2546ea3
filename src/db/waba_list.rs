//! The staff WABA list: filters, orders, keyset pages, the Intent API selection over the same
//! filters, and their query plans.

use async_trait::async_trait;

use super::engine::{query, query_scalar, IntoArg, Statement};
use super::*;

/// The columns of the staff WABA list ([`WabaRow`]). The failed-step count and the first
/// phone number are kept on `wabas` by triggers (migration 000018), not counted per row.
const SEARCH_COLUMNS: &str = "SELECT w.id, w.meta_waba_id, w.name, b.name AS business_name,
                b.meta_business_id,
                w.onboarding_status, w.coexistence, w.country, w.account_health,
                w.mm_terms_signed_at,
                w.failed_steps, w.first_phone AS phone, w.updated_at, w.customer_id,
                w.connection_state
         FROM wabas w JOIN businesses b ON b.id = w.business_id";

/// The partner API's page on SQLite: [`SEARCH_COLUMNS`]' rows as one JSON array of arrays,
/// in the page's order (`{order}`), around the list query (closed by `) page`).
const PAGE_SQLITE: &str = "SELECT COALESCE(json_group_array(json_array(id, meta_waba_id, name,
            business_name, meta_business_id, onboarding_status, coexistence, country,
            account_health, mm_terms_signed_at, failed_steps, phone, updated_at, customer_id,
            connection_state)
            ORDER BY {order}), '[]') FROM (";

/// One element of the partner page's array: a [`WabaRow`], its columns in order.
#[derive(serde::Deserialize)]
struct PageRow(
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    #[serde(deserialize_with = "flag")] bool,
    Option<String>,
    Option<String>,
    Option<Millis>,
    i64,
    Option<String>,
    Millis,
    Option<String>,
    Option<String>,
);

impl From<PageRow> for WabaRow {
    fn from(r: PageRow) -> Self {
        WabaRow {
            id: r.0,
            meta_waba_id: r.1,
            name: r.2,
            business_name: r.3,
            meta_business_id: r.4,
            onboarding_status: r.5,
            coexistence: r.6,
            country: r.7,
            account_health: r.8,
            mm_terms_signed_at: r.9,
            failed_steps: r.10,
            phone: r.11,
            updated_at: r.12,
            customer_id: r.13,
            connection_state: r.14,
        }
    }
}

/// A boolean column in JSON: `1`/`0` from SQLite (`true`/`false` accepted too).
fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Flag;
    impl serde::de::Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean or 0/1")
        }
        fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_u64<E>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_i64<E>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
    }
    deserializer.deserialize_any(Flag)
}

/// How the filters' values are written into the SQL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Values {
    /// Bare placeholders: SQLite's planner reads a bound value against its ANALYZE samples
    /// (STAT4) to choose an index, and so prepares the statement again each time the value
    /// is bound (the staff list, rarely run, keeps that).
    Planned,
    /// `CAST($n AS …)`: one plan whatever the value, prepared once (the partner API, where a
    /// new plan per request cost more than the query; every filter has its index anyway).
    Fixed,
}

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
    /// The same rows as [`search_wabas`](Self::search_wabas), read for the partner API. On
    /// SQLite as one JSON array the database builds ([`PAGE_SQLITE`]): a page of 100 crosses
    /// the driver's worker thread as one value instead of 1,300 copied ones, and the filters'
    /// values do not make SQLite plan the statement again on every request
    /// ([`Values::Fixed`]). On PostgreSQL as rows, like the staff list: there the rows come
    /// binary-encoded in one message, and building the JSON (`json_agg`) cost more than it
    /// saved (`bench api`: 949 against 1,108 queries/s).
    async fn partner_page(&self, search: &WabaSearch) -> DbResult<Vec<WabaRow>>;
    /// The page of `search` with each WABA's business and Intent API request state (for a
    /// bulk Intent API run over a filtered list).
    async fn intent_selection(&self, search: &WabaSearch) -> DbResult<Vec<SelectionRow>>;
    /// `search`'s WABAs counted by onboarding status (`None`: not read yet): a hash
    /// aggregate over the status index, for a bulk run's preview.
    async fn intent_status_counts(
        &self,
        search: &WabaSearch,
    ) -> DbResult<Vec<(Option<String>, i64)>>;
    /// `search`'s `ELIGIBLE` WABAs by their business's Intent API request state (`None`: no
    /// request): `(state, WABAs, distinct businesses)`.
    async fn intent_eligible_counts(
        &self,
        search: &WabaSearch,
    ) -> DbResult<Vec<(Option<String>, i64, i64)>>;
    /// The id of `search`'s `n`-th newest WABA (from 1), if it has that many: where a
    /// selection capped at `n` WABAs ends.
    async fn intent_selection_nth(&self, search: &WabaSearch, n: i64) -> DbResult<Option<i64>>;
    /// Up to `limit` business names of `search`'s WABAs with `status` (and, for `ELIGIBLE`,
    /// the request state `intent`), newest WABA first.
    async fn intent_selection_examples(
        &self,
        search: &WabaSearch,
        status: Option<&str>,
        intent: Option<&str>,
        limit: i64,
    ) -> DbResult<Vec<String>>;
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
    search_statement_with(columns, search, names_containing, Values::Planned)
}

fn search_statement_with<'q>(
    columns: String,
    search: &WabaSearch,
    names_containing: fn(&mut Statement<'_>, &str),
    values: Values,
) -> Statement<'q> {
    let pattern = search_pattern(search.text.as_deref());
    let mut statement = query(columns);
    push_search_filters(
        &mut statement,
        search,
        pattern.as_deref(),
        names_containing,
        values,
    );
    statement.persistent(search.text.is_none())
}

/// `%text%` in lower case, with LIKE's wildcards (and PostgreSQL's escape) taken out.
pub(crate) fn search_pattern(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_', '\\'], "")))
}

/// Appends `value`'s placeholder, as `CAST($n AS sql_type)` when `values` is
/// [`Values::Fixed`].
fn push_value<'q>(
    query: &mut Statement<'q>,
    values: Values,
    sql_type: &str,
    value: impl IntoArg<'q>,
) {
    match values {
        Values::Planned => {
            query.push_bind(value);
        }
        Values::Fixed => {
            query
                .push("CAST(")
                .push_bind(value)
                .push(" AS ")
                .push(sql_type)
                .push(")");
        }
    }
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
    values: Values,
) {
    push_where(query, search, pattern, names_containing, values);
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

/// `search`'s filters (and keyset position) as a `WHERE` clause over `wabas w`.
fn push_where(
    query: &mut Statement<'_>,
    search: &WabaSearch,
    pattern: Option<&str>,
    names_containing: fn(&mut Statement<'_>, &str),
    values: Values,
) {
    query.push(" WHERE 1 = 1");
    if let Some(status) = &search.status {
        query.push(" AND w.onboarding_status = ");
        push_value(query, values, "TEXT", status.clone());
    }
    if let Some(country) = &search.country {
        query.push(" AND w.country = ");
        push_value(query, values, "TEXT", country.clone());
    }
    if let Some(customer) = &search.customer_id {
        query.push(" AND w.customer_id = ");
        push_value(query, values, "TEXT", customer.clone());
    }
    if let Some(from) = search.added_from {
        query.push(" AND w.created_at >= ");
        push_value(query, values, "BIGINT", from);
    }
    if let Some(before) = search.added_before {
        query.push(" AND w.created_at < ");
        push_value(query, values, "BIGINT", before);
    }
    if let Some(since) = search.updated_since {
        query.push(" AND w.updated_at >= ");
        push_value(query, values, "BIGINT", since);
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
            query.push(" AND (w.updated_at, w.id) < (");
            push_value(query, values, "BIGINT", *at);
            query.push(", ").push_bind(*id).push(")");
        }
        Some(WabaCursor::Name(name, id)) => {
            query.push(" AND (w.name, w.id) > (");
            push_value(query, values, "TEXT", name.clone());
            query.push(", ").push_bind(*id).push(")");
        }
        None => {}
    }
    if let Some(coexistence) = search.coexistence {
        query.push(" AND w.coexistence = ").push_bind(coexistence);
    }
    match search.connection.as_deref() {
        None => {}
        // Nearly every row: written so that it walks the list's order instead of the
        // connection index (migration 000024).
        Some("connected") => {
            query.push(" AND COALESCE(w.connection_state, 'connected') = 'connected'");
        }
        Some(other) => {
            query.push(" AND w.connection_state = ");
            push_value(query, values, "TEXT", other.to_string());
        }
    }
    if search.needs_attention {
        // Written as the partial index `wabas_attention_idx` is (migration 000018).
        query.push(" AND w.failed_steps > 0");
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
}

impl SqlStore {
    /// `SELECT columns FROM wabas w`, joined with the business as `b` when `business` (or
    /// a text search, which matches its name) needs it and with its Intent API request as
    /// `i` when `intent`, with `search`'s filters and keyset position (its order and page
    /// are the caller's).
    fn selection_statement<'q>(
        &self,
        columns: &str,
        search: &WabaSearch,
        (business, intent): (bool, bool),
    ) -> Statement<'q> {
        let pattern = search_pattern(search.text.as_deref());
        let mut statement = query(format!("SELECT {columns} FROM wabas w"));
        if business || search.text.is_some() {
            statement.push(" JOIN businesses b ON b.id = w.business_id");
        }
        if intent {
            statement.push(" LEFT JOIN intent_requests i ON i.business_id = w.business_id");
        }
        push_where(
            &mut statement,
            search,
            pattern.as_deref(),
            self.dialect().names_containing,
            Values::Planned,
        );
        // A name search runs as a one-off statement, like the list's (see `search_statement`).
        statement.persistent(search.text.is_none())
    }
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

    async fn partner_page(&self, search: &WabaSearch) -> DbResult<Vec<WabaRow>> {
        let names = self.dialect().names_containing;
        if self.backend() == Backend::Postgres {
            return self.search_wabas(search).await;
        }
        let order = match search.sort {
            WabaSort::Newest => "id DESC",
            WabaSort::Oldest => "id ASC",
            WabaSort::RecentlyUpdated => "updated_at DESC, id DESC",
            WabaSort::Name => "name ASC, id ASC",
        };
        let columns = format!("{}{SEARCH_COLUMNS}", PAGE_SQLITE.replace("{order}", order));
        let mut statement = search_statement_with(columns, search, names, Values::Fixed);
        statement.push(") page");
        let json: String = statement.column().fetch_one(&self.pool).await?;
        let rows: Vec<PageRow> = serde_json::from_str(&json)
            .map_err(|e| sqlx::Error::Decode(format!("the partner page's JSON: {e}").into()))?;
        Ok(rows.into_iter().map(WabaRow::from).collect())
    }

    async fn intent_selection(&self, search: &WabaSearch) -> DbResult<Vec<SelectionRow>> {
        let names = self.dialect().names_containing;
        search_statement(SELECTION_COLUMNS.to_string(), search, names)
            .rows()
            .fetch_all(&self.pool)
            .await
    }

    async fn intent_status_counts(
        &self,
        search: &WabaSearch,
    ) -> DbResult<Vec<(Option<String>, i64)>> {
        let mut statement =
            self.selection_statement("w.onboarding_status, COUNT(*)", search, (false, false));
        statement.push(" GROUP BY w.onboarding_status");
        statement.rows().fetch_all(&self.pool).await
    }

    async fn intent_eligible_counts(
        &self,
        search: &WabaSearch,
    ) -> DbResult<Vec<(Option<String>, i64, i64)>> {
        let mut statement = self.selection_statement(
            "i.state, COUNT(*), COUNT(DISTINCT w.business_id)",
            search,
            (false, true),
        );
        statement.push(" AND w.onboarding_status = 'ELIGIBLE' GROUP BY i.state");
        statement.rows().fetch_all(&self.pool).await
    }

    async fn intent_selection_nth(&self, search: &WabaSearch, n: i64) -> DbResult<Option<i64>> {
        let mut statement = self.selection_statement("w.id", search, (false, false));
        statement
            .push(" ORDER BY w.id DESC LIMIT 1 OFFSET ")
            .push_bind(n - 1);
        statement.column().fetch_optional(&self.pool).await
    }

    async fn intent_selection_examples(
        &self,
        search: &WabaSearch,
        status: Option<&str>,
        intent: Option<&str>,
        limit: i64,
    ) -> DbResult<Vec<String>> {
        let mut statement = self.selection_statement("b.name", search, (true, false));
        match status {
            Some(status) => statement
                .push(" AND w.onboarding_status = ")
                .push_bind(status.to_string()),
            None => statement.push(" AND w.onboarding_status IS NULL"),
        };
        if status == Some("ELIGIBLE") {
            match intent {
                Some(state) => statement
                    .push(
                        " AND EXISTS (SELECT 1 FROM intent_requests i
                           WHERE i.business_id = w.business_id AND i.state = ",
                    )
                    .push_bind(state.to_string())
                    .push(")"),
                None => statement.push(
                    " AND NOT EXISTS (SELECT 1 FROM intent_requests i
                       WHERE i.business_id = w.business_id)",
                ),
            };
        }
        statement
            .push(" ORDER BY w.id DESC LIMIT ")
            .push_bind(limit);
        statement.column().fetch_all(&self.pool).await
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
