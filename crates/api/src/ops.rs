//! Operations endpoints: `/healthz` (the process answers), `/readyz` (a model is loaded and
//! the [`Dependency`]s the binary registered, such as the web app's session store, answer),
//! `/metrics` (Prometheus text), and the middleware that counts and times API requests.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::Serialize;
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

/// Counts requests and times them by route template (`/v1/audio-features/{id}`, never the
/// raw path, so that the number of series stays bounded).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = method_label(req.method());
    let res = next.run(req).await;
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

/// `/readyz` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not ready`.
    pub status: String,
    /// Tracks of the model in service.
    pub tracks: usize,
    /// Each dependency's state: `ok: <how>` or `unavailable: <why>` (e.g. `"sessions":
    /// "unavailable: redis does not answer"`); absent when the server registered none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, String>,
}

/// `GET /readyz`: ready when a model with tracks is in service and every dependency is up.
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
            dependencies,
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
