//! Operations: `/healthz` (the process answers), `/readyz` (the model, the [`Dependency`]s the
//! binary registered such as the web app's session store, and Spotify's configuration, each
//! reported on its own), `/metrics` (Prometheus text), and [`observe`]: the layers every route
//! of the server passes (request id, request span, metrics by route template).

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{middleware, Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::Serialize;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{
    DefaultOnFailure, DefaultOnRequest, DefaultOnResponse, MakeSpan, TraceLayer,
};
use tracing::Level;
use utoipa::ToSchema;

use super::Api;

/// Latency buckets in seconds: 0.5 ms to 10 s.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process-wide Prometheus recorder (the `metrics` facade allows one per process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("duration_seconds".into()),
                &BUCKETS,
            )
            .expect("non-empty buckets");
        match builder.install_recorder() {
            Ok(handle) => handle,
            Err(e) => {
                tracing::warn!(error = %e, "cannot install the metrics recorder; /metrics will be empty");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// The header that carries a request's id, in the request (set by [`observe`]) and in its
/// answer.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming request id kept (from a trusted proxy); a longer one is replaced.
const MAX_INCOMING_ID: usize = 128;

/// The route label of a request no route matched and the fallback did not answer with a file.
pub const UNMATCHED: &str = "unmatched";

/// The route label of what the fallback served successfully: the site's static files
/// (`/pkg/...`, `/favicon.svg`), which have no route template of their own.
pub const STATIC: &str = "static";

tokio::task_local! {
    /// The id of the request the current task serves, for error bodies made deep in handlers.
    static CURRENT_REQUEST_ID: HeaderValue;
}

/// The id of the request being served (see [`observe`]), for error answers; `None` outside a
/// request or on a router without [`observe`].
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID
        .try_with(|id| id.to_str().ok().map(str::to_owned))
        .ok()
        .flatten()
}

/// The id of a request as [`observe`] set it in its `x-request-id` header.
pub fn request_id_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok())
}

/// Request ids: a random per-process prefix and a counter (`3f9a1c2e-1b`). A counter costs an
/// atomic add where a UUID costs a call to the system's randomness on every request; the prefix
/// keeps replicas' ids apart in shared logs.
#[derive(Clone, Copy, Default)]
pub struct CounterId;

impl CounterId {
    /// The next id.
    pub fn next_id() -> String {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        static PREFIX: OnceLock<u32> = OnceLock::new();
        // std's hasher keys are random per process: a prefix without another dependency.
        let prefix = *PREFIX.get_or_init(|| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.finish() as u32
        });
        format!("{prefix:08x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl MakeRequestId for CounterId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&Self::next_id())
            .ok()
            .map(RequestId::new)
    }
}

/// Whether an incoming `x-request-id` may be kept: short, and of the characters ids of
/// proxies and tracing systems use (UUIDs, `Root=1-5f8a...;Parent=...`), so that it is safe to
/// show in logs and pages.
fn usable_incoming_id(value: &HeaderValue) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_INCOMING_ID
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:=;/+".contains(c))
}

/// The request span: the request's id, method and route template (never the raw path or its
/// query, which may carry an OAuth code). At `INFO`, so that the warnings and errors logged
/// while serving the request carry its id; nothing is logged per request at `INFO` itself.
#[derive(Clone, Copy)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> tracing::Span {
        let id = request_id_of(req.headers()).unwrap_or("");
        let route = req
            .extensions()
            .get::<MatchedPath>()
            // The fallback's answer (a file, or not found) is not known yet.
            .map_or("fallback", MatchedPath::as_str);
        // Displayed (`%`), not debug-quoted: `request{id=3f9a1c2e-1b method=GET route=/}`.
        tracing::info_span!("request", id = %id, method = %req.method(), route = %route)
    }
}

/// The layers every route of a server passes, outermost first:
///
/// - an `x-request-id` from the client is dropped unless `trusted_proxies` > 0 (a trusted
///   proxy may have set it) and it is a short plain id; without one a new id is made
///   ([`CounterId`]), set in the request's header and returned in the answer's;
/// - a request span (tower-http's `TraceLayer`) with the id, method and route template, the
///   request and its answer logged at `DEBUG` (`tower_http=debug`). Failures (5xx) are logged
///   at `DEBUG` too: under overload every shed request is one, and a log line each would add
///   to the load; `/metrics` counts them by route and status, and handlers log their own
///   errors inside the span;
/// - the id kept for the request's error answers ([`current_request_id`]);
/// - requests counted and timed by route template ([`track_metrics`]).
///
/// Apply it to the whole router, after every route, merge and fallback (`Router::layer` only
/// reaches routes that exist then).
pub fn observe<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    trusted_proxies: usize,
) -> Router<S> {
    let keep_incoming = trusted_proxies > 0;
    router
        .layer(middleware::from_fn(track_metrics))
        .layer(middleware::from_fn(with_request_id))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(RequestSpan)
                .on_request(DefaultOnRequest::new().level(Level::DEBUG))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG))
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, CounterId))
        .layer(tower::util::MapRequestLayer::new(
            move |mut req: Request| {
                let keep = keep_incoming
                    && req
                        .headers()
                        .get(REQUEST_ID_HEADER)
                        .is_some_and(usable_incoming_id);
                if !keep {
                    // A client's own id (or a forged one behind no proxy) never reaches logs.
                    req.headers_mut().remove(REQUEST_ID_HEADER);
                }
                req
            },
        ))
}

/// Runs the request with its id at hand for [`current_request_id`].
async fn with_request_id(req: Request, next: Next) -> Response {
    match req.headers().get(REQUEST_ID_HEADER).cloned() {
        Some(id) => CURRENT_REQUEST_ID.scope(id, next.run(req)).await,
        None => next.run(req).await,
    }
}

/// Counts requests and times them by route template (`/v1/audio-features/{id}`, never the
/// raw path, so that the number of series stays bounded). A request no route matched is
/// [`STATIC`] when the fallback served it (a file of the site), else [`UNMATCHED`].
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let method = method_label(req.method());
    let res = next.run(req).await;
    let route = route.unwrap_or_else(|| {
        let served = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
        (if served { STATIC } else { UNMATCHED }).to_owned()
    });
    let status = res.status().as_u16().to_string();
    metrics::counter!("selecta_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("selecta_http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    res
}

/// A method as the metrics label it: the standard ones by name, any other as `other`, so a
/// client inventing methods cannot grow the number of series.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /healthz`: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "Operations",
    responses((status = 200, description = "The process answers", body = String, content_type = "text/plain")))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Something besides the model that readiness depends on, e.g. the web app's session store:
/// the API crate knows it only by name and state.
pub trait Dependency: Send + Sync {
    /// Its name in the `/readyz` answer (`sessions`).
    fn name(&self) -> &str;
    /// `Ok` with a short word on how it is (`redis`, `memory`), or what is wrong. Must answer
    /// at once (from state kept up to date elsewhere): a probe never waits on the network.
    fn state(&self) -> Result<String, String>;
}

/// The dependencies `/readyz` reports, shared by the handlers.
pub type Dependencies = Arc<[Arc<dyn Dependency>]>;

/// `/readyz` answer: the model, the dependencies and Spotify, each on its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not ready`: ready when the model has tracks and every dependency answers.
    /// Spotify does not count: without it, or while it fails, the catalog is still served.
    pub status: String,
    /// Tracks of the model in service (also in `model`; kept for existing probes).
    pub tracks: usize,
    /// The model in service.
    pub model: ModelReadiness,
    /// Each dependency's state: `ok: <how>` or `unavailable: <why>` (e.g. `"sessions":
    /// "unavailable: redis does not answer"`); absent when the server registered none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, String>,
    /// Spotify's configuration as far as the server knows it without calling Spotify.
    pub spotify: SpotifyReadiness,
}

/// The model part of `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelReadiness {
    /// `ok`, or `empty` when the model in service has no tracks (then not ready).
    pub state: String,
    /// Tracks of the model in service.
    pub tracks: usize,
}

/// The Spotify part of `/readyz`. Never a secret: whether the client id and secret are set,
/// not what they are.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotifyReadiness {
    /// Whether the server has the Spotify app's client id and secret (`SPOTIFY_CLIENT_ID`,
    /// `SPOTIFY_CLIENT_SECRET`): sign-in, saving, and lookups of seeds the catalog lacks.
    pub configured: bool,
    /// Whether lookups of seeds the catalog lacks can run: `ok: with the app's credentials`,
    /// or `off: ...` saying what is left (cached answers; a signed-in listener's own token in
    /// the web app).
    pub lookups: String,
}

/// `GET /readyz`: ready when a model with tracks is in service and every dependency is up;
/// Spotify's configuration is reported but does not decide readiness. Answers from state at
/// hand: it never waits on the network.
#[utoipa::path(get, path = "/readyz", tag = "Operations",
    responses(
        (status = 200, description = "A model is loaded and the dependencies answer", body = Readiness),
        (status = 503, description = "No usable model, or a dependency is down", body = Readiness)))]
pub async fn readyz(State(api): State<Api>) -> Response {
    let tracks = api.views.handle().current().len();
    let mut ready = tracks > 0;
    let mut dependencies = BTreeMap::new();
    for d in api.dependencies.iter() {
        let shown = match d.state() {
            Ok(how) => format!("ok: {how}"),
            Err(why) => {
                ready = false;
                format!("unavailable: {why}")
            }
        };
        dependencies.insert(d.name().to_string(), shown);
    }
    let configured = api.lookup.has_app_credentials();
    let lookups = if configured {
        "ok: with the app's credentials".to_string()
    } else {
        "off: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set; only cached answers"
            .to_string()
    };
    let (status, word) = if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    (
        status,
        Json(Readiness {
            status: word.into(),
            tracks,
            model: ModelReadiness {
                state: if tracks > 0 { "ok" } else { "empty" }.into(),
                tracks,
            },
            dependencies,
            spotify: SpotifyReadiness {
                configured,
                lookups,
            },
        }),
    )
        .into_response()
}

/// `GET /metrics`: Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "Operations",
    responses((status = 200, description = "Prometheus metrics", body = String, content_type = "text/plain")))]
pub async fn metrics_text(State(api): State<Api>) -> Response {
    metrics::gauge!("selecta_model_tracks").set(api.views.handle().current().len() as f64);
    let handle = prometheus();
    handle.run_upkeep();
    let mut res = handle.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}
