//! Selecta's recommender engine, in layers, each using only those below it:
//!
//! 1. Parameters and errors: [`ModelParams`] ([`FeatureParams`], [`ScoringParams`] with its
//!    [`SignalWeights`], [`SimilarParams`]), [`LearnParams`] and [`GenerateOptions`], plain
//!    data checked before any work; [`FitError`], [`GenerateError`].
//! 2. Fitting: the [`features`] pipeline (imputation, standardisation, multi-hot genres,
//!    weights, PCA, in the style of linfa's preprocessing), the [`affinity`] lists (artists,
//!    albums, playlist co-occurrence) and the [`NeighbourIndex`] (exact Manhattan nearest
//!    neighbours by a pruned SIMD scan, or read from a precomputed table) make a [`Model`]
//!    ([`Model::fit`], which never learns); [`artifact`] turns it into one checked file's
//!    bytes and back (writing files is `selecta_store::write_atomic`'s job).
//! 3. Request stages over a model, shared by generation and learning: retrieving a seed set's
//!    candidates with their signals, scoring them with the weights, re-ranking the best of
//!    them with the learned [`rank::Ranker`] when the model has one, selecting a playlist.
//! 4. Above them: [`generate()`] (playlists with filters, targets and reasons),
//!    [`neighbours`] and [`similar`] (a track's nearest and most similar tracks), and
//!    [`learn`], which learns the weights and the ranker ([`rank`]: LambdaMART) from the
//!    catalog's playlists through the same stages and then fits ([`fit_learned`]).
//!
//! [`synthetic`] and [`bench`] draw a million-track catalog from the real one and time it (the
//! `selecta bench` command). With the `reference` feature (the crate's own tests and benches),
//! [`NeighbourIndex`] also searches by petal-neighbors' ball tree and by brute force, the
//! references the scan agrees with bit for bit.

// Bottom layer: parameters and errors.
mod error;
mod params;

// Fitting.
pub mod affinity;
pub mod artifact;
mod attributes;
mod encoding;
pub mod features;
mod knn;
mod labels;
pub mod metric;
mod model;
mod pca;
mod progress;
pub mod projection;
#[cfg(any(test, feature = "reference"))]
mod reference;
mod release;
mod scan;

// Request stages and what stands on them.
pub mod generate;
pub mod learn;
mod pool;
pub mod rank;
mod seed;

// Measurement.
pub mod bench;
pub mod synthetic;

pub use artifact::{ArtifactError, FORMAT_VERSION};
pub use attributes::{Attribute, AttributeStat, AttributeStats, UnknownAttribute};
pub use error::{FitError, GenerateError, IndexError};
pub use features::{FittedFeatures, PcaParams};
pub use generate::options::{AttributeBounds, GenerateOptions, Order};
pub use generate::{
    generate, generate_from, generate_with_spares, neighbours, similar, MAX_SPARES,
};
pub use knn::{Neighbour, NeighbourIndex};
pub use learn::{fit_learned, Learned, ProxyLearned};
pub use model::{Model, TABLE_MAX_TRACKS, TABLE_NEIGHBOURS};
pub use params::{
    FeatureParams, LearnParams, ModelParams, RankerParams, ScoringParams, SignalWeights,
    SimilarParams, FEATURE_GROUPS,
};
pub use pool::rerank::{FEATURE_NAMES, RANK_FEATURES};
pub use progress::{FitProgress, FitStage};
pub use seed::{
    kinship, mean_features, on_album, ProxySeed, Seed, GUEST_WEIGHT, MAX_PROXY_TRACKS,
    PROXY_SOURCES,
};
