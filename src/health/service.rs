//! The server's implementation of the UI port ([`app::health::port::HealthPort`]).

use std::sync::Arc;
use std::time::Instant;

use app::health::port::{DatabaseHealth, HealthPort, HealthReport, Mode};
use async_trait::async_trait;

use crate::db::{JobStatus, JobStore, SqlStore};

pub struct HealthService {
    store: Arc<SqlStore>,
    mode: Mode,
    started: Instant,
}

impl HealthService {
    pub fn new(store: Arc<SqlStore>, mode: Mode) -> Self {
        Self {
            store,
            mode,
            started: Instant::now(),
        }
    }
}

#[async_trait]
impl HealthPort for HealthService {
    async fn health(&self) -> HealthReport {
        let started = Instant::now();
        let ping = self.store.ping().await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Err(error) = &ping {
            tracing::warn!(%error, "health check: database unreachable");
        }
        let queued_jobs = match ping {
            Ok(()) => self.store.count_jobs(JobStatus::Queued).await.unwrap_or(-1),
            Err(_) => -1,
        };
        HealthReport {
            mode: self.mode,
            version: env!("CARGO_PKG_VERSION").to_string(),
            database: DatabaseHealth {
                backend: self.store.backend().as_str().to_string(),
                reachable: ping.is_ok(),
                latency_ms,
            },
            uptime_seconds: self.started.elapsed().as_secs(),
            queued_jobs,
        }
    }
}
