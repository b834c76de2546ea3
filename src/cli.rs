//! The command line: `serve` (the default), `migrate`, `check-config`, `admin`, `api-key`,
//! `backup`, `sandbox`, `bench`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use crate::bench::BenchCommand;
use crate::config::{Config, Settings};
use crate::db::redact_url;
use crate::server::{shutdown_signal, RunningPortal, StartupError};
use crate::telemetry;

/// Partner portal for onboarding businesses to Meta's Marketing Messages API for WhatsApp.
///
/// With no settings it runs in sandbox mode: a built-in Meta simulator and a SQLite database
/// under ./data. Every setting can come from a flag or from the environment variable shown.
#[derive(Debug, Parser)]
#[command(name = "mm-portal", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal (the default): web pages, webhooks, background jobs.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Validate the configuration, print a summary without secrets, and exit.
    CheckConfig,
    /// Staff accounts: `admin create --email … [--name …] [--role admin|operator|viewer]`.
    #[command(subcommand)]
    Admin(crate::staff::cli::AdminCommand),
    /// Partner API keys: `api-key create --name … --scopes wabas:read,…`, `list`, `rotate`,
    /// `revoke`.
    #[command(subcommand)]
    ApiKey(crate::api_keys::cli::ApiKeyCommand),
    /// Copy the database while the portal runs: `backup --to FILE` (SQLite: an online copy,
    /// checked; PostgreSQL: `pg_dump --format=custom`). Never overwrites a file.
    Backup {
        /// The new backup file.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Sandbox helpers: `sandbox seed --businesses N` adds N synthetic customers (demos, load).
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Benchmarks on 127.0.0.1 with a temporary database; they print numbers and ratios.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Add synthetic customers (business, WABA, phone) to the portal's database.
    Seed {
        #[arg(long, default_value_t = 1000)]
        businesses: usize,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Bench(bench)) = cli.command {
        return run_bench(bench);
    }
    let config = match Config::load(&cli.settings) {
        Ok(config) => config,
        Err(error) => return fail(&StartupError::Config(error)),
    };
    telemetry::init(config.log_format, telemetry::DEFAULT_FILTER);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
            Command::CheckConfig => {
                check_config(&config);
                Ok(())
            }
            Command::Admin(command) => admin(config, command).await,
            Command::ApiKey(command) => api_key(config, command).await,
            Command::Backup { to } => backup(config, &to).await,
            Command::Sandbox(SandboxCommand::Seed { businesses }) => seed(config, businesses).await,
            Command::Bench(_) => unreachable!("handled before the configuration is loaded"),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

/// Benchmarks need no configuration: they make their own server and database.
fn run_bench(bench: BenchCommand) -> ExitCode {
    telemetry::init(crate::config::LogFormat::Text, "warn");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    match runtime
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(crate::bench::run(bench)))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn fail(error: &StartupError) -> ExitCode {
    for line in error.to_string().lines() {
        eprintln!("error: {line}");
    }
    ExitCode::from(2)
}

async fn serve(config: Config) -> Result<(), StartupError> {
    let mode = config.mode;
    let stop = shutdown_signal();
    let portal = RunningPortal::start(config).await?;
    // Printed on stdout so scripts (and the browser tests) can read where to connect.
    println!("MM Portal ({}) listening on {}", mode.label(), portal.url);
    if let Some(metrics) = &portal.metrics_url {
        println!("metrics (Prometheus) on {metrics}");
    }
    stop.await;
    tracing::info!("shutdown requested: finishing in-flight requests and jobs");
    portal.shutdown().await;
    Ok(())
}

async fn migrate(config: Config) -> Result<(), StartupError> {
    let url = config.database_url.expose_secret().to_string();
    crate::db::connect(&url)
        .await
        .map_err(|error| StartupError::Database {
            url: redact_url(&url),
            error,
            hint: "",
        })?;
    println!("migrations applied to {}", redact_url(&url));
    Ok(())
}

async fn backup(config: Config, to: &std::path::Path) -> Result<(), StartupError> {
    let database = open_database(&config).await?;
    let report = crate::backup::run(&database, config.database_url.expose_secret(), to)
        .await
        .map_err(|error| StartupError::Admin(format!("backup failed: {error}")))?;
    println!("{report}");
    Ok(())
}

async fn seed(config: Config, businesses: usize) -> Result<(), StartupError> {
    if config.mode != app::health::port::Mode::Sandbox {
        return Err(StartupError::Admin(
            "sandbox seed only runs in sandbox mode: it adds fake customers".into(),
        ));
    }
    let database = open_database(&config).await?;
    let started = std::time::Instant::now();
    crate::seed::seed(database.store.as_ref(), businesses, |done| {
        if done % 10_000 == 0 || done == businesses {
            eprintln!("seeded {done} of {businesses}");
        }
    })
    .await
    .map_err(|error| StartupError::Admin(format!("seeding failed: {error}")))?;
    // The same customers on Meta's side, so discovery and the Intent API find them too.
    crate::sandbox::seed::seed_customers(&database, businesses, |done| {
        if done % 10_000 == 0 || done == businesses {
            eprintln!("simulator: seeded {done} of {businesses}");
        }
    })
    .await
    .map_err(StartupError::Admin)?;
    println!(
        "{businesses} synthetic customers (dashboard and simulator) in {} ({:.1} s)",
        redact_url(config.database_url.expose_secret()),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The configured database, migrated, for the one-shot commands.
async fn open_database(config: &Config) -> Result<crate::db::Database, StartupError> {
    let url = config.database_url.expose_secret().to_string();
    crate::db::connect(&url)
        .await
        .map_err(|error| StartupError::Database {
            url: redact_url(&url),
            error,
            hint: "",
        })
}

async fn admin(
    config: Config,
    command: crate::staff::cli::AdminCommand,
) -> Result<(), StartupError> {
    let database = open_database(&config).await?;
    match crate::staff::cli::run(command, database.store.as_ref()).await {
        Ok(done) => {
            println!("{done}");
            Ok(())
        }
        Err(error) => Err(StartupError::Admin(error.to_string())),
    }
}

async fn api_key(
    config: Config,
    command: crate::api_keys::cli::ApiKeyCommand,
) -> Result<(), StartupError> {
    let database = open_database(&config).await?;
    let lines = crate::api_keys::cli::run(command, database.store.clone())
        .await
        .map_err(StartupError::Admin)?;
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

fn check_config(config: &Config) {
    println!("mode:          {}", config.mode.label());
    println!("listen:        {}", config.addr);
    println!(
        "database:      {}",
        redact_url(config.database_url.expose_secret())
    );
    println!("data dir:      {}", config.data_dir.display());
    println!("site root:     {}", config.site_root.display());
    println!("app id:        {}", config.meta.app_id);
    println!("graph version: {}", config.meta.graph_version);
    println!(
        "graph base:    {}",
        config
            .meta
            .graph_base
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_else(|| "built-in simulator (/sandbox/graph)".into())
    );
    println!(
        "token keys:    active key `{}`",
        config.keys.active_key_id()
    );
    println!("configuration OK");
}
