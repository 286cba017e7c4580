//! Learning the scoring weights, and the ranker above them, from the catalog's own playlists:
//! the step above fitting.
//! [`fit_learned`] learns the weights, then fits the model with them ([`Model::fit`] itself
//! never learns).
//!
//! The playlists are dealt into folds. For each fold, a model is fitted on a catalog that holds
//! only the other folds' playlists (so no co-occurrence comes from the playlists it is asked to
//! continue), and every playlist of the fold with at least [`tasks::MIN_TRACKS`] tracks
//! becomes a task: half its tracks as seeds, the rest to find. Each task's candidates are
//! gathered once; a weight setting re-scores them, picks the playlist as `generate` does
//! (through the same stages of retrieval, scoring and selection) and counts the hidden tracks
//! found. A coordinate search in log steps then moves one weight at a
//! time (and the foreign-genre factor and the seeds' share of the playlist) while the mean
//! R-precision over all tasks improves (the measure the evaluation reports; NDCG@R as the
//! objective did no better). It starts from equal weights, so nothing tuned elsewhere leaks
//! in: what the model ends with comes from the catalog it is fitted on.
//!
//! With the weights found, the ranker ([`crate::rank`]) is boosted on every task's shortlist
//! under them (proxy tasks under the proxies' weights), as `generate` re-ranks a request
//! (`crate::pool::rerank`), unless `ModelParams::ranker` turns it off.
//!
//! Two shortcuts against `generate`: the candidate lists are not widened when filters leave a
//! playlist short (no filter but the task's own exclusions applies), and the seed a candidate
//! stands for (which decides the per-seed slots) is the one chosen under the starting weights.

mod search;
pub mod tasks;

use selecta_catalog::Catalog;
use serde::{Deserialize, Serialize};

use crate::error::FitError;
use crate::model::Model;
use crate::params::{ModelParams, SignalWeights};
use crate::progress::FitProgress;
use crate::rank::Ranker;

pub use crate::params::LearnParams;

/// What learning found, kept in the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    /// The learned signal weights.
    pub weights: SignalWeights,
    /// The learned factor of candidates whose genres are all foreign to the seeds'.
    pub other_genre: f32,
    /// The learned share of the playlist dealt to the seeds in turn.
    pub seed_share: f32,
    /// Mean R-precision over the held-out tasks with the starting weights.
    pub start_score: f64,
    /// The same with the learned weights.
    pub score: f64,
    /// Playlists continued (tasks).
    pub tasks: usize,
    /// Mean share of a task's hidden tracks among its candidates: the ceiling of any weights'
    /// R-precision (a track no signal brings cannot be picked).
    pub recall: f64,
    /// Mean candidates per task: the pool `recall` is measured in.
    pub pool: f64,
    /// Weight settings tried.
    pub evaluations: usize,
    /// What learning found for requests whose seeds the catalog lacks (proxies), when there
    /// were such tasks.
    pub proxy: Option<ProxyLearned>,
    /// The ranker boosted on the tasks' shortlists under the learned weights
    /// ([`crate::rank`]), unless `ModelParams::ranker` turned it off.
    pub ranker: Option<Ranker>,
    /// Mean R-precision of the catalog-seed tasks re-ranked by it: on the tasks it learned
    /// from, so an upper bound (the evaluation measures it on playlists it never saw).
    pub ranker_score: Option<f64>,
    /// Mean share of a task's hidden tracks in the shortlist the ranker re-orders (its
    /// ceiling, as `recall` is the pool's).
    pub shortlist_recall: Option<f64>,
}

/// The weights learned for seeds estimated from their artists' tracks: the same held-out
/// tasks with every seed turned into a proxy ([`search`] documents how), the search started
/// from the weights learned on catalog seeds. A request mixing both kinds blends the two sets
/// by its share of proxies ([`crate::Model::scoring_for`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyLearned {
    /// The signal weights for proxies.
    pub weights: SignalWeights,
    /// The foreign-genre factor for proxies.
    pub other_genre: f32,
    /// The seeds' share for proxies.
    pub seed_share: f32,
    /// Mean R-precision of the proxy tasks with the catalog seeds' weights.
    pub start_score: f64,
    /// The same with the proxy weights.
    pub score: f64,
    /// Proxy tasks (playlists with at least one seed that has a proxy).
    pub tasks: usize,
}

/// Fits a model whose scoring weights, foreign-genre factor and seeds' share are learned from
/// `catalog`'s playlists (see the module documentation); everything else comes from `params`.
/// The model keeps what learning found ([`Model::learned`]) and how ([`Model::learn_params`]),
/// and its artifact keeps both. Progress reports the learning stage, then the fit's.
pub fn fit_learned(
    catalog: Catalog,
    params: &ModelParams,
    learn: &LearnParams,
    progress: &mut dyn FnMut(FitProgress),
) -> Result<Model, FitError> {
    // The same checks, in the same order, as a plain fit, before the minutes of learning.
    if catalog.is_empty() {
        return Err(FitError::EmptyCatalog);
    }
    learn.check()?;
    params.ranker.check()?;
    let learned = search::learn(&catalog, params, learn, progress)?;
    let mut model = Model::fit(catalog, params, progress)?.with_learned(learned);
    model.learn = Some(learn.clone());
    Ok(model)
}
