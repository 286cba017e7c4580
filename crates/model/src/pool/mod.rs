//! The candidate pool of one request and the stages over it, shared by playlist generation
//! ([`crate::generate()`]) and the weight learner ([`crate::learn`]) so that none is written
//! twice:
//!
//! 1. [`retrieve`]: gather the candidates of a set of seeds and measure their signals
//!    (unweighted), once per request or learning task;
//! 2. [`score`]: weights → score and the candidates' order, as often as the weights change
//!    (once for a playlist, once per weight setting while learning);
//! 3. [`rerank`]: when the model has a learned ranker, re-order the best of the scored pool
//!    by it (a bounded shortlist);
//! 4. [`select`]: pick the playlist from the scored pool (filters, caps, the seeds' share).

mod profile;
pub(crate) mod rerank;
mod retrieve;
mod score;
pub(crate) mod select;

use crate::params::SIGNALS;

pub(crate) use retrieve::{gather, initial_k, Targets, CLOSENESS_RANK};

/// A candidate: its signals from retrieval, its score from the last scoring.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Catalog index.
    pub index: usize,
    /// Final score (higher is better).
    pub score: f32,
    /// Position (in the seed list) of the seed it is most tied to.
    pub owner: usize,
    /// The signal values (sound, artist, album, co-occurrence, related, label, era, harmony,
    /// closeness), already divided by the number of seeds: the score is their weighted sum
    /// times the factors, so that other weights can re-score a pool without gathering it
    /// again.
    pub signals: [f32; SIGNALS],
    /// Whether the candidate has genres and none of them is a seed's (`other_genre` applies).
    pub foreign: bool,
    /// The product of the request's factors (negative seeds, targets).
    pub factor: f32,
    /// What the artist and album signals are made of: seeds sharing the candidate's artist
    /// (its artist most shared) and that artist's catalog tracks, seeds on its album and the
    /// album's tracks. The ranker reads them.
    pub counts: [f32; 4],
}

/// Candidates of one round of retrieval.
pub(crate) struct Pool {
    /// The candidates, by catalog index.
    pub candidates: Vec<Candidate>,
    /// For each seed, its candidates (positions in `candidates`): its neighbours from nearest
    /// to farthest, then the tracks its affinity lists brought.
    pub per_seed: Vec<Vec<usize>>,
    /// True when the lists already cover the whole catalog (growing k would not help).
    pub exhausted: bool,
}
