//! Turning a track into a raw feature vector: numeric columns mean-imputed and standardised,
//! genres and subgenres multi-hot, every column multiplied by a weight.
//!
//! Fitting ([`EncoderParams::fit`]) learns the imputation means, the standard deviations and
//! the genre vocabularies from a catalog; the fitted value ([`FittedEncoder`]) holds all of it,
//! so that a track seen later (a seed from outside the catalog) is encoded the same way.

use std::collections::BTreeSet;
use std::f64::consts::PI;

use selecta_types::{Text, Track};
use serde::{Deserialize, Serialize};

use crate::error::FitError;
use crate::params::{EncoderParams, NumericColumn};

impl NumericColumn {
    /// The column's value for a track, `None` when missing (or not finite).
    pub fn value(self, t: &Track) -> Option<f64> {
        let f = &t.features;
        let v = match self {
            NumericColumn::Danceability => f.danceability.get().map(f64::from),
            NumericColumn::Energy => f.energy.get().map(f64::from),
            NumericColumn::KeyCos => f.key.map(|k| fifths_angle(k).cos()),
            NumericColumn::KeySin => f.key.map(|k| fifths_angle(k).sin()),
            NumericColumn::Loudness => f.loudness.get().map(f64::from),
            NumericColumn::Mode => f.mode.map(f64::from),
            NumericColumn::Speechiness => f.speechiness.get().map(f64::from),
            NumericColumn::Acousticness => f.acousticness.get().map(f64::from),
            NumericColumn::Instrumentalness => f.instrumentalness.get().map(f64::from),
            NumericColumn::Liveness => f.liveness.get().map(f64::from),
            NumericColumn::Valence => f.valence.get().map(f64::from),
            NumericColumn::Tempo => f.tempo.get().map(f64::from),
            NumericColumn::TimeSignature => f.time_signature.map(f64::from),
            NumericColumn::Popularity => t.popularity.map(f64::from),
            NumericColumn::Duration => t.duration_ms.map(f64::from),
            NumericColumn::Year => t.year.map(f64::from),
        };
        v.filter(|x| x.is_finite())
    }
}

/// The angle of a pitch class on the circle of fifths (C at 0, G one twelfth of a turn away).
fn fifths_angle(key: u8) -> f64 {
    let position = (u32::from(key % 12) * 7) % 12;
    2.0 * PI * f64::from(position) / 12.0
}

/// What the encoder learned about one numeric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    /// Which column.
    pub column: NumericColumn,
    /// Mean of the observed values (used to impute missing ones); 0 when none was observed.
    pub mean: f64,
    /// Standard deviation after imputation (population, like scikit-learn's `StandardScaler`);
    /// 1 when the column is constant, so that it encodes as 0 instead of dividing by zero.
    pub std: f64,
    /// How many tracks had a value.
    pub observed: usize,
    /// Weight applied after standardisation.
    pub weight: f32,
}

/// The fitted encoder: everything needed to encode a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedEncoder {
    /// Numeric columns, in vector order.
    pub numeric: Vec<ColumnStats>,
    /// Genre vocabulary (sorted); one multi-hot column each, after the numeric columns.
    pub genres: Vec<String>,
    /// Subgenre vocabulary (sorted); one column each, after the genre columns.
    pub subgenres: Vec<String>,
    /// Weight of a genre column.
    pub genre_weight: f32,
    /// Weight of a subgenre column.
    pub subgenre_weight: f32,
}

impl EncoderParams {
    /// Learns means, standard deviations and vocabularies from the tracks.
    pub fn fit(&self, tracks: &[Track]) -> Result<FittedEncoder, FitError> {
        self.weights.check()?;
        if tracks.is_empty() {
            return Err(FitError::EmptyCatalog);
        }
        let n = tracks.len() as f64;
        let mut sums = [0.0f64; NumericColumn::ALL.len()];
        let mut counts = [0usize; NumericColumn::ALL.len()];
        let mut genres = BTreeSet::new();
        let mut subgenres = BTreeSet::new();
        for t in tracks {
            for (j, c) in NumericColumn::ALL.iter().enumerate() {
                if let Some(v) = c.value(t) {
                    sums[j] += v;
                    counts[j] += 1;
                }
            }
            genres.extend(t.genres.iter().map(|g| g.as_str()));
            subgenres.extend(t.subgenres.iter().map(|s| s.as_str()));
        }
        let means: Vec<f64> = (0..sums.len())
            .map(|j| {
                if counts[j] > 0 {
                    sums[j] / counts[j] as f64
                } else {
                    0.0
                }
            })
            .collect();
        // Second pass for the variance: numerically safer than sum of squares on raw
        // values such as durations in milliseconds. Imputed values add nothing to it.
        let mut sq = [0.0f64; NumericColumn::ALL.len()];
        for t in tracks {
            for (j, c) in NumericColumn::ALL.iter().enumerate() {
                if let Some(v) = c.value(t) {
                    sq[j] += (v - means[j]).powi(2);
                }
            }
        }
        let numeric = NumericColumn::ALL
            .iter()
            .enumerate()
            .map(|(j, &column)| {
                let std = (sq[j] / n).sqrt();
                ColumnStats {
                    column,
                    mean: means[j],
                    std: if std > 1e-12 { std } else { 1.0 },
                    observed: counts[j],
                    weight: self.weights.numeric(column),
                }
            })
            .collect();
        Ok(FittedEncoder {
            numeric,
            genres: genres.into_iter().map(str::to_owned).collect(),
            subgenres: subgenres.into_iter().map(str::to_owned).collect(),
            genre_weight: self.weights.genre,
            subgenre_weight: self.weights.subgenre,
        })
    }
}

impl FittedEncoder {
    /// Length of the raw feature vector.
    pub fn dim(&self) -> usize {
        self.numeric.len() + self.genres.len() + self.subgenres.len()
    }

    /// The names of the raw columns, in order (`genre:pop`, `subgenre:dance pop` for the
    /// multi-hot ones).
    pub fn column_names(&self) -> Vec<String> {
        self.numeric
            .iter()
            .map(|c| c.column.name().to_owned())
            .chain(self.genres.iter().map(|g| format!("genre:{g}")))
            .chain(self.subgenres.iter().map(|g| format!("subgenre:{g}")))
            .collect()
    }

    /// Encodes a track into `out` (length [`dim`](Self::dim)). Genres outside the vocabulary
    /// are ignored: they were never seen, so they cannot bring a track closer to anything.
    pub fn encode_into(&self, t: &Track, out: &mut [f64]) {
        assert_eq!(out.len(), self.dim(), "output slice has the wrong length");
        let (num, rest) = out.split_at_mut(self.numeric.len());
        for (o, c) in num.iter_mut().zip(&self.numeric) {
            let v = c.column.value(t).unwrap_or(c.mean);
            *o = (v - c.mean) / c.std * f64::from(c.weight);
        }
        let (gen, sub) = rest.split_at_mut(self.genres.len());
        multi_hot(&self.genres, &t.genres, self.genre_weight, gen);
        multi_hot(&self.subgenres, &t.subgenres, self.subgenre_weight, sub);
    }

    /// Encodes a track into a new vector.
    pub fn encode(&self, t: &Track) -> Vec<f64> {
        let mut out = vec![0.0; self.dim()];
        self.encode_into(t, &mut out);
        out
    }

    /// The statistics of a numeric column.
    pub fn stats(&self, column: NumericColumn) -> Option<&ColumnStats> {
        self.numeric.iter().find(|c| c.column == column)
    }
}

fn multi_hot(vocab: &[String], values: &[Text], weight: f32, out: &mut [f64]) {
    out.fill(0.0);
    for v in values {
        if let Ok(i) = vocab.binary_search_by(|w| w.as_str().cmp(v.as_str())) {
            out[i] = f64::from(weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::FeatureWeights;
    use selecta_types::AudioFeatures;

    fn track(energy: Option<f32>, genres: &[&str]) -> Track {
        Track {
            features: AudioFeatures {
                energy: energy.into(),
                ..AudioFeatures::default()
            },
            genres: genres.iter().map(|&g| g.into()).collect(),
            ..Track::default()
        }
    }

    fn unweighted() -> EncoderParams {
        EncoderParams {
            weights: FeatureWeights {
                genre: 1.0,
                ..FeatureWeights::default()
            },
        }
    }

    #[test]
    fn imputes_the_mean_and_standardises() {
        // energy 1, missing, 3: mean 2, imputed 1 2 3, population std sqrt(2/3).
        let tracks = [
            track(Some(1.0), &[]),
            track(None, &[]),
            track(Some(3.0), &[]),
        ];
        let enc = unweighted().fit(&tracks).unwrap();
        let s = enc.stats(NumericColumn::Energy).unwrap();
        assert_eq!(s.mean, 2.0);
        assert!((s.std - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.observed, 2);
        let j = NumericColumn::ALL
            .iter()
            .position(|&c| c == NumericColumn::Energy)
            .unwrap();
        let z: Vec<f64> = tracks.iter().map(|t| enc.encode(t)[j]).collect();
        let expected = 1.0 / (2.0f64 / 3.0).sqrt();
        assert!((z[0] + expected).abs() < 1e-12);
        assert_eq!(z[1], 0.0);
        assert!((z[2] - expected).abs() < 1e-12);
    }

    #[test]
    fn never_observed_or_constant_columns_encode_as_zero() {
        let tracks = [track(Some(0.5), &[]), track(Some(0.5), &[])];
        let enc = unweighted().fit(&tracks).unwrap();
        let ts = enc.stats(NumericColumn::TimeSignature).unwrap();
        assert_eq!((ts.mean, ts.std, ts.observed), (0.0, 1.0, 0));
        assert!(enc.encode(&tracks[0]).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn genres_are_multi_hot_and_weighted() {
        let tracks = [track(None, &["rock", "pop"]), track(None, &["edm"])];
        let mut params = unweighted();
        params.weights.genre = 2.0;
        let enc = params.fit(&tracks).unwrap();
        assert_eq!(enc.genres, ["edm", "pop", "rock"]);
        let v = enc.encode(&tracks[0]);
        let g = &v[NumericColumn::ALL.len()..];
        assert_eq!(g, [0.0, 2.0, 2.0]);
        // Unknown genres add nothing.
        let v = enc.encode(&track(None, &["polka"]));
        assert!(v.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn key_sits_on_the_circle_of_fifths() {
        // C (0) and G (7) are one step apart on the circle; C and C# (1) are five steps apart.
        let d = |a: u8, b: u8| {
            let (x, y) = (fifths_angle(a), fifths_angle(b));
            ((x.cos() - y.cos()).powi(2) + (x.sin() - y.sin()).powi(2)).sqrt()
        };
        assert!(d(0, 7) < d(0, 1));
        assert!((d(0, 7) - d(11, 4)).abs() < 1e-12);
    }

    #[test]
    fn rejects_negative_weights_by_name() {
        let mut p = EncoderParams::default();
        p.weights.tempo = -1.0;
        let err = p.fit(&[track(None, &[])]).unwrap_err().to_string();
        assert!(err.contains("weights.tempo"), "{err}");
        assert!(matches!(
            EncoderParams::default().fit(&[]),
            Err(FitError::EmptyCatalog)
        ));
    }
}
