//! The Spotify calls Selecta makes, as a trait: the real client implements it, and so can a
//! fake in the web app's tests.

use async_trait::async_trait;
use selecta_types::{SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser};
use serde::{Deserialize, Serialize};

use crate::{AddItemsError, SpotifyError, Tokens};

/// Most items Spotify adds to a playlist in one request.
pub const MAX_ITEMS_PER_ADD: usize = 100;
/// Most items of one page for the library and playlist lists.
pub const MAX_PAGE_LIMIT: u32 = 50;
/// Most results of one search page (Spotify lowered it to 10).
pub const MAX_SEARCH_LIMIT: u32 = 10;

/// Which page of a list to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Index of the first item.
    pub offset: u32,
    /// Page size, 1 to [`MAX_PAGE_LIMIT`] ([`MAX_SEARCH_LIMIT`] for search).
    pub limit: u32,
}

impl PageRequest {
    /// The first page of `limit` items.
    pub fn first(limit: u32) -> Self {
        PageRequest { offset: 0, limit }
    }

    /// Checks the limit against an endpoint's maximum.
    pub fn check(&self, max: u32) -> Result<(), SpotifyError> {
        if self.limit == 0 || self.limit > max {
            return Err(SpotifyError::invalid(
                "limit",
                format!("{} is outside 1..={max}", self.limit),
            ));
        }
        Ok(())
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::first(20)
    }
}

/// The period top tracks are computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeRange {
    /// About the last 4 weeks.
    ShortTerm,
    /// About the last 6 months.
    MediumTerm,
    /// About a year.
    LongTerm,
}

impl TimeRange {
    /// Spotify's name (`short_term`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TimeRange::ShortTerm => "short_term",
            TimeRange::MediumTerm => "medium_term",
            TimeRange::LongTerm => "long_term",
        }
    }
}

impl std::str::FromStr for TimeRange {
    type Err = SpotifyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "short_term" => Ok(TimeRange::ShortTerm),
            "medium_term" => Ok(TimeRange::MediumTerm),
            "long_term" => Ok(TimeRange::LongTerm),
            _ => Err(SpotifyError::invalid(
                "time_range",
                format!("`{s}` is not short_term, medium_term or long_term"),
            )),
        }
    }
}

/// A playlist to create in the listener's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlaylist {
    /// Name (1 to 100 characters).
    pub name: String,
    /// Description (up to 300 characters), may be empty.
    pub description: String,
    /// Shown on the listener's profile.
    pub public: bool,
}

impl NewPlaylist {
    /// Checks the name and description the way Spotify limits them.
    pub fn check(&self) -> Result<(), SpotifyError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(SpotifyError::invalid("name", "is empty"));
        }
        if name.chars().count() > 100 {
            return Err(SpotifyError::invalid(
                "name",
                "is longer than 100 characters",
            ));
        }
        if self.description.chars().count() > 300 {
            return Err(SpotifyError::invalid(
                "description",
                "is longer than 300 characters",
            ));
        }
        if self.description.contains(['\n', '\r']) {
            // Spotify answers 400 to line breaks in a description.
            return Err(SpotifyError::invalid(
                "description",
                "must be a single line",
            ));
        }
        Ok(())
    }
}

/// The calls Selecta makes on behalf of a signed-in listener.
///
/// Every list is paged as Spotify pages it; tracks come back as [`SpotifyTrack`]. Answers are
/// read as Spotify's contract allows: an item Selecta cannot use (an episode, a local file, a
/// removed track, an item without an id or name) is left out of its page and counted in
/// [`SpotifyPage::skipped`], and the rest of the page still works.
#[async_trait]
pub trait SpotifyApi: Send + Sync {
    /// `GET /me`.
    async fn current_user(&self) -> Result<SpotifyUser, SpotifyError>;

    /// `GET /me/tracks`: the listener's saved tracks, newest first.
    async fn saved_tracks(
        &self,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError>;

    /// `GET /me/top/tracks`.
    async fn top_tracks(
        &self,
        range: TimeRange,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError>;

    /// `GET /me/player/recently-played`: the tracks of up to `limit` (1..=50) recent plays,
    /// newest first, each track once (the whole list in one page: Spotify pages plays by time,
    /// not by offset); `skipped` counts plays that cannot be used.
    async fn recently_played(&self, limit: u32) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError>;

    /// `GET /me/playlists`: playlists the listener owns or follows.
    async fn playlists(
        &self,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyPlaylist>, SpotifyError>;

    /// `GET /playlists/{id}/items`: the tracks of one of the listener's playlists.
    async fn playlist_items(
        &self,
        playlist_id: &str,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError>;

    /// `GET /search?type=track` (page limit at most [`MAX_SEARCH_LIMIT`]).
    async fn search_tracks(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError>;

    /// `GET /tracks/{id}`.
    async fn track(&self, id: &str) -> Result<SpotifyTrack, SpotifyError>;

    /// `POST /me/playlists`.
    async fn create_playlist(
        &self,
        playlist: &NewPlaylist,
    ) -> Result<SpotifyPlaylist, SpotifyError>;

    /// `POST /playlists/{id}/items` with at most [`MAX_ITEMS_PER_ADD`] `spotify:track:` URIs,
    /// appended in order; returns the playlist's new snapshot id.
    async fn add_items(&self, playlist_id: &str, uris: &[String]) -> Result<String, SpotifyError>;

    /// Tokens that changed (were refreshed) since this client was made, for the caller to
    /// store; `None` when they did not change (always for fakes).
    fn refreshed_tokens(&self) -> Option<Tokens> {
        None
    }

    /// Appends any number of URIs in chunks of [`MAX_ITEMS_PER_ADD`], in order. On a failure
    /// says how many were added before it, so that a retry can send only the rest (to the
    /// same playlist, never a new one).
    async fn add_all_items(
        &self,
        playlist_id: &str,
        uris: &[String],
    ) -> Result<usize, AddItemsError> {
        let mut added = 0;
        for chunk in uris.chunks(MAX_ITEMS_PER_ADD) {
            if let Err(error) = self.add_items(playlist_id, chunk).await {
                return Err(AddItemsError {
                    added,
                    total: uris.len(),
                    error,
                });
            }
            added += chunk.len();
        }
        Ok(added)
    }
}

/// Checks a Spotify id (base62, 22 characters for tracks and playlists).
pub(crate) fn check_id(parameter: &'static str, id: &str) -> Result<(), SpotifyError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(SpotifyError::invalid(
            parameter,
            format!("`{id}` is not a Spotify id (letters and digits only)"),
        ));
    }
    Ok(())
}

/// Checks a `spotify:track:ID` URI.
pub(crate) fn check_track_uri(uri: &str) -> Result<(), SpotifyError> {
    match uri.strip_prefix("spotify:track:") {
        Some(id) if check_id("uris", id).is_ok() => Ok(()),
        _ => Err(SpotifyError::invalid(
            "uris",
            format!("`{uri}` is not a spotify:track: URI"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn page_limits_are_checked() {
        assert!(PageRequest::first(50).check(MAX_PAGE_LIMIT).is_ok());
        assert!(matches!(
            PageRequest::first(51).check(MAX_PAGE_LIMIT),
            Err(SpotifyError::InvalidInput {
                parameter: "limit",
                ..
            })
        ));
        assert!(PageRequest::first(0).check(MAX_PAGE_LIMIT).is_err());
        assert!(PageRequest::first(11).check(MAX_SEARCH_LIMIT).is_err());
    }

    #[test]
    fn time_ranges_round_trip() {
        for r in [
            TimeRange::ShortTerm,
            TimeRange::MediumTerm,
            TimeRange::LongTerm,
        ] {
            assert_eq!(r.as_str().parse::<TimeRange>().unwrap(), r);
        }
        assert!("weekly".parse::<TimeRange>().is_err());
    }

    #[test]
    fn new_playlists_are_checked() {
        let ok = NewPlaylist {
            name: "Road trip".into(),
            description: "".into(),
            public: false,
        };
        ok.check().unwrap();
        let mut p = ok.clone();
        p.name = "  ".into();
        assert!(matches!(
            p.check(),
            Err(SpotifyError::InvalidInput {
                parameter: "name",
                ..
            })
        ));
        p.name = "x".repeat(101);
        assert!(p.check().is_err());
        let mut p = ok.clone();
        p.description = "a\nb".into();
        assert!(matches!(
            p.check(),
            Err(SpotifyError::InvalidInput {
                parameter: "description",
                ..
            })
        ));
    }

    #[test]
    fn ids_and_uris() {
        check_id("playlist_id", "37i9dQZF1DXcBWIGoYBM5M").unwrap();
        assert!(check_id("playlist_id", "../me").is_err());
        assert!(check_id("playlist_id", "").is_err());
        check_track_uri("spotify:track:4uLU6hMCjMI75M1A2tKUQC").unwrap();
        assert!(check_track_uri("spotify:episode:4uLU6hMCjMI75M1A2tKUQC").is_err());
        assert!(check_track_uri("4uLU6hMCjMI75M1A2tKUQC").is_err());
    }

    /// Records each chunk; fails on the chunk number `fail_at`.
    struct Recorder {
        chunks: Mutex<Vec<usize>>,
        fail_at: Option<usize>,
    }

    #[async_trait]
    impl SpotifyApi for Recorder {
        async fn current_user(&self) -> Result<SpotifyUser, SpotifyError> {
            unreachable!()
        }
        async fn saved_tracks(
            &self,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unreachable!()
        }
        async fn top_tracks(
            &self,
            _: TimeRange,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unreachable!()
        }
        async fn recently_played(&self, _: u32) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unreachable!()
        }
        async fn playlists(
            &self,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyPlaylist>, SpotifyError> {
            unreachable!()
        }
        async fn playlist_items(
            &self,
            _: &str,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unreachable!()
        }
        async fn search_tracks(
            &self,
            _: &str,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unreachable!()
        }
        async fn track(&self, _: &str) -> Result<SpotifyTrack, SpotifyError> {
            unreachable!()
        }
        async fn create_playlist(&self, _: &NewPlaylist) -> Result<SpotifyPlaylist, SpotifyError> {
            unreachable!()
        }
        async fn add_items(&self, _: &str, uris: &[String]) -> Result<String, SpotifyError> {
            let mut chunks = self.chunks.lock().unwrap();
            if self.fail_at == Some(chunks.len()) {
                return Err(SpotifyError::Unavailable { status: 503 });
            }
            chunks.push(uris.len());
            Ok(format!("snap{}", chunks.len()))
        }
    }

    fn uris(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("spotify:track:{i:022}")).collect()
    }

    #[tokio::test]
    async fn adds_in_chunks_of_100() {
        let r = Recorder {
            chunks: Mutex::new(vec![]),
            fail_at: None,
        };
        assert_eq!(r.add_all_items("p", &uris(250)).await.unwrap(), 250);
        assert_eq!(*r.chunks.lock().unwrap(), vec![100, 100, 50]);
        assert_eq!(r.add_all_items("p", &[]).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_failed_chunk_reports_what_was_added() {
        let r = Recorder {
            chunks: Mutex::new(vec![]),
            fail_at: Some(2),
        };
        let e = r.add_all_items("p", &uris(250)).await.unwrap_err();
        assert_eq!((e.added, e.total), (200, 250));
        assert_eq!(e.error, SpotifyError::Unavailable { status: 503 });
    }
}
