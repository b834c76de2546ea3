//! Statement timings for `mm-portal bench pages`: while a benchmark has the profiler on, every
//! statement run through [`super::engine`] is counted and the slowest one is kept, with its
//! arguments, so the benchmark can print that statement's plan next to the route that ran it.
//!
//! Why a process-wide recorder and not a per-request one: a page's resources run on tasks of
//! their own (Leptos spawns them), so a task-local set by the request would not see them. The
//! benchmark times one route at a time, so "every statement while the route was timed" is the
//! route's. Background work (job workers, the inbox writer, dispatchers) runs inside
//! [`background`] and is left out. Off, it costs one relaxed atomic load per statement.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::engine::Statement;

static ON: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicU64 = AtomicU64::new(0);
static SLOWEST: Mutex<Option<Timed>> = Mutex::new(None);

tokio::task_local! {
    static BACKGROUND: ();
}

/// A statement and how long it took.
#[derive(Debug, Clone)]
pub struct Timed {
    pub statement: Statement<'static>,
    pub elapsed: Duration,
}

/// What the profiler saw between [`start`] and [`stop`].
#[derive(Debug, Default)]
pub struct Profile {
    pub statements: u64,
    pub slowest: Option<Timed>,
}

/// Runs `work` with its statements left out of the profile (the portal's background tasks).
pub async fn background<F: Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

/// Starts a fresh profile.
pub fn start() {
    COUNT.store(0, Ordering::Relaxed);
    *SLOWEST.lock().unwrap_or_else(|e| e.into_inner()) = None;
    ON.store(true, Ordering::Relaxed);
}

/// Ends the profile and returns it.
pub fn stop() -> Profile {
    ON.store(false, Ordering::Relaxed);
    Profile {
        statements: COUNT.swap(0, Ordering::Relaxed),
        slowest: SLOWEST.lock().unwrap_or_else(|e| e.into_inner()).take(),
    }
}

/// Started before a statement runs; [`Timer::finish`] after it ran.
pub(super) struct Timer(Option<Instant>);

impl Timer {
    pub(super) fn start() -> Timer {
        Timer(ON.load(Ordering::Relaxed).then(Instant::now))
    }

    pub(super) fn finish(self, statement: &Statement<'_>) {
        let Some(started) = self.0 else { return };
        if BACKGROUND.try_with(|_| ()).is_ok() {
            return;
        }
        let elapsed = started.elapsed();
        COUNT.fetch_add(1, Ordering::Relaxed);
        let mut slowest = SLOWEST.lock().unwrap_or_else(|e| e.into_inner());
        if slowest.as_ref().is_none_or(|s| elapsed > s.elapsed) {
            *slowest = Some(Timed {
                statement: statement.to_static(),
                elapsed,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::engine::query;

    #[tokio::test]
    async fn keeps_the_slowest_statement_and_leaves_background_work_out() {
        start();
        let fast = Timer(Some(Instant::now()));
        fast.finish(&query("SELECT 1"));
        let slow = Timer(Some(Instant::now() - Duration::from_millis(50)));
        slow.finish(&query("SELECT 2").bind(7i64));
        background(async {
            let hidden = Timer(Some(Instant::now() - Duration::from_secs(5)));
            hidden.finish(&query("SELECT 3"));
        })
        .await;
        let profile = stop();
        assert_eq!(profile.statements, 2);
        let slowest = profile.slowest.expect("a statement");
        assert_eq!(slowest.statement.sql(), "SELECT 2");
        assert!(slowest.elapsed >= Duration::from_millis(50));
        // Off: nothing is timed.
        assert!(Timer::start().0.is_none());
    }
}
