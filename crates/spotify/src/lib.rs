//! Selecta's Spotify client.
//!
//! - [`Spotify`]: one per app, from a [`SpotifyConfig`] (every URL configurable, so the app
//!   talks to Spotify or to a stand-in by configuration alone). Signs listeners in with
//!   OAuth 2.0 authorization code + PKCE ([`Spotify::start_sign_in`],
//!   [`Spotify::finish_sign_in`]) and makes a [`SpotifyClient`] per listener.
//! - [`SpotifyApi`]: the calls the app makes, as a trait (the web app's tests use fakes).
//! - [`Tokens`]: serialisable for a server-side store, never printed.
//!
//! Behaviour of every call: an access token about to expire is refreshed first; a 401 is
//! answered by one refresh and one retry, then [`SpotifyError::SignInAgain`]; a 429 is waited
//! out per `Retry-After` within [`RetryPolicy`], then [`SpotifyError::RateLimited`]; 5xx and
//! network failures are [`SpotifyError::Unavailable`] / [`SpotifyError::Network`].
//!
//! - [`SpotifyLookup`]: tracks, artists and searches looked up from the server, as the app
//!   (client credentials) or as a listener ([`Acting`]), cached in a [`LookupCache`] (Redis,
//!   or a bounded memory LRU kept in a file). The same retry rules apply. Also the tracks of
//!   an album ([`SpotifyLookup::album_tracks`], cached) or of one of the listener's
//!   playlists ([`SpotifyLookup::playlist_tracks`]), at most `MAX_SEEDS` of them.
//!
//! Answers are read tolerantly, field by field ([`SpotifyApi`] says how): Spotify's contract
//! lets fields be absent or null and enums grow, so one odd item never fails a page.
//!
//! Logging: no request logs carry a token. rspotify (not used by this crate, but by other
//! Spotify clients a process may hold) logs each request, bearer token included, through the
//! `log` crate at `info` level: add [`QUIET_LOG_DIRECTIVES`] to the log filter.

mod api;
mod auth;
mod cache;
mod client;
mod config;
mod convert;
mod error;
mod lists;
mod lookup;
mod read;
mod retry;
mod tokens;

pub use api::{
    NewPlaylist, PageRequest, SpotifyApi, TimeRange, MAX_ITEMS_PER_ADD, MAX_PAGE_LIMIT,
    MAX_SEARCH_LIMIT,
};
pub use auth::{CallbackParams, PendingSignIn, SpotifyAuth};
pub use cache::{CacheError, CacheSettings, Cached, LookupCache};
pub use client::{Spotify, SpotifyClient};
pub use config::{
    RetryPolicy, SpotifyConfig, DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL, DEFAULT_REDIRECT_URI, SCOPES,
};
pub use error::{AddItemsError, SpotifyError};
pub use lists::{ListKind, TrackList, MAX_LIST_PAGES};
pub use lookup::{Acting, SpotifyLookup, TrackSearch, LOOKUP_CONCURRENCY};
pub use selecta_types::{SpotifyArtist, SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser};
pub use tokens::Tokens;

/// `tracing_subscriber::EnvFilter` directives that silence rspotify's request logging (it
/// prints the `Authorization` header). Append them to any filter, e.g.
/// `format!("{user_filter},{QUIET_LOG_DIRECTIVES}")`: a directive naming a target wins over a
/// general level.
pub const QUIET_LOG_DIRECTIVES: &str = "rspotify=warn,rspotify_http=warn";
