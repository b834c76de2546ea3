//! Synthetic customers for demos and benchmarks (`sandbox seed`, `bench dashboard`).

use async_trait::async_trait;

use super::engine::query;
use super::*;

/// Bulk inserts of synthetic customers.
#[async_trait]
pub trait SeedStore: Send + Sync + 'static {
    /// Inserts synthetic customers (businesses, WABAs, phones, some failed steps) in one
    /// transaction with multi-row statements; existing Meta ids are skipped.
    // Long on purpose: four multi-row statements (businesses, WABAs, phones, failed steps) in
    // one transaction, in dependency order.
    async fn seed_wabas(&self, rows: &[SeedWaba]) -> DbResult<()>;
}

#[async_trait]
impl SeedStore for SqlStore {
    async fn seed_wabas(&self, rows: &[SeedWaba]) -> DbResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let mut insert =
            query("INSERT INTO businesses (meta_business_id, name, created_at, updated_at) ");
        insert.push_values(rows, |b, r| {
            b.bind(&r.meta_business_id)
                .bind(&r.business_name)
                .bind(r.created_at)
                .bind(r.created_at);
        });
        insert.push(" ON CONFLICT (meta_business_id) DO NOTHING");
        insert.execute(&mut tx).await?;
        let mut insert = query(
            "INSERT INTO wabas (meta_waba_id, business_id, name, currency, country,
                                    onboarding_status, status_changed_at, coexistence,
                                    created_at, updated_at, connection_state) ",
        );
        insert.push_values(rows, |b, r| {
            b.bind(&r.meta_waba_id)
                .push("(SELECT id FROM businesses WHERE meta_business_id = ")
                .bind_unseparated(&r.meta_business_id)
                .push_unseparated(")")
                .bind(&r.waba_name)
                .bind("USD")
                .bind(&r.country)
                .bind(&r.onboarding_status)
                .bind(r.created_at)
                .bind(r.coexistence)
                .bind(r.created_at)
                .bind(r.created_at)
                .bind(&r.connection_state);
        });
        insert.push(" ON CONFLICT (meta_waba_id) DO NOTHING");
        insert.execute(&mut tx).await?;
        let mut insert = query(
            "INSERT INTO phone_numbers (meta_phone_id, waba_id, display_phone_number,
                                            verified_name, registered, coexistence,
                                            quality_rating, created_at, updated_at,
                                            phone_digits) ",
        );
        insert.push_values(rows, |b, r| {
            b.bind(&r.meta_phone_id)
                .push("(SELECT id FROM wabas WHERE meta_waba_id = ")
                .bind_unseparated(&r.meta_waba_id)
                .push_unseparated(")")
                .bind(&r.phone)
                .bind(&r.business_name)
                .bind(!r.coexistence)
                .bind(r.coexistence)
                .bind("GREEN")
                .bind(r.created_at)
                .bind(r.created_at)
                .bind(phone_digits(&r.phone));
        });
        insert.push(" ON CONFLICT (meta_phone_id) DO NOTHING");
        insert.execute(&mut tx).await?;
        let failed: Vec<&SeedWaba> = rows.iter().filter(|r| r.failed_step).collect();
        if !failed.is_empty() {
            let mut insert = query(
                "INSERT INTO onboarding_steps (waba_id, step, state, attempts, detail,
                                                   error_code, updated_at) ",
            );
            insert.push_values(failed, |b, r| {
                b.push("(SELECT id FROM wabas WHERE meta_waba_id = ")
                    .bind_unseparated(&r.meta_waba_id)
                    .push_unseparated(")")
                    .bind("register_phone")
                    .bind("failed")
                    .bind(1_i64)
                    .bind("(#133016) Account register deregister rate limit exceeded")
                    .bind(133016_i64)
                    .bind(r.created_at);
            });
            insert.push(" ON CONFLICT (waba_id, step) DO NOTHING");
            insert.execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
