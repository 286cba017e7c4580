//! The fitted model: the catalog it serves, the fitted feature pipeline, one vector per track
//! and the nearest-neighbour index over them.

use std::fmt;

use ndarray::Array1;
use selecta_catalog::Catalog;
use selecta_types::Track;
use serde::{Deserialize, Serialize};

use crate::affinity::Affinity;
use crate::attributes::AttributeStats;
use crate::features::{FeatureParams, FittedFeatures};
use crate::generate::candidates::ScoringParams;
use crate::generate::similar::SimilarParams;
use crate::knn::{IndexError, NeighbourIndex};
use crate::labels::TrackLabels;
use crate::learn::{LearnParams, Learned};
use crate::progress::{FitProgress, FitStage};

/// Everything that decides how a model is fitted (kept in the artifact, so that a model says
/// how it was made).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelParams {
    /// The feature pipeline.
    pub features: FeatureParams,
    /// Constants of playlist ranking.
    pub scoring: ScoringParams,
    /// Learn the signal weights from the catalog's playlists while fitting
    /// ([`crate::learn`]): the learned values replace `scoring.weights` and
    /// `scoring.other_genre`. `None`: keep them as given (and fit in well under a second).
    pub learn: Option<LearnParams>,
    /// How a track's similar tracks are ranked.
    #[serde(default)]
    pub similar: SimilarParams,
}

/// Largest catalog whose neighbour table [`Model::prepare_for_serving`] computes.
pub const TABLE_MAX_TRACKS: usize = 200_000;
/// Neighbours per track in that table: what a playlist of up to 30 tracks from up to 30
/// seeds asks for on its first round (see `ScoringParams::neighbours_per_track`).
pub const TABLE_NEIGHBOURS: usize = 64;

/// Why fitting failed.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The catalog holds no track.
    #[error("cannot fit a model on an empty catalog")]
    EmptyCatalog,
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {message}")]
    InvalidParam {
        /// Parameter path, e.g. `pca.variance_ratio`.
        name: String,
        /// What is wrong, with the value.
        message: String,
    },
    /// The vectors could not be indexed.
    #[error("cannot build the neighbour index: {0}")]
    Index(#[from] IndexError),
}

/// A fitted recommender: ready to generate playlists and to be saved as one artifact.
pub struct Model {
    pub(crate) params: ModelParams,
    pub(crate) features: FittedFeatures,
    pub(crate) stats: AttributeStats,
    pub(crate) index: NeighbourIndex,
    pub(crate) catalog: Catalog,
    /// Artist, album and playlist co-occurrence lists (fitted from the catalog's playlists).
    pub(crate) affinity: Affinity,
    /// Genre and subgenre ids per track (derived from the catalog, not stored).
    pub(crate) labels: TrackLabels,
    /// What learning found, when the weights were learned.
    pub(crate) learned: Option<Learned>,
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("tracks", &self.catalog.len())
            .field("playlists", &self.catalog.playlists().len())
            .field("input_dim", &self.features.encoder.dim())
            .field("dim", &self.features.dim())
            .finish()
    }
}

impl Model {
    /// Fits a model on a catalog (which it keeps, to serve the tracks), reporting progress.
    /// With `params.learn`, the scoring weights are learned from the catalog's playlists
    /// first.
    pub fn fit(
        catalog: Catalog,
        params: &ModelParams,
        progress: &mut dyn FnMut(FitProgress),
    ) -> Result<Model, FitError> {
        if catalog.is_empty() {
            return Err(FitError::EmptyCatalog);
        }
        let Some(how) = &params.learn else {
            return Model::fit_with(catalog, params.clone(), None, progress);
        };
        let learned = crate::learn::learn(&catalog, params, how, progress)?;
        let mut params = params.clone();
        params.scoring.weights = learned.weights.clone();
        params.scoring.other_genre = learned.other_genre;
        params.scoring.seed_share = learned.seed_share;
        Model::fit_with(catalog, params, Some(learned), progress)
    }

    fn fit_with(
        catalog: Catalog,
        params: ModelParams,
        learned: Option<Learned>,
        progress: &mut dyn FnMut(FitProgress),
    ) -> Result<Model, FitError> {
        let started = std::time::Instant::now();
        let (features, vectors) = params.features.fit_transform(catalog.tracks(), progress)?;
        let stats = AttributeStats::measure(catalog.tracks());
        let affinity = Affinity::fit(&catalog);
        progress(FitProgress {
            stage: FitStage::Index,
            fraction: 0.0,
        });
        let index = NeighbourIndex::build(vectors)?;
        progress(FitProgress {
            stage: FitStage::Index,
            fraction: 1.0,
        });
        tracing::info!(
            tracks = catalog.len(),
            dim = features.dim(),
            seconds = started.elapsed().as_secs_f64(),
            "fitted model"
        );
        Ok(Model {
            params,
            features,
            stats,
            index,
            labels: TrackLabels::new(catalog.tracks()),
            catalog,
            affinity,
            learned,
        })
    }

    /// The catalog the model serves (tracks, playlists, lookup by id).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The tracks, by catalog index.
    pub fn tracks(&self) -> &[Track] {
        self.catalog.tracks()
    }

    /// Number of tracks.
    pub fn len(&self) -> usize {
        self.catalog.len()
    }

    /// True when the model holds no track (never, for a fitted model).
    pub fn is_empty(&self) -> bool {
        self.catalog.is_empty()
    }

    /// The parameters the model was fitted with.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// What learning the weights found, when they were learned.
    pub fn learned(&self) -> Option<&Learned> {
        self.learned.as_ref()
    }

    /// The fitted feature pipeline.
    pub fn features(&self) -> &FittedFeatures {
        &self.features
    }

    /// Attribute spreads of the catalog.
    pub fn stats(&self) -> &AttributeStats {
        &self.stats
    }

    /// The artist, album and playlist co-occurrence lists.
    pub fn affinity(&self) -> &Affinity {
        &self.affinity
    }

    /// The nearest-neighbour index (the vectors, the blocked scan over them, the ball tree on
    /// demand and the neighbour table once prepared).
    pub fn index(&self) -> &NeighbourIndex {
        &self.index
    }

    /// Prepares the model for serving many requests: on catalogs of at most
    /// [`TABLE_MAX_TRACKS`] tracks, computes every track's [`TABLE_NEIGHBOURS`] nearest
    /// neighbours once (about a second for the bundled catalog on two cores), so that a
    /// playlist reads its seeds' neighbours instead of searching for them. Playlists are the
    /// same with or without it. Larger catalogs are searched per request (the table would
    /// take minutes to compute and `8 · TABLE_NEIGHBOURS` bytes per track).
    pub fn prepare_for_serving(&self) {
        if self.len() <= TABLE_MAX_TRACKS {
            let started = std::time::Instant::now();
            self.index.precompute(TABLE_NEIGHBOURS);
            tracing::info!(
                tracks = self.len(),
                neighbours = TABLE_NEIGHBOURS,
                seconds = started.elapsed().as_secs_f64(),
                "precomputed the neighbour table"
            );
        }
    }

    /// The model vector of a catalog track.
    pub fn vector(&self, index: usize) -> &[f32] {
        self.index.vector(index)
    }

    /// The model vector of any track (for example one from outside the catalog).
    pub fn transform(&self, track: &Track) -> Array1<f32> {
        self.features.transform(track)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_can_be_shared_across_threads() {
        // The server holds one model behind an `Arc` and serves requests from many threads.
        fn shareable<T: Send + Sync>() {}
        shareable::<Model>();
        assert!(matches!(
            Model::fit(Catalog::default(), &ModelParams::default(), &mut |_| {}),
            Err(FitError::EmptyCatalog)
        ));
    }
}
