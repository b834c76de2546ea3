//! The SQL of [`DashboardStore`](super::DashboardStore): staff lookups and the queries behind
//! the partner dashboard, shared by both backends.

macro_rules! impl_dashboard_store {
    ($repo:ty) => {
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

            async fn search_wabas(
                &self,
                search: &$crate::db::WabaSearch,
            ) -> $crate::db::DbResult<Vec<$crate::db::WabaRow>> {
                let pattern = search
                    .text
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| format!("%{}%", t.to_lowercase().replace('%', "").replace('_', "")));
                Ok(sqlx::query_as(
                    "SELECT w.id, w.meta_waba_id, w.name, b.name AS business_name,
                            w.onboarding_status, w.coexistence, w.country, w.account_health,
                            w.mm_terms_signed_at,
                            (SELECT COUNT(*) FROM onboarding_steps s
                              WHERE s.waba_id = w.id AND s.state = 'failed') AS failed_steps,
                            (SELECT p.display_phone_number FROM phone_numbers p
                              WHERE p.waba_id = w.id ORDER BY p.id LIMIT 1) AS phone,
                            w.updated_at
                     FROM wabas w JOIN businesses b ON b.id = w.business_id
                     WHERE ($1 IS NULL OR w.onboarding_status = $1)
                       AND ($2 IS NULL OR w.id < $2)
                       AND ($3 IS NULL OR w.coexistence = $3)
                       AND ($4 = FALSE OR EXISTS (SELECT 1 FROM onboarding_steps s
                                                 WHERE s.waba_id = w.id AND s.state = 'failed'))
                       AND ($5 IS NULL
                            OR LOWER(w.name) LIKE $5 OR LOWER(b.name) LIKE $5
                            OR w.meta_waba_id LIKE $5
                            OR EXISTS (SELECT 1 FROM phone_numbers p WHERE p.waba_id = w.id
                                       AND p.display_phone_number LIKE $5))
                     ORDER BY w.id DESC
                     LIMIT $6",
                )
                .bind(&search.status)
                .bind(search.before_id)
                .bind(search.coexistence)
                .bind(search.needs_attention)
                .bind(pattern)
                .bind(search.limit)
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

            async fn count_failed_pipelines(&self) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(DISTINCT waba_id) FROM onboarding_steps WHERE state = 'failed'",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn count_parked_webhooks(&self) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'parked'",
                )
                .fetch_one(&self.pool)
                .await?)
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
                sqlx::query("INSERT INTO staff_sessions (id, data, expires_at) VALUES ($1, $2, $3)")
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
        }
    };
}

pub(crate) use impl_dashboard_store;
