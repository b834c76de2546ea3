//! The job worker: dispatch by kind, retries with the handler's delay, permanent failures, and
//! a shutdown that lets the running job finish.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use mm_portal::db::{now_millis, Job, JobStore, NewJob, SqlStore};
use mm_portal::jobs::{JobHandler, Outcome, Worker, WorkerSettings};
use tokio_util::sync::CancellationToken;

/// Fails transiently `failures` times, then succeeds; counts its runs.
struct Flaky {
    failures: usize,
    runs: AtomicUsize,
    delay: Duration,
}

#[async_trait]
impl JobHandler for Flaky {
    fn kind(&self) -> &'static str {
        "flaky"
    }
    async fn run(&self, _job: &Job) -> Outcome {
        tokio::time::sleep(self.delay).await;
        let run = self.runs.fetch_add(1, Ordering::SeqCst);
        if run < self.failures {
            Outcome::Retry {
                error: format!("transient failure {run}"),
                after: Duration::ZERO,
            }
        } else {
            Outcome::Done
        }
    }
}

struct Broken;

#[async_trait]
impl JobHandler for Broken {
    fn kind(&self) -> &'static str {
        "broken"
    }
    async fn run(&self, _job: &Job) -> Outcome {
        Outcome::Fail {
            error: "Graph error 100: invalid parameter".into(),
        }
    }
}

fn settings() -> WorkerSettings {
    WorkerSettings {
        poll_interval: Duration::from_millis(10),
        ..WorkerSettings::default()
    }
}

async fn enqueue(repo: &Arc<SqlStore>, kind: &str, max_attempts: i64) -> i64 {
    repo.enqueue_job(&NewJob {
        kind: kind.into(),
        payload: "{}".into(),
        run_at: now_millis() - 1,
        max_attempts,
        dedupe_key: None,
    })
    .await
    .unwrap()
    .unwrap()
}

async fn drain(worker: &Worker) {
    for _ in 0..20 {
        worker.run_once().await.unwrap();
    }
}

#[tokio::test]
async fn transient_failures_are_retried_until_done() {
    let (db, _dir) = support::sqlite().await;
    let flaky = Arc::new(Flaky {
        failures: 2,
        runs: AtomicUsize::new(0),
        delay: Duration::ZERO,
    });
    let worker = Worker::new(db.store.clone(), settings()).register(flaky.clone());
    let id = enqueue(&db.store, "flaky", 5).await;
    drain(&worker).await;
    let job = db.store.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, "done");
    assert_eq!(job.attempts, 3);
    assert_eq!(flaky.runs.load(Ordering::SeqCst), 3);
    assert_eq!(job.last_error.as_deref(), Some("transient failure 1"));
}

#[tokio::test]
async fn retries_end_in_failure_after_max_attempts() {
    let (db, _dir) = support::sqlite().await;
    let flaky = Arc::new(Flaky {
        failures: 100,
        runs: AtomicUsize::new(0),
        delay: Duration::ZERO,
    });
    let worker = Worker::new(db.store.clone(), settings()).register(flaky.clone());
    let id = enqueue(&db.store, "flaky", 3).await;
    drain(&worker).await;
    assert_eq!(db.store.job(id).await.unwrap().unwrap().status, "failed");
    assert_eq!(flaky.runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn permanent_failures_and_unknown_kinds_stop_at_once() {
    let (db, _dir) = support::sqlite().await;
    let worker = Worker::new(db.store.clone(), settings()).register(Arc::new(Broken));
    let broken = enqueue(&db.store, "broken", 5).await;
    let unknown = enqueue(&db.store, "no-such-kind", 5).await;
    drain(&worker).await;
    let broken = db.store.job(broken).await.unwrap().unwrap();
    assert_eq!((broken.status.as_str(), broken.attempts), ("failed", 1));
    assert_eq!(
        broken.last_error.as_deref(),
        Some("Graph error 100: invalid parameter")
    );
    let unknown = db.store.job(unknown).await.unwrap().unwrap();
    assert_eq!(unknown.status, "failed");
    assert!(unknown
        .last_error
        .unwrap()
        .contains("no handler for job kind `no-such-kind`"));
}

#[tokio::test]
async fn shutdown_lets_the_running_job_finish() {
    let (db, _dir) = support::sqlite().await;
    let slow = Arc::new(Flaky {
        failures: 0,
        runs: AtomicUsize::new(0),
        delay: Duration::from_millis(400),
    });
    let id = enqueue(&db.store, "flaky", 3).await;
    let worker = Worker::new(db.store.clone(), settings()).register(slow.clone());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(worker.run(shutdown.clone()));
    // Wait until the job is claimed, then ask the worker to stop while the job sleeps.
    for _ in 0..100 {
        if db.store.job(id).await.unwrap().unwrap().status == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    shutdown.cancel();
    running.await.unwrap();
    let job = db.store.job(id).await.unwrap().unwrap();
    assert_eq!(
        job.status, "done",
        "the in-flight job completed before the worker stopped"
    );
    assert_eq!(slow.runs.load(Ordering::SeqCst), 1);
}

/// Two workers with a short lease (300 ms, heartbeat 50 ms) on one job that takes 1.2 s: the
/// heartbeat keeps the lease, so the other worker never takes it and it runs once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_longer_than_its_lease_runs_once_while_its_worker_lives() {
    let (db, _dir) = support::sqlite().await;
    let slow = Arc::new(Flaky {
        failures: 0,
        runs: AtomicUsize::new(0),
        delay: Duration::from_millis(1200),
    });
    let short = || WorkerSettings {
        worker_id: format!("w-{}", uuid::Uuid::new_v4().simple()),
        poll_interval: Duration::from_millis(10),
        lease: Duration::from_millis(300),
        heartbeat: Duration::from_millis(50),
        batch: 1,
    };
    let id = enqueue(&db.store, "flaky", 5).await;
    let shutdown = CancellationToken::new();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let worker = Worker::new(db.store.clone(), short()).register(slow.clone());
            tokio::spawn(worker.run(shutdown.clone()))
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while db.store.job(id).await.unwrap().unwrap().status != "done" {
        assert!(std::time::Instant::now() < deadline, "the job finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    for worker in workers {
        worker.await.unwrap();
    }
    let job = db.store.job(id).await.unwrap().unwrap();
    assert_eq!(job.attempts, 1, "claimed once");
    assert_eq!(slow.runs.load(Ordering::SeqCst), 1);
}

/// A worker that died holding a job (claimed, never renewed): another takes it over once the
/// lease runs out, within the default lease (4 s), not a minute later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_workers_job_is_taken_over_within_the_lease() {
    let (db, _dir) = support::sqlite().await;
    let quick = Arc::new(Flaky {
        failures: 0,
        runs: AtomicUsize::new(0),
        delay: Duration::ZERO,
    });
    let id = enqueue(&db.store, "flaky", 5).await;
    let lease = WorkerSettings::default().lease;
    assert!(lease <= Duration::from_secs(4), "{lease:?}");
    let died = std::time::Instant::now();
    let claimed = db
        .store
        .claim_jobs("dead", now_millis(), lease.as_millis() as i64, 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let shutdown = CancellationToken::new();
    let worker = Worker::new(db.store.clone(), settings()).register(quick.clone());
    let running = tokio::spawn(worker.run(shutdown.clone()));
    while db.store.job(id).await.unwrap().unwrap().status != "done" {
        assert!(
            died.elapsed() < lease + Duration::from_secs(3),
            "taken over"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = died.elapsed();
    shutdown.cancel();
    running.await.unwrap();
    assert!(took >= lease, "not before the lease ran out: {took:?}");
    assert_eq!(quick.runs.load(Ordering::SeqCst), 1);
    println!(
        "a dead worker's job resumed after {:.2} s",
        took.as_secs_f64()
    );
}
