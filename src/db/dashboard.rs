//! The SQL of [`DashboardStore`](super::DashboardStore): staff lookups and the queries behind
//! the partner dashboard, shared by both backends.

/// Businesses that may be asked to onboard: an `ELIGIBLE` WABA, no live Intent API request.
macro_rules! intent_candidate_filter {
    () => {
        "EXISTS (SELECT 1 FROM wabas w WHERE w.business_id = b.id
                 AND w.onboarding_status = 'ELIGIBLE')
         AND NOT EXISTS (SELECT 1 FROM intent_requests i WHERE i.business_id = b.id
                         AND i.state IN ('queued', 'sent'))"
    };
}

/// The columns of the staff WABA list ([`WabaRow`](super::WabaRow)).
macro_rules! search_columns {
    () => {
        "SELECT w.id, w.meta_waba_id, w.name, b.name AS business_name,
                w.onboarding_status, w.coexistence, w.country, w.account_health,
                w.mm_terms_signed_at,
                (SELECT COUNT(*) FROM onboarding_steps s
                  WHERE s.waba_id = w.id AND s.state = 'failed') AS failed_steps,
                (SELECT p.display_phone_number FROM phone_numbers p
                  WHERE p.waba_id = w.id ORDER BY p.id LIMIT 1) AS phone,
                w.updated_at
         FROM wabas w JOIN businesses b ON b.id = w.business_id"
    };
}

/// Appends the list query's filters and order to `query`. Only the filters in use are
/// written (a generic `($1 IS NULL OR col = $1)` keeps both engines from using the indexes):
/// the id keyset then reads the primary key backwards, and a status filter reads the
/// `(onboarding_status, id)` index. A search text of digits only (a WABA id or a phone
/// number) is matched exactly on the WABA id or as a phone substring, skipping the name scan.
macro_rules! push_search_filters {
    ($query:expr, $search:expr, $pattern:expr, names = $names:path) => {{
        let query = $query;
        let search = $search;
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
        // Keyset: row values compare like the ORDER BY below, and both engines turn them
        // into a range on the matching index.
        match &search.after {
            Some($crate::db::WabaCursor::Id(id)) => {
                let op = if search.sort == $crate::db::WabaSort::Oldest {
                    " > "
                } else {
                    " < "
                };
                query.push(" AND w.id").push(op).push_bind(*id);
            }
            Some($crate::db::WabaCursor::Updated(at, id)) => {
                query
                    .push(" AND (w.updated_at, w.id) < (")
                    .push_bind(*at)
                    .push(", ")
                    .push_bind(*id)
                    .push(")");
            }
            Some($crate::db::WabaCursor::Name(name, id)) => {
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
        if let Some(pattern) = $pattern {
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
                $names(query, pattern);
            }
        }
        query
            .push(match search.sort {
                $crate::db::WabaSort::Newest => " ORDER BY w.id DESC",
                $crate::db::WabaSort::Oldest => " ORDER BY w.id ASC",
                $crate::db::WabaSort::RecentlyUpdated => " ORDER BY w.updated_at DESC, w.id DESC",
                $crate::db::WabaSort::Name => " ORDER BY w.name ASC, w.id ASC",
            })
            .push(" LIMIT ")
            .push_bind(search.limit);
    }};
}

/// A query builder selecting `columns`, with `search`'s filters, order and page appended.
/// Name searches run as one-off statements (`persistent(false)` where executed): PostgreSQL
/// then plans each with its pattern. A cached statement may switch to a generic plan after five
/// runs, one plan for every pattern, fast for a rare name or a common word but not both.
macro_rules! search_query {
    ($driver:ty, $columns:expr, $search:expr, names = $names:path) => {{
        let search = $search;
        let pattern = $crate::db::dashboard::search_pattern(search.text.as_deref());
        let mut query = sqlx::QueryBuilder::<$driver>::new($columns);
        $crate::db::dashboard::push_search_filters!(&mut query, search, &pattern, names = $names);
        query
    }};
}

pub(crate) fn search_pattern(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_', '\\'], "")))
}

macro_rules! impl_dashboard_store {
    ($repo:ty, driver = $driver:ty, explain = $explain:literal, names = $names:path) => {
        #[async_trait::async_trait]
        impl $crate::db::DashboardStore for $repo {
            async fn staff_user_by_id(
                &self,
                id: i64,
            ) -> $crate::db::DbResult<Option<$crate::db::StaffUser>> {
                Ok(sqlx::query_as(
                    "SELECT id, email, display_name, password_hash, role, disabled,
                            created_at, last_login_at
                     FROM staff_users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn record_login(&self, id: i64) -> $crate::db::DbResult<()> {
                sqlx::query("UPDATE staff_users SET last_login_at = $1 WHERE id = $2")
                    .bind($crate::db::now_millis())
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn list_staff_users(
                &self,
            ) -> $crate::db::DbResult<Vec<$crate::db::StaffUser>> {
                Ok(sqlx::query_as(
                    "SELECT id, email, display_name, password_hash, role, disabled,
                            created_at, last_login_at
                     FROM staff_users ORDER BY email",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn set_staff_access(
                &self,
                id: i64,
                role: $crate::db::Role,
                disabled: bool,
            ) -> $crate::db::DbResult<bool> {
                // The account keeps (or gets) admin rights, or another enabled admin exists.
                let keeps_admin = role == $crate::db::Role::Admin && !disabled;
                let done = sqlx::query(
                    "UPDATE staff_users SET role = $1, disabled = $2
                     WHERE id = $3
                       AND ($4 OR EXISTS (SELECT 1 FROM staff_users o
                                          WHERE o.id <> $3 AND o.role = 'admin'
                                            AND NOT o.disabled))",
                )
                .bind(role.as_str())
                .bind(disabled)
                .bind(id)
                .bind(keeps_admin)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_staff_password(
                &self,
                id: i64,
                password_hash: &str,
            ) -> $crate::db::DbResult<bool> {
                let done = sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn search_wabas(
                &self,
                search: &$crate::db::WabaSearch,
            ) -> $crate::db::DbResult<Vec<$crate::db::WabaRow>> {
                let mut query = $crate::db::dashboard::search_query!(
                    $driver,
                    $crate::db::dashboard::search_columns!(),
                    search,
                    names = $names
                );
                Ok(query
                    .build_query_as::<$crate::db::WabaRow>()
                    .persistent(search.text.is_none())
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn intent_selection(
                &self,
                search: &$crate::db::WabaSearch,
            ) -> $crate::db::DbResult<Vec<$crate::db::SelectionRow>> {
                let mut query = $crate::db::dashboard::search_query!(
                    $driver,
                    "SELECT w.id, w.updated_at, w.name, b.id AS business_id, b.meta_business_id,
                            b.name AS business_name, w.onboarding_status,
                            (SELECT i.state FROM intent_requests i
                              WHERE i.business_id = b.id) AS intent_state
                     FROM wabas w JOIN businesses b ON b.id = w.business_id",
                    search,
                    names = $names
                );
                Ok(query
                    .build_query_as::<$crate::db::SelectionRow>()
                    .persistent(search.text.is_none())
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn signup_funnel(
                &self,
                since: $crate::db::Millis,
            ) -> $crate::db::DbResult<$crate::db::FunnelCounts> {
                let by_event: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT e.event, COUNT(DISTINCT e.signup_id) FROM signup_events e
                     JOIN signups s ON s.id = e.signup_id
                     WHERE s.created_at >= $1 GROUP BY e.event",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                let count = |names: &[&str]| {
                    by_event
                        .iter()
                        .filter(|(e, _)| names.contains(&e.as_str()))
                        .map(|(_, n)| *n)
                        .sum::<i64>()
                };
                let onboarded: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM signups s JOIN wabas w ON w.id = s.waba_id
                     WHERE s.created_at >= $1 AND w.onboarding_status = 'ONBOARDED'",
                )
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                let cancel_steps: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT cancel_step, COUNT(*) FROM signups
                     WHERE created_at >= $1 AND cancel_step IS NOT NULL
                     GROUP BY cancel_step ORDER BY COUNT(*) DESC, cancel_step",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::db::FunnelCounts {
                    started: count(&["started"]),
                    launched: count(&["launched"]),
                    finished: count(&[
                        "FINISH",
                        "FINISH_ONLY_WABA",
                        "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING",
                    ]),
                    exchanged: count(&["exchanged"]),
                    onboarded,
                    cancelled: count(&["CANCEL", "closed_without_code"]),
                    failed: count(&["exchange_failed"]),
                    cancel_steps,
                })
            }

            async fn metrics_by_day(
                &self,
                since_day: &str,
            ) -> $crate::db::DbResult<Vec<$crate::db::DailyMetrics>> {
                Ok(sqlx::query_as(
                    "SELECT '' AS meta_waba_id, day, category,
                            CAST(SUM(sent) AS BIGINT) AS sent,
                            CAST(SUM(delivered) AS BIGINT) AS delivered,
                            CAST(SUM(read) AS BIGINT) AS read,
                            CAST(SUM(failed) AS BIGINT) AS failed,
                            CAST(SUM(clicked) AS BIGINT) AS clicked
                     FROM message_metrics_daily WHERE day >= $1
                     GROUP BY day, category ORDER BY day, category",
                )
                .bind(since_day)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn signups_per_day(
                &self,
                since: $crate::db::Millis,
            ) -> $crate::db::DbResult<Vec<(i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT CAST(created_at / 86400000 AS BIGINT) AS day, COUNT(*)
                     FROM signups WHERE created_at >= $1
                     GROUP BY CAST(created_at / 86400000 AS BIGINT) ORDER BY day",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_failed_pipelines(&self) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(DISTINCT waba_id) FROM onboarding_steps WHERE state = 'failed'",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn count_parked_webhooks(&self) -> $crate::db::DbResult<i64> {
                Ok(
                    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'parked'")
                        .fetch_one(&self.pool)
                        .await?,
                )
            }

            async fn count_restricted_wabas(&self) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM wabas
                     WHERE account_health IS NOT NULL AND account_health <> 'active'",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn session_load(
                &self,
                id: &str,
                now: $crate::db::Millis,
            ) -> $crate::db::DbResult<Option<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT data FROM staff_sessions WHERE id = $1 AND expires_at > $2",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn session_insert(
                &self,
                id: &str,
                data: &str,
                expires_at: $crate::db::Millis,
            ) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "INSERT INTO staff_sessions (id, data, expires_at) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_save(
                &self,
                id: &str,
                data: &str,
                expires_at: $crate::db::Millis,
            ) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "INSERT INTO staff_sessions (id, data, expires_at) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE
                        SET data = excluded.data, expires_at = excluded.expires_at",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_delete(&self, id: &str) -> $crate::db::DbResult<()> {
                sqlx::query("DELETE FROM staff_sessions WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session_delete_expired(
                &self,
                now: $crate::db::Millis,
            ) -> $crate::db::DbResult<u64> {
                let done = sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn seed_wabas(&self, rows: &[$crate::db::SeedWaba]) -> $crate::db::DbResult<()> {
                if rows.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
                let mut insert = sqlx::QueryBuilder::<$driver>::new(
                    "INSERT INTO businesses (meta_business_id, name, created_at, updated_at) ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(&r.meta_business_id)
                        .push_bind(&r.business_name)
                        .push_bind(r.created_at)
                        .push_bind(r.created_at);
                });
                insert.push(" ON CONFLICT (meta_business_id) DO NOTHING");
                insert.build().execute(&mut *tx).await?;
                let mut insert = sqlx::QueryBuilder::<$driver>::new(
                    "INSERT INTO wabas (meta_waba_id, business_id, name, currency, country,
                                        onboarding_status, status_changed_at, coexistence,
                                        created_at, updated_at) ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(&r.meta_waba_id)
                        .push("(SELECT id FROM businesses WHERE meta_business_id = ")
                        .push_bind_unseparated(&r.meta_business_id)
                        .push_unseparated(")")
                        .push_bind(&r.waba_name)
                        .push_bind("USD")
                        .push_bind(&r.country)
                        .push_bind(&r.onboarding_status)
                        .push_bind(r.created_at)
                        .push_bind(r.coexistence)
                        .push_bind(r.created_at)
                        .push_bind(r.created_at);
                });
                insert.push(" ON CONFLICT (meta_waba_id) DO NOTHING");
                insert.build().execute(&mut *tx).await?;
                let mut insert = sqlx::QueryBuilder::<$driver>::new(
                    "INSERT INTO phone_numbers (meta_phone_id, waba_id, display_phone_number,
                                                verified_name, registered, coexistence,
                                                quality_rating, created_at, updated_at,
                                                phone_digits) ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(&r.meta_phone_id)
                        .push("(SELECT id FROM wabas WHERE meta_waba_id = ")
                        .push_bind_unseparated(&r.meta_waba_id)
                        .push_unseparated(")")
                        .push_bind(&r.phone)
                        .push_bind(&r.business_name)
                        .push_bind(!r.coexistence)
                        .push_bind(r.coexistence)
                        .push_bind("GREEN")
                        .push_bind(r.created_at)
                        .push_bind(r.created_at)
                        .push_bind($crate::db::phone_digits(&r.phone));
                });
                insert.push(" ON CONFLICT (meta_phone_id) DO NOTHING");
                insert.build().execute(&mut *tx).await?;
                let failed: Vec<&$crate::db::SeedWaba> =
                    rows.iter().filter(|r| r.failed_step).collect();
                if !failed.is_empty() {
                    let mut insert = sqlx::QueryBuilder::<$driver>::new(
                        "INSERT INTO onboarding_steps (waba_id, step, state, attempts, detail,
                                                       error_code, updated_at) ",
                    );
                    insert.push_values(failed, |mut b, r| {
                        b.push("(SELECT id FROM wabas WHERE meta_waba_id = ")
                            .push_bind_unseparated(&r.meta_waba_id)
                            .push_unseparated(")")
                            .push_bind("register_phone")
                            .push_bind("failed")
                            .push_bind(1_i64)
                            .push_bind("(#133016) Account register deregister rate limit exceeded")
                            .push_bind(133016_i64)
                            .push_bind(r.created_at);
                    });
                    insert.push(" ON CONFLICT (waba_id, step) DO NOTHING");
                    insert.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn intent_queue(
                &self,
                business_id: i64,
                batch: &str,
            ) -> $crate::db::DbResult<bool> {
                let now = $crate::db::now_millis();
                let done = sqlx::query(
                    "INSERT INTO intent_requests (business_id, batch, state, created_at, updated_at)
                     VALUES ($1, $2, 'queued', $3, $3)
                     ON CONFLICT (business_id) DO UPDATE
                        SET batch = excluded.batch, state = 'queued', error = NULL,
                            updated_at = excluded.updated_at
                        WHERE intent_requests.state IN ('failed', 'cancelled')",
                )
                .bind(business_id)
                .bind(batch)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn intent_get(
                &self,
                business_id: i64,
            ) -> $crate::db::DbResult<Option<$crate::db::IntentRow>> {
                Ok(sqlx::query_as(
                    "SELECT business_id, batch, state, request_id, error, created_at, updated_at
                     FROM intent_requests WHERE business_id = $1",
                )
                .bind(business_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn intent_finish(
                &self,
                business_id: i64,
                state: &str,
                request_id: Option<&str>,
                error: Option<&str>,
            ) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "UPDATE intent_requests SET state = $2,
                        request_id = COALESCE($3, request_id), error = $4, updated_at = $5
                     WHERE business_id = $1",
                )
                .bind(business_id)
                .bind(state)
                .bind(request_id)
                .bind(error)
                .bind($crate::db::now_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn intent_cancel(&self, batch: &str) -> $crate::db::DbResult<u64> {
                let done = sqlx::query(
                    "UPDATE intent_requests SET state = 'cancelled', updated_at = $2
                     WHERE batch = $1 AND state = 'queued'",
                )
                .bind(batch)
                .bind($crate::db::now_millis())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn intent_counts(
                &self,
                batch: &str,
            ) -> $crate::db::DbResult<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT state, COUNT(*) FROM intent_requests WHERE batch = $1
                     GROUP BY state ORDER BY state",
                )
                .bind(batch)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn intent_candidates(
                &self,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<(i64, String)>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT b.id, b.meta_business_id FROM businesses b WHERE ",
                    $crate::db::dashboard::intent_candidate_filter!(),
                    " ORDER BY b.id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_intent_candidates(&self) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(concat!(
                    "SELECT COUNT(*) FROM businesses b WHERE ",
                    $crate::db::dashboard::intent_candidate_filter!()
                ))
                .fetch_one(&self.pool)
                .await?)
            }

            async fn business_of_waba(
                &self,
                meta_waba_id: &str,
            ) -> $crate::db::DbResult<Option<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT b.id, b.meta_business_id FROM wabas w
                     JOIN businesses b ON b.id = w.business_id WHERE w.meta_waba_id = $1",
                )
                .bind(meta_waba_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn setting_get(&self, key: &str) -> $crate::db::DbResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT value FROM portal_settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn setting_put(
                &self,
                key: &str,
                value: &str,
                updated_by: &str,
            ) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "INSERT INTO portal_settings (key, value, updated_by, updated_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                        updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(key)
                .bind(value)
                .bind(updated_by)
                .bind($crate::db::now_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn intent_batch_members(
                &self,
                batch: &str,
                state: &str,
            ) -> $crate::db::DbResult<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT b.id, b.meta_business_id FROM intent_requests i
                     JOIN businesses b ON b.id = i.business_id
                     WHERE i.batch = $1 AND i.state = $2 ORDER BY b.id",
                )
                .bind(batch)
                .bind(state)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn intent_latest_batch(&self) -> $crate::db::DbResult<Option<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT batch FROM intent_requests ORDER BY updated_at DESC LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn wabas_of_business(
                &self,
                business_id: i64,
            ) -> $crate::db::DbResult<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT id, meta_waba_id FROM wabas WHERE business_id = $1 ORDER BY id",
                )
                .bind(business_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn explain_search(
                &self,
                search: &$crate::db::WabaSearch,
            ) -> $crate::db::DbResult<Vec<String>> {
                use sqlx::Row;
                let mut query = $crate::db::dashboard::search_query!(
                    $driver,
                    concat!($explain, " ", $crate::db::dashboard::search_columns!()),
                    search,
                    names = $names
                );
                let rows = query
                    .build()
                    .persistent(search.text.is_none())
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .iter()
                    .map(|row| {
                        // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                        row.try_get::<String, _>("detail")
                            .or_else(|_| row.try_get::<String, _>(0))
                            .unwrap_or_default()
                    })
                    .collect())
            }
        }
    };
}

pub(crate) use impl_dashboard_store;
pub(crate) use intent_candidate_filter;
pub(crate) use push_search_filters;
pub(crate) use search_columns;
pub(crate) use search_query;
