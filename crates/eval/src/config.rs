//! What an evaluation runs, and the checks that name a bad setting.

use serde::{Deserialize, Serialize};

use crate::protocol::Protocol;

/// Settings of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalConfig {
    /// Catalog tracks sampled as queries for the seed's metrics.
    pub sample: usize,
    /// Recommendations per query for the seed's metrics (the seed used 3).
    pub neighbours: usize,
    /// Seed of the query sample, the playlist shuffles and the baselines.
    pub seed: u64,
    /// Seed of the train/test split (strict) and of the folds (seed protocol).
    pub split_seed: u64,
    /// The continuation protocols to run.
    pub protocols: Vec<Protocol>,
    /// Share of the playlists held out as test playlists (strict protocol).
    pub test_share: f64,
    /// Folds of the seed protocol: each is scored by a model that never saw its playlists.
    pub folds: usize,
    /// The cap of tracks per artist passed to `generate` (`None`: no cap).
    pub max_per_artist: Option<usize>,
    /// Learn the scoring weights inside every fitted model, from the playlists that model may
    /// know (`selecta_model::learn`); `false` measures the weights as given.
    pub learn: bool,
    /// Most scored playlists whose seeds leave the catalog together in the cold-seed run: each
    /// such group gets a model fitted without its seeds (the learned weights and ranker are
    /// learned once per fold or split). 1 is the protocol exactly (every playlist's own seeds
    /// alone out of the catalog); larger is faster and takes more tracks out than a playlist's
    /// own seeds. A playlist never shares a group with one whose seeds are its hidden tracks.
    pub cold_group: usize,
    /// Seed protocol: take genre labels only from the playlists each model may know, as the
    /// strict protocol does, instead of from every playlist, the scored ones included. A
    /// scored playlist's own label then reaches neither its seeds nor its hidden tracks:
    /// what a seed known only from Spotify's track object never carries. The strict protocol
    /// always does this.
    #[serde(default)]
    pub known_labels: bool,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            sample: 2000,
            neighbours: 3,
            seed: 42,
            split_seed: 1,
            protocols: vec![Protocol::Seed, Protocol::Strict],
            test_share: 0.2,
            folds: 5,
            max_per_artist: None,
            learn: true,
            cold_group: 4,
            known_labels: false,
        }
    }
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A setting is out of range; the message names it and the value.
    #[error("{param} {message}")]
    InvalidConfig {
        /// The setting (`sample`, `folds`...).
        param: &'static str,
        /// What is wrong, with the value.
        message: String,
    },
    /// The catalog cannot be evaluated.
    #[error("cannot evaluate this catalog: {0}")]
    Catalog(String),
    /// Fitting a model failed.
    #[error("fitting a model for the evaluation failed: {0}")]
    Fit(#[from] selecta_model::FitError),
}

impl EvalConfig {
    /// Checks every setting.
    pub fn validate(&self) -> Result<(), EvalError> {
        let bad = |param, message: String| Err(EvalError::InvalidConfig { param, message });
        if self.sample == 0 {
            return bad("sample", "must be at least 1, got 0".into());
        }
        if !(1..=100).contains(&self.neighbours) {
            return bad(
                "neighbours",
                format!("must be 1..=100, got {}", self.neighbours),
            );
        }
        if !(self.test_share > 0.0 && self.test_share < 1.0) {
            return bad(
                "test_share",
                format!("must be strictly between 0 and 1, got {}", self.test_share),
            );
        }
        if !(2..=100).contains(&self.folds) {
            return bad("folds", format!("must be 2..=100, got {}", self.folds));
        }
        if self.max_per_artist == Some(0) {
            return bad("max_per_artist", "must be at least 1, got 0".into());
        }
        if self.cold_group == 0 {
            return bad("cold_group", "must be at least 1, got 0".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_named() {
        assert!(EvalConfig::default().validate().is_ok());
        let err = |f: fn(&mut EvalConfig)| {
            let mut c = EvalConfig::default();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert_eq!(err(|c| c.sample = 0), "sample must be at least 1, got 0");
        assert_eq!(err(|c| c.folds = 1), "folds must be 2..=100, got 1");
        assert_eq!(
            err(|c| c.cold_group = 0),
            "cold_group must be at least 1, got 0"
        );
        assert_eq!(
            err(|c| c.test_share = 1.0),
            "test_share must be strictly between 0 and 1, got 1"
        );
        assert_eq!(
            err(|c| c.neighbours = 0),
            "neighbours must be 1..=100, got 0"
        );
    }
}
