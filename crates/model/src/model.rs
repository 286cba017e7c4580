//! The fitted model: the catalog it serves, the fitted feature pipeline, one vector per track
//! and the nearest-neighbour index over them.

use std::fmt;
use std::sync::atomic::AtomicBool;

use ndarray::Array1;
use selecta_catalog::Catalog;
use selecta_types::Track;

use crate::affinity::Affinity;
use crate::attributes::AttributeStats;
use crate::error::FitError;
use crate::features::FittedFeatures;
use crate::knn::NeighbourIndex;
use crate::labels::TrackLabels;
use crate::learn::Learned;
use crate::params::{LearnParams, ModelParams, SignalWeights};
use crate::progress::{FitProgress, FitStage};

/// Largest catalog whose neighbour table [`Model::prepare_for_serving`] computes.
pub const TABLE_MAX_TRACKS: usize = 200_000;
/// Neighbours per track in that table (the track itself included): what a playlist of up to
/// 30 tracks from up to 30 seeds asks for on its first round (see
/// `ScoringParams::neighbours_per_track`), and the 100 nearest tracks `/v1/recommendations`
/// reports as each seed track's pool, which would otherwise cost a search per seed track.
pub const TABLE_NEIGHBOURS: usize = 101;

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
    /// What learning found, when the weights were learned ([`crate::learn::fit_learned`]).
    pub(crate) learned: Option<Learned>,
    /// How they were learned.
    pub(crate) learn: Option<LearnParams>,
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
    /// The scoring weights are used as given: learning them from the catalog's playlists is
    /// the step above, [`crate::learn::fit_learned`].
    pub fn fit(
        catalog: Catalog,
        params: &ModelParams,
        progress: &mut dyn FnMut(FitProgress),
    ) -> Result<Model, FitError> {
        if catalog.is_empty() {
            return Err(FitError::EmptyCatalog);
        }
        params.check()?;
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
            params: params.clone(),
            features,
            stats,
            index,
            labels: TrackLabels::new(catalog.tracks()),
            catalog,
            affinity,
            learned: None,
            learn: None,
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

    /// The signal weights, foreign-genre factor and seeds' share for a request whose seeds
    /// are a share `proxies` (0 to 1) of proxies: the model's own for catalog seeds; when
    /// weights were learned for proxies too ([`crate::learn::ProxyLearned`]), a blend toward
    /// those in proportion (geometric: the weights were learned in multiplicative steps).
    pub fn scoring_for(&self, proxies: f32) -> (SignalWeights, f32, f32) {
        let s = &self.params.scoring;
        let own = (s.weights.clone(), s.other_genre, s.seed_share);
        let Some(p) = self.learned.as_ref().and_then(|l| l.proxy.as_ref()) else {
            return own;
        };
        let f = proxies.clamp(0.0, 1.0);
        if f == 0.0 {
            return own;
        }
        let mix = |a: f32, b: f32| a.powf(1.0 - f) * b.powf(f);
        let (a, b) = (s.weights.as_array(), p.weights.as_array());
        let mut w = [0.0; crate::params::SIGNALS];
        for (k, v) in w.iter_mut().enumerate() {
            *v = mix(a[k], b[k]);
        }
        (
            SignalWeights::from_array(w),
            mix(s.other_genre, p.other_genre),
            mix(s.seed_share, p.seed_share),
        )
    }

    /// This model scoring as learning on another catalog found: its weights, factors and
    /// ranker (every signal and feature means the same on any catalog). What the
    /// large-catalog bench times a learned model with, its synthetic catalog having no
    /// playlists to learn from; [`crate::fit_learned`] ends with it.
    pub fn with_learned(mut self, learned: Learned) -> Model {
        let s = &mut self.params.scoring;
        s.weights = learned.weights.clone();
        s.other_genre = learned.other_genre;
        s.seed_share = learned.seed_share;
        self.learned = Some(learned);
        self
    }

    /// The learned ranker that re-orders each playlist's shortlist, when learning fitted one.
    pub fn ranker(&self) -> Option<&crate::rank::Ranker> {
        self.learned.as_ref().and_then(|l| l.ranker.as_ref())
    }

    /// How the weights were learned, when they were.
    pub fn learn_params(&self) -> Option<&LearnParams> {
        self.learn.as_ref()
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

    /// The nearest-neighbour index (the vectors, the blocked scan over them and the neighbour
    /// table once prepared).
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
        self.prepare_for_serving_until(&AtomicBool::new(false));
    }

    /// [`prepare_for_serving`](Model::prepare_for_serving) that can be called off: the
    /// computation checks `stop` between blocks of rows and gives up once it is set (a model
    /// being replaced or a server shutting down need not wait for it). Returns true only when
    /// the neighbour table was completed and installed (or was already there); false when
    /// stopped, installing nothing, or when the catalog is too large for a table. Either way
    /// the model answers the same.
    pub fn prepare_for_serving_until(&self, stop: &AtomicBool) -> bool {
        if self.len() > TABLE_MAX_TRACKS {
            return false;
        }
        let started = std::time::Instant::now();
        let done = self.index.precompute_until(TABLE_NEIGHBOURS, stop);
        if done {
            tracing::info!(
                tracks = self.len(),
                neighbours = TABLE_NEIGHBOURS,
                seconds = started.elapsed().as_secs_f64(),
                "precomputed the neighbour table"
            );
        } else {
            tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "stopped computing the neighbour table"
            );
        }
        done
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

    fn small_model() -> Model {
        // 300 tracks: enough for several batches of the table's rows, fitted in milliseconds.
        let tracks = (0..300)
            .map(|i| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec![format!("Artist {}", i % 40).into()],
                genres: vec![["pop", "rock", "rap"][i % 3].into()],
                features: selecta_types::AudioFeatures {
                    energy: Some((i * 7 % 100) as f32 / 100.0).into(),
                    tempo: Some(80.0 + (i * 13 % 90) as f32).into(),
                    valence: Some((i * 31 % 100) as f32 / 100.0).into(),
                    ..Default::default()
                },
                ..Track::default()
            })
            .collect();
        let catalog = Catalog::from_tracks(tracks, Vec::new());
        Model::fit(catalog, &ModelParams::default(), &mut |_| {}).unwrap()
    }

    #[test]
    fn a_stopped_preparation_installs_nothing_and_a_finished_one_does() {
        let model = small_model();
        let rows: Vec<usize> = (0..model.len()).collect();
        let searched = model.index().nearest_rows(&rows, 20);
        // The 100 nearest of each track (the pools `/v1/recommendations` reports), searched.
        let pool = |i| crate::neighbours(&model, i, 100).unwrap();
        let pools: Vec<_> = (0..model.len()).map(pool).collect();
        // Set before it starts: no table, the same answers, searched.
        assert!(!model.prepare_for_serving_until(&AtomicBool::new(true)));
        assert_eq!(model.index().table_k(), None);
        assert_eq!(model.index().nearest_rows(&rows, 20), searched);
        // Never set: the table is there and reads the same answers.
        assert!(model.prepare_for_serving_until(&AtomicBool::new(false)));
        assert_eq!(model.index().table_k(), Some(TABLE_NEIGHBOURS));
        assert_eq!(model.index().nearest_rows(&rows, 20), searched);
        assert_eq!((0..model.len()).map(pool).collect::<Vec<_>>(), pools);
        // Already there: nothing to do, and it says so.
        assert!(model.prepare_for_serving_until(&AtomicBool::new(true)));
    }
}
