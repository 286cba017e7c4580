//! Parameters of the learned ranker ([`crate::rank`]): how it is boosted and which of its
//! features it may use.

use serde::{Deserialize, Serialize};

use crate::error::FitError;

/// Groups of the ranker's features, by name, for [`RankerParams::without`] (the ablation).
pub const FEATURE_GROUPS: [&str; 7] = [
    "signals", "linear", "track", "dates", "centroid", "shares", "request",
];

/// How the ranker is boosted (LambdaMART), kept in the artifact with the model parameters.
/// Learning ([`crate::learn::fit_learned`]) fits one when `enabled`; a plain fit never does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RankerParams {
    /// Learn a ranker on top of the weights (else the weighted sum ranks alone).
    pub enabled: bool,
    /// Trees, 1..=2000.
    pub trees: usize,
    /// Depth of each tree, 1..=10.
    pub max_depth: usize,
    /// Shrinkage of each tree's output, in (0, 1].
    pub learning_rate: f32,
    /// Fewest rows a leaf holds, at least 1.
    pub min_leaf_rows: usize,
    /// L2 penalty on a leaf's value, at least 0.
    pub l2: f32,
    /// Steepness of the pairwise sigmoid, above 0.
    pub sigma: f32,
    /// Share of the queries each tree learns from, drawn anew per tree (stochastic gradient
    /// boosting), in (0, 1]; 1 learns every tree from all of them.
    pub subsample: f32,
    /// Candidates the ranker re-orders per request: the best by the weighted sum, this many
    /// per playlist track, within 20..=500 (the per-request work stays bounded).
    pub shortlist_per_track: f32,
    /// Feature groups ([`FEATURE_GROUPS`]) left out of learning: the ablation.
    pub without: Vec<String>,
}

impl Default for RankerParams {
    fn default() -> Self {
        RankerParams {
            enabled: true,
            trees: 120,
            max_depth: 5,
            learning_rate: 0.1,
            min_leaf_rows: 40,
            l2: 1.0,
            sigma: 1.0,
            subsample: 1.0,
            shortlist_per_track: 6.0,
            without: Vec::new(),
        }
    }
}

impl RankerParams {
    /// Checks every value before any boosting.
    pub(crate) fn check(&self) -> Result<(), FitError> {
        let bad = |name: &str, message: String| Err(FitError::invalid(name, message));
        if !(1..=2000).contains(&self.trees) {
            return bad(
                "ranker.trees",
                format!("must be 1..=2000, got {}", self.trees),
            );
        }
        if !(1..=10).contains(&self.max_depth) {
            return bad(
                "ranker.max_depth",
                format!("must be 1..=10, got {}", self.max_depth),
            );
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return bad(
                "ranker.learning_rate",
                format!("must be in (0, 1], got {}", self.learning_rate),
            );
        }
        if self.min_leaf_rows == 0 {
            return bad("ranker.min_leaf_rows", "must be at least 1, got 0".into());
        }
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return bad("ranker.l2", format!("must be 0 or more, got {}", self.l2));
        }
        if !(self.sigma > 0.0 && self.sigma.is_finite()) {
            return bad(
                "ranker.sigma",
                format!("must be above 0, got {}", self.sigma),
            );
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return bad(
                "ranker.subsample",
                format!("must be in (0, 1], got {}", self.subsample),
            );
        }
        if !(self.shortlist_per_track >= 1.0 && self.shortlist_per_track <= 50.0) {
            return bad(
                "ranker.shortlist_per_track",
                format!("must be 1..=50, got {}", self.shortlist_per_track),
            );
        }
        if let Some(g) = self
            .without
            .iter()
            .find(|g| !FEATURE_GROUPS.contains(&g.as_str()))
        {
            return bad(
                "ranker.without",
                format!(
                    "unknown feature group {g:?} (known: {})",
                    FEATURE_GROUPS.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// Candidates re-ordered for a playlist of `length` tracks.
    pub(crate) fn shortlist(&self, length: usize) -> usize {
        ((length as f32 * self.shortlist_per_track).ceil() as usize).clamp(20, 500)
    }
}
