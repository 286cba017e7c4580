//! A local stand-in of Spotify: the accounts service (`/authorize`, `/api/token`) and the
//! Web API calls Selecta makes (`/v1/...`), answering as Spotify answers, on a seeded world
//! drawn from the bundled catalog plus tracks it lacks. For tests, and for trying Selecta
//! without a Spotify account. State lives in memory.
//!
//! The accounts service grants listener tokens (authorization code with PKCE, refresh) and
//! app tokens (`client_credentials`); app tokens read the catalog (`/v1/tracks/{id}`,
//! `/v1/albums/{id}` and its `/tracks`, `/v1/artists/{id}`, `/v1/search`) and get 401 from the
//! listener's endpoints, as at Spotify. Albums are the world's tracks sharing an album id.
//! The world's tracks outside the catalog are listed by [`world::World::examples`].
//!
//! Controls under `/_standin/` (not Spotify's): `POST rate-limit` `{"requests": n,
//! "retry_after": s, "after": k}`, `POST fail` `{"requests": n, "status": 503, "after": k}`
//! (`after`: requests let through first), `POST expire-tokens`,
//! `POST revoke`, `GET playlists/{id}`, `GET users`, `GET examples` (tracks, artists and
//! albums of each kind, [`world::Examples`]), `GET requests`.

mod api;
mod consent;
mod control;
mod error;
mod extras;
mod objects;
mod search;
mod state;
mod token;
pub mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use selecta_catalog::Catalog;

pub use consent::KNOWN_SCOPES;
use state::Mutable;
use world::World;

/// How the stand-in behaves.
#[derive(Debug, Clone)]
pub struct StandinConfig {
    /// The one registered app's client id.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Its registered redirect URIs (compared exactly, as Spotify does).
    pub redirect_uris: Vec<String>,
    /// Lifetime of access tokens (Spotify: an hour); short ones force refreshes.
    pub token_lifetime: Duration,
    /// Answer every N-th API request with 429 (`None`: only on demand).
    pub rate_limit_every: Option<u32>,
    /// `Retry-After` of 429 answers.
    pub retry_after: Duration,
    /// Seed of the world (libraries, tracks outside the catalog).
    pub seed: u64,
}

impl StandinConfig {
    /// A stand-in for one app with Spotify's defaults.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        StandinConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uris: vec![redirect_uri.into()],
            token_lifetime: Duration::from_secs(3600),
            rate_limit_every: None,
            retry_after: Duration::from_secs(1),
            seed: 6,
        }
    }

    /// Checks the settings; an error names the setting.
    pub fn validate(&self) -> Result<(), StandinError> {
        let bad =
            |field: &'static str, problem: String| Err(StandinError::Config { field, problem });
        if self.client_id.trim().is_empty() {
            return bad("client-id", "is empty".into());
        }
        if self.client_secret.trim().is_empty() {
            return bad("client-secret", "is empty".into());
        }
        if self.redirect_uris.is_empty() {
            return bad("redirect-uri", "none given".into());
        }
        for uri in &self.redirect_uris {
            match url::Url::parse(uri) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => return bad("redirect-uri", format!("`{uri}` is not an http(s) URL")),
            }
        }
        if self.token_lifetime.is_zero() {
            return bad("token-lifetime", "must be at least 1 second".into());
        }
        if self.retry_after.is_zero() {
            return bad("retry-after", "must be at least 1 second".into());
        }
        Ok(())
    }
}

/// Why the stand-in cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StandinError {
    /// A setting is unusable.
    #[error("--{field} {problem}")]
    Config {
        /// The setting's flag name.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The catalog has too few usable tracks to draw libraries from.
    #[error("the catalog has {0} tracks with Spotify ids; the stand-in needs at least 300")]
    CatalogTooSmall(usize),
    /// Listening or serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// State shared by the handlers.
#[derive(Clone)]
pub(crate) struct Shared {
    config: Arc<StandinConfig>,
    world: Arc<World>,
    state: Arc<Mutex<Mutable>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, Mutable> {
        // A handler that panicked leaves consistent data (each change is one statement).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A ready stand-in: build the router, or serve it.
#[derive(Clone)]
pub struct Standin {
    shared: Shared,
}

impl Standin {
    /// Checks the configuration and draws the world from the catalog.
    pub fn new(config: StandinConfig, catalog: Catalog) -> Result<Self, StandinError> {
        config.validate()?;
        let world = World::new(catalog, config.seed);
        let usable = world.tracks.iter().filter(|t| t.in_catalog()).count();
        if usable < 300 {
            return Err(StandinError::CatalogTooSmall(usable));
        }
        let state = Mutable::new(&world);
        Ok(Standin {
            shared: Shared {
                config: Arc::new(config),
                world: Arc::new(world),
                state: Arc::new(Mutex::new(state)),
            },
        })
    }

    /// The world it serves.
    pub fn world(&self) -> &World {
        &self.shared.world
    }

    /// Every route: accounts service at `/authorize` and `/api/token`, Web API under `/v1`,
    /// controls under `/_standin`.
    pub fn router(&self) -> Router {
        let v1 = Router::new()
            .route("/me", get(api::me))
            // rspotify asks for `me/`; Spotify answers both.
            .route("/me/", get(api::me))
            .route("/me/tracks", get(api::saved_tracks))
            .route("/me/top/tracks", get(api::top_tracks))
            .route("/me/player/recently-played", get(api::recently_played))
            .route(
                "/me/playlists",
                get(api::my_playlists).post(api::create_playlist),
            )
            .route(
                "/playlists/{id}/items",
                get(api::playlist_items).post(api::add_items),
            )
            .route("/search", get(api::search))
            .route("/tracks/{id}", get(api::one_track))
            .route("/albums/{id}", get(api::one_album))
            .route("/albums/{id}/tracks", get(api::album_tracks))
            .route("/artists/{id}", get(api::one_artist))
            .fallback(api::unknown)
            .layer(axum::middleware::from_fn_with_state(
                self.shared.clone(),
                api::inject,
            ));
        let control = Router::new()
            .route("/rate-limit", post(control::rate_limit))
            .route("/fail", post(control::fail))
            .route("/expire-tokens", post(control::expire_tokens))
            .route("/revoke", post(control::revoke))
            .route("/playlists/{id}", get(control::playlist))
            .route("/users", get(control::users))
            .route("/examples", get(control::examples))
            .route("/requests", get(control::requests))
            .fallback(control::not_found);
        Router::new()
            .route("/authorize", get(consent::page).post(consent::decide))
            .route("/api/token", post(token::token))
            .nest("/v1", v1)
            .nest("/_standin", control)
            .with_state(self.shared.clone())
    }

    /// Serves on a bound listener until the future is dropped or fails.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> Result<(), StandinError> {
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "Spotify stand-in listening");
        axum::serve(listener, self.router()).await?;
        Ok(())
    }

    /// Binds `addr` (port 0: a free one) and serves in a background task; returns the bound
    /// address. For tests.
    pub async fn spawn(self, addr: SocketAddr) -> Result<SocketAddr, StandinError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        tokio::spawn(async move {
            if let Err(e) = self.serve(listener).await {
                tracing::error!(error = %e, "Spotify stand-in stopped");
            }
        });
        Ok(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_by_flag_name() {
        let ok = StandinConfig::new("id", "secret", "http://127.0.0.1:3000/auth/callback");
        ok.validate().unwrap();
        let mut c = ok.clone();
        c.redirect_uris = vec!["nope".into()];
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("--redirect-uri"));
        let mut c = ok.clone();
        c.token_lifetime = Duration::ZERO;
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("--token-lifetime"));
        let mut c = ok;
        c.client_secret = " ".into();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("--client-secret"));
    }
}
