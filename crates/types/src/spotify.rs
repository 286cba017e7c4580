//! What Selecta shows of a listener's Spotify library: plain data, shared by the server (which
//! fetches it) and the browser (which lists it in the picker).

use serde::{Deserialize, Serialize};

/// A track as Spotify describes it, before it is matched to the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotifyTrack {
    /// Spotify track id (22 base62 characters).
    pub id: String,
    /// Title.
    pub name: String,
    /// Artists, main artist first.
    pub artists: Vec<String>,
    /// Spotify artist ids, in the order of `artists` (empty when Spotify gave none).
    #[serde(default)]
    pub artist_ids: Vec<String>,
    /// Album title.
    pub album: String,
    /// Spotify album id, when known.
    #[serde(default)]
    pub album_id: Option<String>,
    /// Release date as Spotify gives it (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub release_date: Option<String>,
    /// Release year parsed from `release_date`.
    pub year: Option<u16>,
    /// Length in milliseconds.
    pub duration_ms: Option<u32>,
    /// Spotify popularity 0..100, when Spotify still sends it.
    pub popularity: Option<u8>,
    /// Explicit lyrics, when Spotify says.
    #[serde(default)]
    pub explicit: Option<bool>,
    /// The recording's ISRC (`external_ids.isrc`), when Spotify gives it.
    #[serde(default)]
    pub isrc: Option<String>,
    /// The track's page on open.spotify.com.
    pub url: String,
}

impl SpotifyTrack {
    /// The track's `spotify:track:ID` URI, the form playlists are saved with.
    pub fn uri(&self) -> String {
        format!("spotify:track:{}", self.id)
    }

    /// `Artist A, Artist B - Title`, the way listeners name a track.
    pub fn label(&self) -> String {
        format!("{} - {}", self.artists.join(", "), self.name)
    }
}

/// An artist as Spotify describes it (`GET /v1/artists/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotifyArtist {
    /// Spotify artist id (22 base62 characters).
    pub id: String,
    /// Name.
    pub name: String,
    /// Spotify's genres for the artist (may be empty).
    #[serde(default)]
    pub genres: Vec<String>,
}

/// The signed-in listener.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotifyUser {
    /// Spotify user id.
    pub id: String,
    /// The name shown on the profile, when set.
    pub display_name: Option<String>,
}

/// One of the listener's playlists (or a playlist just created).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotifyPlaylist {
    /// Spotify playlist id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The owner's display name or id.
    pub owner: String,
    /// Number of items.
    pub total: u32,
    /// Public on the owner's profile (`None` when Spotify does not say).
    pub public: Option<bool>,
    /// The playlist's page on open.spotify.com.
    pub url: String,
}

/// One page of a longer list, with where it sits in the whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotifyPage<T> {
    /// The items of this page, in Spotify's order.
    pub items: Vec<T>,
    /// Index of the first item of this page in the whole list.
    pub offset: u32,
    /// Page size asked for.
    pub limit: u32,
    /// Length of the whole list, when Spotify says.
    pub total: Option<u32>,
    /// Whether another page follows.
    pub has_more: bool,
    /// Items of this page Selecta could not use and left out of `items` (episodes, local
    /// files, removed tracks, items Spotify described without an id or name), so that a page
    /// can say so.
    #[serde(default)]
    pub skipped: u32,
}

impl<T> SpotifyPage<T> {
    /// The offset of the next page, if there is one.
    pub fn next_offset(&self) -> Option<u32> {
        self.has_more.then(|| self.offset + self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_and_label() {
        let t = SpotifyTrack {
            id: "4uLU6hMCjMI75M1A2tKUQC".into(),
            name: "Never Gonna Give You Up".into(),
            artists: vec!["Rick Astley".into()],
            ..SpotifyTrack::default()
        };
        assert_eq!(t.uri(), "spotify:track:4uLU6hMCjMI75M1A2tKUQC");
        assert_eq!(t.label(), "Rick Astley - Never Gonna Give You Up");
    }

    #[test]
    fn next_offset_only_when_more_follow() {
        let mut p = SpotifyPage::<u8> {
            items: vec![1, 2],
            offset: 20,
            limit: 20,
            total: Some(45),
            has_more: true,
            skipped: 0,
        };
        assert_eq!(p.next_offset(), Some(40));
        p.has_more = false;
        assert_eq!(p.next_offset(), None);
    }
}
