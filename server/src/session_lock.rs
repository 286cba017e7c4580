//! One request at a time per session, and each request run to its end.
//!
//! tower-sessions loads a session's whole record when a request first reads it and writes the
//! whole record back when the request is done. Two requests of one browser at once (two tabs,
//! a double click, a hydrated page's parallel calls) would each write their own copy, and the
//! later write would drop the earlier one's change (a seed added, a playlist's save progress).
//! So the web routes take a lock per session id around the session layer.
//!
//! Each request also runs in a task of its own: when the browser goes away mid-request (a
//! closed tab during Save), the work still finishes, its session is written and only then is
//! the lock released. Saving to Spotify therefore never stops between creating the playlist and
//! recording it, and a Save pressed again waits for the first one and continues from what it
//! recorded: one playlist, all its tracks.
//!
//! The lock is per process: replicas behind a proxy share sessions through Redis but not these
//! locks, so two requests of one browser on two replicas at the same instant can still race.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::session_store::COOKIE_NAME;

/// A session id is 22 characters; anything much longer is not one of ours (and is not locked
/// on, so a forged cookie cannot grow the table with long keys).
const MAX_ID_LEN: usize = 64;

/// The locks of the sessions with a request in flight.
#[derive(Debug, Default)]
pub struct SessionLocks {
    // Weak: a lock lives as long as a request holds or waits for it; dead entries are swept
    // when the table has doubled since the last sweep.
    locks: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    map: HashMap<String, Weak<tokio::sync::Mutex<()>>>,
    sweep_at: usize,
}

impl SessionLocks {
    /// Waits for the session's lock.
    pub async fn lock(&self, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut table = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            if table.map.len() >= table.sweep_at {
                table.map.retain(|_, w| w.strong_count() > 0);
                table.sweep_at = (table.map.len() * 2).max(64);
            }
            match table.map.get(id).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    table.map.insert(id.to_string(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }

    /// Sessions in the table (some perhaps finished, until the next sweep).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.locks.lock().unwrap().map.len()
    }
}

/// The session id in the request's cookie, if any.
fn session_id(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|v| !v.is_empty() && v.len() <= MAX_ID_LEN)
        .map(str::to_string)
}

/// The middleware: the session's lock (when the request has a session), then the request in
/// a task of its own holding it. Goes outside the session layer.
pub async fn serialize(
    State(locks): State<Arc<SessionLocks>>,
    req: Request,
    next: Next,
) -> Response {
    let guard = match session_id(&req) {
        Some(id) => Some(locks.lock(&id).await),
        None => None,
    };
    let task = tokio::spawn(async move {
        let response = next.run(req).await;
        drop(guard);
        response
    });
    match task.await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "a request's task failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "something went wrong on the server; try again\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::post;
    use axum::Router;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_of_one_session_run_one_at_a_time_and_to_their_end() {
        // A read-modify-write with a pause in the middle, as a session record is handled.
        let value = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let (v, f) = (value.clone(), finished.clone());
        let locks = Arc::new(SessionLocks::default());
        let app = Router::new()
            .route(
                "/add",
                post(move || {
                    let (v, f) = (v.clone(), f.clone());
                    async move {
                        let read = v.load(Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        v.store(read + 1, Ordering::SeqCst);
                        f.fetch_add(1, Ordering::SeqCst);
                        "ok"
                    }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                locks.clone(),
                serialize,
            ));
        let call = |app: Router, cookie: &'static str| async move {
            let mut req = Request::post("/add");
            if !cookie.is_empty() {
                req = req.header(header::COOKIE, cookie);
            }
            app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
        };
        // Ten at once on one session: no update is lost.
        let all: Vec<_> = (0..10)
            .map(|_| tokio::spawn(call(app.clone(), "theme=dark; selecta_session=abc")))
            .collect();
        for t in all {
            assert_eq!(t.await.unwrap().status(), StatusCode::OK);
        }
        assert_eq!(value.load(Ordering::SeqCst), 10);

        // A request whose client goes away still finishes (and then frees the lock).
        let gone = tokio::spawn(call(app.clone(), "selecta_session=abc"));
        tokio::time::sleep(Duration::from_millis(5)).await;
        gone.abort();
        let next = call(app.clone(), "selecta_session=abc").await;
        assert_eq!(next.status(), StatusCode::OK);
        assert_eq!(finished.load(Ordering::SeqCst), 12);
        assert_eq!(value.load(Ordering::SeqCst), 12);

        // Without a session, or with a forged over-long id, nothing is locked or kept.
        call(app.clone(), "").await;
        let long: &'static str =
            Box::leak(format!("selecta_session={}", "x".repeat(500)).into_boxed_str());
        call(app, long).await;
        assert!(locks.len() <= 1);
    }

    #[test]
    fn the_id_is_read_from_the_cookie_header() {
        let req = |v: &str| {
            Request::get("/")
                .header(header::COOKIE, v)
                .body(Body::empty())
                .unwrap()
        };
        assert_eq!(
            session_id(&req("a=1; selecta_session=xyz; b=2")).as_deref(),
            Some("xyz")
        );
        assert_eq!(session_id(&req("selecta_sessions=xyz")), None);
        assert_eq!(session_id(&req("selecta_session=")), None);
    }
}
