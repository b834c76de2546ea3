//! A small bounded HTTP load generator for loopback benchmarks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// One request to send: a body and its headers.
#[derive(Clone)]
pub struct Request {
    pub body: Bytes,
    pub headers: Vec<(&'static str, String)>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    /// Latencies of successful requests, sorted, in microseconds.
    pub latencies_us: Vec<u32>,
}

impl Report {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        self.latencies_us[rank] as f64 / 1000.0
    }
}

/// How requests are paced.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Each connection sends its next request as soon as the previous one is answered.
    Closed,
    /// Requests are started at this total rate, spread over the connections.
    Rate(u32),
}

/// Sends `requests` (round robin) to `url` over `connections` keep-alive connections for
/// `duration`, stopping early after `max_requests`.
pub async fn run(
    url: &str,
    requests: Arc<Vec<Request>>,
    connections: usize,
    pace: Pace,
    duration: Duration,
    max_requests: u64,
) -> Report {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("HTTP client");
    let started = Instant::now();
    let deadline = started + duration;
    let per_connection = max_requests / connections as u64;
    let mut tasks = tokio::task::JoinSet::new();
    for connection in 0..connections {
        let client = client.clone();
        let url = url.to_string();
        let requests = requests.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let (mut ok, mut failed) = (0u64, 0u64);
            let mut ticker = match pace {
                Pace::Rate(rate) => {
                    let period = Duration::from_secs_f64(connections as f64 / rate as f64);
                    // Stagger the connections so requests arrive evenly, not in bursts.
                    let offset = period.mul_f64(connection as f64 / connections as f64);
                    let mut interval =
                        tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
                    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                    Some(interval)
                }
                Pace::Closed => None,
            };
            let mut index = connection;
            while Instant::now() < deadline && ok + failed < per_connection {
                if let Some(ticker) = ticker.as_mut() {
                    ticker.tick().await;
                }
                let request = &requests[index % requests.len()];
                index += connections;
                let mut builder = client.post(&url).body(request.body.clone());
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                let sent = Instant::now();
                match builder.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        ok += 1;
                        latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    }
                    _ => failed += 1,
                }
            }
            (ok, failed, latencies)
        });
    }
    let mut report = Report {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    while let Some(result) = tasks.join_next().await {
        let (ok, failed, latencies) = result.expect("load task");
        report.ok += ok;
        report.failed += failed;
        report.latencies_us.extend(latencies);
    }
    report.elapsed = started.elapsed();
    report.latencies_us.sort_unstable();
    report
}
