//! What a listener can ask of a playlist, and the checks that turn a bad request into an error
//! naming the parameter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attributes::Attribute;
use crate::error::GenerateError;

pub use selecta_types::{
    AttributeBounds, Order, DEFAULT_LENGTH, DEFAULT_MAX_PER_ARTIST, MAX_LENGTH, MAX_SEEDS,
};

/// Options of [`generate`](crate::generate()).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateOptions {
    /// Number of tracks, 1..=100.
    pub length: usize,
    /// Track ids never to return (for example the listener's library).
    pub exclude_ids: Vec<String>,
    /// Most tracks by one artist (`None`: no cap). A track counts for each of its artists.
    pub max_per_artist: Option<usize>,
    /// Keep one version of a song (remix, remaster, live, radio edit...) and none of a seed.
    pub collapse_versions: bool,
    /// Artists never to return (case-insensitive, any of a track's artists).
    pub block_artists: Vec<String>,
    /// "Less like these": catalog indices whose neighbourhood is penalised.
    pub negative_seeds: Vec<usize>,
    /// Min / max / target per attribute.
    pub attributes: BTreeMap<Attribute, AttributeBounds>,
    /// Track order.
    pub order: Order,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            length: DEFAULT_LENGTH,
            exclude_ids: Vec::new(),
            max_per_artist: Some(DEFAULT_MAX_PER_ARTIST),
            collapse_versions: true,
            block_artists: Vec::new(),
            negative_seeds: Vec::new(),
            attributes: BTreeMap::new(),
            order: Order::Similarity,
        }
    }
}

impl GenerateOptions {
    /// Sets the minimum of an attribute.
    pub fn with_min(mut self, attribute: Attribute, min: f32) -> Self {
        self.attributes.entry(attribute).or_default().min = Some(min);
        self
    }

    /// Sets the maximum of an attribute.
    pub fn with_max(mut self, attribute: Attribute, max: f32) -> Self {
        self.attributes.entry(attribute).or_default().max = Some(max);
        self
    }

    /// Sets the target of an attribute.
    pub fn with_target(mut self, attribute: Attribute, target: f32) -> Self {
        self.attributes.entry(attribute).or_default().target = Some(target);
        self
    }

    /// Checks every option against the catalog size; the error names the parameter.
    pub fn validate(&self, seeds: &[usize], catalog_len: usize) -> Result<(), GenerateError> {
        // "length must be ...", "seeds: index ...": the message always starts with the name.
        let bad = |param: &str, message: String| {
            let sep = if message.starts_with("must") {
                " "
            } else {
                ": "
            };
            Err(GenerateError::InvalidOption {
                param: param.to_owned(),
                message: format!("{param}{sep}{message}"),
            })
        };
        if !(1..=MAX_LENGTH).contains(&self.length) {
            return bad(
                "length",
                format!("must be 1..={MAX_LENGTH}, got {}", self.length),
            );
        }
        if !(1..=MAX_SEEDS).contains(&seeds.len()) {
            return bad(
                "seeds",
                format!("must hold 1..={MAX_SEEDS} tracks, got {}", seeds.len()),
            );
        }
        if self.negative_seeds.len() > MAX_SEEDS {
            return bad(
                "negative_seeds",
                format!(
                    "must hold at most {MAX_SEEDS} tracks, got {}",
                    self.negative_seeds.len()
                ),
            );
        }
        for (param, list) in [("seeds", seeds), ("negative_seeds", &self.negative_seeds)] {
            if let Some(&i) = list.iter().find(|&&i| i >= catalog_len) {
                return bad(
                    param,
                    format!("index {i} is out of range (the catalog has {catalog_len} tracks)"),
                );
            }
        }
        if let Some(&i) = self.negative_seeds.iter().find(|i| seeds.contains(i)) {
            return bad(
                "negative_seeds",
                format!("track {i} is also a seed; a track cannot be both"),
            );
        }
        if self.max_per_artist == Some(0) {
            return bad("max_per_artist", "must be at least 1, got 0".into());
        }
        for (&attribute, b) in &self.attributes {
            let (lo, hi) = attribute.domain();
            for (what, v) in [("min", b.min), ("max", b.max), ("target", b.target)] {
                if let Some(v) = v {
                    if !v.is_finite() || v < lo || v > hi {
                        return bad(
                            &format!("{attribute}.{what}"),
                            format!("must be in {lo}..={hi}, got {v}"),
                        );
                    }
                }
            }
            if let (Some(min), Some(max)) = (b.min, b.max) {
                if min > max {
                    return bad(
                        &attribute.to_string(),
                        format!("min {min} is above max {max}"),
                    );
                }
            }
            if let Some(t) = b.target {
                let (min, max) = (b.min.unwrap_or(lo), b.max.unwrap_or(hi));
                if t < min || t > max {
                    return bad(
                        &format!("{attribute}.target"),
                        format!("must lie within min..=max ({min}..={max}), got {t}"),
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(o: &GenerateOptions, seeds: &[usize]) -> String {
        o.validate(seeds, 100).unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_valid() {
        let o = GenerateOptions::default();
        assert_eq!(o.length, 30);
        assert_eq!(o.max_per_artist, Some(2));
        assert!(o.validate(&[0, 99], 100).is_ok());
    }

    #[test]
    fn errors_name_the_parameter_and_value() {
        let o = |f: fn(&mut GenerateOptions)| {
            let mut o = GenerateOptions::default();
            f(&mut o);
            o
        };
        assert_eq!(
            err(&o(|o| o.length = 0), &[1]),
            "length must be 1..=100, got 0"
        );
        assert_eq!(
            err(&o(|o| o.length = 101), &[1]),
            "length must be 1..=100, got 101"
        );
        assert_eq!(
            err(&GenerateOptions::default(), &[]),
            "seeds must hold 1..=50 tracks, got 0"
        );
        let many: Vec<usize> = (0..51).collect();
        assert_eq!(
            err(&GenerateOptions::default(), &many),
            "seeds must hold 1..=50 tracks, got 51"
        );
        assert_eq!(
            err(&GenerateOptions::default(), &[5, 100]),
            "seeds: index 100 is out of range (the catalog has 100 tracks)"
        );
        assert_eq!(
            err(&o(|o| o.negative_seeds = vec![3]), &[3]),
            "negative_seeds: track 3 is also a seed; a track cannot be both"
        );
        assert_eq!(
            err(&o(|o| o.max_per_artist = Some(0)), &[1]),
            "max_per_artist must be at least 1, got 0"
        );
    }

    #[test]
    fn attribute_bounds_are_checked() {
        let base = GenerateOptions::default;
        assert_eq!(
            err(&base().with_min(Attribute::Energy, 1.5), &[1]),
            "energy.min must be in 0..=1, got 1.5"
        );
        assert_eq!(
            err(&base().with_max(Attribute::Tempo, f32::NAN), &[1]),
            "tempo.max must be in 0..=400, got NaN"
        );
        assert_eq!(
            err(
                &base()
                    .with_min(Attribute::Valence, 0.8)
                    .with_max(Attribute::Valence, 0.2),
                &[1]
            ),
            "valence: min 0.8 is above max 0.2"
        );
        assert_eq!(
            err(
                &base()
                    .with_min(Attribute::Popularity, 50.0)
                    .with_target(Attribute::Popularity, 10.0),
                &[1]
            ),
            "popularity.target must lie within min..=max (50..=100), got 10"
        );
        let ok = base()
            .with_min(Attribute::Danceability, 0.2)
            .with_max(Attribute::Danceability, 0.9)
            .with_target(Attribute::Danceability, 0.5);
        assert!(ok.validate(&[1], 100).is_ok());
    }
}
