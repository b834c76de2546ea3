//! One instance's pacing of Intent API calls: the gap between calls and the pause after Meta
//! throttles, shared by the Intent API jobs and held by the partner's client (see
//! `super::intent`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest wait a job sleeps in place before calling Meta; longer pauses hand the job back to
/// the queue.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(1);

/// One instance's pacing of Intent API calls, driven by Meta's answers (kept in memory: each
/// instance learns from its own throttled calls; the configured rate, shared by all instances
/// through the jobs' start times, stays the upper bound).
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<PacerState>,
}

#[derive(Debug)]
struct PacerState {
    /// Least time between two calls (0 until Meta throttles).
    gap: Duration,
    next_call: Instant,
    paused_until: Option<Instant>,
    /// Throttled answers in a row (for the pause's exponential growth).
    throttled_in_a_row: u32,
    /// Jobs handed back during the current pause (to spread them after it).
    handed_back: u32,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            state: Mutex::new(PacerState {
                gap: Duration::ZERO,
                next_call: Instant::now(),
                paused_until: None,
                throttled_in_a_row: 0,
                handed_back: 0,
            }),
        }
    }
}

/// What the pacer says before a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Call after sleeping this long (at most [`MAX_INLINE_WAIT`]).
    CallAfter(Duration),
    /// Paused: run the job again after this long.
    HandBack(Duration),
}

impl Pacer {
    pub fn before_call(&self) -> Pace {
        let mut state = self.state.lock().expect("pacer lock");
        let now = Instant::now();
        let ready = state
            .paused_until
            .map_or(state.next_call, |until| until.max(state.next_call));
        let wait = ready.saturating_duration_since(now);
        if wait > MAX_INLINE_WAIT {
            state.handed_back += 1;
            let spread = state.gap.max(Duration::from_millis(20)) * state.handed_back;
            return Pace::HandBack(wait + spread);
        }
        if state.paused_until.is_some_and(|until| until <= now + wait) {
            state.paused_until = None;
            state.handed_back = 0;
        }
        state.next_call = now + wait + state.gap;
        Pace::CallAfter(wait)
    }

    /// Meta accepted (or answered without throttling): narrow the gap a little.
    pub fn answered(&self) {
        let mut state = self.state.lock().expect("pacer lock");
        state.throttled_in_a_row = 0;
        state.gap = state.gap.mul_f64(0.97);
        if state.gap < Duration::from_millis(1) {
            state.gap = Duration::ZERO;
        }
    }

    /// Meta throttled: pause every call for `pause` and widen the gap. Returns the pause.
    pub fn throttled(&self, regain_access_after: Option<Duration>) -> Duration {
        let mut state = self.state.lock().expect("pacer lock");
        state.throttled_in_a_row += 1;
        let backoff =
            Duration::from_secs(1) * 2u32.pow(state.throttled_in_a_row.saturating_sub(1).min(6));
        let pause = regain_access_after.unwrap_or_default().max(backoff);
        state.gap = (state.gap.mul_f64(1.5))
            .max(Duration::from_millis(10))
            .min(Duration::from_secs(5));
        let until = Instant::now() + pause;
        state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
        pause
    }

    /// The current least gap between calls (for tests and logs).
    pub fn gap(&self) -> Duration {
        self.state.lock().expect("pacer lock").gap
    }
}
