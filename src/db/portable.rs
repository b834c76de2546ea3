//! The SQL both backends share, written once.
//!
//! `impl_portable_repository!` expands to the [`Repository`](super::Repository) implementation
//! for one backend struct (which has a `pool` field of that backend's pool type). Every query here
//! is valid on SQLite ≥ 3.39 and PostgreSQL ≥ 12; the one engine-specific piece, the row-lock
//! clause used when claiming jobs, is passed in by the backend module.

/// The columns of [`Waba`](super::Waba), in one place for every query that returns WABAs.
macro_rules! waba_columns {
    () => {
        "id, meta_waba_id, business_id, name, currency, country, onboarding_status,
         status_changed_at, coexistence, created_at, updated_at, connection_state,
         connection_changed_at, account_health, health_changed_at, mm_terms_signed_at"
    };
}

macro_rules! impl_portable_repository {
    ($repo:ty, driver = $driver:ty, backend = $backend:expr, claim_lock = $claim_lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::db::Repository for $repo {
            fn backend(&self) -> $crate::db::Backend {
                $backend
            }

            async fn ping(&self) -> $crate::db::DbResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn upsert_business(
                &self,
                business: &$crate::db::NewBusiness,
            ) -> $crate::db::DbResult<$crate::db::Business> {
                let now = $crate::db::now_millis();
                Ok(sqlx::query_as(
                    "INSERT INTO businesses (meta_business_id, name, created_at, updated_at)
                     VALUES ($1, $2, $3, $3)
                     ON CONFLICT (meta_business_id) DO UPDATE
                        SET name = excluded.name, updated_at = excluded.updated_at
                     RETURNING id, meta_business_id, name, created_at, updated_at",
                )
                .bind(&business.meta_business_id)
                .bind(&business.name)
                .bind(now)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn business_by_meta_id(
                &self,
                meta_business_id: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::Business>> {
                Ok(sqlx::query_as(
                    "SELECT id, meta_business_id, name, created_at, updated_at
                     FROM businesses WHERE meta_business_id = $1",
                )
                .bind(meta_business_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn upsert_waba(
                &self,
                waba: &$crate::db::WabaUpsert,
            ) -> $crate::db::DbResult<$crate::db::Waba> {
                let now = $crate::db::now_millis();
                // status_changed_at moves only when the status value really changes; the SET
                // expressions read the old row, so the CASE sees the previous status.
                Ok(sqlx::query_as(concat!(
                    "INSERT INTO wabas (meta_waba_id, business_id, name, currency, country,
                                        onboarding_status, status_changed_at, coexistence,
                                        created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $7)
                     ON CONFLICT (meta_waba_id) DO UPDATE SET
                        business_id = excluded.business_id,
                        name = excluded.name,
                        currency = excluded.currency,
                        country = excluded.country,
                        status_changed_at = CASE
                            WHEN wabas.onboarding_status IS NOT DISTINCT FROM excluded.onboarding_status
                            THEN wabas.status_changed_at
                            ELSE excluded.status_changed_at END,
                        onboarding_status = excluded.onboarding_status,
                        coexistence = excluded.coexistence,
                        updated_at = excluded.updated_at
                     RETURNING ", waba_columns!()
                ))
                .bind(&waba.meta_waba_id)
                .bind(waba.business_id)
                .bind(&waba.name)
                .bind(&waba.currency)
                .bind(&waba.country)
                .bind(&waba.onboarding_status)
                .bind(now)
                .bind(waba.coexistence)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn waba_by_meta_id(
                &self,
                meta_waba_id: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::Waba>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ", waba_columns!(), " FROM wabas WHERE meta_waba_id = $1"
                ))
                .bind(meta_waba_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn list_wabas(
                &self,
                query: &$crate::db::WabaQuery,
            ) -> $crate::db::DbResult<Vec<$crate::db::Waba>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ", waba_columns!(), " FROM wabas
                     WHERE ($1 IS NULL OR onboarding_status = $1)
                       AND ($2 IS NULL OR id < $2)
                     ORDER BY id DESC
                     LIMIT $3"
                ))
                .bind(&query.status)
                .bind(query.before_id)
                .bind(query.limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_wabas_by_status(
                &self,
            ) -> $crate::db::DbResult<Vec<(Option<String>, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT onboarding_status, COUNT(*) FROM wabas
                     GROUP BY onboarding_status ORDER BY onboarding_status",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn upsert_phone(
                &self,
                phone: &$crate::db::PhoneUpsert,
            ) -> $crate::db::DbResult<$crate::db::Phone> {
                let now = $crate::db::now_millis();
                Ok(sqlx::query_as(
                    "INSERT INTO phone_numbers (meta_phone_id, waba_id, display_phone_number,
                                                verified_name, registered, coexistence,
                                                quality_rating, created_at, updated_at,
                                                phone_digits)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
                     ON CONFLICT (meta_phone_id) DO UPDATE SET
                        waba_id = excluded.waba_id,
                        display_phone_number = excluded.display_phone_number,
                        phone_digits = excluded.phone_digits,
                        verified_name = excluded.verified_name,
                        registered = excluded.registered,
                        coexistence = excluded.coexistence,
                        quality_rating = excluded.quality_rating,
                        updated_at = excluded.updated_at
                     RETURNING id, meta_phone_id, waba_id, display_phone_number, verified_name,
                               registered, coexistence, quality_rating, created_at, updated_at",
                )
                .bind(&phone.meta_phone_id)
                .bind(phone.waba_id)
                .bind(&phone.display_phone_number)
                .bind(&phone.verified_name)
                .bind(phone.registered)
                .bind(phone.coexistence)
                .bind(&phone.quality_rating)
                .bind(now)
                .bind($crate::db::phone_digits(&phone.display_phone_number))
                .fetch_one(&self.pool)
                .await?)
            }

            async fn phones_for_waba(
                &self,
                waba_id: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::Phone>> {
                Ok(sqlx::query_as(
                    "SELECT id, meta_phone_id, waba_id, display_phone_number, verified_name,
                            registered, coexistence, quality_rating, created_at, updated_at
                     FROM phone_numbers WHERE waba_id = $1 ORDER BY id",
                )
                .bind(waba_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn append_timeline(
                &self,
                event: &$crate::db::NewTimelineEvent,
            ) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO timeline_events (waba_id, kind, summary, detail, actor, occurred_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(event.waba_id)
                .bind(&event.kind)
                .bind(&event.summary)
                .bind(&event.detail)
                .bind(&event.actor)
                .bind($crate::db::now_millis())
                .fetch_one(&self.pool)
                .await?)
            }

            async fn timeline_for_waba(
                &self,
                waba_id: i64,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::TimelineEvent>> {
                Ok(sqlx::query_as(
                    "SELECT id, waba_id, kind, summary, detail, actor, occurred_at
                     FROM timeline_events WHERE waba_id = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(waba_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_secret(
                &self,
                slot: &$crate::db::SecretSlot,
                sealed: &$crate::db::SealedSecret,
            ) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "INSERT INTO encrypted_secrets (owner_kind, owner_id, purpose, key_id, nonce,
                                                    ciphertext, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                     ON CONFLICT (owner_kind, owner_id, purpose) DO UPDATE SET
                        key_id = excluded.key_id,
                        nonce = excluded.nonce,
                        ciphertext = excluded.ciphertext,
                        updated_at = excluded.updated_at",
                )
                .bind(&slot.owner_kind)
                .bind(&slot.owner_id)
                .bind(&slot.purpose)
                .bind(&sealed.key_id)
                .bind(&sealed.nonce)
                .bind(&sealed.ciphertext)
                .bind($crate::db::now_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_secret(
                &self,
                slot: &$crate::db::SecretSlot,
            ) -> $crate::db::DbResult<Option<$crate::db::SealedSecret>> {
                Ok(sqlx::query_as(
                    "SELECT key_id, nonce, ciphertext FROM encrypted_secrets
                     WHERE owner_kind = $1 AND owner_id = $2 AND purpose = $3",
                )
                .bind(&slot.owner_kind)
                .bind(&slot.owner_id)
                .bind(&slot.purpose)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn enqueue_job(
                &self,
                job: &$crate::db::NewJob,
            ) -> $crate::db::DbResult<Option<i64>> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO jobs (kind, payload, max_attempts, run_at, dedupe_key,
                                       created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6)
                     ON CONFLICT (dedupe_key) DO NOTHING
                     RETURNING id",
                )
                .bind(&job.kind)
                .bind(&job.payload)
                .bind(job.max_attempts)
                .bind(job.run_at)
                .bind(&job.dedupe_key)
                .bind($crate::db::now_millis())
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn claim_jobs(
                &self,
                worker: &str,
                now: $crate::db::Millis,
                lease_ms: i64,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::Job>> {
                Ok(sqlx::query_as(concat!(
                    "UPDATE jobs SET status = 'running', attempts = attempts + 1,
                            locked_by = $1, locked_until = $2, updated_at = $3
                     WHERE id IN (
                        SELECT id FROM jobs
                        WHERE (status = 'queued' AND run_at <= $3)
                           OR (status = 'running' AND locked_until < $3)
                        ORDER BY run_at, id
                        LIMIT $4 ",
                    $claim_lock,
                    ")
                     RETURNING id, kind, payload, status, attempts, max_attempts, run_at,
                               locked_by, locked_until, last_error"
                ))
                .bind(worker)
                .bind(now + lease_ms)
                .bind(now)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn finish_job(
                &self,
                id: i64,
                worker: &str,
                result: &$crate::db::JobResult,
            ) -> $crate::db::DbResult<bool> {
                use $crate::db::JobResult;
                let now = $crate::db::now_millis();
                let (status_sql, error, run_at) = match result {
                    JobResult::Done => ("'done'", None, None),
                    JobResult::Retry { error, at } => (
                        "CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END",
                        Some(error.as_str()),
                        Some(*at),
                    ),
                    JobResult::Failed { error } => ("'failed'", Some(error.as_str()), None),
                };
                let sql = format!(
                    "UPDATE jobs SET status = {status_sql},
                            last_error = COALESCE($1, last_error),
                            run_at = COALESCE($2, run_at),
                            locked_by = NULL, locked_until = NULL, updated_at = $3
                     WHERE id = $4 AND locked_by = $5 AND status = 'running'"
                );
                let done = sqlx::query(&sql)
                    .bind(error)
                    .bind(run_at)
                    .bind(now)
                    .bind(id)
                    .bind(worker)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn job(&self, id: i64) -> $crate::db::DbResult<Option<$crate::db::Job>> {
                Ok(sqlx::query_as(
                    "SELECT id, kind, payload, status, attempts, max_attempts, run_at,
                            locked_by, locked_until, last_error
                     FROM jobs WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn count_jobs(
                &self,
                status: $crate::db::JobStatus,
            ) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = $1")
                    .bind(status.as_str())
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn insert_webhooks(
                &self,
                bodies: &[&[u8]],
                received_at: $crate::db::Millis,
            ) -> $crate::db::DbResult<Vec<i64>> {
                // One multi-row INSERT per chunk: a single statement round trip for many
                // deliveries, all inside one transaction (one commit, one fsync).
                const ROWS_PER_STATEMENT: usize = 500;
                let mut tx = self.pool.begin().await?;
                let mut ids = Vec::with_capacity(bodies.len());
                for chunk in bodies.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::<$driver>::new(
                        "INSERT INTO webhook_inbox (received_at, body) ",
                    );
                    insert.push_values(chunk, |mut row, body| {
                        row.push_bind(received_at).push_bind(*body);
                    });
                    insert.push(" RETURNING id");
                    let mut chunk_ids: Vec<i64> =
                        insert.build_query_scalar().fetch_all(&mut *tx).await?;
                    chunk_ids.sort_unstable();
                    ids.extend(chunk_ids);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn pending_webhooks(
                &self,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::InboxRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, received_at, body, state, attempts, last_error
                     FROM webhook_inbox WHERE state = 'pending' ORDER BY id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn finish_webhook(
                &self,
                id: i64,
                outcome: Result<(), &str>,
            ) -> $crate::db::DbResult<()> {
                let now = $crate::db::now_millis();
                match outcome {
                    Ok(()) => sqlx::query(
                        "UPDATE webhook_inbox SET state = 'processed', attempts = attempts + 1,
                                processed_at = $1 WHERE id = $2",
                    )
                    .bind(now)
                    .bind(id),
                    Err(error) => sqlx::query(
                        "UPDATE webhook_inbox SET attempts = attempts + 1, last_error = $1
                         WHERE id = $2",
                    )
                    .bind(error)
                    .bind(id),
                }
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn park_webhook(&self, id: i64, error: &str) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "UPDATE webhook_inbox SET state = 'parked', attempts = attempts + 1,
                            last_error = $1 WHERE id = $2",
                )
                .bind(error)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn replay_webhook(&self, id: i64) -> $crate::db::DbResult<bool> {
                let done = sqlx::query(
                    "UPDATE webhook_inbox SET state = 'pending', attempts = 0
                     WHERE id = $1 AND state = 'parked'",
                )
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn parked_webhooks(
                &self,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::InboxRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, received_at, body, state, attempts, last_error
                     FROM webhook_inbox WHERE state = 'parked' ORDER BY id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn apply_change(
                &self,
                change: &$crate::db::NewChange,
            ) -> $crate::db::DbResult<bool> {
                use $crate::db::{ChangeEffect, Counter};
                let now = $crate::db::now_millis();
                let mut tx = self.pool.begin().await?;
                let recorded: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO webhook_changes (inbox_id, dedupe_key, field, meta_waba_id, event,
                                                  event_time, payload, flagged, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                )
                .bind(change.inbox_id)
                .bind(&change.dedupe_key)
                .bind(&change.field)
                .bind(&change.meta_waba_id)
                .bind(&change.event)
                .bind(change.event_time)
                .bind(&change.payload)
                .bind(change.flagged)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if recorded.is_none() {
                    return Ok(false);
                }
                let waba = change.meta_waba_id.as_deref();
                let creates_waba = matches!(
                    change.effect,
                    ChangeEffect::TermsSigned | ChangeEffect::Connection(_) | ChangeEffect::Health(_)
                );
                if let (true, Some(waba), Some(owner)) =
                    (creates_waba, waba, change.owner_business_id.as_deref())
                {
                    // A WABA Meta tells us about before any signup or discovery saw it.
                    sqlx::query(
                        "INSERT INTO businesses (meta_business_id, name, created_at, updated_at)
                         VALUES ($1, $2, $3, $3) ON CONFLICT (meta_business_id) DO NOTHING",
                    )
                    .bind(owner)
                    .bind(format!("Business {owner}"))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO wabas (meta_waba_id, business_id, name, created_at, updated_at)
                         SELECT $1, id, $2, $3, $3 FROM businesses WHERE meta_business_id = $4
                         ON CONFLICT (meta_waba_id) DO NOTHING",
                    )
                    .bind(waba)
                    .bind(format!("WABA {waba}"))
                    .bind(now)
                    .bind(owner)
                    .execute(&mut *tx)
                    .await?;
                }
                match &change.effect {
                    ChangeEffect::None => {}
                    ChangeEffect::TermsSigned => {
                        sqlx::query(
                            "UPDATE wabas SET
                                status_changed_at = CASE WHEN onboarding_status = 'ONBOARDED'
                                    THEN status_changed_at ELSE $1 END,
                                onboarding_status = 'ONBOARDED',
                                mm_terms_signed_at = COALESCE(mm_terms_signed_at, $2),
                                updated_at = $1
                             WHERE meta_waba_id = $3",
                        )
                        .bind(now)
                        .bind(change.event_time)
                        .bind(waba)
                        .execute(&mut *tx)
                        .await?;
                    }
                    ChangeEffect::Connection(state) => {
                        sqlx::query(
                            "UPDATE wabas SET connection_state = $1, connection_changed_at = $2,
                                    updated_at = $3
                             WHERE meta_waba_id = $4
                               AND (connection_changed_at IS NULL OR connection_changed_at <= $2)",
                        )
                        .bind(state)
                        .bind(change.event_time)
                        .bind(now)
                        .bind(waba)
                        .execute(&mut *tx)
                        .await?;
                    }
                    ChangeEffect::Health(health) => {
                        sqlx::query(
                            "UPDATE wabas SET account_health = $1, health_changed_at = $2,
                                    updated_at = $3
                             WHERE meta_waba_id = $4
                               AND (health_changed_at IS NULL OR health_changed_at <= $2)",
                        )
                        .bind(health)
                        .bind(change.event_time)
                        .bind(now)
                        .bind(waba)
                        .execute(&mut *tx)
                        .await?;
                    }
                    ChangeEffect::Country(country) => {
                        sqlx::query("UPDATE wabas SET country = $1, updated_at = $2 WHERE meta_waba_id = $3")
                            .bind(country)
                            .bind(now)
                            .bind(waba)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ChangeEffect::Message { day, category, counter, error_code } => {
                        let mut counts = [0i64; 5];
                        counts[match counter {
                            Counter::Sent => 0,
                            Counter::Delivered => 1,
                            Counter::Read => 2,
                            Counter::Failed => 3,
                            Counter::Clicked => 4,
                        }] = 1;
                        sqlx::query(
                            "INSERT INTO message_metrics_daily
                                (meta_waba_id, day, category, sent, delivered, read, failed, clicked)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                             ON CONFLICT (meta_waba_id, day, category) DO UPDATE SET
                                sent = message_metrics_daily.sent + excluded.sent,
                                delivered = message_metrics_daily.delivered + excluded.delivered,
                                read = message_metrics_daily.read + excluded.read,
                                failed = message_metrics_daily.failed + excluded.failed,
                                clicked = message_metrics_daily.clicked + excluded.clicked",
                        )
                        .bind(waba.unwrap_or(""))
                        .bind(day)
                        .bind(category)
                        .bind(counts[0])
                        .bind(counts[1])
                        .bind(counts[2])
                        .bind(counts[3])
                        .bind(counts[4])
                        .execute(&mut *tx)
                        .await?;
                        if let Some(code) = error_code {
                            sqlx::query(
                                "INSERT INTO message_failures_daily (meta_waba_id, day, error_code, failures)
                                 VALUES ($1, $2, $3, 1)
                                 ON CONFLICT (meta_waba_id, day, error_code) DO UPDATE SET
                                    failures = message_failures_daily.failures + 1",
                            )
                            .bind(waba.unwrap_or(""))
                            .bind(day)
                            .bind(*code)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                }
                if let Some((kind, summary)) = &change.timeline {
                    sqlx::query(
                        "INSERT INTO timeline_events (waba_id, kind, summary, detail, actor, occurred_at)
                         VALUES ((SELECT id FROM wabas WHERE meta_waba_id = $1), $2, $3, $4, 'meta', $5)",
                    )
                    .bind(waba)
                    .bind(kind)
                    .bind(summary)
                    .bind(&change.payload)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn metrics_for_waba(
                &self,
                meta_waba_id: &str,
            ) -> $crate::db::DbResult<Vec<$crate::db::DailyMetrics>> {
                Ok(sqlx::query_as(
                    "SELECT meta_waba_id, day, category, sent, delivered, read, failed, clicked
                     FROM message_metrics_daily WHERE meta_waba_id = $1 ORDER BY day, category",
                )
                .bind(meta_waba_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn failures_for_waba(
                &self,
                meta_waba_id: &str,
            ) -> $crate::db::DbResult<Vec<(String, i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT day, error_code, failures FROM message_failures_daily
                     WHERE meta_waba_id = $1 ORDER BY day, error_code",
                )
                .bind(meta_waba_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn create_staff_user(
                &self,
                user: &$crate::db::NewStaffUser,
            ) -> $crate::db::DbResult<$crate::db::StaffUser> {
                Ok(sqlx::query_as(
                    "INSERT INTO staff_users (email, display_name, password_hash, role, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     RETURNING id, email, display_name, password_hash, role, disabled,
                               created_at, last_login_at",
                )
                .bind(user.email.trim().to_lowercase())
                .bind(&user.display_name)
                .bind(&user.password_hash)
                .bind(user.role.as_str())
                .bind($crate::db::now_millis())
                .fetch_one(&self.pool)
                .await?)
            }

            async fn staff_user_by_email(
                &self,
                email: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::StaffUser>> {
                Ok(sqlx::query_as(
                    "SELECT id, email, display_name, password_hash, role, disabled,
                            created_at, last_login_at
                     FROM staff_users WHERE email = $1",
                )
                .bind(email.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn count_staff_users(&self) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn append_audit(
                &self,
                entry: &$crate::db::NewAuditEntry,
            ) -> $crate::db::DbResult<i64> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO audit_log (staff_id, actor, action, target_kind, target_id,
                                            detail, ip, occurred_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(entry.staff_id)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.target_kind)
                .bind(&entry.target_id)
                .bind(&entry.detail)
                .bind(&entry.ip)
                .bind($crate::db::now_millis())
                .fetch_one(&self.pool)
                .await?)
            }

            async fn list_audit(
                &self,
                before_id: Option<i64>,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::AuditEntry>> {
                Ok(sqlx::query_as(
                    "SELECT id, staff_id, actor, action, target_kind, target_id, detail, ip,
                            occurred_at
                     FROM audit_log WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
                )
                .bind(before_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::db::SandboxStore for $repo {
            async fn sandbox_get(
                &self,
                kind: &str,
                id: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::SandboxObject>> {
                Ok(sqlx::query_as(
                    "SELECT kind, id, parent, data, version, updated_at
                     FROM sandbox_objects WHERE kind = $1 AND id = $2",
                )
                .bind(kind)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn sandbox_insert(
                &self,
                kind: &str,
                id: &str,
                parent: Option<&str>,
                data: &str,
            ) -> $crate::db::DbResult<()> {
                sqlx::query(
                    "INSERT INTO sandbox_objects (kind, id, parent, data, version, updated_at)
                     VALUES ($1, $2, $3, $4, 1, $5)",
                )
                .bind(kind)
                .bind(id)
                .bind(parent)
                .bind(data)
                .bind($crate::db::now_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn sandbox_update(
                &self,
                kind: &str,
                id: &str,
                data: &str,
                expected_version: i64,
            ) -> $crate::db::DbResult<bool> {
                let done = sqlx::query(
                    "UPDATE sandbox_objects SET data = $1, version = version + 1, updated_at = $2
                     WHERE kind = $3 AND id = $4 AND version = $5",
                )
                .bind(data)
                .bind($crate::db::now_millis())
                .bind(kind)
                .bind(id)
                .bind(expected_version)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn sandbox_list(
                &self,
                kind: &str,
                parent: Option<&str>,
                after_id: Option<&str>,
                limit: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::SandboxObject>> {
                Ok(sqlx::query_as(
                    "SELECT kind, id, parent, data, version, updated_at FROM sandbox_objects
                     WHERE kind = $1 AND ($2 IS NULL OR parent = $2) AND ($3 IS NULL OR id > $3)
                     ORDER BY id LIMIT $4",
                )
                .bind(kind)
                .bind(parent)
                .bind(after_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn sandbox_delete(&self, kind: &str, id: &str) -> $crate::db::DbResult<bool> {
                let done = sqlx::query("DELETE FROM sandbox_objects WHERE kind = $1 AND id = $2")
                    .bind(kind)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use impl_portable_repository;
pub(crate) use waba_columns;
