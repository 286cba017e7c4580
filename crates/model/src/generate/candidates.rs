//! Gathering candidates from the seeds' neighbourhoods and scoring them.
//!
//! Scoring, for a candidate c and seeds s₁..sₙ:
//!
//! ```text
//! score(c) = rrf(c) · target(c) · negative(c)
//! rrf(c)      = Σₛ 1 / (rrf_k + rankₛ(c))        over the seeds whose list holds c (rank from 1)
//! target(c)   = Π_targets exp(-target_strength · |value(c) - target| / std)
//! negative(c) = min(1, d(c, nearest negative seed) / d(c, nearest seed)) ^ negative_strength
//! ```
//!
//! Reciprocal-rank fusion weighs every seed's list alike whatever the density of its
//! neighbourhood (raw distances would let the seed in the densest region take the playlist),
//! and a track near several seeds collects from each. A small `rrf_k` keeps the head of each
//! list well ahead of its tail. Targets re-rank by closeness in standard deviations of the
//! attribute; a candidate closer to a "less like this" track than to any seed is scaled down in
//! proportion.

use serde::{Deserialize, Serialize};

use crate::attributes::Attribute;
use crate::metric::manhattan_unordered;
use crate::model::Model;

/// Constants of the ranking, kept in the model artifact so that tuned or learned values
/// (issue 5) travel with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringParams {
    /// Reciprocal-rank-fusion constant (the rank offset).
    pub rrf_k: f32,
    /// Neighbours fetched per seed: `max(min_neighbours, neighbours_per_track · length)`,
    /// grown fourfold while filters leave the playlist short.
    pub neighbours_per_track: usize,
    /// Lower bound of the neighbours fetched per seed.
    pub min_neighbours: usize,
    /// How hard targets pull (per standard deviation of distance).
    pub target_strength: f32,
    /// How hard negative seeds push.
    pub negative_strength: f32,
    /// Share of the playlist reserved for the seeds in turn, so that every seed is heard.
    pub seed_share: f32,
}

impl Default for ScoringParams {
    fn default() -> Self {
        ScoringParams {
            rrf_k: 10.0,
            neighbours_per_track: 2,
            min_neighbours: 40,
            target_strength: 1.0,
            negative_strength: 1.0,
            seed_share: 0.5,
        }
    }
}

/// A scored candidate.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Catalog index.
    pub index: usize,
    /// Final score (higher is better).
    pub score: f32,
    /// Position (in the seed list) of the nearest seed.
    pub owner: usize,
}

/// Candidates of one round of retrieval.
pub(crate) struct Pool {
    pub candidates: Vec<Candidate>,
    /// For each seed, its candidates (positions in `candidates`) from nearest to farthest.
    pub per_seed: Vec<Vec<usize>>,
    /// True when the lists already cover the whole catalog (growing k would not help).
    pub exhausted: bool,
}

/// Targets to re-rank by: (attribute, target, spread).
pub(crate) type Targets = Vec<(Attribute, f32, f32)>;

/// Fetches `k` neighbours of every seed and scores their union.
pub(crate) fn gather(
    model: &Model,
    seeds: &[usize],
    negatives: &[usize],
    k: usize,
    targets: &Targets,
) -> Pool {
    let p = &model.params.scoring;
    let n = model.len();
    // Seeds and negatives come back as neighbours of themselves and each other: fetch extra.
    let fetch = (k + seeds.len() + negatives.len()).min(n);
    let queries: Vec<&[f32]> = seeds.iter().map(|&s| model.vector(s)).collect();
    // (catalog index, seed position, rank) of every listed neighbour, grouped by index below:
    // a sort is cheaper than a hash map for a few hundred entries.
    let mut listed: Vec<(usize, usize, usize)> = Vec::with_capacity(seeds.len() * fetch);
    for (pos, neighbours) in model
        .index
        .nearest_many(&queries, fetch)
        .into_iter()
        .enumerate()
    {
        let mut rank = 0usize;
        for nb in neighbours {
            if seeds.contains(&nb.index) || negatives.contains(&nb.index) {
                continue;
            }
            rank += 1;
            listed.push((nb.index, pos, rank));
        }
    }
    listed.sort_unstable();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut rrf: Vec<f32> = Vec::new();
    let mut per_seed: Vec<Vec<(usize, usize)>> = vec![Vec::with_capacity(fetch); seeds.len()];
    for &(index, pos, rank) in &listed {
        if candidates.last().is_none_or(|c| c.index != index) {
            candidates.push(Candidate {
                index,
                score: 0.0,
                owner: 0,
            });
            rrf.push(0.0);
        }
        let slot = candidates.len() - 1;
        rrf[slot] += 1.0 / (p.rrf_k + rank as f32);
        per_seed[pos].push((rank, slot));
    }
    let per_seed: Vec<Vec<usize>> = per_seed
        .into_iter()
        .map(|mut l| {
            l.sort_unstable();
            l.into_iter().map(|(_, slot)| slot).collect()
        })
        .collect();
    for (c, fused) in candidates.iter_mut().zip(rrf) {
        let v = model.vector(c.index);
        let (mut owner, mut d_pos) = (0, f32::INFINITY);
        for (pos, &s) in seeds.iter().enumerate() {
            let d = manhattan_unordered(v, model.vector(s));
            if d < d_pos {
                (owner, d_pos) = (pos, d);
            }
        }
        c.owner = owner;
        let mut score = fused;
        if !negatives.is_empty() {
            let d_neg = negatives
                .iter()
                .map(|&i| manhattan_unordered(v, model.vector(i)))
                .fold(f32::INFINITY, f32::min);
            if d_neg < d_pos {
                let ratio = if d_pos > 0.0 { d_neg / d_pos } else { 1.0 };
                score *= ratio.powf(p.negative_strength);
            }
        }
        let track = &model.tracks()[c.index];
        for &(attribute, target, std) in targets {
            // An unknown value counts as one spread away: neither rewarded nor ruled out.
            let gap = attribute
                .value(track)
                .map_or(1.0, |x| (x - target).abs() / std);
            score *= (-p.target_strength * gap).exp();
        }
        c.score = score;
    }
    Pool {
        candidates,
        per_seed,
        exhausted: fetch >= n,
    }
}

/// Neighbours to fetch per seed on the first round.
pub(crate) fn initial_k(model: &Model, length: usize) -> usize {
    let p = &model.params.scoring;
    p.min_neighbours.max(p.neighbours_per_track * length)
}
