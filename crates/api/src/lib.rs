//! Selecta's JSON API: an axum router over the engine, merged by the `selecta` binary into
//! the web app's router (and usable on its own):
//!
//! - `/v1/...`: Spotify's withdrawn `recommendations` and `audio-features` endpoints, same
//!   parameters and shapes, from Selecta's catalog and model ([`spotify`]);
//! - `/api/generate`, `/api/search`, `/api/tracks/{id}`, `/api/export`: Selecta's own
//!   ([`selecta`]); fixed paths that never collide with Leptos' server functions, which live
//!   at `/api/<name><hash>`;
//! - `/api/openapi.json`, `/api/docs` ([`openapi`]); `/healthz`, `/readyz`, `/metrics` ([`ops`]);
//! - request ids, request spans and per-route metrics for a whole server ([`ops::observe`]).
//!
//! Data endpoints pass the [`auth`] guard (API keys, rate limit); CORS is configurable. The
//! crate knows nothing of the command line or the Leptos app: the binary fills an
//! [`ApiConfig`] from its flags and calls [`router`].

pub mod auth;
pub mod errors;
pub mod limits;
pub mod objects;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod recommend;
pub mod selecta;
pub mod spotify;
#[cfg(test)]
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::routing::{any, get, post};
use axum::{middleware, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};

use objects::Links;
use selecta_engine::{Lookup, Views};
use selecta_spotify::{Acting, SpotifyLookup};

/// The API's settings: access, limits, links, CORS. Plain data, filled by the binary from its
/// flags; [`Default`] is what the binary's flags default to.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// API keys; when any is set, the data endpoints require `Authorization: Bearer <key>`.
    /// Empty (or blank) keys are ignored; none: the API is open.
    pub keys: Vec<String>,
    /// Requests per minute allowed to one key (or one client IP without keys); 0 turns the
    /// limit off.
    pub rate_limit: u32,
    /// Requests one key or IP may send at once before the per-minute rate applies (0 counts
    /// as 1).
    pub rate_burst: u32,
    /// Reverse proxies in front of the server, each appending to `X-Forwarded-For`: the
    /// client IP is the address this many entries from the header's right end (see
    /// [`auth::client_ip`]); 0: the peer address, the header ignored.
    pub trusted_proxies: usize,
    /// Origins allowed to call the API from a browser; `*` for any; empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Most seeds (tracks + artists + genres) per `/v1/recommendations` call.
    pub max_seeds: usize,
    /// Base of `href` links (`https://selecta.example.org`, no trailing slash); unset:
    /// `http://` + the request's Host header.
    pub public_url: Option<String>,
    /// Timeout and concurrency limit of each data route.
    pub limits: limits::Limits,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            keys: Vec::new(),
            rate_limit: 600,
            rate_burst: 60,
            trusted_proxies: 0,
            cors_origins: Vec::new(),
            // Spotify's own limit, which clients of its endpoint expect.
            max_seeds: 5,
            limits: limits::Limits::default(),
            public_url: None,
        }
    }
}

impl std::fmt::Debug for ApiConfig {
    // The keys are credentials: logs and panics show how many there are, never their text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("keys", &format_args!("<{} hidden>", self.keys.len()))
            .field("rate_limit", &self.rate_limit)
            .field("rate_burst", &self.rate_burst)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("cors_origins", &self.cors_origins)
            .field("max_seeds", &self.max_seeds)
            .field("public_url", &self.public_url)
            .field("limits", &self.limits)
            .finish()
    }
}

/// What the API handlers share. Cheap to clone.
#[derive(Clone)]
pub struct Api {
    /// The model in service and the indexes derived from it.
    pub views: Arc<Views>,
    /// Most seeds per `/v1/recommendations` call.
    pub max_seeds: usize,
    /// Base of `href` links; from the Host header when unset.
    pub public_url: Option<Arc<str>>,
    /// Spotify lookups (with the app's token) for seeds the catalog lacks.
    pub lookup: SpotifyLookup,
    /// What `/readyz` checks besides the model.
    pub dependencies: ops::Dependencies,
}

impl Api {
    /// The state for a model and the API's settings.
    pub fn new(views: Arc<Views>, lookup: SpotifyLookup, config: &ApiConfig) -> Self {
        Api {
            views,
            max_seeds: config.max_seeds,
            public_url: config.public_url.as_deref().map(Arc::from),
            lookup,
            dependencies: Arc::new([]),
        }
    }

    /// Lookups for seeds the catalog lacks, with the app's own token.
    pub fn lookups(&self) -> Lookup<'_> {
        Lookup {
            spotify: &self.lookup,
            acting: Acting::App,
        }
    }

    /// The link builder for a request: the configured public URL, else `http://<Host>`.
    pub fn links(&self, headers: &HeaderMap) -> Links {
        match &self.public_url {
            Some(base) => Links::new(base),
            None => Links::new(&format!("http://{}", host(headers))),
        }
    }
}

/// The request's Host when it looks like a host (letters, digits, `.-:[]`), else `localhost`:
/// a forged Host must not inject text into links.
fn host(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost")
}

/// The API on its own, ready to serve: its routes ([`router_with`], no dependencies) behind
/// [`ops::observe`] (request ids, request spans, metrics). Installs the process-wide
/// Prometheus recorder on first call (see [`ops::prometheus`]). The rate limit keys on the
/// client IP from `ConnectInfo<SocketAddr>`: serve with
/// `into_make_service_with_connect_info::<SocketAddr>()`, else clients without API keys share
/// one `unknown` budget.
pub fn router(views: Arc<Views>, lookup: SpotifyLookup, config: &ApiConfig) -> Router {
    ops::observe(
        router_with(views, lookup, config, Arc::new([])),
        config.trusted_proxies,
    )
}

/// The API's routes, to merge into a larger router, with `/readyz` also reporting
/// `dependencies` (the binary's session store...). Without [`ops::observe`]: the binary applies
/// it once to the merged router, so that every route (the web app's too) is counted once.
pub fn router_with(
    views: Arc<Views>,
    lookup: SpotifyLookup,
    config: &ApiConfig,
    dependencies: ops::Dependencies,
) -> Router {
    ops::prometheus();
    let api = Api {
        dependencies,
        ..Api::new(views, lookup, config)
    };
    let guard = Arc::new(auth::Guard::new(config));
    let protected = Router::new()
        .route("/v1/recommendations", get(spotify::recommendations))
        .route(
            "/v1/recommendations/available-genre-seeds",
            get(spotify::genre_seeds),
        )
        .route("/v1/audio-features", get(spotify::several_audio_features))
        // Spotify answered with or without a trailing slash, and clients use both (rspotify
        // calls `audio-features/?ids=`).
        .route("/v1/audio-features/", get(spotify::several_audio_features))
        .route("/v1/recommendations/", get(spotify::recommendations))
        .route("/v1/audio-features/{id}", get(spotify::audio_features))
        .route("/v1/tracks/{id}", get(spotify::track))
        .route("/api/generate", post(selecta::generate_playlist))
        .route("/api/search", get(selecta::search))
        .route("/api/tracks/{id}", get(selecta::describe))
        .route("/api/export", post(selecta::export))
        .route_layer(middleware::from_fn_with_state(guard, auth::guard));
    // Health and metrics stay outside the limits: they answer while the data routes are busy.
    let protected = config.limits.apply(protected);
    let public = Router::new()
        .route("/v1", any(spotify::not_found))
        .route("/v1/{*rest}", any(spotify::not_found))
        .route("/api/openapi.json", get(openapi::json))
        .route("/api/docs", get(openapi::docs))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics_text));
    let routes = protected.merge(public).with_state(api);
    match cors(&config.cors_origins) {
        Some(layer) => routes.layer(layer),
        None => routes,
    }
}

/// CORS for the configured origins (`*` for any); none when the list is empty. Origins that
/// are not valid header values are skipped with a warning.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.contains(&"*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| {
            let v = HeaderValue::from_str(o.trim_end_matches('/')).ok();
            if v.is_none() {
                tracing::warn!(origin = %o, "ignoring an invalid CORS origin");
            }
            v
        }))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([
                header::RETRY_AFTER,
                header::CONTENT_DISPOSITION,
                HeaderName::from_static(spotify::NOT_APPLIED_HEADER),
            ])
            .max_age(Duration::from_secs(3600)),
    )
}

#[cfg(test)]
mod tests;
