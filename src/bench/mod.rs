//! `mm-portal bench …`: benchmarks that print numbers and ratios. Each one starts its own
//! server on 127.0.0.1 with a temporary database, drives it with a bounded load generator over
//! loopback, and stops by itself.

pub mod api;
pub mod dashboard;
pub mod frontend;
pub mod intents;
pub mod load;
pub mod pages;
pub mod relay;
pub mod webhooks;

use clap::Subcommand;

#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Webhook ingestion: signed POST → durable inbox → 200, against the same path without
    /// the database write (the ceiling).
    Webhooks(webhooks::WebhookBenchArgs),
    /// The staff WABA list over many seeded customers: p50/p95 per filter, query plans.
    Dashboard(dashboard::DashboardBenchArgs),
    /// The bulk Intent API against the simulator's rate limit, with a kill -9 half-way:
    /// achieved rate, rate-limit errors, duplicates, time to resume.
    Intents(intents::IntentBenchArgs),
    /// The partner API's WABA list over many customers through the whole portal: req/s and
    /// p50/p95/p99 per scenario, against the targets.
    Api(api::ApiBenchArgs),
    /// Webhook ingestion alone and with one and three relay destinations (loopback sinks),
    /// side by side; then the relay lag at a steady rate.
    Relay(webhooks::WebhookBenchArgs),
    /// Every page on a slow phone (headless Chromium, slow 4G, CPU 4× slower): bytes over the
    /// wire cold and warm, time until usable, against the targets; the WebAssembly's size.
    Frontend(frontend::FrontendBenchArgs),
    /// Every page, server function and partner API route over many customers: p50/p95 per
    /// route, statements per request and the plan of the slowest; ends `slowest: …`.
    Pages(pages::PagesBenchArgs),
}

pub async fn run(command: BenchCommand) -> Result<(), String> {
    match command {
        BenchCommand::Webhooks(args) => webhooks::run(args).await,
        BenchCommand::Dashboard(args) => dashboard::run(args).await,
        BenchCommand::Intents(args) => intents::run(args).await,
        BenchCommand::Api(args) => api::run(args).await,
        BenchCommand::Relay(args) => relay::run(args).await,
        BenchCommand::Frontend(args) => frontend::run(args).await,
        BenchCommand::Pages(args) => pages::run(args).await,
    }
}

/// The configuration of a benchmark's own portal: sandbox, on a free port of 127.0.0.1, its
/// data in `temp`, with `extra` command-line settings.
pub fn portal_config(
    temp: &tempfile::TempDir,
    extra: &[String],
) -> Result<crate::config::Config, String> {
    use clap::Parser;
    let mut flags = vec![
        "mm-portal".to_string(),
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        temp.path().display().to_string(),
    ];
    flags.extend(extra.iter().cloned());
    let cli = crate::cli::Cli::try_parse_from(flags).map_err(|e| e.to_string())?;
    crate::config::Config::load(&cli.settings).map_err(|e| e.to_string())
}

/// The benchmark's database: `url`, or a fresh SQLite file in `temp`.
pub async fn open_database(
    url: Option<&str>,
    temp: &tempfile::TempDir,
) -> Result<crate::db::Database, String> {
    let url = url
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}", temp.path().join("bench.db").display()));
    crate::db::connect(&url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", crate::db::redact_url(&url)))
}

/// Planner statistics, as a running database has them (autovacuum / `PRAGMA optimize`).
pub async fn analyze(database: &crate::db::Database) -> Result<(), String> {
    let result = match &database.pool {
        crate::db::Pool::Sqlite(pool) => sqlx::query("ANALYZE").execute(pool).await.map(|_| ()),
        crate::db::Pool::Postgres(pool) => {
            sqlx::query("ANALYZE wabas, businesses, phone_numbers, onboarding_steps")
                .execute(pool)
                .await
                .map(|_| ())
        }
    };
    result.map_err(|e| format!("ANALYZE failed: {e}"))
}
