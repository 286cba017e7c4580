//! Selecta's recommender engine.
//!
//! - [`features`]: the fit/transform feature pipeline (imputation, standardisation, multi-hot
//!   genres, weights, PCA), in the style of linfa's preprocessing.
//! - [`knn`], [`scan`] and [`metric`]: exact Manhattan nearest neighbours, three ways that
//!   agree bit for bit: a pruned SIMD scan (serving), petal-neighbors' ball tree, brute force.
//! - [`affinity`]: artists, albums and playlist co-occurrence, fitted from the catalog's
//!   playlists and kept in the artifact.
//! - [`Model`]: the fitted model; [`artifact`] saves and loads it as one checked file.
//! - [`generate()`]: playlists from seed tracks, with filters, targets and reasons;
//!   [`neighbours`] for describing a track.
//! - [`synthetic`] and [`bench`]: a million-track catalog drawn from the real one, and the
//!   measurement the `selecta bench` command runs.

pub mod affinity;
pub mod artifact;
pub mod attributes;
pub mod bench;
pub mod encoding;
pub mod features;
pub mod generate;
pub mod knn;
pub mod labels;
pub mod learn;
pub mod metric;
mod model;
pub mod pca;
pub mod progress;
pub mod scan;
pub mod synthetic;

pub use artifact::{ArtifactError, FORMAT_VERSION};
pub use attributes::{Attribute, AttributeStats};
pub use features::{FeatureParams, FittedFeatures};
pub use generate::candidates::{ScoringParams, SignalWeights};
pub use generate::options::{AttributeBounds, GenerateOptions, Order};
pub use generate::similar::SimilarParams;
pub use generate::{generate, neighbours, similar, GenerateError};
pub use knn::{Neighbour, NeighbourIndex};
pub use learn::{LearnParams, Learned};
pub use model::{FitError, Model, ModelParams, TABLE_MAX_TRACKS, TABLE_NEIGHBOURS};
pub use progress::{FitProgress, FitStage};
