//! The seed's storage layout: `tracks/<genre>/<artist_track>/meta.json`, one `TrackMeta`
//! (with a nested `TrackDetails`) per track, from a local folder or from object-store objects.

use selecta_types::{Text, Track};
use serde::{Deserialize, Serialize};

use crate::error::{Format, Problem, ProblemKind};
use crate::spotify::looks_like_spotify_id;
use crate::values::{self, Spec};

/// Spotify's per-track details, nested in [`TrackMeta`] (the seed's `TrackDetails`).
/// Every field is optional; fields this version does not know (the seed's post-processed
/// segment/section/beat statistics) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackDetails {
    /// 0..100
    pub popularity: Option<f64>,
    /// Explicit lyrics.
    pub explicit: Option<bool>,
    /// Length in ms, > 0.
    pub duration_ms: Option<f64>,
    /// 0..1
    pub danceability: Option<f64>,
    /// 0..1
    pub energy: Option<f64>,
    /// Pitch class 0..11, -1 unknown.
    pub key: Option<f64>,
    /// dB
    pub loudness: Option<f64>,
    /// 0 minor, 1 major.
    pub mode: Option<f64>,
    /// 0..1
    pub speechiness: Option<f64>,
    /// 0..1
    pub acousticness: Option<f64>,
    /// 0..1
    pub instrumentalness: Option<f64>,
    /// 0..1
    pub liveness: Option<f64>,
    /// 0..1
    pub valence: Option<f64>,
    /// BPM, 0 = analysis failed.
    pub tempo: Option<f64>,
    /// Beats per bar, 0 = unknown.
    pub time_signature: Option<f64>,
}

impl TrackDetails {
    /// The audio features in `AUDIO_FEATURE_NAMES` order.
    fn features(&self) -> [Option<f64>; 12] {
        [
            self.danceability,
            self.energy,
            self.key,
            self.loudness,
            self.mode,
            self.speechiness,
            self.acousticness,
            self.instrumentalness,
            self.liveness,
            self.valence,
            self.tempo,
            self.time_signature,
        ]
    }
}

/// A track's `meta.json` (the seed's pydantic `TrackMeta`, same field names and defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackMeta {
    /// Album title.
    pub album_name: Option<String>,
    /// Spotify album id.
    pub album_id: Option<String>,
    /// `YYYY-MM-DD` (`YYYY` and `YYYY-MM` are accepted too).
    pub album_release_date: Option<String>,
    /// Artists, main artist first.
    pub artist_name: Vec<String>,
    /// Spotify artist ids.
    pub artist_id: Vec<String>,
    /// Spotify track id (`unknown` when the seed did not know it: refused).
    pub track_id: String,
    /// Title.
    pub track_name: String,
    /// Genres (`["unknown"]` by default: dropped).
    pub genres: Vec<String>,
    /// Audio features and popularity.
    pub track_details: TrackDetails,
}

impl Default for TrackMeta {
    fn default() -> Self {
        TrackMeta {
            album_name: None,
            album_id: None,
            album_release_date: None,
            artist_name: Vec::new(),
            artist_id: Vec::new(),
            track_id: "unknown".into(),
            track_name: "unknown".into(),
            genres: vec!["unknown".into()],
            track_details: TrackDetails::default(),
        }
    }
}

/// True for object keys the meta loader reads (`.../meta.json`).
pub(crate) fn is_meta_key(key: &str) -> bool {
    key.rsplit(['/', '\\']).next() == Some("meta.json")
}

/// The genre folder of `.../tracks/<genre>/<artist_track>/meta.json`, if the key has that shape.
pub(crate) fn genre_from_key(key: &str) -> Option<&str> {
    let parts: Vec<&str> = key.split(['/', '\\']).collect();
    let n = parts.len();
    (n >= 4 && parts[n - 4] == "tracks" && !parts[n - 3].is_empty()).then(|| parts[n - 3])
}

/// The line of a (nested) key in JSON text, to point at a bad value.
fn key_line(text: &[u8], path: &[&str]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let mut pos = 0;
    for key in path {
        let quoted = format!("\"{key}\"");
        let found = text[pos..].match_indices(&quoted).find(|(at, _)| {
            text[pos + at + quoted.len()..]
                .trim_start()
                .starts_with(':')
        })?;
        pos += found.0;
    }
    Some(text[..pos].matches('\n').count() as u64 + 1)
}

/// Parses and checks one `meta.json` object into a track (with its genres).
pub(crate) fn parse_meta(key: &str, bytes: &[u8]) -> Result<Track, Vec<Problem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let problem = |line: Option<u64>, column: Option<&str>, value: Option<String>, kind| Problem {
        file: key.to_string(),
        line,
        column: column.map(str::to_string),
        value,
        kind,
        format: Format::Json,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        let kind = ProblemKind::BadJson("the file is empty".into());
        return Err(vec![problem(Some(1), None, None, kind)]);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, TrackMeta>(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner()))
        // Text after the object (two objects pasted together) is an error too.
        .and_then(|m| de.end().map(|_| m).map_err(|e| (String::new(), e)));
    let meta = match parsed {
        Ok(m) => m,
        Err((path, inner)) => {
            let line = Some(inner.line() as u64);
            let msg = inner.to_string();
            // serde_json appends " at line L column C"; the line is reported separately.
            let msg = msg
                .rsplit_once(" at line ")
                .map_or(msg.as_str(), |(m, _)| m)
                .to_string();
            let (column, kind) = if inner.is_data() {
                let column = (!path.is_empty() && path != ".").then_some(path.as_str());
                (column, ProblemKind::WrongType(msg))
            } else {
                (None, ProblemKind::BadJson(msg))
            };
            return Err(vec![problem(line, column, None, kind)]);
        }
    };

    let mut problems = Vec::new();
    let at = |path: &[&str]| key_line(bytes, path);
    let track_id = meta.track_id.trim().to_string();
    if track_id.is_empty() || track_id == "unknown" {
        let value = (!track_id.is_empty()).then(|| track_id.clone());
        problems.push(problem(
            at(&["track_id"]),
            Some("track_id"),
            value,
            ProblemKind::Empty,
        ));
    }
    let (mut release_date, mut year) = (None, None);
    if let Some(raw) = &meta.album_release_date {
        match values::parse_date(raw) {
            Ok(y) => (release_date, year) = (y.map(|_| raw.trim().to_string()), y),
            Err(kind) => problems.push(problem(
                at(&["album_release_date"]),
                Some("album_release_date"),
                Some(raw.clone()),
                kind,
            )),
        }
    }
    let d = &meta.track_details;
    let mut check = |name: &str, v: Option<f64>, spec: Spec| -> Option<f64> {
        let v = v?;
        values::check_number(v, spec)
            .map_err(|kind| {
                let column = format!("track_details.{name}");
                let line = at(&["track_details", name]);
                problems.push(problem(line, Some(&column), Some(v.to_string()), kind));
            })
            .ok()
    };
    let popularity = check("popularity", d.popularity, values::POPULARITY);
    let duration_ms = check("duration_ms", d.duration_ms, values::DURATION_MS);
    let mut features = [None; 12];
    for (i, (v, spec)) in d
        .features()
        .into_iter()
        .zip(values::FEATURE_SPECS)
        .enumerate()
    {
        features[i] = check(selecta_types::AUDIO_FEATURE_NAMES[i], v, spec);
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut genres: Vec<Text> = Vec::new();
    let from_path = genre_from_key(key).map(str::to_string);
    for g in from_path
        .into_iter()
        .chain(meta.genres.iter().map(|g| g.trim().to_string()))
    {
        let g = Text::from(g);
        if !g.is_empty() && g != "unknown" && !genres.contains(&g) {
            genres.push(g);
        }
    }
    let artists: Vec<Text> = meta
        .artist_name
        .iter()
        .map(|a| Text::from(a.trim()))
        .filter(|a| !a.is_empty())
        .collect();
    // The ids are kept only when they pair one to one with the names, as in the CSV layouts.
    let artist_ids: Vec<Text> = meta
        .artist_id
        .iter()
        .map(|a| Text::from(a.trim()))
        .collect();
    let artist_ids = if artist_ids.len() == artists.len()
        && meta.artist_name.len() == artists.len()
        && artist_ids.iter().all(|a| looks_like_spotify_id(a))
    {
        artist_ids
    } else {
        Vec::new()
    };
    Ok(Track {
        id: track_id.into(),
        name: meta.track_name.trim().to_string().into(),
        artists,
        artist_ids,
        isrc: None,
        album: meta
            .album_name
            .unwrap_or_default()
            .trim()
            .to_string()
            .into(),
        album_id: (meta.album_id.filter(|a| !a.trim().is_empty())).map(Into::into),
        release_date: release_date.map(Into::into),
        year,
        popularity: popularity.map(|p| p as f32),
        duration_ms: duration_ms.map(|d| d as u32),
        explicit: d.explicit,
        genres,
        subgenres: Vec::new(),
        features: values::audio_features(&features),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
  "album_name": "No.6 Collaborations Project",
  "album_id": "3oIFxDIo2fwuk4lwCmFZCx",
  "album_release_date": "2019-07-12",
  "artist_name": ["Ed Sheeran", "Justin Bieber"],
  "artist_id": ["6eUKZXaKkcviH0Ku9w2n3V", "1uNFoZAHBGtllmzznpCI3s"],
  "track_id": "0hVXuCcriWRGvwMV1r5Yn9",
  "track_name": "I Don't Care (with Justin Bieber)",
  "genres": ["pop", "dance pop"],
  "track_details": {"popularity": 84, "danceability": 0.798, "energy": 0.675, "key": 6,
    "loudness": -5.041, "mode": 1, "tempo": 101.956, "duration_ms": 219947,
    "num_segments": 812}
}"#;

    #[test]
    fn reads_the_seed_model() {
        let t = parse_meta(
            "s3/tracks/pop/I_Dont_CareEd_Sheeran/meta.json",
            GOOD.as_bytes(),
        )
        .unwrap();
        assert_eq!(t.id, "0hVXuCcriWRGvwMV1r5Yn9");
        assert_eq!(t.artists, ["Ed Sheeran", "Justin Bieber"]);
        assert_eq!(
            t.artist_ids,
            ["6eUKZXaKkcviH0Ku9w2n3V", "1uNFoZAHBGtllmzznpCI3s"]
        );
        assert_eq!(t.year, Some(2019));
        assert_eq!(t.popularity, Some(84.0));
        assert_eq!(t.duration_ms, Some(219_947));
        assert_eq!(t.features.key, Some(6));
        assert_eq!(t.features.valence.get(), None);
        assert_eq!(t.genres, ["pop", "dance pop"]);
    }

    #[test]
    fn defaults_follow_the_pydantic_model() {
        let m: TrackMeta = serde_json::from_str("{}").unwrap();
        assert_eq!(m.track_id, "unknown");
        assert_eq!(m.genres, ["unknown"]);
        let errs = parse_meta("tracks/rock/x/meta.json", b"{}").unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "tracks/rock/x/meta.json: field `track_id`: value `unknown` is empty, but a value is required"
        );
        let t = parse_meta("x/meta.json", br#"{"track_id": "abc"}"#).unwrap();
        assert!(t.genres.is_empty());
    }

    #[test]
    fn bad_values_name_field_line_and_value() {
        let text = GOOD.replace("\"energy\": 0.675", "\"energy\": 1.675");
        let errs = parse_meta("m/meta.json", text.as_bytes()).unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "m/meta.json:10: field `track_details.energy`: value `1.675` is out of range (allowed: 0 to 1)"
        );
        let text = GOOD.replace("\"tempo\": 101.956", "\"tempo\": \"fast\"");
        let errs = parse_meta("m/meta.json", text.as_bytes()).unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "m/meta.json:11: field `track_details.tempo`: invalid type: string \"fast\", expected f64"
        );
        let text = GOOD.replace("2019-07-12", "12.07.2019");
        let errs = parse_meta("m/meta.json", text.as_bytes()).unwrap_err();
        assert_eq!(errs[0].line, Some(4));
        assert_eq!(errs[0].value.as_deref(), Some("12.07.2019"));
    }

    #[test]
    fn broken_json_is_reported_with_its_line() {
        let errs = parse_meta("m/meta.json", b"{\n  \"track_id\": \"x\",\n}").unwrap_err();
        assert_eq!(errs[0].line, Some(3));
        assert!(
            errs[0]
                .to_string()
                .starts_with("m/meta.json:3: invalid JSON: trailing comma"),
            "{}",
            errs[0]
        );
        let errs = parse_meta("m/meta.json", b"").unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "m/meta.json:1: invalid JSON: the file is empty"
        );
        let errs = parse_meta("m/meta.json", b"{} x").unwrap_err();
        assert!(
            errs[0].to_string().contains("trailing characters"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn keys_and_genres_from_paths() {
        assert!(is_meta_key("tracks/pop/a/meta.json"));
        assert!(!is_meta_key("tracks/pop/a/audio.mp3"));
        assert!(!is_meta_key("tracks/pop/a/xmeta.json"));
        assert_eq!(genre_from_key("bucket/tracks/pop/a/meta.json"), Some("pop"));
        assert_eq!(genre_from_key("tracks/r&b/a/meta.json"), Some("r&b"));
        assert_eq!(genre_from_key("data/pop/a/meta.json"), None);
        assert_eq!(genre_from_key("meta.json"), None);
    }
}
