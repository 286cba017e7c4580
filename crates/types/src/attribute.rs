//! Track attributes a listener can constrain (min / max / target, like Spotify's withdrawn
//! recommendations endpoint). Defined here, not in the model, so that the browser bundle knows
//! the same names and ranges the server checks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Track;

/// An attribute of a track that playlist options can filter on or aim at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Attribute {
    /// 0..1
    Acousticness,
    /// 0..1
    Danceability,
    /// Milliseconds.
    DurationMs,
    /// 0..1
    Energy,
    /// 0..1
    Instrumentalness,
    /// Pitch class 0..11.
    Key,
    /// 0..1
    Liveness,
    /// dB.
    Loudness,
    /// 0 minor, 1 major.
    Mode,
    /// 0..100
    Popularity,
    /// 0..1
    Speechiness,
    /// BPM.
    Tempo,
    /// Beats per bar.
    TimeSignature,
    /// 0..1, musical positiveness.
    Valence,
    /// Release year.
    Year,
}

impl Attribute {
    /// Every attribute.
    pub const ALL: [Attribute; 15] = [
        Attribute::Acousticness,
        Attribute::Danceability,
        Attribute::DurationMs,
        Attribute::Energy,
        Attribute::Instrumentalness,
        Attribute::Key,
        Attribute::Liveness,
        Attribute::Loudness,
        Attribute::Mode,
        Attribute::Popularity,
        Attribute::Speechiness,
        Attribute::Tempo,
        Attribute::TimeSignature,
        Attribute::Valence,
        Attribute::Year,
    ];

    /// The attribute's name, as in Spotify's API (`duration_ms`) and [`AUDIO_FEATURE_NAMES`].
    ///
    /// [`AUDIO_FEATURE_NAMES`]: crate::AUDIO_FEATURE_NAMES
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Acousticness => "acousticness",
            Attribute::Danceability => "danceability",
            Attribute::DurationMs => "duration_ms",
            Attribute::Energy => "energy",
            Attribute::Instrumentalness => "instrumentalness",
            Attribute::Key => "key",
            Attribute::Liveness => "liveness",
            Attribute::Loudness => "loudness",
            Attribute::Mode => "mode",
            Attribute::Popularity => "popularity",
            Attribute::Speechiness => "speechiness",
            Attribute::Tempo => "tempo",
            Attribute::TimeSignature => "time_signature",
            Attribute::Valence => "valence",
            Attribute::Year => "year",
        }
    }

    /// The attribute in words a listener understands.
    pub fn words(self) -> &'static str {
        match self {
            Attribute::DurationMs => "length",
            Attribute::TimeSignature => "time signature",
            Attribute::Valence => "mood",
            Attribute::Year => "release year",
            other => other.name(),
        }
    }

    /// The attribute's value for a track.
    pub fn value(self, t: &Track) -> Option<f32> {
        // Field by field rather than `AudioFeatures::get(name)`: this runs for every
        // candidate of every playlist, and comparing names costs more than the rest.
        let f = &t.features;
        let v = match self {
            Attribute::Acousticness => f.acousticness.get(),
            Attribute::Danceability => f.danceability.get(),
            Attribute::DurationMs => t.duration_ms.map(|d| d as f32),
            Attribute::Energy => f.energy.get(),
            Attribute::Instrumentalness => f.instrumentalness.get(),
            Attribute::Key => f.key.map(f32::from),
            Attribute::Liveness => f.liveness.get(),
            Attribute::Loudness => f.loudness.get(),
            Attribute::Mode => f.mode.map(f32::from),
            Attribute::Popularity => t.popularity,
            Attribute::Speechiness => f.speechiness.get(),
            Attribute::Tempo => f.tempo.get(),
            Attribute::TimeSignature => f.time_signature.map(f32::from),
            Attribute::Valence => f.valence.get(),
            Attribute::Year => t.year.map(f32::from),
        };
        v.filter(|x| x.is_finite())
    }

    /// The values the attribute can take, for validating options.
    pub fn domain(self) -> (f32, f32) {
        match self {
            Attribute::DurationMs => (0.0, 24.0 * 3600.0 * 1000.0),
            Attribute::Key => (0.0, 11.0),
            Attribute::Loudness => (-100.0, 20.0),
            Attribute::Popularity => (0.0, 100.0),
            Attribute::Tempo => (0.0, 400.0),
            Attribute::TimeSignature => (1.0, 16.0),
            Attribute::Year => (1000.0, 3000.0),
            _ => (0.0, 1.0),
        }
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown attribute name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown attribute '{0}' (expected one of: {list})", list = Attribute::ALL.map(Attribute::name).join(", "))]
pub struct UnknownAttribute(pub String);

impl FromStr for Attribute {
    type Err = UnknownAttribute;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let alias = match norm.as_str() {
            "duration" | "length" => "duration_ms",
            "mood" => "valence",
            "bpm" => "tempo",
            other => other,
        };
        Attribute::ALL
            .into_iter()
            .find(|a| a.name() == alias)
            .ok_or_else(|| UnknownAttribute(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_aliases() {
        assert_eq!("energy".parse::<Attribute>().unwrap(), Attribute::Energy);
        assert_eq!(
            "Duration".parse::<Attribute>().unwrap(),
            Attribute::DurationMs
        );
        assert_eq!(
            "time-signature".parse::<Attribute>().unwrap(),
            Attribute::TimeSignature
        );
        assert_eq!("mood".parse::<Attribute>().unwrap(), Attribute::Valence);
        let err = "loudnes".parse::<Attribute>().unwrap_err().to_string();
        assert!(
            err.contains("'loudnes'") && err.contains("loudness"),
            "{err}"
        );
        for a in Attribute::ALL {
            assert_eq!(a.name().parse::<Attribute>().unwrap(), a);
        }
    }

    #[test]
    fn values_are_the_named_fields() {
        // Every audio feature distinct, so a swapped field shows.
        let features = crate::AudioFeatures {
            danceability: Some(0.1).into(),
            energy: Some(0.2).into(),
            key: Some(3),
            loudness: Some(-4.0).into(),
            mode: Some(1),
            speechiness: Some(0.6).into(),
            acousticness: Some(0.7).into(),
            instrumentalness: Some(0.8).into(),
            liveness: Some(0.9).into(),
            valence: Some(0.15).into(),
            tempo: Some(111.0).into(),
            time_signature: Some(4),
        };
        let t = Track {
            features,
            popularity: Some(42.0),
            duration_ms: Some(200_000),
            year: Some(1999),
            ..Track::default()
        };
        for a in Attribute::ALL {
            let expected = match a {
                Attribute::Popularity => Some(42.0),
                Attribute::DurationMs => Some(200_000.0),
                Attribute::Year => Some(1999.0),
                _ => t.features.get(a.name()),
            };
            assert!(expected.is_some(), "{a:?}");
            assert_eq!(a.value(&t), expected, "{a:?}");
        }
    }
}
