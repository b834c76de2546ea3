//! The server's implementation of the UI port ([`app::ports::Portal`]).

use std::sync::Arc;
use std::time::Instant;

use app::ports::{DatabaseHealth, HealthReport, Mode, Portal};
use async_trait::async_trait;

use crate::db::{JobStatus, JobStore, SqlStore};

pub struct PortalService {
    repo: Arc<SqlStore>,
    mode: Mode,
    started: Instant,
}

impl PortalService {
    pub fn new(repo: Arc<SqlStore>, mode: Mode) -> Self {
        Self {
            repo,
            mode,
            started: Instant::now(),
        }
    }
}

#[async_trait]
impl Portal for PortalService {
    async fn health(&self) -> HealthReport {
        let started = Instant::now();
        let ping = self.repo.ping().await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Err(error) = &ping {
            tracing::warn!(%error, "health check: database unreachable");
        }
        let queued_jobs = match ping {
            Ok(()) => self.repo.count_jobs(JobStatus::Queued).await.unwrap_or(-1),
            Err(_) => -1,
        };
        HealthReport {
            mode: self.mode,
            version: env!("CARGO_PKG_VERSION").to_string(),
            database: DatabaseHealth {
                backend: self.repo.backend().as_str().to_string(),
                reachable: ping.is_ok(),
                latency_ms,
            },
            uptime_seconds: self.started.elapsed().as_secs(),
            queued_jobs,
        }
    }
}
