//! Synthetic customers for demos (`mm-portal sandbox seed --businesses N`) and for the
//! dashboard benchmark: deterministic names, ids, countries and statuses, so runs compare.

use crate::db::{now_millis, DbResult, SeedStore, SeedWaba};

const STATUSES: &[&str] = &[
    "ONBOARDED",
    "ONBOARDED",
    "ONBOARDED",
    "ELIGIBLE",
    "PENDING_INTERNAL_SETUP",
    "PENDING_VALID_PAYMENT_METHOD",
    "INELIGIBLE_ON_BEHALF_OF_WABA",
    "INELIGIBLE_INACTIVE_OR_RESTRICTED",
    "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
    "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
];
const COUNTRIES: &[&str] = &["BR", "IN", "ID", "MX", "US", "DE", "NG", "ZA", "CO", "IT"];
const WORDS: &[&str] = &[
    "Azul", "Sunrise", "Nova", "Lotus", "Atlas", "Pixel", "Verde", "Orchid", "Harbor", "Summit",
    "Maple", "Coral", "Zenith", "Ember", "Willow", "Cedar", "Aurora", "Juniper", "Saffron",
    "Indigo",
];
const TRADES: &[&str] = &[
    "Shoes", "Bakery", "Pharmacy", "Travel", "Motors", "Fashion", "Books", "Clinic", "Telecom",
    "Grocers",
];

/// Customer number `n` (0-based), created `n` seconds before `now`.
pub fn synthetic(n: usize, now: i64) -> SeedWaba {
    let name = format!(
        "{} {} {}",
        WORDS[n % WORDS.len()],
        TRADES[(n / WORDS.len()) % TRADES.len()],
        n
    );
    SeedWaba {
        meta_business_id: format!("9{:014}", n),
        business_name: name.clone(),
        meta_waba_id: format!("8{:014}", n),
        waba_name: format!("{name} WhatsApp"),
        country: COUNTRIES[(n / 3) % COUNTRIES.len()].to_string(),
        onboarding_status: STATUSES[n % STATUSES.len()].to_string(),
        coexistence: n.is_multiple_of(7),
        meta_phone_id: format!("7{:014}", n),
        phone: format!("+55 11 9{:04} {:04}", (n / 10_000) % 10_000, n % 10_000),
        failed_step: n % 50 == 25,
        // A few disconnected customers: 1 in 97 offboarded, 1 in 211 removed.
        connection_state: if n % 97 == 13 {
            Some("offboarded".into())
        } else if n % 211 == 17 {
            Some("removed".into())
        } else {
            None
        },
        created_at: now - (n as i64) * 1000,
    }
}

/// Inserts customers `0..count` (already present ones are skipped), in batches, and calls
/// `progress` after each batch with how many are done.
pub async fn seed(
    store: &dyn SeedStore,
    count: usize,
    mut progress: impl FnMut(usize),
) -> DbResult<()> {
    const BATCH: usize = 500;
    let now = now_millis();
    let mut done = 0;
    while done < count {
        let end = (done + BATCH).min(count);
        let rows: Vec<SeedWaba> = (done..end).map(|n| synthetic(n, now)).collect();
        store.seed_wabas(&rows).await?;
        done = end;
        progress(done);
    }
    Ok(())
}
