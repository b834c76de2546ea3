//! Businesses, their WABAs and phone numbers: the customer records every feature reads.

use async_trait::async_trait;

use super::engine::query_as;
use super::*;

/// Customer records, written by the signup pipeline, discovery and Meta's webhooks.
#[async_trait]
pub trait WabaStore: Send + Sync + 'static {
    async fn upsert_business(&self, business: &NewBusiness) -> DbResult<Business>;
    async fn business_by_meta_id(&self, meta_business_id: &str) -> DbResult<Option<Business>>;
    async fn business_by_id(&self, id: i64) -> DbResult<Option<Business>>;
    async fn upsert_waba(&self, waba: &WabaUpsert) -> DbResult<Waba>;
    async fn waba_by_meta_id(&self, meta_waba_id: &str) -> DbResult<Option<Waba>>;
    async fn waba_by_id(&self, id: i64) -> DbResult<Option<Waba>>;
    async fn list_wabas(&self, query: &WabaQuery) -> DbResult<Vec<Waba>>;
    /// `(onboarding status, count)`; WABAs without a status are counted under `None`.
    async fn count_wabas_by_status(&self) -> DbResult<Vec<(Option<String>, i64)>>;
    async fn upsert_phone(&self, phone: &PhoneUpsert) -> DbResult<Phone>;
    async fn phones_for_waba(&self, waba_id: i64) -> DbResult<Vec<Phone>>;
    /// The business of a WABA, by the WABA's Meta id: `(business id, Meta business id)`.
    async fn business_of_waba(&self, meta_waba_id: &str) -> DbResult<Option<(i64, String)>>;
    /// WABAs of a business: `(id, Meta id)`.
    async fn wabas_of_business(&self, business_id: i64) -> DbResult<Vec<(i64, String)>>;
}

#[async_trait]
impl WabaStore for SqlStore {
    async fn upsert_business(&self, business: &NewBusiness) -> DbResult<Business> {
        let now = now_millis();
        Ok(query_as(
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

    async fn business_by_meta_id(&self, meta_business_id: &str) -> DbResult<Option<Business>> {
        Ok(query_as(
            "SELECT id, meta_business_id, name, created_at, updated_at
                 FROM businesses WHERE meta_business_id = $1",
        )
        .bind(meta_business_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn business_by_id(&self, id: i64) -> DbResult<Option<Business>> {
        Ok(query_as(
            "SELECT id, meta_business_id, name, created_at, updated_at
                 FROM businesses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn upsert_waba(&self, waba: &WabaUpsert) -> DbResult<Waba> {
        let now = now_millis();
        // status_changed_at moves only when the status value really changes; the SET
        // expressions read the old row, so the CASE sees the previous status.
        Ok(query_as(concat!(
            "INSERT INTO wabas (meta_waba_id, business_id, name, currency, country,
                                    onboarding_status, status_changed_at, coexistence,
                                    created_at, updated_at, connection_state,
                                    connection_changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $7,
                         CASE WHEN $9 THEN 'connected' END, CASE WHEN $9 THEN $10 END)
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
                    connection_state = CASE WHEN $9 THEN 'connected'
                        ELSE wabas.connection_state END,
                    connection_changed_at = CASE WHEN $9 THEN $10
                        ELSE wabas.connection_changed_at END,
                    updated_at = excluded.updated_at
                 RETURNING ",
            waba_columns!()
        ))
        .bind(&waba.meta_waba_id)
        .bind(waba.business_id)
        .bind(&waba.name)
        .bind(&waba.currency)
        .bind(&waba.country)
        .bind(&waba.onboarding_status)
        .bind(now)
        .bind(waba.coexistence)
        .bind(waba.connected_now)
        // Meta's event times have whole seconds: an account_update of the signup's own
        // second is taken as the newer of the two.
        .bind(now - now % 1000)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn waba_by_meta_id(&self, meta_waba_id: &str) -> DbResult<Option<Waba>> {
        Ok(query_as(concat!(
            "SELECT ",
            waba_columns!(),
            " FROM wabas WHERE meta_waba_id = $1"
        ))
        .bind(meta_waba_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn waba_by_id(&self, id: i64) -> DbResult<Option<Waba>> {
        Ok(query_as(concat!(
            "SELECT ",
            waba_columns!(),
            " FROM wabas WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn list_wabas(&self, query: &WabaQuery) -> DbResult<Vec<Waba>> {
        Ok(query_as(concat!(
            "SELECT ",
            waba_columns!(),
            " FROM wabas
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

    async fn count_wabas_by_status(&self) -> DbResult<Vec<(Option<String>, i64)>> {
        Ok(query_as(
            "SELECT onboarding_status, COUNT(*) FROM wabas
                 GROUP BY onboarding_status ORDER BY onboarding_status",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn upsert_phone(&self, phone: &PhoneUpsert) -> DbResult<Phone> {
        let now = now_millis();
        Ok(query_as(
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
        .bind(phone_digits(&phone.display_phone_number))
        .fetch_one(&self.pool)
        .await?)
    }

    async fn phones_for_waba(&self, waba_id: i64) -> DbResult<Vec<Phone>> {
        Ok(query_as(
            "SELECT id, meta_phone_id, waba_id, display_phone_number, verified_name,
                        registered, coexistence, quality_rating, created_at, updated_at
                 FROM phone_numbers WHERE waba_id = $1 ORDER BY id",
        )
        .bind(waba_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn business_of_waba(&self, meta_waba_id: &str) -> DbResult<Option<(i64, String)>> {
        Ok(query_as(
            "SELECT b.id, b.meta_business_id FROM wabas w
                 JOIN businesses b ON b.id = w.business_id WHERE w.meta_waba_id = $1",
        )
        .bind(meta_waba_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn wabas_of_business(&self, business_id: i64) -> DbResult<Vec<(i64, String)>> {
        Ok(
            query_as("SELECT id, meta_waba_id FROM wabas WHERE business_id = $1 ORDER BY id")
                .bind(business_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
