//! The web app's guard, in front of its session layer:
//!
//! - a per-client rate limit on pages, forms and server functions (the built assets under
//!   `/pkg/` are not counted: a page needs several, and they touch no session), answering 429
//!   with `Retry-After` and a page saying when to come back;
//! - clear answers while the session store is down: pages answer 503 "sessions unavailable" at
//!   once, without waiting on the store; a server function or form whose session could not be
//!   saved answers 503 too, where tower-sessions would answer an empty 500.
//!
//! Server functions that do not touch the session (the catalog search) keep working while
//! the store is down; the JSON API is another router and never comes here.

use std::net::SocketAddr;
use std::sync::Arc;

use app::auth::{escape, request_id_note};
use app::error::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use selecta_api::auth::{client_key, RateLimit};

use crate::session_store::StoreHealth;

/// How long a client is told to wait before trying again while the sessions are unavailable.
const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// The guard's settings and state.
pub struct WebGuard {
    limit: Option<RateLimit>,
    trusted_proxies: usize,
    sessions: StoreHealth,
}

impl WebGuard {
    /// `per_minute` 0: no rate limit.
    pub fn new(per_minute: u32, burst: u32, trusted_proxies: usize, sessions: StoreHealth) -> Self {
        WebGuard {
            limit: RateLimit::new(per_minute, burst),
            trusted_proxies,
            sessions,
        }
    }
}

/// How a request wants its error: a server function called by the page's script reads an
/// [`AppError`] as JSON; anything else (a page, a plain form post) gets a page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Page,
    ServerFnJson,
}

impl Answer {
    fn of(req: &Request) -> Self {
        let html = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if req.uri().path().starts_with("/api/") && !html {
            Answer::ServerFnJson
        } else {
            Answer::Page
        }
    }
}

/// The middleware.
pub async fn guard(State(g): State<Arc<WebGuard>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let answer = Answer::of(&req);
    if let Some(limit) = &g.limit {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Err(wait) = limit.check(&client_key(req.headers(), peer, g.trusted_proxies)) {
            return too_many_requests(answer, wait);
        }
    }
    // A page reads the session to show the seeds and the sign-in: while the store is down it
    // could only wait for it and show an error, so it says so at once.
    let page = matches!(*req.method(), Method::GET | Method::HEAD) && answer == Answer::Page;
    if page && !g.sessions.available() {
        return sessions_unavailable(answer, &path);
    }
    let res = next.run(req).await;
    // The store failed during this request (or is still down): a page rendered around the
    // failure, or tower-sessions' empty 500 after a failed save, becomes the clear 503.
    if !g.sessions.available() && (page || res.status() == StatusCode::INTERNAL_SERVER_ERROR) {
        return sessions_unavailable(answer, &path);
    }
    res
}

/// 429 with `Retry-After`.
fn too_many_requests(answer: Answer, wait: u64) -> Response {
    let mut res = match answer {
        Answer::ServerFnJson => json_error(
            StatusCode::TOO_MANY_REQUESTS,
            &AppError::TooManyRequests { retry_after: wait },
        ),
        Answer::Page => page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            &format!(
                "Too many requests have come from your address in the last minute. Try again \
                 in {wait} second{}.",
                if wait == 1 { "" } else { "s" }
            ),
            "rate-limited",
        ),
    };
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    res
}

/// 503 "sessions unavailable", with `Retry-After`.
fn sessions_unavailable(answer: Answer, path: &str) -> Response {
    let mut res = match answer {
        Answer::ServerFnJson => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &AppError::StorageUnavailable,
        ),
        Answer::Page if path.starts_with("/auth/") => page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sessions unavailable",
            "Signing in with Spotify is unavailable right now: Selecta cannot reach its session \
             storage, where a sign-in is kept. Try again in a moment.",
            "sessions-unavailable",
        ),
        Answer::Page => page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sessions unavailable",
            "Selecta cannot reach its session storage right now, so it cannot show or keep \
             your seeds, your playlist and your Spotify sign-in. Try again in a moment.",
            "sessions-unavailable",
        ),
    };
    res.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(UNAVAILABLE_RETRY_SECS),
    );
    res
}

/// The error as a server function's answer: the JSON the page's script decodes (server_fn's
/// JSON encoding of [`AppError`]) and shows in the listener's words.
fn json_error(status: StatusCode, e: &AppError) -> Response {
    let body = serde_json::to_string(e).unwrap_or_else(|_| "\"storage_unavailable\"".into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A small page: the heading, the message, the way back and the request's id (the guard runs
/// inside the server's request-id layer).
fn page(status: StatusCode, title: &str, message: &str, testid: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Selecta: {title}</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main><section class=\"card\"><h1>{title}</h1>\
         <p class=\"error\" role=\"alert\" data-testid=\"{testid}\">{message}</p>\
         <p><a href=\"/\">Back to Selecta</a></p>{id}</section></main></body></html>",
        title = escape(title),
        message = escape(message),
        id = request_id_note(selecta_api::ops::current_request_id().as_deref()),
        css = app::assets::stylesheet(),
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::{get, post};
    use axum::Router;
    use tower::ServiceExt;

    /// A web router stand-in: a page, a server function that fails its save like
    /// tower-sessions does, one that works, and an asset.
    fn app(guard: WebGuard) -> Router {
        Router::new()
            .route("/", get(|| async { "the page" }))
            .route("/api/search_tracks1", post(|| async { "hits" }))
            .route(
                "/api/add_seed1",
                post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
            )
            .route("/pkg/main.css", get(|| async { "css" }))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(guard),
                super::guard,
            ))
    }

    async fn send(
        app: &Router,
        method: &str,
        uri: &str,
        accept: &str,
    ) -> (u16, Option<String>, String) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        let retry = res
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let status = res.status().as_u16();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, retry, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn pages_and_server_functions_are_rate_limited_but_not_assets() {
        let app = app(WebGuard::new(1, 2, 0, StoreHealth::new("memory")));
        assert_eq!(send(&app, "GET", "/", "text/html").await.0, 200);
        assert_eq!(
            send(&app, "POST", "/api/search_tracks1", "*/*").await.0,
            200
        );
        let (status, retry, body) = send(&app, "GET", "/", "text/html").await;
        assert_eq!(status, 429);
        let wait: u64 = retry.unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(body.contains("Too many requests"), "{body}");
        assert!(
            body.contains(&format!("Try again in {wait} second")),
            "{body}"
        );
        // A server function gets the app's own error, which its page shows.
        let (status, _, body) = send(&app, "POST", "/api/search_tracks1", "application/json").await;
        assert_eq!(status, 429);
        let e: AppError = serde_json::from_str(&body).unwrap();
        assert!(matches!(e, AppError::TooManyRequests { .. }), "{e:?}");
        assert!(e.to_string().starts_with("too many requests"), "{e}");
        // Assets are never counted.
        for _ in 0..5 {
            assert_eq!(send(&app, "GET", "/pkg/main.css", "text/css").await.0, 200);
        }
        // Off: never limited.
        let open = self::app(WebGuard::new(0, 1, 0, StoreHealth::new("memory")));
        for _ in 0..10 {
            assert_eq!(send(&open, "GET", "/", "text/html").await.0, 200);
        }
    }

    #[tokio::test]
    async fn a_down_store_answers_503_not_500_and_search_goes_on() {
        let health = StoreHealth::new("redis");
        let app = app(WebGuard::new(0, 1, 0, health.clone()));
        // Up: the failed save is left as it is (not the store's fault).
        assert_eq!(send(&app, "POST", "/api/add_seed1", "*/*").await.0, 500);
        health.record::<()>(&Err(redis::RedisError::from(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer",
        ))));
        assert!(!health.available());
        let (status, retry, body) = send(&app, "GET", "/", "text/html").await;
        assert_eq!(status, 503);
        assert_eq!(retry.as_deref(), Some("5"));
        assert!(body.contains("Sessions unavailable"), "{body}");
        let (status, _, body) = send(&app, "POST", "/api/add_seed1", "*/*").await;
        assert_eq!(status, 503);
        assert_eq!(
            serde_json::from_str::<AppError>(&body).unwrap(),
            AppError::StorageUnavailable
        );
        // A plain form post gets the page.
        let (status, _, body) = send(&app, "POST", "/api/add_seed1", "text/html").await;
        assert_eq!(status, 503);
        assert!(body.contains("session storage"), "{body}");
        // What needs no session goes on.
        assert_eq!(
            send(&app, "POST", "/api/search_tracks1", "*/*").await.0,
            200
        );
        assert_eq!(send(&app, "GET", "/pkg/main.css", "text/css").await.0, 200);
        // Back up: pages again.
        health.record::<()>(&Ok(()));
        assert_eq!(send(&app, "GET", "/", "text/html").await.0, 200);
    }
}
