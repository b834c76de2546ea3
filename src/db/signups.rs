//! The SQL of [`SignupStore`](super::SignupStore), shared by both backends like
//! [`portable`](super::portable).

macro_rules! signup_columns {
    () => {
        "id, nonce, status_key, campaign, feature_type, stage, meta_business_id, meta_waba_id,
         meta_phone_id, coexistence, cancel_step, error, waba_id, exchange_started_at,
         exchanged_at, created_at, updated_at"
    };
}

macro_rules! impl_signup_store {
    ($repo:ty) => {
        #[async_trait::async_trait]
        impl $crate::db::SignupStore for $repo {
            async fn create_signup(
                &self,
                signup: &$crate::db::NewSignup,
            ) -> $crate::db::DbResult<$crate::db::Signup> {
                let now = $crate::db::now_millis();
                let mut tx = self.pool.begin().await?;
                let created: $crate::db::Signup = sqlx::query_as(concat!(
                    "INSERT INTO signups (nonce, status_key, campaign, feature_type, stage,
                                          created_at, updated_at)
                     VALUES ($1, $2, $3, $4, 'started', $5, $5) RETURNING ",
                    $crate::db::signups::signup_columns!()
                ))
                .bind(&signup.nonce)
                .bind(&signup.status_key)
                .bind(&signup.campaign)
                .bind(&signup.feature_type)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO signup_events (signup_id, event, detail, occurred_at)
                     VALUES ($1, 'started', NULL, $2)",
                )
                .bind(created.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(created)
            }

            async fn signup_by_nonce(
                &self,
                nonce: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::Signup>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::db::signups::signup_columns!(),
                    " FROM signups WHERE nonce = $1"
                ))
                .bind(nonce)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn signup_by_status_key(
                &self,
                status_key: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::Signup>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::db::signups::signup_columns!(),
                    " FROM signups WHERE status_key = $1"
                ))
                .bind(status_key)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn signup_for_waba(
                &self,
                waba_id: i64,
            ) -> $crate::db::DbResult<Option<$crate::db::Signup>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::db::signups::signup_columns!(),
                    " FROM signups WHERE waba_id = $1 ORDER BY id DESC LIMIT 1"
                ))
                .bind(waba_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn record_signup_event(
                &self,
                signup_id: i64,
                event: &$crate::db::SignupEvent,
            ) -> $crate::db::DbResult<$crate::db::Signup> {
                let now = $crate::db::now_millis();
                let mut tx = self.pool.begin().await?;
                // Write first: on SQLite a transaction that reads before writing cannot take the
                // write lock if another writer committed meanwhile (SQLITE_BUSY); an UPDATE as
                // the first statement takes it up front (and waits for it, busy_timeout).
                let current: String = sqlx::query_scalar(
                    "UPDATE signups SET updated_at = $2 WHERE id = $1 RETURNING stage",
                )
                .bind(signup_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let stage = match (event.stage, $crate::db::SignupStage::parse(&current)) {
                    (Some(next), Some(now_at)) if now_at.may_become(next) => next.as_str(),
                    (Some(next), None) => next.as_str(),
                    _ => current.as_str(),
                };
                let exchanged = event.stage == Some($crate::db::SignupStage::Exchanged);
                let exchanging = event.stage == Some($crate::db::SignupStage::Exchanging);
                sqlx::query(
                    "INSERT INTO signup_events (signup_id, event, detail, occurred_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(signup_id)
                .bind(&event.event)
                .bind(&event.detail)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let updated: $crate::db::Signup = sqlx::query_as(concat!(
                    "UPDATE signups SET
                        stage = $2,
                        meta_business_id = COALESCE($3, meta_business_id),
                        meta_waba_id = COALESCE($4, meta_waba_id),
                        meta_phone_id = COALESCE($5, meta_phone_id),
                        coexistence = COALESCE($6, coexistence),
                        cancel_step = COALESCE($7, cancel_step),
                        error = COALESCE($8, error),
                        waba_id = COALESCE($9, waba_id),
                        exchange_started_at = CASE WHEN $10 THEN $12 ELSE exchange_started_at END,
                        exchanged_at = CASE WHEN $11 THEN $12 ELSE exchanged_at END,
                        updated_at = $12
                     WHERE id = $1 RETURNING ",
                    $crate::db::signups::signup_columns!()
                ))
                .bind(signup_id)
                .bind(stage)
                .bind(&event.meta_business_id)
                .bind(&event.meta_waba_id)
                .bind(&event.meta_phone_id)
                .bind(event.coexistence)
                .bind(&event.cancel_step)
                .bind(&event.error)
                .bind(event.waba_id)
                .bind(exchanging)
                .bind(exchanged)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(updated)
            }

            async fn claim_signup_exchange(
                &self,
                nonce: &str,
            ) -> $crate::db::DbResult<Option<$crate::db::Signup>> {
                let now = $crate::db::now_millis();
                let mut tx = self.pool.begin().await?;
                let claimed: Option<$crate::db::Signup> = sqlx::query_as(concat!(
                    "UPDATE signups SET exchange_started_at = $2, updated_at = $2,
                        stage = CASE WHEN stage IN ('exchanged', 'failed') THEN stage
                                     ELSE 'exchanging' END
                     WHERE nonce = $1 AND exchange_started_at IS NULL RETURNING ",
                    $crate::db::signups::signup_columns!()
                ))
                .bind(nonce)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(signup) = &claimed {
                    sqlx::query(
                        "INSERT INTO signup_events (signup_id, event, detail, occurred_at)
                         VALUES ($1, 'code_received', NULL, $2)",
                    )
                    .bind(signup.id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(claimed)
            }

            async fn signup_events(
                &self,
                signup_id: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::SignupEventRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, signup_id, event, detail, occurred_at FROM signup_events
                     WHERE signup_id = $1 ORDER BY id",
                )
                .bind(signup_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_step(
                &self,
                update: &$crate::db::StepUpdate,
            ) -> $crate::db::DbResult<$crate::db::OnboardingStep> {
                let attempt: i64 = if update.attempt { 1 } else { 0 };
                Ok(sqlx::query_as(
                    "INSERT INTO onboarding_steps (waba_id, step, state, attempts, detail,
                                                   error_code, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (waba_id, step) DO UPDATE SET
                        state = excluded.state,
                        attempts = onboarding_steps.attempts + excluded.attempts,
                        detail = excluded.detail,
                        error_code = excluded.error_code,
                        updated_at = excluded.updated_at
                     RETURNING waba_id, step, state, attempts, detail, error_code, updated_at",
                )
                .bind(update.waba_id)
                .bind(&update.step)
                .bind(&update.state)
                .bind(attempt)
                .bind(&update.detail)
                .bind(update.error_code)
                .bind($crate::db::now_millis())
                .fetch_one(&self.pool)
                .await?)
            }

            async fn steps_for_waba(
                &self,
                waba_id: i64,
            ) -> $crate::db::DbResult<Vec<$crate::db::OnboardingStep>> {
                Ok(sqlx::query_as(
                    "SELECT waba_id, step, state, attempts, detail, error_code, updated_at
                     FROM onboarding_steps WHERE waba_id = $1",
                )
                .bind(waba_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn waba_by_id(
                &self,
                id: i64,
            ) -> $crate::db::DbResult<Option<$crate::db::Waba>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::db::portable::waba_columns!(),
                    " FROM wabas WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn business_by_id(
                &self,
                id: i64,
            ) -> $crate::db::DbResult<Option<$crate::db::Business>> {
                Ok(sqlx::query_as(
                    "SELECT id, meta_business_id, name, created_at, updated_at
                     FROM businesses WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_signup_store;
pub(crate) use signup_columns;
