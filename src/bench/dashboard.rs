//! `mm-portal bench dashboard`: the staff WABA list over many customers — server time per
//! page for the filters staff use, and the query plan that shows which indexes serve them.
//! Calls the same repository method the dashboard's server function calls, in process.

use std::time::{Duration, Instant};

use crate::db::{self, WabaCursor, WabaListStore, WabaSearch, WabaSort};

#[derive(Debug, Clone, clap::Args)]
pub struct DashboardBenchArgs {
    /// Customers (business + WABA + phone) to seed.
    #[arg(long, default_value_t = 100_000)]
    pub wabas: usize,
    /// Timed calls per scenario.
    #[arg(long, default_value_t = 200)]
    pub iterations: usize,
    /// Database to use. Default: a fresh SQLite file in a temporary directory.
    #[arg(long = "bench-database-url", hide_env_values = true)]
    pub database_url: Option<String>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// Long on purpose: a benchmark script whose steps (seed, analyze, one timed loop per scenario,
// the plans) read top to bottom in the order the report prints them.
pub async fn run(args: DashboardBenchArgs) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let database = super::open_database(args.database_url.as_deref(), &temp).await?;
    let backend = database.store.backend().as_str();
    println!(
        "dashboard list on {backend}: seeding {} customers…",
        args.wabas
    );
    let started = Instant::now();
    crate::seed::seed(database.store.as_ref(), args.wabas, |_| {})
        .await
        .map_err(|e| format!("seeding failed: {e}"))?;
    println!(
        "seeded in {:.1} s ({:.0} customers/s)",
        started.elapsed().as_secs_f64(),
        args.wabas as f64 / started.elapsed().as_secs_f64()
    );
    // Planner statistics, as a running database has them (autovacuum / PRAGMA optimize).
    super::analyze(&database).await?;
    // The middle of the id range, for a "page 1000" keyset request.
    let middle = (args.wabas / 2) as i64;
    let middle_row = crate::seed::synthetic(args.wabas / 2, db::now_millis());
    let scenarios: Vec<(&str, WabaSearch)> = vec![
        (
            "first page, no filter",
            WabaSearch {
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "deep page (keyset, before the middle id)",
            WabaSearch {
                after: Some(WabaCursor::Id(middle)),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "deep page, recently updated first",
            WabaSearch {
                sort: WabaSort::RecentlyUpdated,
                after: Some(WabaCursor::Updated(middle_row.created_at, middle)),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "deep page, by WABA name",
            WabaSearch {
                sort: WabaSort::Name,
                after: Some(WabaCursor::Name(middle_row.waba_name.clone(), middle)),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "country = DE, coexistence numbers",
            WabaSearch {
                country: Some("DE".into()),
                coexistence: Some(true),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "added in the last 6 hours",
            WabaSearch {
                added_from: Some(db::now_millis() - 6 * 3_600_000),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "status = PENDING_VALID_PAYMENT_METHOD",
            WabaSearch {
                status: Some("PENDING_VALID_PAYMENT_METHOD".into()),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "connection = removed (rare)",
            WabaSearch {
                connection: Some("removed".into()),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "connection = connected (nearly all)",
            WabaSearch {
                connection: Some("connected".into()),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "needs attention (failed step)",
            WabaSearch {
                needs_attention: true,
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "search a common word (\"bakery\")",
            WabaSearch {
                text: Some("bakery".into()),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "search one WABA id (exact, indexed)",
            WabaSearch {
                text: Some(format!("8{:014}", args.wabas / 3)),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "search one phone number (digits index)",
            WabaSearch {
                text: Some(crate::seed::synthetic(args.wabas / 3, 0).phone),
                limit: 51,
                ..Default::default()
            },
        ),
        (
            "search a name matching one customer",
            WabaSearch {
                text: Some(crate::seed::synthetic(args.wabas / 3, 0).business_name),
                limit: 51,
                ..Default::default()
            },
        ),
    ];
    println!(
        "{:<46} {:>9} {:>9} {:>9} {:>6}",
        "scenario (page of 50)", "p50 ms", "p95 ms", "max ms", "rows"
    );
    for (name, search) in &scenarios {
        let mut times = Vec::with_capacity(args.iterations);
        let mut rows = 0;
        for _ in 0..args.iterations {
            let t = Instant::now();
            rows = database
                .store
                .search_wabas(search)
                .await
                .map_err(|e| format!("{name}: {e}"))?
                .len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{:<46} {:>9.2} {:>9.2} {:>9.2} {:>6}",
            name,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            rows
        );
    }
    println!("\nquery plans (the lines that read tables and indexes):");
    for (name, search) in &scenarios {
        let plan = database
            .store
            .explain_search(search)
            .await
            .map_err(|e| format!("explain {name}: {e}"))?;
        println!("- {name}:");
        let reads = plan.iter().filter(|line| {
            ["SCAN", "SEARCH", "Scan", "Index Cond"]
                .iter()
                .any(|word| line.contains(word))
                && !line.contains("onboarding_steps")
                && !line.contains("phone_numbers_waba_idx")
        });
        for line in reads.take(8) {
            println!("    {}", line.trim());
        }
    }
    Ok(())
}
