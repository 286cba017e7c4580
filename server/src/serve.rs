//! `selecta serve`: the web app on axum + leptos_axum.

use std::path::Path;

use anyhow::{bail, Context};
use app::state::AppState;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::compression::predicate::{DefaultPredicate, Predicate as _, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::{ServeArgs, WebArgs};
use crate::session_store::{self, MemoryStore, RedisStore, StoreHealth};
use crate::site::{self, SiteAssets, PKG_DIR};
use crate::web_guard::{self, WebGuard};
use crate::{origin, session_lock};
use secrecy::{ExposeSecret, SecretString};
use selecta_engine::{Runtime, Views};
use std::sync::Arc;

/// Prefix of the session keys in Redis.
const SESSION_PREFIX: &str = "selecta:session:";
/// Prefix of the lookup cache's keys in Redis.
const LOOKUP_PREFIX: &str = "selecta:lookup:";

/// Runs the web server until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let assets = SiteAssets::discover(&args.site_root)?;
    app::assets::set_stylesheet(assets.stylesheet.clone());
    // Bind before the slow work so a taken port fails at once, naming the address.
    let listener = TcpListener::bind(args.addr).await.map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            " (another program uses this port; choose another with --addr or SELECTA_ADDR)"
        } else {
            ""
        };
        anyhow::anyhow!("cannot listen on {}: {e}{hint}", args.addr)
    })?;

    // The neighbour table (a second or two on the bundled catalog) is computed while the
    // server already answers: until it is there, requests search instead.
    let runtime = Runtime::start(crate::model_source::source(&args.model)).await?;
    let leptos_options = LeptosOptions::builder()
        .output_name(assets.stem.as_str())
        .site_root(args.site_root.to_string_lossy().as_ref())
        .site_pkg_dir(PKG_DIR)
        .site_addr(args.addr)
        .build();
    let spotify = spotify_config(&args.web)?;
    let lookup = lookups(
        spotify.as_ref(),
        args.web.redis_url.as_deref(),
        &args.model.model_cache,
    )
    .await?;
    let state = AppState {
        leptos_options,
        views: Arc::new(Views::new(runtime.handle().clone())),
        spotify,
        lookup,
    };
    runtime.reload_on_sighup();
    if args.model_watch > 0 {
        runtime.watch_model(std::time::Duration::from_secs(args.model_watch));
    }
    let secure = args
        .api
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let (web, sessions) = match &args.web.redis_url {
        Some(url) => {
            let store = RedisStore::connect(url, SESSION_PREFIX).await?;
            store.watch();
            tracing::info!("sessions in Redis");
            let health = store.health();
            (
                router(state.clone()).layer(session_store::layer(store, secure)),
                health,
            )
        }
        None => {
            let max = usize::try_from(args.pages.max_sessions).unwrap_or(usize::MAX);
            tracing::info!(
                max_sessions = max,
                "sessions in memory (set REDIS_URL to keep them in Redis)"
            );
            (
                router(state.clone()).layer(session_store::layer(MemoryStore::new(max), secure)),
                StoreHealth::new("memory"),
            )
        }
    };
    let web = guarded(web, &args);
    // Outside the session layer: it sees the layer's failed saves, and refuses a flood before
    // any session is made for it.
    let guard = Arc::new(WebGuard::new(
        args.pages.web_rate_limit,
        args.pages.web_rate_burst,
        args.api.proxies(),
        sessions.clone(),
    ));
    let web = web.layer(axum::middleware::from_fn_with_state(
        guard,
        web_guard::guard,
    ));
    let mut api = selecta_api::ApiConfig::from(&args.api);
    api.limits = args.limits();
    let mut app = web.merge(
        selecta_api::router_with(
            state.views.clone(),
            state.lookup.clone(),
            &api,
            Arc::new([Arc::new(sessions) as Arc<dyn selecta_api::ops::Dependency>]),
        )
        .layer(compression()),
    );
    if let Some(token) = args
        .admin_token
        .clone()
        .filter(|t| !t.expose_secret().is_empty())
    {
        app = app.merge(admin_router(runtime.clone(), token));
    }
    // Last, over every route (pages, server functions, files, API, admin): request ids, request
    // spans, and metrics by route template.
    let app = selecta_api::ops::observe(app, args.api.proxies());

    tracing::info!("Selecta listening on http://{}", args.addr);
    // With the peer address, for the API's and the web app's per-IP rate limits.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
    tracing::info!("stopped");
    Ok(())
}

/// The application's routes: pages, server functions, downloads, static files. Needs the
/// session layer on top.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = std::path::PathBuf::from(state.leptos_options.site_root.as_ref());
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .route(
            "/playlist/export/{format}",
            axum::routing::get(app::export::download),
        )
        .route("/auth/login", axum::routing::get(app::auth::login))
        .route("/auth/callback", axum::routing::get(app::auth::callback))
        .route("/auth/logout", axum::routing::post(app::auth::logout))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(compression())
        // After the compression layer: the bundle is served from its precompressed copies.
        .nest_service(&format!("/{PKG_DIR}"), site_pkg(&site_root))
        .with_state(state)
}

/// Smallest answer worth compressing on the fly: below it, the encoding's own overhead and
/// the CPU cost outweigh the bytes saved.
pub const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// Compresses pages, server-function and API answers on the fly (brotli or gzip, as the
/// client accepts, with `Vary: Accept-Encoding`) when above [`COMPRESS_ABOVE_BYTES`]; never
/// images, event streams or answers already encoded.
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE_BYTES)))
}

/// The built bundle under `/pkg/`: the `.br` or `.gz` copy scripts/build.sh wrote beside each
/// file when the browser accepts it, else the file; kept a year (`immutable`) when the name
/// carries a content hash, else revalidated ([`site::cache_control`]).
fn site_pkg(site_root: &Path) -> Router {
    let files = ServeDir::new(site_root.join(PKG_DIR))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(site::cache_control))
        .layer(SetResponseHeaderLayer::overriding(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// The web routes (with their session layer) behind their guards, innermost first: one
/// request at a time per session, run to its end ([`session_lock`]); cross-site POSTs refused
/// ([`origin`]); the timeout and concurrency limit of each route.
fn guarded(web: Router, args: &ServeArgs) -> Router {
    let locks = Arc::new(session_lock::SessionLocks::default());
    let same_origin = Arc::new(origin::SameOrigin::new(args.api.public_url.as_deref()));
    let web = web
        .layer(axum::middleware::from_fn_with_state(
            locks,
            session_lock::serialize,
        ))
        .layer(axum::middleware::from_fn_with_state(
            same_origin,
            origin::check,
        ));
    args.limits().apply(web)
}

/// The Spotify client from the flags: `None` (catalog only) without a client id and secret;
/// an error naming the flag when only one is given or a URL is unusable.
pub fn spotify_config(web: &WebArgs) -> anyhow::Result<Option<selecta_spotify::Spotify>> {
    let id = web
        .spotify_client_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let secret = web
        .spotify_client_secret
        .as_ref()
        .map(|s| s.expose_secret().trim())
        .filter(|s| !s.is_empty());
    let (id, secret) = match (id, secret) {
        (None, None) => {
            tracing::info!(
                "Spotify is not configured (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET): \
                 catalog only, no sign-in or saving"
            );
            return Ok(None);
        }
        (Some(_), None) => bail!(
            "SPOTIFY_CLIENT_ID is set but SPOTIFY_CLIENT_SECRET (--spotify-client-secret) is \
             not; set both, or neither for the catalog only"
        ),
        (None, Some(_)) => bail!(
            "SPOTIFY_CLIENT_SECRET is set but SPOTIFY_CLIENT_ID (--spotify-client-id) is not; \
             set both, or neither for the catalog only"
        ),
        (Some(id), Some(secret)) => (id, secret),
    };
    let mut config = selecta_spotify::SpotifyConfig::new(id, secret);
    config.redirect_uri = web.spotify_redirect_uri.clone();
    config.accounts_url = web.spotify_accounts_url.clone();
    config.api_url = web.spotify_api_url.clone();
    let spotify = selecta_spotify::Spotify::new(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        redirect_uri = %web.spotify_redirect_uri,
        accounts = %web.spotify_accounts_url,
        api = %web.spotify_api_url,
        "Spotify sign-in on"
    );
    Ok(Some(spotify))
}

/// Spotify lookups for seeds the catalog lacks, with the app's token when Spotify is
/// configured; cached in Redis when `redis_url` is set (so replicas share them), else in
/// memory and in `lookups.json` beside the model cache.
pub async fn lookups(
    spotify: Option<&selecta_spotify::Spotify>,
    redis_url: Option<&str>,
    model_cache: &Path,
) -> anyhow::Result<selecta_spotify::SpotifyLookup> {
    use selecta_spotify::{CacheSettings, LookupCache, SpotifyLookup};
    let settings = CacheSettings::default();
    let cache = match redis_url {
        Some(url) => LookupCache::redis(url, LOOKUP_PREFIX, settings)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        None => LookupCache::memory(Some(lookup_cache_file(model_cache)), settings),
    };
    SpotifyLookup::new(spotify.map(|s| s.config()), cache).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The lookups of a command-line entry point (`recommend`, `bot`): Spotify and Redis from
/// `web`, the cache file beside `model_cache`.
pub async fn cli_lookups(
    web: &WebArgs,
    model_cache: &Path,
) -> anyhow::Result<selecta_spotify::SpotifyLookup> {
    let spotify = spotify_config(web)?;
    lookups(spotify.as_ref(), web.redis_url.as_deref(), model_cache).await
}

/// The file the in-memory lookup cache is kept in: `lookups.json` beside the model cache.
pub fn lookup_cache_file(model_cache: &Path) -> std::path::PathBuf {
    model_cache.with_file_name("lookups.json")
}

/// `POST /admin/reload` with `Authorization: Bearer <SELECTA_ADMIN_TOKEN>`. The token is
/// compared in constant time, so response times do not reveal how much of a guess matched.
fn admin_router(runtime: Runtime, token: SecretString) -> Router {
    use axum::http::{header, StatusCode};
    use axum::routing::post;
    use subtle::ConstantTimeEq;
    let token = std::sync::Arc::new(token);
    let reload_route = post(move |headers: axum::http::HeaderMap| {
        let (runtime, token) = (runtime.clone(), token.clone());
        async move {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            let matches = given
                .is_some_and(|g| bool::from(g.as_bytes().ct_eq(token.expose_secret().as_bytes())));
            if !matches {
                return (
                    StatusCode::UNAUTHORIZED,
                    "missing or wrong admin token\n".to_string(),
                );
            }
            match runtime.reload().await {
                Ok(tracks) => (StatusCode::OK, format!("reloaded: {tracks} tracks\n")),
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "reload failed; the previous model stays in service");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("reload failed, the previous model stays in service: {e:#}\n"),
                    )
                }
            }
        }
    });
    Router::new().route("/admin/reload", reload_route)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(id: Option<&str>, secret: Option<&str>) -> WebArgs {
        use clap::Parser;
        let crate::config::Command::Serve(args) =
            crate::config::Cli::parse_from(["selecta"]).into_command()
        else {
            panic!("serve is the default");
        };
        WebArgs {
            spotify_client_id: id.map(String::from),
            spotify_client_secret: secret.map(SecretString::from),
            ..args.web
        }
    }

    #[test]
    fn spotify_needs_both_id_and_secret() {
        assert!(spotify_config(&web(None, None)).unwrap().is_none());
        assert!(spotify_config(&web(Some(" "), Some(""))).unwrap().is_none());
        let err = spotify_config(&web(Some("id"), None))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SPOTIFY_CLIENT_SECRET"), "{err}");
        let err = spotify_config(&web(None, Some("secret-value")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SPOTIFY_CLIENT_ID"), "{err}");
        assert!(!err.contains("secret-value"), "{err}");
        assert!(spotify_config(&web(Some("id"), Some("secret")))
            .unwrap()
            .is_some());
        let mut bad = web(Some("id"), Some("secret"));
        bad.spotify_redirect_uri = "http://localhost:3000/auth/callback".into();
        let err = spotify_config(&bad).unwrap_err().to_string();
        assert!(err.contains("redirect_uri"), "{err}");
    }
}
