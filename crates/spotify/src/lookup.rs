//! Looking up tracks and artists at Spotify from the server, for seeds the catalog lacks:
//! `GET /tracks/{id}`, `GET /artists/{id}` and `GET /search` (`track:`, `artist:`, `isrc:`),
//! as the app (client credentials, the server's own id and secret) or as a signed-in
//! listener, through a [`LookupCache`]. Every call follows the client's retry rules. The
//! tracks of albums and playlists are read in [`crate::lists`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use selecta_types::{SpotifyArtist, SpotifyTrack};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::api::check_id;
use crate::auth::SpotifyAuth;
use crate::cache::{Cached, LookupCache};
use crate::retry::{send, Failure, Next, Retries};
use crate::{RetryPolicy, SpotifyClient, SpotifyConfig, SpotifyError, MAX_SEARCH_LIMIT};

/// Renew the app token this long before Spotify says it expires.
const APP_TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// Lookups of one [`SpotifyLookup::tracks`] call in flight at once.
pub const LOOKUP_CONCURRENCY: usize = 8;
/// Longest value of one search filter.
const MAX_FILTER_CHARS: usize = 100;

/// Whose token a lookup carries.
#[derive(Clone, Copy, Debug)]
pub enum Acting<'a> {
    /// The app's own (client credentials): for the API, the bot and the CLI.
    App,
    /// A signed-in listener's (its refreshes stay in the client, see
    /// [`crate::SpotifyApi::refreshed_tokens`]).
    Listener(&'a SpotifyClient),
}

/// A track search by Spotify's field filters; at least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackSearch {
    /// `track:` words of the title.
    pub track: Option<String>,
    /// `artist:` words of an artist's name.
    pub artist: Option<String>,
    /// `isrc:` the recording's ISRC.
    pub isrc: Option<String>,
}

impl TrackSearch {
    /// The `q` parameter: `track:"..." artist:"..." isrc:...` (quotes inside values dropped).
    pub fn query(&self) -> Result<String, SpotifyError> {
        let mut parts = Vec::new();
        for (field, value) in [
            ("track", &self.track),
            ("artist", &self.artist),
            ("isrc", &self.isrc),
        ] {
            let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            if v.chars().count() > MAX_FILTER_CHARS {
                return Err(SpotifyError::invalid(
                    "search",
                    format!("the {field} filter is longer than {MAX_FILTER_CHARS} characters"),
                ));
            }
            let v: String = v.chars().filter(|c| *c != '"').collect();
            parts.push(if field == "isrc" {
                format!("isrc:{}", v.replace(char::is_whitespace, ""))
            } else {
                format!("{field}:\"{v}\"")
            });
        }
        if parts.is_empty() {
            return Err(SpotifyError::invalid(
                "search",
                "give at least one of track, artist or isrc",
            ));
        }
        Ok(parts.join(" "))
    }
}

/// The app's token, cached until shortly before it expires.
struct AppToken {
    auth: SpotifyAuth,
    current: Mutex<Option<(SecretString, Instant, u64)>>,
}

impl AppToken {
    async fn get(&self) -> Result<(SecretString, u64), SpotifyError> {
        let mut current = self.current.lock().await;
        if let Some((token, until, generation)) = current.as_ref() {
            if Instant::now() < *until {
                return Ok((token.clone(), *generation));
            }
        }
        let generation = current.as_ref().map_or(0, |c| c.2) + 1;
        let tokens = self.auth.app_token().await?;
        let lifetime = tokens
            .expires_at()
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        let until = Instant::now() + lifetime.saturating_sub(APP_TOKEN_MARGIN);
        let token = tokens.access_token().clone();
        *current = Some((token.clone(), until, generation));
        Ok((token, generation))
    }

    /// Drops the token unless a newer one replaced it since `seen`.
    async fn renew(&self, seen: u64) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|c| c.2 == seen) {
            if let Some(c) = current.as_mut() {
                c.1 = Instant::now();
            }
        }
    }
}

/// Track and artist lookups at Spotify, cached (cheap to clone).
#[derive(Clone)]
pub struct SpotifyLookup {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The API base for app lookups (`None`: no credentials).
    app: Option<(AppToken, String)>,
    retry: RetryPolicy,
    cache: LookupCache,
}

impl std::fmt::Debug for SpotifyLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpotifyLookup")
            .field("app_credentials", &self.inner.app.is_some())
            .field("cache", &self.inner.cache)
            .finish()
    }
}

impl SpotifyLookup {
    /// Lookups with the app's credentials from `config` (`None`: the server has none; then
    /// only cached answers and lookups acting as a listener work, and others are
    /// [`SpotifyError::NotConfigured`]).
    pub fn new(config: Option<&SpotifyConfig>, cache: LookupCache) -> Result<Self, SpotifyError> {
        let timeout = config.map_or(Duration::from_secs(10), |c| c.timeout);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| SpotifyError::Network(e.to_string()))?;
        let app = match config {
            Some(c) => Some((
                AppToken {
                    auth: SpotifyAuth::new(c)?,
                    current: Mutex::new(None),
                },
                c.api_base(),
            )),
            None => None,
        };
        Ok(SpotifyLookup {
            inner: Arc::new(Inner {
                http,
                app,
                retry: config.map(|c| c.retry).unwrap_or_default(),
                cache,
            }),
        })
    }

    /// The cache in use (e.g. to [`LookupCache::flush`] it at shutdown).
    pub fn cache(&self) -> &LookupCache {
        &self.inner.cache
    }

    /// Whether lookups acting as the app can reach Spotify.
    pub fn has_app_credentials(&self) -> bool {
        self.inner.app.is_some()
    }

    /// `GET /tracks/{id}`, cached (a 404 too, briefly: [`SpotifyError::NotFound`]).
    pub async fn track(&self, acting: Acting<'_>, id: &str) -> Result<SpotifyTrack, SpotifyError> {
        check_id("track_id", id)?;
        let key = format!("track:{id}");
        match self.inner.cache.get(&key).await {
            Some(Cached::Track(t)) => return Ok(t),
            Some(Cached::NotFound) => return Err(not_found("track", id)),
            _ => {}
        }
        let answer = self
            .get(acting, "track", &format!("tracks/{id}"), &[], || {
                format!("track {id}")
            })
            .await;
        let track = answer.and_then(|v| {
            crate::read::track(&v)
                .ok_or_else(|| SpotifyError::Protocol(format!("track {id} has no id or name")))
        });
        self.remember(&key, track, Cached::Track, || not_found("track", id))
            .await
    }

    /// Many tracks: each id once, cached ones without a call, the others concurrently
    /// ([`LOOKUP_CONCURRENCY`] at a time). The answers follow `ids`' order.
    pub async fn tracks(
        &self,
        acting: Acting<'_>,
        ids: &[String],
    ) -> Vec<Result<SpotifyTrack, SpotifyError>> {
        let mut unique: Vec<&str> = Vec::new();
        for id in ids {
            if !unique.contains(&id.as_str()) {
                unique.push(id);
            }
        }
        // Owned ids: a closure over borrowed ones makes the future not `Send` for every
        // lifetime, which axum handlers need.
        let owned: Vec<String> = unique.into_iter().map(str::to_owned).collect();
        let found: Vec<(String, Result<SpotifyTrack, SpotifyError>)> = stream::iter(owned)
            .map(|id| async move {
                let r = self.track(acting, &id).await;
                (id, r)
            })
            .buffer_unordered(LOOKUP_CONCURRENCY)
            .collect()
            .await;
        ids.iter()
            .map(|id| {
                found
                    .iter()
                    .find(|(f, _)| f == id)
                    .map(|(_, r)| r.clone())
                    .unwrap_or_else(|| Err(not_found("track", id)))
            })
            .collect()
    }

    /// `GET /artists/{id}`, cached.
    pub async fn artist(
        &self,
        acting: Acting<'_>,
        id: &str,
    ) -> Result<SpotifyArtist, SpotifyError> {
        check_id("artist_id", id)?;
        let key = format!("artist:{id}");
        match self.inner.cache.get(&key).await {
            Some(Cached::Artist(a)) => return Ok(a),
            Some(Cached::NotFound) => return Err(not_found("artist", id)),
            _ => {}
        }
        let answer = self
            .get(acting, "artist", &format!("artists/{id}"), &[], || {
                format!("artist {id}")
            })
            .await;
        let artist = answer.and_then(|v| {
            crate::read::artist(&v)
                .ok_or_else(|| SpotifyError::Protocol(format!("artist {id} has no id or name")))
        });
        self.remember(&key, artist, Cached::Artist, || not_found("artist", id))
            .await
    }

    /// `GET /search?type=track` with field filters: up to `limit` (1 to
    /// [`MAX_SEARCH_LIMIT`]) tracks, Spotify's best first; cached.
    pub async fn search_tracks(
        &self,
        acting: Acting<'_>,
        search: &TrackSearch,
        limit: u32,
    ) -> Result<Vec<SpotifyTrack>, SpotifyError> {
        crate::PageRequest::first(limit).check(MAX_SEARCH_LIMIT)?;
        let q = search.query()?;
        let key = format!("search:{limit}:{}", q.to_lowercase());
        if let Some(Cached::Tracks(t)) = self.inner.cache.get(&key).await {
            return Ok(t);
        }
        let limit_text = limit.to_string();
        let params = [
            ("q", q.as_str()),
            ("type", "track"),
            ("limit", limit_text.as_str()),
        ];
        let answer = self
            .get(acting, "search", "search", &params, || {
                format!("search {q}")
            })
            .await?;
        let tracks = crate::read::search_tracks(&answer);
        self.inner
            .cache
            .put(&key, Cached::Tracks(tracks.clone()))
            .await;
        Ok(tracks)
    }

    /// Caches a found value or a 404, and passes the answer on.
    pub(crate) async fn remember<T: Clone>(
        &self,
        key: &str,
        answer: Result<T, SpotifyError>,
        wrap: impl FnOnce(T) -> Cached,
        missing: impl FnOnce() -> SpotifyError,
    ) -> Result<T, SpotifyError> {
        match answer {
            Ok(v) => {
                self.inner.cache.put(key, wrap(v.clone())).await;
                Ok(v)
            }
            Err(SpotifyError::NotFound { .. }) => {
                self.inner.cache.put(key, Cached::NotFound).await;
                Err(missing())
            }
            Err(e) => Err(e),
        }
    }

    /// One GET of the Web API with the retry rules, as `acting`.
    pub(crate) async fn get(
        &self,
        acting: Acting<'_>,
        what: &'static str,
        path: &str,
        query: &[(&str, &str)],
        describe: impl Fn() -> String,
    ) -> Result<Value, SpotifyError> {
        let (base, refused_again) = match acting {
            Acting::App => {
                let Some((_, base)) = &self.inner.app else {
                    return Err(SpotifyError::NotConfigured { what: describe() });
                };
                let refused = SpotifyError::Rejected {
                    status: 401,
                    message: "Spotify does not accept the app's token".into(),
                };
                (base.as_str(), refused)
            }
            Acting::Listener(client) => (client.api_base(), SpotifyError::SignInAgain),
        };
        let url = format!("{base}{path}");
        let mut retries = Retries::new(what, self.inner.retry, refused_again);
        let (mut token, mut generation) = self.bearer(acting).await?;
        loop {
            let failure = match self.attempt(&url, query, &token).await {
                Ok(v) => return Ok(v),
                Err(f) => f,
            };
            if retries.after(failure).await? == Next::RenewToken {
                match acting {
                    Acting::App => {
                        if let Some((app, _)) = &self.inner.app {
                            app.renew(generation).await;
                        }
                    }
                    Acting::Listener(client) => {
                        client.renew(generation).await?;
                    }
                }
                (token, generation) = self.bearer(acting).await?;
            }
        }
    }

    async fn bearer(&self, acting: Acting<'_>) -> Result<(SecretString, u64), SpotifyError> {
        match acting {
            Acting::App => match &self.inner.app {
                Some((app, _)) => app.get().await,
                None => Err(SpotifyError::NotConfigured {
                    what: "tracks".into(),
                }),
            },
            Acting::Listener(client) => client.bearer().await,
        }
    }

    async fn attempt(
        &self,
        url: &str,
        query: &[(&str, &str)],
        token: &SecretString,
    ) -> Result<Value, Failure> {
        let request = self
            .inner
            .http
            .get(url)
            .query(query)
            .bearer_auth(token.expose_secret());
        send(request)
            .await?
            .ok_or_else(|| Failure::Final(SpotifyError::Protocol("the answer is not JSON".into())))
    }
}

fn not_found(kind: &str, id: &str) -> SpotifyError {
    SpotifyError::NotFound {
        message: format!("no {kind} with id {id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_built_from_filters() {
        let s = TrackSearch {
            track: Some("Blinding \"Lights\"".into()),
            artist: Some("The Weeknd".into()),
            isrc: None,
        };
        assert_eq!(
            s.query().unwrap(),
            r#"track:"Blinding Lights" artist:"The Weeknd""#
        );
        let s = TrackSearch {
            isrc: Some(" USUG1 1904206".into()),
            ..TrackSearch::default()
        };
        assert_eq!(s.query().unwrap(), "isrc:USUG11904206");
        assert!(matches!(
            TrackSearch::default().query(),
            Err(SpotifyError::InvalidInput {
                parameter: "search",
                ..
            })
        ));
    }

    #[tokio::test]
    async fn without_credentials_the_error_names_the_settings() {
        let lookup =
            SpotifyLookup::new(None, LookupCache::memory(None, Default::default())).unwrap();
        let e = lookup
            .track(Acting::App, "0VjIjW4GlUZAMYd2vXMi3b")
            .await
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("SPOTIFY_CLIENT_ID") && text.contains("SPOTIFY_CLIENT_SECRET"),
            "{text}"
        );
        assert!(text.contains("track 0VjIjW4GlUZAMYd2vXMi3b"), "{text}");
        // A cached answer needs no credentials.
        let t = SpotifyTrack {
            id: "0VjIjW4GlUZAMYd2vXMi3b".into(),
            name: "Blinding Lights".into(),
            ..SpotifyTrack::default()
        };
        lookup
            .cache()
            .put("track:0VjIjW4GlUZAMYd2vXMi3b", Cached::Track(t.clone()))
            .await;
        assert_eq!(
            lookup
                .track(Acting::App, "0VjIjW4GlUZAMYd2vXMi3b")
                .await
                .unwrap(),
            t
        );
    }
}
