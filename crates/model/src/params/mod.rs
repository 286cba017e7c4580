//! The bottom layer with [`crate::error`]: every parameter of the crate as plain data with its
//! checks, depending on nothing above. Fitting ([`crate::Model::fit`]), learning
//! ([`crate::learn`]) and generating read them; none of them is defined twice.

mod features;
mod learn;
mod ranker;
mod scoring;

use serde::{Deserialize, Serialize};

pub use features::{EncoderParams, FeatureParams, FeatureWeights, NumericColumn, PcaParams};
pub use learn::LearnParams;
pub use ranker::{RankerParams, FEATURE_GROUPS};

pub(crate) use scoring::SIGNALS;
pub use scoring::{ScoringParams, SignalWeights, SimilarParams};

use crate::error::FitError;

/// Everything that decides how a model is fitted (kept in the artifact, so that a model says
/// how it was made). Learning the weights is a step above fitting
/// ([`crate::learn::fit_learned`]), with its own [`LearnParams`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelParams {
    /// The feature pipeline.
    pub features: FeatureParams,
    /// Constants of playlist ranking.
    pub scoring: ScoringParams,
    /// How a track's similar tracks are ranked.
    #[serde(default)]
    pub similar: SimilarParams,
    /// The ranker learning fits above the weights (a plain fit has none).
    #[serde(default)]
    pub ranker: RankerParams,
}

impl ModelParams {
    /// Checks every parameter that can be out of range, before any work is done.
    pub(crate) fn check(&self) -> Result<(), FitError> {
        self.features.check()
    }
}
