//! The real Spotify client: rspotify for the Web API calls, with Selecta's handling of
//! expiry (refresh), 401 (refresh once, then sign in again) and 429 (wait out Retry-After).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rspotify::model::{PlayableId, PlaylistId, SearchResult, SearchType, TrackId, UserId};
use rspotify::prelude::*;
use rspotify::{AuthCodeSpotify, ClientError, Config, Credentials, OAuth};
use secrecy::{ExposeSecret, SecretString};
use selecta_types::{SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser};
use tokio::sync::Mutex;
use url::Url;

use crate::api::{check_id, check_track_uri, MAX_ITEMS_PER_ADD, MAX_PAGE_LIMIT, MAX_SEARCH_LIMIT};
use crate::auth::{CallbackParams, PendingSignIn, SpotifyAuth};
use crate::retry::{classify, Next, Retries};
use crate::{
    convert, NewPlaylist, PageRequest, RetryPolicy, SpotifyApi, SpotifyConfig, SpotifyError,
    TimeRange, Tokens,
};

/// Refresh a little before expiry, so a token does not run out between check and use.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// Longest search query passed on.
const MAX_QUERY_CHARS: usize = 250;

/// Selecta's Spotify integration for the whole app: sign-in, and a [`SpotifyClient`] per
/// listener. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Spotify {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: SpotifyConfig,
    auth: SpotifyAuth,
    /// Cloned per listener: clones share rspotify's HTTP client (connection pool).
    template: AuthCodeSpotify,
}

impl Spotify {
    /// Checks the configuration and builds the HTTP clients.
    pub fn new(config: SpotifyConfig) -> Result<Self, SpotifyError> {
        let auth = SpotifyAuth::new(&config)?;
        let rspotify_config = Config {
            api_base_url: config.api_base(),
            auth_base_url: config.accounts_endpoint(""),
            // Selecta refreshes itself (with the oauth2 crate) and keeps tokens in its store.
            token_refreshing: false,
            token_cached: false,
            ..Config::default()
        };
        let template = AuthCodeSpotify::with_config(
            Credentials::new(&config.client_id, config.client_secret.expose_secret()),
            OAuth::default(),
            rspotify_config,
        );
        Ok(Spotify {
            inner: Arc::new(Shared {
                config,
                auth,
                template,
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &SpotifyConfig {
        &self.inner.config
    }

    /// The sign-in half.
    pub fn auth(&self) -> &SpotifyAuth {
        &self.inner.auth
    }

    /// See [`SpotifyAuth::start_sign_in`].
    pub fn start_sign_in(&self) -> (Url, PendingSignIn) {
        self.inner.auth.start_sign_in()
    }

    /// See [`SpotifyAuth::finish_sign_in`].
    pub async fn finish_sign_in(
        &self,
        pending: &PendingSignIn,
        callback: &CallbackParams,
    ) -> Result<Tokens, SpotifyError> {
        self.inner.auth.finish_sign_in(pending, callback).await
    }

    /// A client acting for the listener with these tokens.
    pub fn client(&self, tokens: Tokens) -> SpotifyClient {
        let mut rspotify = self.inner.template.clone();
        // A fresh token cell: clones would otherwise share the template's.
        rspotify.token = Arc::new(rspotify::sync::Mutex::new(Some(rspotify_token(&tokens))));
        SpotifyClient {
            rspotify,
            api_base: self.inner.config.api_base(),
            auth: self.inner.auth.clone(),
            retry: self.inner.config.retry,
            state: Mutex::new(TokenState {
                tokens,
                generation: 0,
            }),
        }
    }
}

struct TokenState {
    tokens: Tokens,
    /// Bumped by each refresh, so that concurrent 401s refresh once.
    generation: u64,
}

/// The Web API for one listener ([`SpotifyApi`]); refreshed tokens are available from
/// [`SpotifyApi::refreshed_tokens`] for the caller to store.
pub struct SpotifyClient {
    rspotify: AuthCodeSpotify,
    api_base: String,
    auth: SpotifyAuth,
    retry: RetryPolicy,
    state: Mutex<TokenState>,
}

impl std::fmt::Debug for SpotifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpotifyClient").finish_non_exhaustive()
    }
}

fn rspotify_token(t: &Tokens) -> rspotify::Token {
    let expires_at = chrono::DateTime::<chrono::Utc>::from(t.expires_at());
    rspotify::Token {
        access_token: t.access_token().expose_secret().to_string(),
        expires_in: (expires_at - chrono::Utc::now()).max(chrono::TimeDelta::zero()),
        expires_at: Some(expires_at),
        // rspotify never refreshes here; the refresh token stays with Selecta.
        refresh_token: None,
        scopes: t.scopes().iter().cloned().collect(),
    }
}

impl SpotifyClient {
    /// The listener's current tokens (refreshed ones once a refresh happened).
    pub async fn tokens(&self) -> Tokens {
        self.state.lock().await.tokens.clone()
    }

    /// Refreshes unless another call already did since `seen` (the generation it used).
    async fn refresh(&self, seen: u64) -> Result<u64, SpotifyError> {
        let mut state = self.state.lock().await;
        if state.generation == seen {
            let tokens = self.auth.refresh(&state.tokens).await?;
            *self.rspotify.token.lock().await.map_err(lock_poisoned)? =
                Some(rspotify_token(&tokens));
            state.tokens = tokens;
            state.generation += 1;
        }
        Ok(state.generation)
    }

    /// A valid access token (refreshed first when about to expire) and the generation it
    /// belongs to, for calls made without rspotify (the lookups).
    pub(crate) async fn bearer(&self) -> Result<(SecretString, u64), SpotifyError> {
        let (expiring, seen) = {
            let state = self.state.lock().await;
            (state.tokens.expires_within(EXPIRY_MARGIN), state.generation)
        };
        if expiring {
            self.refresh(seen).await?;
        }
        let state = self.state.lock().await;
        Ok((state.tokens.access_token().clone(), state.generation))
    }

    /// Refreshes after a 401 unless another call already did since `seen`.
    pub(crate) async fn renew(&self, seen: u64) -> Result<u64, SpotifyError> {
        self.refresh(seen).await
    }

    /// The Web API base URL (with one trailing slash).
    pub(crate) fn api_base(&self) -> &str {
        &self.api_base
    }

    /// Runs one API call with the retry rules.
    async fn call<'a, T, F, Fut>(&'a self, what: &'static str, f: F) -> Result<T, SpotifyError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ClientError>> + Send + 'a,
    {
        let (_, mut generation) = self.bearer().await?;
        let mut retries = Retries::new(what, self.retry, SpotifyError::SignInAgain);
        loop {
            let failure = match f().await {
                Ok(v) => return Ok(v),
                Err(e) => classify(e).await,
            };
            if retries.after(failure).await? == Next::RenewToken {
                generation = self.refresh(generation).await?;
            }
        }
    }
}

fn lock_poisoned<E>(_: E) -> SpotifyError {
    SpotifyError::Protocol("the token lock was poisoned".into())
}

#[async_trait]
impl SpotifyApi for SpotifyClient {
    async fn current_user(&self) -> Result<SpotifyUser, SpotifyError> {
        let user = self.call("me", || self.rspotify.current_user()).await?;
        Ok(SpotifyUser {
            id: user.id.id().to_string(),
            display_name: user.display_name.filter(|n| !n.is_empty()),
        })
    }

    async fn saved_tracks(
        &self,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        let p = self
            .call("saved tracks", || {
                self.rspotify.current_user_saved_tracks_manual(
                    None,
                    Some(page.limit),
                    Some(page.offset),
                )
            })
            .await?;
        Ok(convert::page(&p, page.limit, |s| convert::track(&s.track)))
    }

    async fn top_tracks(
        &self,
        range: TimeRange,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        let range = match range {
            TimeRange::ShortTerm => rspotify::model::TimeRange::ShortTerm,
            TimeRange::MediumTerm => rspotify::model::TimeRange::MediumTerm,
            TimeRange::LongTerm => rspotify::model::TimeRange::LongTerm,
        };
        let p = self
            .call("top tracks", || {
                self.rspotify.current_user_top_tracks_manual(
                    Some(range),
                    Some(page.limit),
                    Some(page.offset),
                )
            })
            .await?;
        Ok(convert::page(&p, page.limit, convert::track))
    }

    async fn recently_played(&self, limit: u32) -> Result<Vec<SpotifyTrack>, SpotifyError> {
        PageRequest::first(limit).check(MAX_PAGE_LIMIT)?;
        let p = self
            .call("recently played", || {
                self.rspotify
                    .current_user_recently_played(Some(limit), None)
            })
            .await?;
        let mut seen = std::collections::HashSet::new();
        Ok(p.items
            .iter()
            .filter_map(|h| convert::track(&h.track))
            .filter(|t| seen.insert(t.id.clone()))
            .collect())
    }

    async fn playlists(
        &self,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyPlaylist>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        let p = self
            .call("playlists", || {
                self.rspotify
                    .current_user_playlists_manual(Some(page.limit), Some(page.offset))
            })
            .await?;
        Ok(convert::page(&p, page.limit, convert::simplified_playlist))
    }

    async fn playlist_items(
        &self,
        playlist_id: &str,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        check_id("playlist_id", playlist_id)?;
        let id = PlaylistId::from_id(playlist_id)
            .map_err(|e| SpotifyError::invalid("playlist_id", e.to_string()))?;
        let p = self
            .call("playlist items", || {
                self.rspotify.playlist_items_manual(
                    id.as_ref(),
                    None,
                    None,
                    Some(page.limit),
                    Some(page.offset),
                )
            })
            .await?;
        Ok(convert::page(&p, page.limit, convert::playlist_item))
    }

    async fn search_tracks(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_SEARCH_LIMIT)?;
        let query = query.trim();
        if query.is_empty() {
            return Err(SpotifyError::invalid("query", "is empty"));
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(SpotifyError::invalid(
                "query",
                format!("is longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        let result = self
            .call("search", || {
                self.rspotify.search(
                    query,
                    SearchType::Track,
                    None,
                    None,
                    Some(page.limit),
                    Some(page.offset),
                )
            })
            .await?;
        match result {
            SearchResult::Tracks(p) => Ok(convert::page(&p, page.limit, convert::track)),
            _ => Err(SpotifyError::Protocol(
                "search answered without tracks".into(),
            )),
        }
    }

    async fn track(&self, id: &str) -> Result<SpotifyTrack, SpotifyError> {
        check_id("track_id", id)?;
        let track_id =
            TrackId::from_id(id).map_err(|e| SpotifyError::invalid("track_id", e.to_string()))?;
        let t = self
            .call("track", || self.rspotify.track(track_id.as_ref(), None))
            .await?;
        convert::track(&t).ok_or_else(|| SpotifyError::NotFound {
            message: format!("track {id} is a local file"),
        })
    }

    async fn create_playlist(
        &self,
        playlist: &NewPlaylist,
    ) -> Result<SpotifyPlaylist, SpotifyError> {
        playlist.check()?;
        // rspotify 0.16 posts to /me/playlists and ignores the user id.
        let me = UserId::from_id("me").map_err(|e| SpotifyError::Protocol(e.to_string()))?;
        let description = Some(playlist.description.trim()).filter(|d| !d.is_empty());
        let created = self
            .call("create playlist", || {
                self.rspotify.user_playlist_create(
                    me.as_ref(),
                    playlist.name.trim(),
                    Some(playlist.public),
                    None,
                    description,
                )
            })
            .await?;
        tracing::info!(playlist = %created.id.id(), "created a Spotify playlist");
        Ok(convert::full_playlist(&created))
    }

    async fn add_items(&self, playlist_id: &str, uris: &[String]) -> Result<String, SpotifyError> {
        check_id("playlist_id", playlist_id)?;
        if uris.is_empty() || uris.len() > MAX_ITEMS_PER_ADD {
            return Err(SpotifyError::invalid(
                "uris",
                format!(
                    "{} URIs; send 1 to {MAX_ITEMS_PER_ADD} per request",
                    uris.len()
                ),
            ));
        }
        let mut ids = Vec::with_capacity(uris.len());
        for uri in uris {
            check_track_uri(uri)?;
            let id =
                TrackId::from_uri(uri).map_err(|e| SpotifyError::invalid("uris", e.to_string()))?;
            ids.push(id);
        }
        let playlist = PlaylistId::from_id(playlist_id)
            .map_err(|e| SpotifyError::invalid("playlist_id", e.to_string()))?;
        let result = self
            .call("add items", || {
                self.rspotify.playlist_add_items(
                    playlist.as_ref(),
                    ids.iter()
                        .map(|id| PlayableId::Track(id.as_ref()))
                        .collect::<Vec<_>>(),
                    None,
                )
            })
            .await?;
        Ok(result.snapshot_id)
    }

    fn refreshed_tokens(&self) -> Option<Tokens> {
        // Not contended outside a refresh; a caller asking mid-refresh gets the next chance.
        let state = self.state.try_lock().ok()?;
        (state.generation > 0).then(|| state.tokens.clone())
    }
}
