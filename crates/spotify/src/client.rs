//! The real Spotify client: the Web API calls over HTTP, answers read tolerantly
//! ([`crate::read`]), with Selecta's handling of expiry (refresh), 401 (refresh once, then
//! sign in again) and 429 (wait out Retry-After).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use selecta_types::{SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use url::Url;

use crate::api::{check_id, check_track_uri, MAX_ITEMS_PER_ADD, MAX_PAGE_LIMIT, MAX_SEARCH_LIMIT};
use crate::auth::{CallbackParams, PendingSignIn, SpotifyAuth};
use crate::read;
use crate::retry::{send, Failure, Next, Retries};
use crate::{
    NewPlaylist, PageRequest, RetryPolicy, SpotifyApi, SpotifyConfig, SpotifyError, TimeRange,
    Tokens,
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
    /// Cloned per listener: clones share the connection pool.
    http: reqwest::Client,
}

impl Spotify {
    /// Checks the configuration and builds the HTTP clients.
    pub fn new(config: SpotifyConfig) -> Result<Self, SpotifyError> {
        let auth = SpotifyAuth::new(&config)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| SpotifyError::Network(e.to_string()))?;
        Ok(Spotify {
            inner: Arc::new(Shared { config, auth, http }),
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
        SpotifyClient {
            http: self.inner.http.clone(),
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
    http: reqwest::Client,
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

impl SpotifyClient {
    /// The listener's current tokens (refreshed ones once a refresh happened).
    pub async fn tokens(&self) -> Tokens {
        self.state.lock().await.tokens.clone()
    }

    /// Refreshes unless another call already did since `seen` (the generation it used).
    async fn refresh(&self, seen: u64) -> Result<u64, SpotifyError> {
        let mut state = self.state.lock().await;
        if state.generation == seen {
            state.tokens = self.auth.refresh(&state.tokens).await?;
            state.generation += 1;
        }
        Ok(state.generation)
    }

    /// A valid access token (refreshed first when about to expire) and the generation it
    /// belongs to.
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

    /// One Web API call with the retry rules: `method path` (under the API base) with `query`
    /// and a JSON `body`; the answer's JSON (`Value::Null` when a success carries none).
    async fn request(
        &self,
        what: &'static str,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, SpotifyError> {
        let url = format!("{}{path}", self.api_base);
        let mut retries = Retries::new(what, self.retry, SpotifyError::SignInAgain);
        loop {
            let (token, generation) = self.bearer().await?;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .query(query)
                .bearer_auth(token.expose_secret());
            if let Some(body) = body {
                request = request.json(body);
            }
            let failure: Failure = match send(request).await {
                Ok(answer) => return Ok(answer.unwrap_or(Value::Null)),
                Err(f) => f,
            };
            if retries.after(failure).await? == Next::RenewToken {
                self.refresh(generation).await?;
            }
        }
    }

    /// A GET whose answer must be JSON.
    async fn get(
        &self,
        what: &'static str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, SpotifyError> {
        match self.request(what, Method::GET, path, query, None).await? {
            Value::Null => Err(SpotifyError::Protocol(format!(
                "the {what} answer was empty"
            ))),
            v => Ok(v),
        }
    }

    /// One page of a paged list, its items read by `item`.
    async fn page<T>(
        &self,
        what: &'static str,
        path: &str,
        request: PageRequest,
        extra: &[(&str, &str)],
        item: impl Fn(&Value) -> Option<T>,
    ) -> Result<SpotifyPage<T>, SpotifyError> {
        let (limit, offset) = (request.limit.to_string(), request.offset.to_string());
        let mut query = vec![("limit", limit.as_str()), ("offset", offset.as_str())];
        query.extend_from_slice(extra);
        let answer = self.get(what, path, &query).await?;
        let page = read::spotify_page(&answer, request, item)
            .ok_or_else(|| SpotifyError::Protocol(format!("a page of {what} had no items")))?;
        skipped(what, page.skipped);
        Ok(page)
    }
}

/// Logs items left out of a page (no ids: they are the listener's library).
fn skipped(what: &'static str, n: u32) {
    if n > 0 {
        tracing::info!(
            call = what,
            skipped = n,
            "left out items Selecta cannot use"
        );
    }
}

#[async_trait]
impl SpotifyApi for SpotifyClient {
    async fn current_user(&self) -> Result<SpotifyUser, SpotifyError> {
        let answer = self.get("me", "me", &[]).await?;
        read::user(&answer).ok_or_else(|| {
            SpotifyError::Protocol("Spotify did not say which account you signed in with".into())
        })
    }

    async fn saved_tracks(
        &self,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        self.page("saved tracks", "me/tracks", page, &[], read::saved_track)
            .await
    }

    async fn top_tracks(
        &self,
        range: TimeRange,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        let extra = [("time_range", range.as_str())];
        self.page("top tracks", "me/top/tracks", page, &extra, read::track)
            .await
    }

    async fn recently_played(&self, limit: u32) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        let request = PageRequest::first(limit);
        request.check(MAX_PAGE_LIMIT)?;
        let limit_text = limit.to_string();
        let answer = self
            .get(
                "recently played",
                "me/player/recently-played",
                &[("limit", limit_text.as_str())],
            )
            .await?;
        // The contract makes `items` optional here: without it, there are no plays to show.
        let plays = match answer.get("items") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(plays)) => plays.as_slice(),
            Some(_) => {
                return Err(SpotifyError::Protocol(
                    "the recent plays were not a list".into(),
                ))
            }
        };
        let mut tracks: Vec<SpotifyTrack> = Vec::new();
        let mut unusable = 0u32;
        for play in plays {
            match play.get("track").and_then(read::track) {
                Some(t) if tracks.iter().all(|x| x.id != t.id) => tracks.push(t),
                // A repeat play of a track already listed.
                Some(_) => {}
                None => unusable += 1,
            }
        }
        skipped("recently played", unusable);
        Ok(SpotifyPage {
            items: tracks,
            offset: 0,
            limit,
            // Spotify pages plays by time cursors: what it sent is all there is to page.
            total: None,
            has_more: false,
            skipped: unusable,
        })
    }

    async fn playlists(
        &self,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyPlaylist>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        self.page("playlists", "me/playlists", page, &[], read::playlist)
            .await
    }

    async fn playlist_items(
        &self,
        playlist_id: &str,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
        page.check(MAX_PAGE_LIMIT)?;
        check_id("playlist_id", playlist_id)?;
        // Episodes come as episodes, not as tracks missing their fields.
        let extra = [("additional_types", "track,episode")];
        let path = format!("playlists/{playlist_id}/items");
        self.page("playlist items", &path, page, &extra, read::playlist_item)
            .await
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
        let (limit, offset) = (page.limit.to_string(), page.offset.to_string());
        let params = [
            ("q", query),
            ("type", "track"),
            ("limit", limit.as_str()),
            ("offset", offset.as_str()),
        ];
        let answer = self.get("search", "search", &params).await?;
        // The contract makes each kind of result optional: no `tracks`, none found.
        let empty = json!({"items": [], "total": 0});
        let tracks = answer
            .get("tracks")
            .filter(|t| t.is_object())
            .unwrap_or(&empty);
        let found = read::spotify_page(tracks, page, read::track)
            .ok_or_else(|| SpotifyError::Protocol("the search results had no items".into()))?;
        skipped("search", found.skipped);
        Ok(found)
    }

    async fn track(&self, id: &str) -> Result<SpotifyTrack, SpotifyError> {
        check_id("track_id", id)?;
        let answer = self.get("track", &format!("tracks/{id}"), &[]).await?;
        read::track(&answer).ok_or_else(|| {
            SpotifyError::Protocol(format!(
                "track {id} came without an id or a name, or is a local file"
            ))
        })
    }

    async fn create_playlist(
        &self,
        playlist: &NewPlaylist,
    ) -> Result<SpotifyPlaylist, SpotifyError> {
        playlist.check()?;
        let name = playlist.name.trim();
        let mut body = json!({"name": name, "public": playlist.public});
        let description = playlist.description.trim();
        if !description.is_empty() {
            body["description"] = json!(description);
        }
        let answer = self
            .request(
                "create playlist",
                Method::POST,
                "me/playlists",
                &[],
                Some(&body),
            )
            .await?;
        let created = read::created_playlist(&answer, name).ok_or_else(|| {
            SpotifyError::Protocol(format!(
                "Spotify created the playlist \"{name}\" but did not say its id; it is in your \
                 Spotify library, without tracks"
            ))
        })?;
        tracing::info!(playlist = %created.id, "created a Spotify playlist");
        Ok(created)
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
        for uri in uris {
            check_track_uri(uri)?;
        }
        let answer = self
            .request(
                "add items",
                Method::POST,
                &format!("playlists/{playlist_id}/items"),
                &[],
                Some(&json!({ "uris": uris })),
            )
            .await?;
        // Added either way: a missing snapshot id only means there is none to report.
        Ok(answer
            .get("snapshot_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    fn refreshed_tokens(&self) -> Option<Tokens> {
        // Not contended outside a refresh; a caller asking mid-refresh gets the next chance.
        let state = self.state.try_lock().ok()?;
        (state.generation > 0).then(|| state.tokens.clone())
    }
}
