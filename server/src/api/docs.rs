//! OpenAPI schemas of the shared domain types (`Track`, `Playlist`...), which live in a crate
//! that stays free of web dependencies. A unit test checks real values against them.

#![allow(dead_code)] // the structs only describe JSON; they are never built

use utoipa::ToSchema;

/// A track's audio features; any may be null (unknown).
#[derive(ToSchema)]
#[schema(as = AudioFeatures)]
pub struct AudioFeaturesDoc {
    /// 0..1
    pub danceability: Option<f32>,
    /// 0..1
    pub energy: Option<f32>,
    /// Pitch class 0..11
    pub key: Option<u8>,
    /// dB
    pub loudness: Option<f32>,
    /// 0 minor, 1 major
    pub mode: Option<u8>,
    /// 0..1
    pub speechiness: Option<f32>,
    /// 0..1
    pub acousticness: Option<f32>,
    /// 0..1
    pub instrumentalness: Option<f32>,
    /// 0..1
    pub liveness: Option<f32>,
    /// 0..1
    pub valence: Option<f32>,
    /// BPM
    pub tempo: Option<f32>,
    /// Beats per bar
    pub time_signature: Option<u8>,
}

/// A catalog track.
#[derive(ToSchema)]
#[schema(as = Track)]
pub struct TrackDoc {
    /// Spotify track id.
    pub id: String,
    /// Title.
    pub name: String,
    /// Artists, main artist first.
    pub artists: Vec<String>,
    /// Album title.
    pub album: String,
    /// Spotify album id.
    pub album_id: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub release_date: Option<String>,
    /// Release year.
    pub year: Option<u16>,
    /// 0..100
    pub popularity: Option<f32>,
    /// Milliseconds.
    pub duration_ms: Option<u32>,
    /// Explicit lyrics, when known.
    pub explicit: Option<bool>,
    /// Genres of the playlists the track was found in.
    pub genres: Vec<String>,
    /// Subgenres of those playlists.
    pub subgenres: Vec<String>,
    /// Audio features.
    pub features: AudioFeaturesDoc,
}

/// Why a track was chosen.
#[derive(ToSchema)]
#[schema(as = Reason)]
pub struct ReasonDoc {
    /// The seed the track is closest to.
    pub seed_id: String,
    /// `Artist - Title` of that seed.
    pub seed_label: String,
    /// The features that matched best.
    pub matched: Vec<String>,
    /// One sentence.
    pub text: String,
}

/// A track of a playlist.
#[derive(ToSchema)]
#[schema(as = PlaylistEntry)]
pub struct PlaylistEntryDoc {
    /// The track.
    pub track: TrackDoc,
    /// Relevance (higher is better).
    pub score: f32,
    /// Why it was chosen.
    pub reason: ReasonDoc,
}

/// A generated playlist.
#[derive(ToSchema)]
#[schema(as = Playlist)]
pub struct PlaylistDoc {
    /// A name proposed from the seeds.
    pub name: String,
    /// The seed tracks.
    pub seeds: Vec<TrackDoc>,
    /// The tracks in playing order.
    pub entries: Vec<PlaylistEntryDoc>,
}
