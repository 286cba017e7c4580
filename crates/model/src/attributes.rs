//! The spread of track attributes in the catalog, used to judge "close". The attributes
//! themselves ([`Attribute`]) live in `selecta-types`, shared with the browser.

use selecta_types::Track;
use serde::{Deserialize, Serialize};

pub use selecta_types::{Attribute, UnknownAttribute};

/// Mean and spread of one attribute over the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AttributeStat {
    /// Which attribute.
    pub attribute: Attribute,
    /// Mean of the known values.
    pub mean: f32,
    /// Population standard deviation of the known values; 1 when there is no spread.
    pub std: f32,
}

/// The spread of every attribute in the catalog, the scale on which "close" is judged
/// (a 5 BPM tempo gap means as much as a 0.05 energy gap only relative to their spreads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeStats {
    stats: Vec<AttributeStat>,
}

impl AttributeStats {
    /// Measures the attributes of the tracks.
    pub fn measure(tracks: &[Track]) -> Self {
        let stats = Attribute::ALL
            .into_iter()
            .map(|attribute| {
                let (mut n, mut sum) = (0usize, 0f64);
                for v in tracks.iter().filter_map(|t| attribute.value(t)) {
                    n += 1;
                    sum += f64::from(v);
                }
                let mean = if n > 0 { sum / n as f64 } else { 0.0 };
                let sq: f64 = tracks
                    .iter()
                    .filter_map(|t| attribute.value(t))
                    .map(|v| (f64::from(v) - mean).powi(2))
                    .sum();
                let std = if n > 0 { (sq / n as f64).sqrt() } else { 0.0 };
                AttributeStat {
                    attribute,
                    mean: mean as f32,
                    std: if std > 1e-9 { std as f32 } else { 1.0 },
                }
            })
            .collect();
        AttributeStats { stats }
    }

    /// The statistics of an attribute.
    pub fn get(&self, attribute: Attribute) -> AttributeStat {
        self.stats
            .iter()
            .find(|s| s.attribute == attribute)
            .copied()
            .unwrap_or(AttributeStat {
                attribute,
                mean: 0.0,
                std: 1.0,
            })
    }

    /// How far apart two values are, in standard deviations of the attribute.
    pub fn gap(&self, attribute: Attribute, a: f32, b: f32) -> f32 {
        (a - b).abs() / self.get(attribute).std
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;

    #[test]
    fn measures_spread_of_known_values() {
        let t = |tempo: Option<f32>| Track {
            features: AudioFeatures {
                tempo: tempo.into(),
                ..AudioFeatures::default()
            },
            duration_ms: Some(1000),
            ..Track::default()
        };
        // Tempo 100, 120, missing: mean 110, population std 10.
        let stats = AttributeStats::measure(&[t(Some(100.0)), t(Some(120.0)), t(None)]);
        let s = stats.get(Attribute::Tempo);
        assert_eq!((s.mean, s.std), (110.0, 10.0));
        assert_eq!(stats.gap(Attribute::Tempo, 100.0, 125.0), 2.5);
        // No spread: std 1 so that gaps stay finite.
        assert_eq!(stats.get(Attribute::DurationMs).std, 1.0);
        assert_eq!(stats.get(Attribute::Energy).std, 1.0);
    }
}
