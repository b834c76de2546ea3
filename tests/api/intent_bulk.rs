//! The bulk Intent API across `kill -9`, against a sustained rate limit: 120 eligible
//! businesses, the simulator allowing 8 calls/s while the portal is configured for 40/s (so
//! it must be throttled and pace itself down; 8/s is below what even a loaded CI machine
//! reaches, so the limit is always met), the real binary killed with SIGKILL half-way
//! and restarted. Afterwards, from the simulator's own counts: no call for a business that
//! already had a request (no duplicate), every business asked; from the portal: every request
//! recorded as sent, every WABA ONBOARDED after the simulated signing.
//!
//! The same scenario is `mm-portal bench intents` (src/bench/intents.rs) with 10,000
//! businesses. Takes about 70 s: the jobs the killed worker had claimed wait for their 60 s
//! lease before another worker may run them.

use crate::support;

use std::time::Duration;

use mm_portal::bench::intents::{print_report, IntentReport, Scenario};

const BUSINESSES: usize = 120;
const ALLOWED_RATE: f64 = 8.0;

fn scenario(database_url: Option<String>) -> Scenario {
    Scenario {
        binary: env!("CARGO_BIN_EXE_mm-portal").into(),
        businesses: BUSINESSES,
        allowed_rate: ALLOWED_RATE,
        portal_rate: 40.0,
        kill_at: 0.5,
        sign_delay_ms: 500,
        timeout: Duration::from_secs(150),
        database_url,
    }
}

fn check(report: &IntentReport) {
    print_report(report);
    let stats = &report.stats;
    assert_eq!(
        stats.duplicates, 0,
        "no call for a business Meta already had"
    );
    assert_eq!(
        stats.distinct_businesses, BUSINESSES as u64,
        "every business asked"
    );
    // A second accepted call is only allowed for a call the kill cut short before the
    // simulator stored anything (at most two: the portal's two job workers each run one job
    // at a time).
    assert!(
        stats.businesses_with_more_than_one_accepted <= 2
            && stats.repeated_unstored == stats.businesses_with_more_than_one_accepted,
        "{stats:?}"
    );
    // The pace configured above the allowed rate meets the limit, and the portal then slows
    // down instead of retrying into it (without its pacer about half the calls are refused).
    assert!(
        stats.rate_limited > 0 && stats.rate_limited <= 40,
        "rate-limit errors: {}",
        stats.rate_limited
    );
    assert!(
        report.sent_before_kill >= (BUSINESSES / 2) as i64
            && report.sent_before_kill < BUSINESSES as i64,
        "killed mid-way: {}",
        report.sent_before_kill
    );
    // The job's own counts match: every request sent, none queued, failed or lost.
    assert_eq!(report.states, vec![("sent".to_string(), BUSINESSES as i64)]);
    assert!(report.all_onboarded(), "every WABA ONBOARDED after signing");
    // Paced under the limit: over the stretches calls flowed, at most the allowed rate plus
    // the bucket's one-second burst per stretch.
    let calls: usize = report.bursts.iter().map(|(n, _)| n).sum();
    assert!(calls >= BUSINESSES, "{:?}", report.bursts);
    for (n, ms) in &report.bursts {
        let allowed = ALLOWED_RATE * (*ms as f64 / 1000.0) + ALLOWED_RATE + 1.0;
        assert!(
            (*n as f64) <= allowed,
            "{n} calls in {ms} ms exceed {ALLOWED_RATE}/s"
        );
    }
    assert!(
        report.time_to_resume < Duration::from_secs(5),
        "resumed in {:?}",
        report.time_to_resume
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_intents_survive_kill_9_under_a_rate_limit_without_asking_twice() {
    let report = scenario(None).run().await.unwrap();
    check(&report);
}

/// The same on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bulk_intents_survive_kill_9_under_a_rate_limit_without_asking_twice() {
    let report = scenario(Some(support::fresh_postgres_url().await))
        .run()
        .await
        .unwrap();
    check(&report);
}
