//! Spotify's response objects (`TrackObject`, `AudioFeaturesObject`, ...) and the pure
//! functions that shape catalog tracks into them.
//!
//! Values the catalog lacks are sent the way Spotify sent them for tracks whose analysis
//! failed (0; `key` and `mode` -1) or with Spotify's documented defaults (`explicit` false,
//! which Spotify documents as "no or unknown"; `disc_number` 1). `time_signature` is absent
//! from the bundled data set: it is sent as 4 and listed in the object's `missing` field.

use std::collections::BTreeMap;

use selecta_catalog::spotify::looks_like_spotify_id;
use selecta_types::Track;
use serde::Serialize;
use utoipa::ToSchema;

use selecta_engine::view::{album_id, artist_id};

/// Builds the `href` links of API objects from the server's public base URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Links {
    base: String,
}

impl Links {
    /// `base` such as `https://selecta.example.org` (a trailing `/` is dropped).
    pub fn new(base: &str) -> Self {
        Links {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// `{base}/v1/{path}`.
    pub fn v1(&self, path: &str) -> String {
        concat(&[&self.base, "/v1/", path])
    }

    /// `{base}/v1/{kind}/{id}`, e.g. `{base}/v1/tracks/{id}`.
    pub fn v1_item(&self, kind: &str, id: &str) -> String {
        concat(&[&self.base, "/v1/", kind, "/", id])
    }
}

/// The parts joined, in one allocation: track objects are built by the thousand per second,
/// and `format!` costs a pass through the formatting machinery and regrowths.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Known external URLs of an object.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ExternalUrls {
    /// The object's page on open.spotify.com, when its id is a Spotify id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spotify: Option<String>,
}

/// Spotify's `ImageObject` (the catalog has no cover art, so lists of them are empty).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImageObject {
    /// Image URL.
    pub url: String,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Width in pixels.
    pub width: Option<u32>,
}

/// Spotify's `SimplifiedArtistObject`. Artist ids are derived by Selecta from the name
/// (the catalog has none); they work as `seed_artists`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimplifiedArtistObject {
    /// The artist's Spotify page, when its Spotify id is known.
    pub external_urls: ExternalUrls,
    /// The artist's Spotify id when the catalog (or a lookup) has it. Otherwise Selecta's own
    /// (22 base62 characters derived from the name): Spotify's contract requires an id and
    /// clients such as rspotify parse it, so `uri` tells them apart (`selecta:artist:ID`) and
    /// no Spotify link is given.
    pub id: String,
    /// Name.
    pub name: String,
    /// `artist`
    #[serde(rename = "type")]
    pub kind: String,
    /// `spotify:artist:ID`, or Selecta's `selecta:artist:ID` (derived from the name, stable,
    /// accepted back as `seed_artists`) when the Spotify id is unknown.
    pub uri: String,
}

/// Spotify's `SimplifiedAlbumObject`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimplifiedAlbumObject {
    /// Always `album`: the catalog does not tell albums from singles.
    pub album_type: String,
    /// The album's tracks in Selecta's catalog (a lower bound of its real length).
    pub total_tracks: u32,
    /// Always empty (deprecated by Spotify).
    pub available_markets: Vec<String>,
    /// The album's Spotify page, when its id is known.
    pub external_urls: ExternalUrls,
    /// `{base}/v1/albums/{id}` (not served by Selecta).
    pub href: String,
    /// Spotify album id, or an id derived from title and artist when the catalog lacks it.
    pub id: String,
    /// Always empty: no cover art in the catalog.
    pub images: Vec<ImageObject>,
    /// Title.
    pub name: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub release_date: String,
    /// `year`, `month` or `day`.
    pub release_date_precision: String,
    /// `album`
    #[serde(rename = "type")]
    pub kind: String,
    /// `spotify:album:ID`
    pub uri: String,
    /// The track's artists.
    pub artists: Vec<SimplifiedArtistObject>,
}

/// Spotify's `TrackObject`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackObject {
    /// The album.
    pub album: SimplifiedAlbumObject,
    /// The artists, main artist first.
    pub artists: Vec<SimplifiedArtistObject>,
    /// Always empty (deprecated by Spotify).
    pub available_markets: Vec<String>,
    /// Always 1 (unknown; Spotify documents 1 as the usual value).
    pub disc_number: u32,
    /// Length in milliseconds (0 when unknown).
    pub duration_ms: u32,
    /// Explicit lyrics; `false` means "no or unknown", as at Spotify.
    pub explicit: bool,
    /// Always empty (no ISRC in the catalog).
    pub external_ids: BTreeMap<String, String>,
    /// The track's page on open.spotify.com.
    pub external_urls: ExternalUrls,
    /// `{base}/v1/tracks/{id}`
    pub href: String,
    /// Spotify track id.
    pub id: String,
    /// Always false.
    pub is_local: bool,
    /// Title.
    pub name: String,
    /// 0..100 (0 when unknown).
    pub popularity: u32,
    /// Always null.
    pub preview_url: Option<String>,
    /// Always 0: unknown.
    pub track_number: u32,
    /// `track`
    #[serde(rename = "type")]
    pub kind: String,
    /// `spotify:track:ID`
    pub uri: String,
}

/// Spotify's `AudioFeaturesObject`, plus Selecta's `missing` list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AudioFeaturesObject {
    /// 0..1
    pub acousticness: f32,
    /// `{base}/v1/audio-analysis/{id}` (not served by Selecta).
    pub analysis_url: String,
    /// 0..1
    pub danceability: f32,
    /// Milliseconds.
    pub duration_ms: u32,
    /// 0..1
    pub energy: f32,
    /// Spotify track id.
    pub id: String,
    /// 0..1
    pub instrumentalness: f32,
    /// Pitch class 0..11, -1 when unknown.
    pub key: i32,
    /// 0..1
    pub liveness: f32,
    /// dB.
    pub loudness: f32,
    /// 1 major, 0 minor, -1 unknown.
    pub mode: i32,
    /// 0..1
    pub speechiness: f32,
    /// BPM (0 when the analysis failed).
    pub tempo: f32,
    /// Beats per bar, 3..7 (4 when unknown: see `missing`).
    pub time_signature: i32,
    /// `{base}/v1/tracks/{id}`
    pub track_href: String,
    /// `audio_features`
    #[serde(rename = "type")]
    pub kind: String,
    /// `spotify:track:ID`
    pub uri: String,
    /// 0..1
    pub valence: f32,
    /// Selecta extension, present only when not empty: the fields whose value the catalog
    /// lacks for this track and that hold a placeholder (0; `key`, `mode` -1;
    /// `time_signature` 4).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Spotify's `RecommendationSeedObject`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationSeedObject {
    /// The seed's pool after the `min_*`/`max_*` filters.
    #[serde(rename = "afterFilteringSize")]
    pub after_filtering_size: u32,
    /// Same as `afterFilteringSize`: Selecta does no market relinking.
    #[serde(rename = "afterRelinkingSize")]
    pub after_relinking_size: u32,
    /// Link to the seed track; absent for artist and genre seeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The seed as given in the request.
    pub id: String,
    /// The tracks near the seed that were considered: the 100 nearest tracks of each of the
    /// seed's tracks (one for a track seed; up to three most popular for an artist or genre).
    #[serde(rename = "initialPoolSize")]
    pub initial_pool_size: u32,
    /// `TRACK`, `ARTIST` or `GENRE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Selecta extension: how the seed was matched to the catalog (`id`, `text`, `artist`,
    /// `genre`, `same_recording`, `proxy`), or `skipped` when it was left out.
    #[serde(rename = "matchedBy")]
    pub matched_by: String,
    /// Selecta extension: how it matched or why it was left out, in words; absent for a
    /// plain catalog match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A request parameter that was accepted but could not be applied.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NotApplied {
    /// The parameter, e.g. `min_time_signature`.
    pub param: String,
    /// Why.
    pub reason: String,
}

/// Spotify's `RecommendationsObject`, plus Selecta's `not_applied` list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationsObject {
    /// One object per seed, in request order (tracks, artists, genres).
    pub seeds: Vec<RecommendationSeedObject>,
    /// The recommended tracks, most relevant first.
    pub tracks: Vec<TrackObject>,
    /// Selecta extension, present only when not empty: parameters accepted but not applied
    /// (attributes the catalog has no values for). Also sent as the
    /// `Selecta-Not-Applied` header.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_applied: Vec<NotApplied>,
}

/// `GET /v1/audio-features?ids=` answer: one entry per id, `null` for ids not in the catalog
/// (as Spotify answered for unknown ids).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManyAudioFeatures {
    /// In the order of `ids`.
    pub audio_features: Vec<Option<AudioFeaturesObject>>,
}

/// `GET /v1/recommendations/available-genre-seeds` answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GenreSeeds {
    /// Seed names of the catalog's genres and subgenres, sorted.
    pub genres: Vec<String>,
}

fn spotify_url(kind: &str, id: &str) -> ExternalUrls {
    ExternalUrls {
        spotify: looks_like_spotify_id(id)
            .then(|| concat(&["https://open.spotify.com/", kind, "/", id])),
    }
}

/// A `SimplifiedArtistObject` for an artist: with its Spotify id, URI and link when the
/// catalog (or a lookup) has the id; otherwise with Selecta's derived id (the contract
/// requires one), the URI `selecta:artist:ID` and no Spotify link. Both are accepted back as
/// `seed_artists`.
pub fn artist_object(name: &str, spotify_id: Option<&str>) -> SimplifiedArtistObject {
    match spotify_id.filter(|id| looks_like_spotify_id(id)) {
        Some(id) => SimplifiedArtistObject {
            external_urls: spotify_url("artist", id),
            uri: concat(&["spotify:artist:", id]),
            id: id.to_string(),
            name: name.to_string(),
            kind: "artist".into(),
        },
        None => {
            let id = artist_id(name);
            SimplifiedArtistObject {
                external_urls: ExternalUrls::default(),
                uri: concat(&["selecta:artist:", &id]),
                id,
                name: name.to_string(),
                kind: "artist".into(),
            }
        }
    }
}

/// The `release_date_precision` of a date as the catalog holds it.
pub fn date_precision(date: &str) -> &'static str {
    match date.split('-').count() {
        1 => "year",
        2 => "month",
        _ => "day",
    }
}

/// A catalog track as Spotify's `TrackObject`; `album_tracks` is the album's size in the
/// catalog.
pub fn track_object(t: &Track, album_tracks: u32, links: &Links) -> TrackObject {
    let artists: Vec<SimplifiedArtistObject> = t
        .artists
        .iter()
        .enumerate()
        .map(|(k, a)| artist_object(a, t.artist_ids.get(k).map(|id| id.as_str())))
        .collect();
    // The contract requires an album id, so a derived one stays in `id`; its URI is
    // Selecta's (`selecta:album:ID`) and it links to no Spotify page.
    let real_album = t.album_id.as_deref().filter(|id| looks_like_spotify_id(id));
    let album_id = album_id(t);
    let album_uri = match real_album {
        Some(id) => concat(&["spotify:album:", id]),
        None => concat(&["selecta:album:", &album_id]),
    };
    let album_urls = match real_album {
        Some(id) => spotify_url("album", id),
        None => ExternalUrls::default(),
    };
    let release_date = t
        .release_date
        .clone()
        .or_else(|| (t.year.map(|y| y.to_string())).map(Into::into))
        .unwrap_or_default();
    let album = SimplifiedAlbumObject {
        album_type: "album".into(),
        total_tracks: album_tracks.max(1),
        available_markets: Vec::new(),
        external_urls: album_urls,
        href: links.v1_item("albums", &album_id),
        uri: album_uri,
        id: album_id,
        images: Vec::new(),
        name: t.album.to_string(),
        release_date_precision: date_precision(&release_date).into(),
        release_date: release_date.to_string(),
        kind: "album".into(),
        artists: artists.clone(),
    };
    TrackObject {
        album,
        artists,
        available_markets: Vec::new(),
        disc_number: 1,
        duration_ms: t.duration_ms.unwrap_or(0),
        explicit: t.explicit.unwrap_or(false),
        external_ids: BTreeMap::new(),
        external_urls: spotify_url("track", &t.id),
        href: links.v1_item("tracks", &t.id),
        id: t.id.to_string(),
        is_local: false,
        name: t.name.to_string(),
        popularity: t
            .popularity
            .map(|p| p.round().clamp(0.0, 100.0) as u32)
            .unwrap_or(0),
        preview_url: None,
        track_number: 0,
        kind: "track".into(),
        uri: concat(&["spotify:track:", &t.id]),
    }
}

/// A catalog track's audio features as Spotify's `AudioFeaturesObject`.
pub fn audio_features_object(t: &Track, links: &Links) -> AudioFeaturesObject {
    let f = &t.features;
    let mut missing = Vec::new();
    let mut float = |name: &str, v: Option<f32>| {
        v.filter(|x| x.is_finite()).unwrap_or_else(|| {
            missing.push(name.to_string());
            0.0
        })
    };
    let acousticness = float("acousticness", f.acousticness.get());
    let danceability = float("danceability", f.danceability.get());
    let energy = float("energy", f.energy.get());
    let instrumentalness = float("instrumentalness", f.instrumentalness.get());
    let liveness = float("liveness", f.liveness.get());
    let loudness = float("loudness", f.loudness.get());
    let speechiness = float("speechiness", f.speechiness.get());
    let tempo = float("tempo", f.tempo.get());
    let valence = float("valence", f.valence.get());
    let mut int = |name: &str, v: Option<u8>, placeholder: i32| {
        v.map(i32::from).unwrap_or_else(|| {
            missing.push(name.to_string());
            placeholder
        })
    };
    let key = int("key", f.key, -1);
    let mode = int("mode", f.mode, -1);
    let time_signature = int("time_signature", f.time_signature, 4);
    let duration_ms = t.duration_ms.unwrap_or_else(|| {
        missing.push("duration_ms".into());
        0
    });
    missing.sort();
    AudioFeaturesObject {
        acousticness,
        analysis_url: links.v1(&format!("audio-analysis/{}", t.id)),
        danceability,
        duration_ms,
        energy,
        id: t.id.to_string(),
        instrumentalness,
        key,
        liveness,
        loudness,
        mode,
        speechiness,
        tempo,
        time_signature,
        track_href: links.v1(&format!("tracks/{}", t.id)),
        kind: "audio_features".into(),
        uri: t.spotify_uri(),
        valence,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;
    use serde_json::json;

    fn track() -> Track {
        Track {
            id: "4u7EnebtmKWzUH433cf5Qv".into(),
            name: "Bohemian Rhapsody".into(),
            artists: vec!["Queen".into()],
            album: "A Night at the Opera".into(),
            album_id: Some("1GbtB4zTqAsyfZEsm1RZfx".into()),
            release_date: Some("1975-11-21".into()),
            year: Some(1975),
            popularity: Some(76.6),
            duration_ms: Some(354_947),
            features: AudioFeatures {
                danceability: Some(0.392).into(),
                energy: Some(0.402).into(),
                key: Some(0),
                loudness: Some(-9.961).into(),
                mode: Some(0),
                speechiness: Some(0.0536).into(),
                acousticness: Some(0.288).into(),
                instrumentalness: Some(0.0).into(),
                liveness: Some(0.243).into(),
                valence: Some(0.228).into(),
                tempo: None.into(),
                time_signature: None,
            },
            ..Track::default()
        }
    }

    #[test]
    fn tracks_take_spotify_shape() {
        let links = Links::new("http://127.0.0.1:3000/");
        let v = serde_json::to_value(track_object(&track(), 12, &links)).unwrap();
        assert_eq!(v["id"], "4u7EnebtmKWzUH433cf5Qv");
        assert_eq!(v["type"], "track");
        assert_eq!(v["uri"], "spotify:track:4u7EnebtmKWzUH433cf5Qv");
        assert_eq!(
            v["href"],
            "http://127.0.0.1:3000/v1/tracks/4u7EnebtmKWzUH433cf5Qv"
        );
        assert_eq!(
            v["external_urls"],
            json!({"spotify": "https://open.spotify.com/track/4u7EnebtmKWzUH433cf5Qv"})
        );
        assert_eq!(v["popularity"], 77);
        assert_eq!(v["duration_ms"], 354_947);
        assert_eq!(v["explicit"], false);
        assert_eq!(v["preview_url"], serde_json::Value::Null);
        assert_eq!(v["album"]["id"], "1GbtB4zTqAsyfZEsm1RZfx");
        assert_eq!(v["album"]["total_tracks"], 12);
        assert_eq!(v["album"]["release_date"], "1975-11-21");
        assert_eq!(v["album"]["release_date_precision"], "day");
        assert_eq!(v["album"]["uri"], "spotify:album:1GbtB4zTqAsyfZEsm1RZfx");
        assert_eq!(v["artists"][0]["name"], "Queen");
        // The data set has no artist ids: Selecta's own, marked by its URI, with no link.
        let own = format!("selecta:artist:{}", artist_id("Queen"));
        assert_eq!(v["artists"][0]["id"], artist_id("Queen").as_str());
        assert_eq!(v["artists"][0]["uri"], own.as_str());
        assert_eq!(v["artists"][0]["external_urls"], json!({}));
        // With the real id (a layout that has them, or a lookup), Spotify's.
        let mut with_ids = track();
        with_ids.artist_ids = vec!["1dfeR4HaWDbWqFHLkxsg1d".into()];
        let v = serde_json::to_value(track_object(&with_ids, 12, &links)).unwrap();
        assert_eq!(v["artists"][0]["id"], "1dfeR4HaWDbWqFHLkxsg1d");
        assert_eq!(
            v["artists"][0]["uri"],
            "spotify:artist:1dfeR4HaWDbWqFHLkxsg1d"
        );
        assert_eq!(
            v["artists"][0]["external_urls"]["spotify"],
            "https://open.spotify.com/artist/1dfeR4HaWDbWqFHLkxsg1d"
        );
    }

    #[test]
    fn audio_features_fill_and_list_missing_values() {
        let links = Links::new("http://h");
        let v = serde_json::to_value(audio_features_object(&track(), &links)).unwrap();
        assert_eq!(v["type"], "audio_features");
        assert_eq!(v["danceability"], json!(0.392f32));
        assert_eq!(v["key"], 0);
        assert_eq!(v["mode"], 0);
        assert_eq!(
            v["tempo"], 0.0,
            "a failed analysis is 0, as Spotify sent it"
        );
        assert_eq!(v["time_signature"], 4);
        assert_eq!(v["missing"], json!(["tempo", "time_signature"]));
        assert_eq!(v["track_href"], "http://h/v1/tracks/4u7EnebtmKWzUH433cf5Qv");

        let mut complete = track();
        complete.features.tempo = Some(143.9).into();
        complete.features.time_signature = Some(3);
        let v = serde_json::to_value(audio_features_object(&complete, &links)).unwrap();
        assert!(
            v.get("missing").is_none(),
            "no extension field when nothing is missing"
        );
        assert_eq!(v["time_signature"], 3);
    }

    #[test]
    fn dates_give_their_precision() {
        assert_eq!(date_precision("1975"), "year");
        assert_eq!(date_precision("1975-11"), "month");
        assert_eq!(date_precision("1975-11-21"), "day");
    }
}
