//! `mm-portal bench relay`: webhook ingestion alone, with one and with three relay
//! destinations (local sinks on loopback), side by side in one run; then the relay lag at a
//! steady rate: from the inbox storing a delivery to a sink receiving it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use super::load::{Pace, Report};
use super::webhooks::{measure, sample_deliveries, WebhookBenchArgs};
use crate::crypto::KeyRing;
use crate::db::{now_millis, Database, RelayStore};
use crate::relay::dispatcher::Relay;
use crate::relay::inbox::InboxFeed;
use crate::relay::service::{RelayService, RelaySettings};
use crate::relay::standard_webhooks;

/// Arrivals at the sinks: (inbox id from `webhook-id`, Unix millis).
type Arrivals = Arc<Mutex<Vec<(i64, i64)>>>;

pub async fn run(args: WebhookBenchArgs) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let database = super::open_database(args.database_url.as_deref(), &temp).await?;
    let backend = database.store.backend().as_str();
    let requests = Arc::new(sample_deliveries(2_000));
    let duration = Duration::from_secs(args.seconds);
    let keys =
        Arc::new(KeyRing::parse(&KeyRing::generate_spec("bench")).map_err(|e| e.to_string())?);
    let arrivals: Arrivals = Arc::default();
    let sink = start_sink(arrivals.clone()).await?;
    let stop = CancellationToken::new();
    let relay = Relay::new(Arc::new(InboxFeed::new(
        database.store.clone(),
        Arc::new(SecretString::from("bench-relay")),
        keys.clone(),
    )));
    let relay_task = tokio::spawn(relay.run(stop.child_token()));
    println!(
        "relay on {backend}: {} connections, {} s per run, sinks on {sink}",
        args.connections, args.seconds
    );

    let alone = measure(&database, true, &requests, &args, Pace::Closed, duration).await?;
    let one = with_destinations(&database, &keys, &sink, 1, &requests, &args, duration).await?;
    let three = with_destinations(&database, &keys, &sink, 3, &requests, &args, duration).await?;
    println!(
        "{:<36}{:>10}{:>10}{:>10}",
        "ingestion run", "req/s", "p99 ms", "ratio"
    );
    for (name, report) in [
        ("alone (max)", &alone),
        ("with 1 relay destination (max)", &one),
        ("with 3 relay destinations (max)", &three),
    ] {
        println!(
            "{:<36}{:>10.0}{:>10.2}{:>10.2}",
            name,
            report.throughput(),
            report.percentile_ms(99.0),
            report.throughput() / alone.throughput()
        );
    }

    // Lag at a steady rate, one destination, measured once it has caught up.
    arrivals.lock().unwrap().clear();
    let ids = make_destinations(&database, &keys, &sink, 1).await?;
    // The destination starts after the newest stored delivery.
    let first = database
        .store
        .relay_destination(ids[0])
        .await
        .map_err(|e| e.to_string())?
        .map_or(0, |row| row.relayed_through);
    let paced = measure(
        &database,
        true,
        &requests,
        &args,
        Pace::Rate(args.rate),
        duration,
    )
    .await?;
    let expected = paced.ok as usize;
    let relayed = |arrivals: &Arrivals| {
        let arrivals = arrivals.lock().unwrap();
        let ids: std::collections::HashSet<i64> = arrivals
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| *id > first)
            .collect();
        ids.len()
    };
    let caught_up = Instant::now();
    while relayed(&arrivals) < expected && caught_up.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lags = lags(&database, &arrivals, first).await?;
    remove(&database, &ids).await?;
    stop.cancel();
    let _ = relay_task.await;
    let received = relayed(&arrivals);
    println!(
        "relay lag at {} deliveries/s ({} acknowledged, {} relayed): p50 {} ms, p99 {} ms, max {} ms",
        args.rate,
        expected,
        received,
        percentile(&lags, 50.0),
        percentile(&lags, 99.0),
        lags.last().copied().unwrap_or(0)
    );
    Ok(())
}

async fn with_destinations(
    database: &Database,
    keys: &Arc<KeyRing>,
    sink: &str,
    count: usize,
    requests: &Arc<Vec<super::load::Request>>,
    args: &WebhookBenchArgs,
    duration: Duration,
) -> Result<Report, String> {
    let ids = make_destinations(database, keys, sink, count).await?;
    // The relay leases new destinations within a second.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let report = measure(database, true, requests, args, Pace::Closed, duration).await;
    remove(database, &ids).await?;
    report
}

/// Destinations with `own` signing, made as the API and the settings page make them.
async fn make_destinations(
    database: &Database,
    keys: &Arc<KeyRing>,
    sink: &str,
    count: usize,
) -> Result<Vec<i64>, String> {
    let service = RelayService::new(
        database.store.clone(),
        keys.clone(),
        RelaySettings {
            portal_origins: Arc::default(),
            sandbox: true,
        },
    );
    let mut ids = Vec::new();
    for _ in 0..count {
        let (row, _) = service
            .create_destination(sink, &["*".to_string()], "own", "bench")
            .await
            .map_err(|e| e.to_string())?;
        ids.push(row.id);
    }
    Ok(ids)
}

async fn remove(database: &Database, ids: &[i64]) -> Result<(), String> {
    for id in ids {
        database
            .store
            .delete_relay_destination(*id, now_millis())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Milliseconds from each relayed delivery's `received_at` to its arrival, sorted.
async fn lags(database: &Database, arrivals: &Arrivals, after: i64) -> Result<Vec<i64>, String> {
    let mut received = std::collections::HashMap::new();
    let mut cursor = after;
    loop {
        let batch = database
            .store
            .relay_batch(cursor, 5_000)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = batch.last() else { break };
        cursor = last.id;
        received.extend(batch.iter().map(|item| (item.id, item.received_at)));
    }
    let mut lags: Vec<i64> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(id, at)| received.get(id).map(|stored| at - stored))
        .collect();
    lags.sort_unstable();
    Ok(lags)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// A sink on loopback that notes each delivery's inbox id (from `webhook-id: relay_<id>`).
async fn start_sink(arrivals: Arrivals) -> Result<String, String> {
    let app = axum::Router::new().route(
        "/sink",
        axum::routing::post(move |headers: HeaderMap| {
            let arrivals = arrivals.clone();
            async move {
                let id = headers
                    .get(standard_webhooks::ID)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("relay_"))
                    .and_then(|v| v.parse::<i64>().ok());
                if let Some(id) = id {
                    arrivals.lock().unwrap().push((id, now_millis()));
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let url = format!(
        "http://{}/sink",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}
