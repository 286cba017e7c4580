//! Bounds on the work one route takes on: a request timeout (tower-http's `TimeoutLayer`) and
//! a concurrency limit that sheds what does not fit (tower's `ConcurrencyLimit` behind
//! `LoadShed`), so that a burst of slow requests is answered 503 at once instead of queueing
//! without end. The API applies them to its data routes and `serve` to the web app's routes;
//! `/healthz`, `/readyz` and `/metrics` stay outside, so that they answer while the rest is
//! busy.

use std::sync::OnceLock;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::{Semaphore, SemaphorePermit};
use tower::ServiceBuilder;
use tower_http::timeout::TimeoutLayer;

/// How much one route takes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest a request may take; then it is answered 503.
    pub timeout: Duration,
    /// Most requests one route serves at once; more are answered 503 with `Retry-After`.
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // Saving to Spotify may wait out two 5 s `Retry-After`s; nothing else comes near.
            timeout: Duration::from_secs(30),
            max_concurrent: 64,
        }
    }
}

impl Limits {
    /// `router` with the limits on each of its routes (and its fallback).
    pub fn apply<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        router.layer(
            ServiceBuilder::new()
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    self.timeout,
                ))
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    overloaded()
                }))
                .load_shed()
                .concurrency_limit(self.max_concurrent.max(1)),
        )
    }
}

/// A turn to generate a playlist on a blocking thread: two per core at once, the others waiting
/// in arrival order. Unbounded, every request in flight had a thread of its own and they all
/// shared the cores: answers finished late together instead of early in turn, and the threads'
/// switching took a share of the time. One per core left a core idle while a finished turn was
/// handed on (measured: 4,700 to 6,000 req/s against 8,200 to 8,600 with two per core, and
/// 8,300 with four per core but a longer p99).
pub async fn generation_turn() -> SemaphorePermit<'static> {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    let turns = TURNS.get_or_init(|| {
        Semaphore::new(2 * std::thread::available_parallelism().map_or(1, usize::from))
    });
    turns
        .acquire()
        .await
        .expect("the semaphore of generation turns is never closed")
}

/// The answer to a request over the concurrency limit.
fn overloaded() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        "Selecta is busy with other requests; try again in a moment\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use std::sync::Arc;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_over_the_limit_are_shed_and_slow_ones_time_out() {
        let release = Arc::new(Notify::new());
        let held = release.clone();
        let limits = Limits {
            timeout: Duration::from_millis(300),
            max_concurrent: 1,
        };
        // `with_state` turns the handler into its route once, as serving does: a bare
        // `Router<()>` called as a service would apply the layers anew on every request.
        let router = limits
            .apply(Router::new().route(
                "/slow",
                get(move || {
                    let held = held.clone();
                    async move {
                        held.notified().await;
                        "done"
                    }
                }),
            ))
            .with_state(());
        let call = |r: Router| async move {
            r.oneshot(Request::get("/slow").body(Body::empty()).unwrap())
                .await
                .unwrap()
        };
        // The first request holds the one place; the second is shed at once.
        let first = tokio::spawn(call(router.clone()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = call(router.clone()).await;
        assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(second.headers()[header::RETRY_AFTER], "1");
        // The first one never finishes: it is answered 503 when its time is up.
        let first = first.await.unwrap();
        assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE);
        // Its place is free again.
        let third = tokio::spawn(call(router));
        tokio::time::sleep(Duration::from_millis(50)).await;
        release.notify_waiters();
        assert_eq!(third.await.unwrap().status(), StatusCode::OK);
    }
}
