//! `mm-portal bench api`: the partner API's WABA list over many customers, through the whole
//! portal (key check, use record, rate limit, security headers) on 127.0.0.1: requests per
//! second and latency for a page of 100 with a filter, the scenario the targets name, and a
//! few more.

use std::time::Duration;

use super::load::{self, Pace, Report, Request};
use app::api_keys::port::Scope;

#[derive(Debug, Clone, clap::Args)]
pub struct ApiBenchArgs {
    /// Customers (business + WABA + phone) to seed.
    #[arg(long, default_value_t = 100_000)]
    pub wabas: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Hard cap on requests per scenario.
    #[arg(long, default_value_t = 200_000)]
    pub max_requests: u64,
    /// Database to use. Default: a fresh SQLite file in a temporary directory.
    #[arg(long = "bench-database-url", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// The scenarios: name and path (page of 100).
fn scenarios(wabas: usize) -> Vec<(&'static str, String)> {
    let middle = crate::seed::synthetic(wabas / 2, 0).meta_waba_id;
    vec![
        (
            "status=ONBOARDED, limit=100 (target)",
            "/api/v1/wabas?status=ONBOARDED&limit=100".to_string(),
        ),
        (
            "no filter, limit=100",
            "/api/v1/wabas?limit=100".to_string(),
        ),
        (
            "country=BR, limit=100",
            "/api/v1/wabas?country=BR&limit=100".to_string(),
        ),
        (
            "needs_attention=true, limit=100",
            "/api/v1/wabas?needs_attention=true&limit=100".to_string(),
        ),
        ("one WABA", format!("/api/v1/wabas/{middle}")),
    ]
}

pub async fn run(args: ApiBenchArgs) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    // The limit is part of the path measured, set above what the run can reach.
    let mut flags = vec!["--api-rate-per-key".to_string(), "1000000".into()];
    if let Some(url) = &args.database_url {
        flags.extend(["--database-url".to_string(), url.clone()]);
    }
    let config = super::portal_config(&temp, &flags)?;
    let portal = crate::server::RunningPortal::start(config)
        .await
        .map_err(|e| e.to_string())?;
    let store = portal.database.store.clone();
    let backend = store.backend().as_str();
    println!(
        "partner API on {backend}: seeding {} customers…",
        args.wabas
    );
    crate::seed::seed(store.as_ref(), args.wabas, |_| {})
        .await
        .map_err(|e| format!("seeding failed: {e}"))?;
    super::analyze(&portal.database).await?;
    let key = crate::api_keys::service::ApiKeysService::new(store.clone())
        .make("bench", &[Scope::WabasRead], "bench")
        .await
        .map_err(|e| e.to_string())?
        .secret;
    let addr = portal
        .url
        .socket_addrs(|| None)
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("no portal address")?;
    let request = Request {
        method: "GET",
        body: bytes::Bytes::new(),
        headers: vec![("authorization", format!("Bearer {key}"))],
    };
    println!(
        "{} connections, {} s per scenario, one key, every request authenticated and recorded",
        args.connections, args.seconds
    );
    println!(
        "{:<40}{:>10}{:>10}{:>10}{:>10}{:>8}",
        "scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"
    );
    let mut target: Option<Report> = None;
    for (name, path) in scenarios(args.wabas) {
        let report = load::run(
            addr,
            &path,
            std::slice::from_ref(&request),
            args.connections,
            Pace::Closed,
            Duration::from_secs(args.seconds),
            args.max_requests,
        )
        .await;
        println!(
            "{:<40}{:>10.0}{:>10.2}{:>10.2}{:>10.2}{:>8}",
            name,
            report.throughput(),
            report.percentile_ms(50.0),
            report.percentile_ms(95.0),
            report.percentile_ms(99.0),
            report.failed
        );
        if target.is_none() {
            target = Some(report);
        }
    }
    if let Some(report) = target {
        println!(
            "target (page of 100 with a filter): p95 {:.2} ms (< 20), {:.0} req/s (>= 2000): {}",
            report.percentile_ms(95.0),
            report.throughput(),
            if report.percentile_ms(95.0) < 20.0 && report.throughput() >= 2000.0 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    store_costs(
        &store,
        args.connections,
        Duration::from_secs(args.seconds.min(3)),
    )
    .await?;
    // Let the use recorder commit, then count what it wrote.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let recorded = crate::db::ApiKeyStore::list_api_keys(store.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "key last used: {}",
        recorded
            .first()
            .and_then(|k| k.last_used_at)
            .map(crate::partner_api::page::timestamp)
            .unwrap_or_else(|| "never (uses NOT recorded)".into())
    );
    portal.shutdown().await;
    Ok(())
}

/// Where a page's time goes, without HTTP: the target's query read as rows (as the staff
/// list reads it) and as the partner API reads it (SQLite: one JSON value), and the JSON of a page,
/// each from `tasks` concurrent tasks for `duration`.
async fn store_costs(
    store: &std::sync::Arc<crate::db::SqlStore>,
    tasks: usize,
    duration: Duration,
) -> Result<(), String> {
    use crate::db::{WabaListStore, WabaSearch};
    let search = WabaSearch {
        status: Some("ONBOARDED".into()),
        limit: 101,
        ..Default::default()
    };
    let rows = store
        .search_wabas(&search)
        .await
        .map_err(|e| e.to_string())?;
    let page = store
        .partner_page(&search)
        .await
        .map_err(|e| e.to_string())?;
    if rows != page {
        return Err("the partner page differs from the staff list's rows".into());
    }
    println!("without HTTP, {tasks} tasks (status=ONBOARDED, 101 rows):");
    let per_second = |calls: u64| calls as f64 / duration.as_secs_f64();
    let search = std::sync::Arc::new(search);
    for (name, json) in [
        ("query read as rows (staff list)", false),
        ("query as the API reads it (SQLite: JSON)", true),
    ] {
        let calls = repeat(tasks, duration, {
            let (store, search) = (store.clone(), search.clone());
            move || {
                let (store, search) = (store.clone(), search.clone());
                async move {
                    if json {
                        store.partner_page(&search).await.map(|_| ())
                    } else {
                        store.search_wabas(&search).await.map(|_| ())
                    }
                    .is_ok()
                }
            }
        })
        .await;
        println!("  {name:<40}{:>10.0} /s", per_second(calls));
    }
    let rows = std::sync::Arc::new(rows);
    let calls = repeat(tasks, duration, move || {
        let rows = rows.clone();
        async move { serde_json::to_vec(rows.as_ref()).is_ok() }
    })
    .await;
    println!(
        "  {:<40}{:>10.0} /s",
        "JSON of the 101 rows",
        per_second(calls)
    );
    Ok(())
}

/// Runs `call` from `tasks` tasks until `duration` is over; the successful calls.
async fn repeat<F, Fut>(tasks: usize, duration: Duration, call: F) -> u64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let deadline = std::time::Instant::now() + duration;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let call = call.clone();
        set.spawn(async move {
            let mut ok = 0u64;
            while std::time::Instant::now() < deadline {
                if call().await {
                    ok += 1;
                }
                tokio::task::yield_now().await;
            }
            ok
        });
    }
    let mut total = 0;
    while let Some(done) = set.join_next().await {
        total += done.unwrap_or(0);
    }
    total
}
