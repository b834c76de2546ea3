//! `mm-portal bench webhooks`: ingestion throughput and latency, durable versus ceiling.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use super::load::{self, Pace, Report, Request};
use crate::db::{self, Database};
use crate::webhooks::{signature, DiscardInbox, GroupCommitInbox, Inbox, WebhookState};

#[derive(Debug, Clone, clap::Args)]
pub struct WebhookBenchArgs {
    /// Seconds per measured run.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent keep-alive connections of the load generator. Meta's deliveries cross the
    /// internet: at 20,000 a second and ~50 ms round trips it keeps about 1,000 in flight, so a
    /// group commit sees many waiting deliveries; 256 is a conservative stand-in.
    #[arg(long, default_value_t = 256)]
    pub connections: usize,
    /// Rate (deliveries per second) for the latency run.
    #[arg(long, default_value_t = 5000)]
    pub rate: u32,
    /// Hard cap on requests per run.
    #[arg(long, default_value_t = 2_000_000)]
    pub max_requests: u64,
    /// Database to write to. Default: a fresh SQLite file in a temporary directory.
    #[arg(long = "bench-database-url", hide_env_values = true)]
    pub database_url: Option<String>,
}

const SECRET: &str = "bench-app-secret-0123456789abcdef";

pub async fn run(args: WebhookBenchArgs) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let database = super::open_database(args.database_url.as_deref(), &temp).await?;
    let backend = database.store.backend().as_str();
    let requests = Arc::new(sample_deliveries(2_000));
    let duration = Duration::from_secs(args.seconds);

    println!(
        "webhook ingestion on {backend}: {} connections, {} s per run, {} distinct signed deliveries",
        args.connections,
        args.seconds,
        requests.len()
    );
    let stored_before = count_inbox(&database).await;
    let durable = measure(&database, true, &requests, &args, Pace::Closed, duration).await?;
    let stored = count_inbox(&database).await - stored_before;
    let ceiling = measure(&database, false, &requests, &args, Pace::Closed, duration).await?;
    let paced = measure(
        &database,
        true,
        &requests,
        &args,
        Pace::Rate(args.rate),
        duration,
    )
    .await?;

    println!(
        "{:<28}{:>12}{:>10}{:>10}{:>10}",
        "run", "req/s", "p50 ms", "p99 ms", "errors"
    );
    print_row("durable inbox (max)", &durable);
    print_row("ceiling, no write (max)", &ceiling);
    print_row(&format!("durable at {} req/s", args.rate), &paced);
    println!(
        "ratio durable/ceiling: {:.2}",
        durable.throughput() / ceiling.throughput()
    );
    println!(
        "acknowledged {} deliveries in the max run, {} rows stored: {}",
        durable.ok,
        stored,
        if stored == durable.ok as i64 {
            "none lost"
        } else {
            "MISMATCH"
        }
    );
    Ok(())
}

fn print_row(name: &str, report: &Report) {
    println!(
        "{:<28}{:>12.0}{:>10.2}{:>10.2}{:>10}",
        name,
        report.throughput(),
        report.percentile_ms(50.0),
        report.percentile_ms(99.0),
        report.failed
    );
}

async fn count_inbox(database: &Database) -> i64 {
    match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox")
            .fetch_one(pool)
            .await
            .unwrap_or(-1),
        db::Pool::Postgres(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox")
            .fetch_one(pool)
            .await
            .unwrap_or(-1),
    }
}

/// Serves the webhook route alone on a free loopback port for one run.
pub(super) async fn measure(
    database: &Database,
    durable: bool,
    requests: &Arc<Vec<Request>>,
    args: &WebhookBenchArgs,
    pace: Pace,
    duration: Duration,
) -> Result<Report, String> {
    let mut writer = None;
    let inbox: Arc<dyn Inbox> = if durable {
        let (inbox, task) = GroupCommitInbox::new(database.store.clone(), 512);
        writer = Some(tokio::spawn(task));
        Arc::new(inbox)
    } else {
        Arc::new(DiscardInbox)
    };
    let router = crate::webhooks::routes(WebhookState {
        app_secret: Arc::new(SecretString::from(SECRET)),
        verify_tokens: Arc::new(crate::webhooks::VerifyTokens::new(
            SecretString::from("unused"),
            database.store.clone(),
            Arc::new(
                crate::crypto::KeyRing::parse(&crate::crypto::KeyRing::generate_spec("bench"))
                    .map_err(|e| e.to_string())?,
            ),
        )),
        inbox,
        counters: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let stop = CancellationToken::new();
    let serve =
        axum::serve(listener, router).with_graceful_shutdown(stop.clone().cancelled_owned());
    let server = tokio::spawn(async move { serve.await });
    let report = load::run(
        addr,
        "/webhooks/meta",
        requests,
        args.connections,
        pace,
        duration,
        args.max_requests,
    )
    .await;
    stop.cancel();
    let _ = server.await;
    if let Some(writer) = writer {
        let _ = writer.await;
    }
    Ok(report)
}

/// Realistic deliveries: account_update and message status notifications, each distinct.
pub(super) fn sample_deliveries(count: usize) -> Vec<Request> {
    let secret = SecretString::from(SECRET);
    (0..count)
        .map(|i| {
            let body = if i % 2 == 0 {
                format!(
                    r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{waba}","time":{time},"changes":[{{"field":"account_update","value":{{"event":"MM_LITE_TERMS_SIGNED","waba_info":{{"waba_id":"{waba}","owner_business_id":"{business}"}}}}}}]}}]}}"#,
                    waba = 100_000_000 + i,
                    business = 200_000_000 + i,
                    time = 1_764_000_000 + i,
                )
            } else {
                format!(
                    r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{waba}","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001111","phone_number_id":"{phone}"}},"statuses":[{{"id":"wamid.{i:016}","status":"delivered","timestamp":"{time}","recipient_id":"15551234567","pricing":{{"billable":true,"pricing_model":"PMP","category":"marketing_lite"}}}}]}}}}]}}]}}"#,
                    waba = 100_000_000 + i,
                    phone = 300_000_000 + i,
                    time = 1_764_000_000 + i,
                )
            };
            let body = Bytes::from(body);
            Request {
                method: "POST",
                headers: vec![
                    ("content-type", "application/json".to_string()),
                    (signature::HEADER, signature::sign(&secret, &body)),
                ],
                body,
            }
        })
        .collect()
}
