//! `mm-portal bench …`: benchmarks that print numbers and ratios. Each one starts its own
//! server on 127.0.0.1 with a temporary database, drives it with a bounded load generator over
//! loopback, and stops by itself.

pub mod dashboard;
pub mod load;
pub mod webhooks;

use clap::Subcommand;

#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Webhook ingestion: signed POST → durable inbox → 200, against the same path without
    /// the database write (the ceiling).
    Webhooks(webhooks::WebhookBenchArgs),
    /// The staff WABA list over many seeded customers: p50/p95 per filter, query plans.
    Dashboard(dashboard::DashboardBenchArgs),
}

pub async fn run(command: BenchCommand) -> Result<(), String> {
    match command {
        BenchCommand::Webhooks(args) => webhooks::run(args).await,
        BenchCommand::Dashboard(args) => dashboard::run(args).await,
    }
}
