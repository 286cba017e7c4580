//! Parameters of learning the scoring weights ([`crate::learn`]): the step above fitting.

use serde::{Deserialize, Serialize};

use crate::error::FitError;

/// How the weights are learned (kept in the artifact with the model parameters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnParams {
    /// Folds the playlists are dealt into, 2..=20.
    pub folds: usize,
    /// Rebuild the genre labels of each fold's catalog from the other folds' playlists only,
    /// as the strict evaluation protocol does (else the catalog's labels as they are).
    pub relabel: bool,
    /// Seed of the folds and of the playlist shuffles.
    pub seed: u64,
    /// Cap of tracks per artist while picking (`None`: no cap, as the evaluation measures).
    pub max_per_artist: Option<usize>,
    /// Also learn weights for seeds the catalog lacks ([`crate::learn::ProxyLearned`]); off
    /// for a model that will only ever see catalog seeds (it saves half the learning).
    #[serde(default = "yes")]
    pub proxies: bool,
}

fn yes() -> bool {
    true
}

impl Default for LearnParams {
    fn default() -> Self {
        LearnParams {
            folds: 3,
            relabel: false,
            seed: 7,
            max_per_artist: None,
            proxies: true,
        }
    }
}

impl LearnParams {
    /// Folds must be 2..=20: one fold leaves nothing to learn from, more would fit a model per
    /// handful of playlists.
    pub(crate) fn check(&self) -> Result<(), FitError> {
        if !(2..=20).contains(&self.folds) {
            return Err(FitError::invalid(
                "learn.folds",
                format!("must be 2..=20, got {}", self.folds),
            ));
        }
        Ok(())
    }
}
