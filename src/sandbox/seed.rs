//! Bulk seeding of the simulator's own store: the synthetic customers of [`crate::seed`] as
//! Meta would hold them (business, WABA with its onboarding status, phone), so that discovery
//! and the Intent API find in the simulator the same customers `sandbox seed` shows in the
//! dashboard. Multi-row inserts straight into `sandbox_objects`, for 100,000 customers.

use super::model::{self, Business, MmOnboardingSettings, Phone, Waba};
use crate::db::SeedWaba;
use crate::db::{self, now_millis, Database};

/// One row of `sandbox_objects`: `(kind, id, parent, JSON data)`.
pub type ObjectRow = (&'static str, String, Option<String>, String);

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain struct serialises")
}

/// The simulator's objects for one synthetic customer; `status` overrides its onboarding
/// status and `sign_delay_ms` its terms-signing delay (when not the default).
pub fn customer_rows(
    customer: &SeedWaba,
    status: Option<&str>,
    sign_delay_ms: u64,
) -> Vec<ObjectRow> {
    let business = Business {
        id: customer.meta_business_id.clone(),
        name: customer.business_name.clone(),
    };
    let waba = Waba {
        id: customer.meta_waba_id.clone(),
        name: customer.waba_name.clone(),
        owner_business_id: business.id.clone(),
        currency: "USD".into(),
        timezone_id: "1".into(),
        country: customer.country.clone(),
        account_review_status: "APPROVED".into(),
        marketing_messages_onboarding_status: status
            .unwrap_or(&customer.onboarding_status)
            .to_string(),
        mm_terms_accepted: status.unwrap_or(&customer.onboarding_status) == "ONBOARDED",
        terms_delay_ms: 0,
        terms_due_at: None,
        connection: None,
        insights_enabled: false,
    };
    let phone = Phone {
        id: customer.meta_phone_id.clone(),
        waba_id: waba.id.clone(),
        display_phone_number: customer.phone.clone(),
        verified_name: customer.business_name.clone(),
        code_verification_status: "VERIFIED".into(),
        quality_rating: "GREEN".into(),
        platform_type: if customer.coexistence {
            "NOT_APPLICABLE"
        } else {
            "CLOUD_API"
        }
        .into(),
        coexistence: customer.coexistence,
        registrations: Vec::new(),
        pin: None,
        app_data_syncs: Vec::new(),
    };
    let mut rows = vec![
        (model::BUSINESS, business.id.clone(), None, json(&business)),
        (
            model::WABA,
            waba.id.clone(),
            Some(business.id.clone()),
            json(&waba),
        ),
        (
            model::PHONE,
            phone.id.clone(),
            Some(waba.id.clone()),
            json(&phone),
        ),
    ];
    if sign_delay_ms != model::DEFAULT_SIGN_DELAY_MS {
        let settings = MmOnboardingSettings {
            sign_delay_ms,
            obo_mobility_error: false,
        };
        rows.push((
            model::MM_ONBOARDING_SETTINGS,
            business.id.clone(),
            Some(business.id.clone()),
            json(&settings),
        ));
    }
    rows
}

/// Inserts `rows` into the simulator's store, 400 to a statement; objects already there are
/// left as they are.
pub async fn insert_objects(database: &Database, rows: &[ObjectRow]) -> Result<(), String> {
    let now = now_millis();
    for chunk in rows.chunks(400) {
        let inserted = match &database.pool {
            db::Pool::Sqlite(pool) => insert_chunk(pool, chunk, now).await,
            db::Pool::Postgres(pool) => insert_chunk(pool, chunk, now).await,
        };
        inserted.map_err(|e| format!("seeding the simulator: {e}"))?;
    }
    Ok(())
}

/// One multi-row `INSERT … ON CONFLICT DO NOTHING`, the same SQL on either database.
async fn insert_chunk<DB>(
    pool: &sqlx::Pool<DB>,
    rows: &[ObjectRow],
    now: i64,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let sql = insert_sql(rows.len(), now);
    let mut query = sqlx::query::<DB>(&sql);
    for (kind, id, parent, data) in rows {
        query = query
            .bind(*kind)
            .bind(id.as_str())
            .bind(parent.as_deref())
            .bind(data.as_str());
    }
    query.execute(pool).await?;
    Ok(())
}

/// The statement for `rows` objects: four parameters each (kind, id, parent, data); version 1
/// and the time `now` are numbers of our own, written in.
fn insert_sql(rows: usize, now: i64) -> String {
    let values: Vec<String> = (0..rows)
        .map(|n| {
            let p = 4 * n;
            format!("(${}, ${}, ${}, ${}, 1, {now})", p + 1, p + 2, p + 3, p + 4)
        })
        .collect();
    format!(
        "INSERT INTO sandbox_objects (kind, id, parent, data, version, updated_at) VALUES {} \
         ON CONFLICT (kind, id) DO NOTHING",
        values.join(", ")
    )
}

/// Customers `0..count` of [`crate::seed::synthetic`] into the simulator, in the same mix of
/// onboarding statuses, countries and coexistence numbers as the dashboard seed.
pub async fn seed_customers(
    database: &Database,
    count: usize,
    mut progress: impl FnMut(usize),
) -> Result<(), String> {
    const BATCH: usize = 2000;
    let now = now_millis();
    let mut done = 0;
    while done < count {
        let end = (done + BATCH).min(count);
        let rows: Vec<ObjectRow> = (done..end)
            .flat_map(|n| {
                customer_rows(
                    &crate::seed::synthetic(n, now),
                    None,
                    model::DEFAULT_SIGN_DELAY_MS,
                )
            })
            .collect();
        insert_objects(database, &rows).await?;
        done = end;
        progress(done);
    }
    Ok(())
}
