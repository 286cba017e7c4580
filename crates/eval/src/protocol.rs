//! The playlist-continuation protocols: which playlists are scored, which seeds they give,
//! which tracks they hide, and what the model may know while scoring them.
//!
//! For every playlist with at least [`MIN_TRACKS`] distinct catalog tracks, its tracks are
//! shuffled (fixed seed, one stream per playlist); the first half are the seeds, the rest are
//! hidden and the recommender is asked for as many tracks as are hidden.
//!
//! - **seed protocol**: genre labels as the catalog has them (from every playlist, the scored
//!   one included: this is how the seed's features worked). Every qualifying playlist is
//!   scored; the playlists are dealt into folds and each fold is scored by a model fitted with
//!   the playlists of the other folds only, so no co-occurrence or learned weight ever comes
//!   from a scored playlist's membership.
//! - **strict protocol**: playlists are split into training and test (`split_seed`); a track's
//!   genre labels come only from training playlists, else from its artists' tracks in training
//!   playlists, else it has none; the model is fitted with the training playlists only and only
//!   test playlists are scored.

use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

pub use selecta_model::learn::tasks::{
    deal, playlist_tracks, restricted_catalog, rng_for, tasks, Task, MIN_TRACKS,
};

/// An evaluation protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Catalog labels as they are; every playlist scored, by models fitted on the other folds.
    Seed,
    /// Labels from training playlists only; test playlists scored.
    Strict,
}

impl Protocol {
    /// The protocol's name.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Seed => "seed",
            Protocol::Strict => "strict",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown protocol name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol '{0}' (expected seed, strict or both)")]
pub struct UnknownProtocol(pub String);

/// A `--protocol` value: one protocol or both.
pub fn parse_protocols(s: &str) -> Result<Vec<Protocol>, UnknownProtocol> {
    match s.trim().to_ascii_lowercase().as_str() {
        "both" => Ok(vec![Protocol::Seed, Protocol::Strict]),
        other => other
            .parse::<Protocol>()
            .map(|p| vec![p])
            .map_err(|_| UnknownProtocol(s.to_owned())),
    }
}

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "seed" => Ok(Protocol::Seed),
            "strict" => Ok(Protocol::Strict),
            _ => Err(UnknownProtocol(s.to_owned())),
        }
    }
}

/// The test playlists of the strict protocol: a share `test_share` of them (rounded, at least
/// one), chosen with `split_seed`. Returns one flag per playlist (true: test).
pub fn split(playlists: usize, test_share: f64, split_seed: u64) -> Vec<bool> {
    let mut order: Vec<usize> = (0..playlists).collect();
    order.shuffle(&mut rng_for(split_seed, u64::MAX - 1));
    let n_test = ((playlists as f64 * test_share).round() as usize).clamp(1, playlists.max(1));
    let mut test = vec![false; playlists];
    for &p in order.iter().take(n_test.min(playlists)) {
        test[p] = true;
    }
    test
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_folds_are_balanced() {
        let s = split(471, 0.2, 1);
        assert_eq!(s.iter().filter(|&&t| t).count(), 94);
        assert_ne!(s, split(471, 0.2, 2));
        let d = deal(10, 3, 5);
        let sizes: Vec<usize> = (0..3)
            .map(|g| d.iter().filter(|&&x| x == g).count())
            .collect();
        assert_eq!(sizes, [4, 3, 3]);
        assert_eq!(
            parse_protocols("Both").unwrap(),
            [Protocol::Seed, Protocol::Strict]
        );
        assert_eq!(parse_protocols("strict").unwrap(), [Protocol::Strict]);
        assert_eq!(
            parse_protocols("lenient").unwrap_err().to_string(),
            "unknown protocol 'lenient' (expected seed, strict or both)"
        );
    }
}
