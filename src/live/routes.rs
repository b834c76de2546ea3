//! The Server-Sent Event streams (docs/LIVE.md): `GET /live?topics=…` for staff pages and
//! `GET /live/status/{key}` for a business's public status page.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::staff::port::StaffIdentity;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::{Change, Hub, Topics};
use crate::db::{LiveStore, SignupTopics};

/// Open streams one instance holds at most (each is a socket and a broadcast slot).
pub const MAX_STREAMS: usize = 10_000;
/// How long the browser waits before reconnecting a dropped stream.
const RETRY: Duration = Duration::from_secs(2);
/// A comment this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Changes read back for a reconnecting stream's `Last-Event-ID`.
const CATCH_UP: i64 = 10_000;

#[derive(Clone)]
pub struct LiveState {
    pub hub: Arc<Hub>,
    /// Ends every stream when the portal stops (graceful shutdown waits for open requests).
    pub shutdown: CancellationToken,
    open: Arc<AtomicUsize>,
}

impl LiveState {
    pub fn new(hub: Arc<Hub>, shutdown: CancellationToken) -> Self {
        Self {
            hub,
            shutdown,
            open: Arc::default(),
        }
    }
}

pub fn routes(state: LiveState) -> Router {
    Router::new()
        .route("/live", get(staff_stream))
        .route("/live/status/{key}", get(status_stream))
        .with_state(state)
}

#[derive(Deserialize)]
struct TopicsQuery {
    #[serde(default)]
    topics: String,
}

async fn staff_stream(
    State(state): State<LiveState>,
    Query(query): Query<TopicsQuery>,
    request: Request,
) -> Response {
    if request.extensions().get::<StaffIdentity>().is_none() {
        return (StatusCode::UNAUTHORIZED, "sign in to follow live updates").into_response();
    }
    let topics = match Topics::parse(&query.topics) {
        Ok(topics) => topics,
        Err(problem) => return (StatusCode::BAD_REQUEST, problem).into_response(),
    };
    open_stream(state, topics, None, request.headers()).await
}

async fn status_stream(
    State(state): State<LiveState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let signup = match state.hub.store().live_signup_topics(&key).await {
        Ok(Some(signup)) => signup,
        Ok(None) => {
            return (StatusCode::NOT_FOUND, "no signup has this status key").into_response()
        }
        Err(_) => {
            return (StatusCode::SERVICE_UNAVAILABLE, "try again in a moment").into_response()
        }
    };
    let following = Following { key, signup };
    open_stream(state, following.topics(), Some(following), &headers).await
}

/// A status page's signup, whose WABA appears when the code is exchanged.
struct Following {
    key: String,
    signup: SignupTopics,
}

impl Following {
    fn topics(&self) -> Topics {
        let mut topics = vec![format!("signup:{}", self.signup.signup_id)];
        topics.extend(self.signup.waba_id.map(|id| format!("waba:{id}")));
        Topics::exact(topics)
    }
}

/// Counts an open stream; the slot is given back when the stream is dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn open_stream(
    state: LiveState,
    topics: Topics,
    following: Option<Following>,
    headers: &HeaderMap,
) -> Response {
    if state.open.fetch_add(1, Ordering::AcqRel) >= MAX_STREAMS {
        state.open.fetch_sub(1, Ordering::AcqRel);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "30")],
            "too many live connections; this page refreshes on a timer meanwhile",
        )
            .into_response();
    }
    let slot = Slot(state.open.clone());
    // Subscribe before looking back, so nothing falls between the two.
    let receiver = state.hub.subscribe();
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    // `floor`: the changes this stream's first event already covers; the hub may broadcast
    // some of them after this (it reads on its own schedule), and they are not sent again.
    let (first, floor) = match last_seen {
        // A first connection: one change at once, for what happened between the page's
        // render and now.
        None => {
            // The hub may not have read the newest rows yet: the page's render saw them.
            let latest = state.hub.store().live_latest().await.unwrap_or(0);
            let cursor = state.hub.cursor().max(latest);
            (Some(change_event(cursor, "sync")), cursor)
        }
        Some(seen) => match missed(state.hub.store().as_ref(), seen, &topics).await {
            Some(through) => {
                let through = through.max(seen);
                (Some(change_event(through, "resync")), through)
            }
            None => (None, seen),
        },
    };
    state.hub.opened_at(floor);
    let stream = Subscription {
        receiver,
        floor,
        topics,
        following,
        store: state.hub.store().clone(),
        shutdown: state.shutdown.clone(),
        _slot: slot,
    };
    let opening = Event::default().retry(RETRY).comment("live");
    let head = futures::stream::iter(
        std::iter::once(opening)
            .chain(first)
            .map(Ok::<_, Infallible>),
    );
    Sse::new(futures::StreamExt::chain(head, stream.into_stream()))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// Whether a change `topics` follow happened after `seen` (or the rows since were pruned, or
/// cannot be read, which count as one): `Some(newest change id read)` if so.
async fn missed(store: &dyn LiveStore, seen: i64, topics: &Topics) -> Option<i64> {
    let rows = match store.live_after(seen, CATCH_UP).await {
        Ok(rows) => rows,
        Err(_) => return Some(seen),
    };
    let through = rows.last().map_or(seen, |(id, _)| *id);
    let pruned = match store.live_oldest().await {
        Ok(oldest) => oldest > seen + 1,
        Err(_) => true,
    };
    let missed = pruned
        || rows.len() as i64 == CATCH_UP
        || rows.iter().any(|(_, topic)| topics.matches(topic));
    missed.then_some(through)
}

fn change_event(id: i64, topic: &str) -> Event {
    Event::default()
        .event("change")
        .id(id.to_string())
        .data(topic)
}

/// One open stream's state.
struct Subscription {
    receiver: tokio::sync::broadcast::Receiver<Change>,
    /// Changes up to this id were covered by the first event.
    floor: i64,
    topics: Topics,
    following: Option<Following>,
    store: Arc<dyn LiveStore>,
    shutdown: CancellationToken,
    _slot: Slot,
}

impl Subscription {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> + Send {
        futures::stream::unfold(self, |mut stream| async move {
            let event = stream.next().await?;
            Some((Ok(event), stream))
        })
    }

    /// The next event for this stream; `None` ends it (the portal stops).
    async fn next(&mut self) -> Option<Event> {
        loop {
            let received = tokio::select! {
                received = self.receiver.recv() => received,
                () = self.shutdown.cancelled() => return None,
            };
            match received {
                Ok(change) => {
                    if change.id <= self.floor || !self.topics.matches(&change.topic) {
                        continue;
                    }
                    self.follow_connection(&change).await;
                    return Some(change_event(change.id, &change.topic));
                }
                // Fell behind the hub's buffer: one change (no id: the browser keeps its
                // last one), the page reads everything.
                Err(RecvError::Lagged(_)) => {
                    return Some(Event::default().event("change").data("resync"))
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// A status page's signup changed: it may have its WABA now, to follow too.
    async fn follow_connection(&mut self, change: &Change) {
        let Some(following) = &mut self.following else {
            return;
        };
        if following.signup.waba_id.is_some() || !change.topic.starts_with("signup:") {
            return;
        }
        if let Ok(Some(signup)) = self.store.live_signup_topics(&following.key).await {
            following.signup = signup;
            self.topics = following.topics();
        }
    }
}
