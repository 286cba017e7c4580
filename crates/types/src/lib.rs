//! Domain types shared by every part of Selecta.
//!
//! This crate holds plain data only (serde, no I/O) so that it can be compiled into the
//! browser bundle as well as into the server, the CLI and the bot: a track or a playlist is
//! defined once and means the same everywhere.
//!
//! With the `openapi` feature (the JSON API's, never the browser's), the types the API
//! answers with also derive `utoipa::ToSchema`, so their OpenAPI schemas come from these
//! definitions and their doc comments rather than from mirror structs that could drift.

use serde::{Deserialize, Serialize};

/// Text of a catalog track: kept inline up to 24 bytes (ids, dates, most titles and albums),
/// so a catalog of a million tracks is not millions of small allocations. Reads as a `&str`;
/// `String::from(text)` or `.to_string()` gives an owned `String`.
pub type Text = compact_str::CompactString;

mod attribute;
mod feature;
mod request;
mod spotify;
pub use attribute::{Attribute, UnknownAttribute};
pub use feature::Feature;
pub use request::{
    AttributeBounds, Order, PlaylistRequest, SeedRef, DEFAULT_LENGTH, DEFAULT_MAX_PER_ARTIST,
    MAX_ARTIST_CHARS, MAX_BLOCKED_ARTISTS, MAX_EXCLUDE_IDS, MAX_LENGTH, MAX_SEEDS, MAX_SEED_CHARS,
};
pub use spotify::{SpotifyArtist, SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser};

/// Spotify's audio features of a track, as the catalog holds them.
///
/// Every value is optional: data sets lack some columns (`time_signature` in the bundled
/// catalog), and analysis failures (tempo 0, danceability 0) are stored as missing, not zero.
/// The continuous ones are [`Feature`]s (4 bytes, read and written as `Option<f32>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AudioFeatures {
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub danceability: Feature,
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub energy: Feature,
    /// Pitch class 0..11
    pub key: Option<u8>,
    /// dB, typically -60..0
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub loudness: Feature,
    /// 0 minor, 1 major
    pub mode: Option<u8>,
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub speechiness: Feature,
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub acousticness: Feature,
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub instrumentalness: Feature,
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub liveness: Feature,
    /// 0..1
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub valence: Feature,
    /// Beats per minute
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f32>))]
    pub tempo: Feature,
    /// Beats per bar, 3..7
    pub time_signature: Option<u8>,
}

/// Names of the pitch classes Spotify's `key` counts (0 = C, 1 = C♯/D♭, ... 11 = B).
pub const KEY_NAMES: [&str; 12] = [
    "C",
    "C♯/D♭",
    "D",
    "D♯/E♭",
    "E",
    "F",
    "F♯/G♭",
    "G",
    "G♯/A♭",
    "A",
    "A♯/B♭",
    "B",
];

/// The names of the continuous audio features, in a fixed order used by models and UIs.
pub const AUDIO_FEATURE_NAMES: [&str; 12] = [
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
];

impl AudioFeatures {
    /// The value of a feature by its name (see [`AUDIO_FEATURE_NAMES`]), as f32.
    pub fn get(&self, name: &str) -> Option<f32> {
        match name {
            "danceability" => self.danceability.get(),
            "energy" => self.energy.get(),
            "key" => self.key.map(f32::from),
            "loudness" => self.loudness.get(),
            "mode" => self.mode.map(f32::from),
            "speechiness" => self.speechiness.get(),
            "acousticness" => self.acousticness.get(),
            "instrumentalness" => self.instrumentalness.get(),
            "liveness" => self.liveness.get(),
            "valence" => self.valence.get(),
            "tempo" => self.tempo.get(),
            "time_signature" => self.time_signature.map(f32::from),
            _ => None,
        }
    }
}

/// One track of the catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Track {
    /// Spotify track id (22 base62 characters) or the data set's own id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: Text,
    /// Title.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub name: Text,
    /// Artists, main artist first.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub artists: Vec<Text>,
    /// Spotify artist ids, parallel to `artists`; empty when the data set has none (an id
    /// Selecta made up never goes here).
    // Not `skip_serializing_if`: the model artifact is postcard, which needs every field.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub artist_ids: Vec<Text>,
    /// Album title.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub album: Text,
    /// Spotify album id, when known.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub album_id: Option<Text>,
    /// Release date as given (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub release_date: Option<Text>,
    /// Release year parsed from `release_date`.
    pub year: Option<u16>,
    /// Spotify popularity 0..100.
    pub popularity: Option<f32>,
    /// Length in milliseconds.
    pub duration_ms: Option<u32>,
    /// Explicit lyrics, when the data set says.
    pub explicit: Option<bool>,
    /// Genres of every playlist the track was found in (several for some tracks).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub genres: Vec<Text>,
    /// Subgenres of every playlist the track was found in.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub subgenres: Vec<Text>,
    /// Audio features.
    pub features: AudioFeatures,
    /// The recording's ISRC, when the data set has one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub isrc: Option<Text>,
}

impl Track {
    /// `Artist A, Artist B - Title`, the way listeners name a track.
    pub fn label(&self) -> String {
        format!("{} - {}", self.artists.join(", "), self.name)
    }

    /// The track's `spotify:track:ID` URI.
    pub fn spotify_uri(&self) -> String {
        format!("spotify:track:{}", self.id)
    }

    /// The track's page on open.spotify.com.
    pub fn spotify_url(&self) -> String {
        format!("https://open.spotify.com/track/{}", self.id)
    }
}

/// Why a track was put in a playlist, in words a listener understands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// The id of the seed track this one is closest to.
    pub seed_id: String,
    /// `Artist - Title` of that seed.
    pub seed_label: String,
    /// The features that matched the seed best (names from [`AUDIO_FEATURE_NAMES`], or
    /// `genre`, `artist`, `era`...).
    pub matched: Vec<String>,
    /// One sentence, e.g. "Close to Ed Sheeran - I Don't Care: similar energy and valence, same genre (pop)".
    pub text: String,
    /// How the seed was matched to the catalog, when it was not the catalog's own track
    /// ("... is not in the catalog: its sound is estimated from 14 catalog tracks by Queen");
    /// `text` ends with it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_match: Option<String>,
}

/// One track of a generated playlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaylistEntry {
    /// The track.
    pub track: Track,
    /// Relevance score used for ranking (higher is better).
    pub score: f32,
    /// Why it was chosen.
    pub reason: Reason,
}

/// A generated playlist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Playlist {
    /// A name proposed from the seeds.
    pub name: String,
    /// The seed tracks it was generated from.
    pub seeds: Vec<Track>,
    /// The tracks, in playing order.
    pub entries: Vec<PlaylistEntry>,
    /// How each seed of the request was matched to the catalog, in the request's order,
    /// with the seeds left out (empty when the playlist was not made from a request).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<SeedMatch>,
}

/// How one seed of a request was matched to the catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeedMatch {
    /// The seed as given.
    pub given: String,
    /// `id`, `text`, `artist`, `genre`, `same_recording` (another release of a catalog
    /// track), `proxy` (not in the catalog: estimated from its artists' catalog tracks) or
    /// `skipped` (left out: see `note`).
    pub matched_by: String,
    /// The catalog tracks it stands for (for a proxy, those it is estimated from).
    pub tracks: Vec<String>,
    /// True when its sound is estimated rather than the catalog's own.
    #[serde(default)]
    pub estimated: bool,
    /// How it matched or why it was left out, in words a listener understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_joins_artists() {
        let t = Track {
            id: "abc".into(),
            name: "Song".into(),
            artists: vec!["A".into(), "B".into()],
            ..Track::default()
        };
        assert_eq!(t.label(), "A, B - Song");
        assert_eq!(t.spotify_uri(), "spotify:track:abc");
    }

    #[test]
    fn feature_lookup_by_name() {
        let f = AudioFeatures {
            key: Some(5),
            tempo: Some(120.5).into(),
            ..AudioFeatures::default()
        };
        assert_eq!(f.get("key"), Some(5.0));
        assert_eq!(f.get("tempo"), Some(120.5));
        assert_eq!(f.get("energy"), None);
        assert_eq!(f.get("nope"), None);
    }

    #[test]
    fn track_roundtrips_through_json() {
        let t = Track {
            id: "x".into(),
            genres: vec!["pop".into()],
            ..Track::default()
        };
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Track>(&s).unwrap(), t);
    }
}
