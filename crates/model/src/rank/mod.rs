//! Learning to rank: LambdaMART, gradient-boosted regression trees fitted to the pairwise
//! NDCG gradients of queries (here: playlist requests, rows: their candidates).
//!
//! Written here rather than taken from a crate: the pure-Rust GBDT crates either lack a
//! ranking objective (gbdt, perpetual) or are young, fast-moving and bring a thread pool and a
//! C compression library (hessboost); the ranker must also live inside the model artifact
//! (serde), score a hundred rows in microseconds and attribute each score to its features
//! for the reasons a listener reads. What is needed is small: binned features ([`bins`]),
//! depth-first trees on second-order gains ([`tree`]) and the lambda gradients ([`lambda`]).
//!
//! In linfa's manner: [`RankerParams`] (checked before fitting) → [`RankerParams::fit`] on
//! [`RankData`] → a fitted [`Ranker`].

mod bins;
mod forest;
mod lambda;
mod tree;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::FitError;
pub use crate::params::RankerParams;
use bins::Binned;
use forest::Forest;
use lambda::Query;
use tree::Growth;

/// Seed of the queries each tree learns from when subsampling.
const SUBSAMPLE_SEED: u64 = 0x5eed_7ee5;

/// Rows grouped in queries, with binary labels (1: relevant), ready for fitting.
#[derive(Debug, Clone, Default)]
pub struct RankData {
    features: usize,
    values: Vec<f32>,
    labels: Vec<f32>,
    queries: Vec<Query>,
}

impl RankData {
    /// Empty data of rows with `features` values each.
    pub fn new(features: usize) -> Self {
        RankData {
            features,
            ..RankData::default()
        }
    }

    /// Adds a query: its rows (each `features` long, NaN for unknown), whether each is
    /// relevant, and how many places its NDCG counts.
    pub fn push_query<'a>(
        &mut self,
        rows: impl IntoIterator<Item = (&'a [f32], bool)>,
        cutoff: usize,
    ) {
        let start = self.labels.len();
        for (row, relevant) in rows {
            assert_eq!(row.len(), self.features, "a row of the wrong length");
            self.values.extend_from_slice(row);
            self.labels.push(if relevant { 1.0 } else { 0.0 });
        }
        let end = self.labels.len();
        if end > start {
            self.queries.push(Query { start, end, cutoff });
        }
    }

    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.labels.len()
    }

    /// Queries so far.
    pub fn queries(&self) -> usize {
        self.queries.len()
    }

    /// Whether some query has both a relevant and an irrelevant row (else there is nothing
    /// to learn).
    pub fn learnable(&self) -> bool {
        self.queries.iter().any(|q| {
            let l = &self.labels[q.start..q.end];
            l.iter().any(|&v| v > 0.0) && l.contains(&0.0)
        })
    }

    /// Sets feature `f` of every row to unknown (NaN), so that no tree can split on it: the
    /// ablation of a feature.
    pub fn mask(&mut self, f: usize) {
        for row in self.values.chunks_mut(self.features) {
            row[f] = f32::NAN;
        }
    }

    /// Mean NDCG@cutoff of the queries with a relevant row, under `score`.
    pub fn ndcg(&self, score: impl Fn(&[f32]) -> f32) -> f64 {
        let scores: Vec<f32> = self
            .values
            .chunks(self.features.max(1))
            .map(score)
            .collect();
        let scored: Vec<f64> = self
            .queries
            .iter()
            .filter(|q| self.labels[q.start..q.end].iter().any(|&l| l > 0.0))
            .map(|&q| lambda::ndcg(q, &self.labels, &scores))
            .collect();
        scored.iter().sum::<f64>() / scored.len().max(1) as f64
    }
}

/// A fitted ranker: the sum of its trees' outputs.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranker {
    features: usize,
    trees: Forest,
    /// Total split gain per feature while fitting.
    gains: Vec<f64>,
}

impl RankerParams {
    /// Boosts a ranker on `data`. Checks the parameters first; data without a query that has
    /// both relevant and irrelevant rows is refused (there is nothing to learn).
    pub fn fit(&self, data: &RankData) -> Result<Ranker, FitError> {
        self.check()?;
        if !data.learnable() {
            return Err(FitError::invalid(
                "ranker",
                "no query has both a relevant and an irrelevant row to learn from",
            ));
        }
        let binned = Binned::new(&data.values, data.features);
        let growth = Growth {
            max_depth: self.max_depth,
            min_leaf_rows: self.min_leaf_rows,
            min_leaf_hessian: 1e-6,
            l2: self.l2 as f64,
            learning_rate: self.learning_rate as f64,
        };
        let n = data.rows();
        let mut scores = vec![0.0f32; n];
        let (mut g, mut h) = (vec![0.0f32; n], vec![0.0f32; n]);
        let mut gains = vec![0.0f64; data.features];
        let mut trees = Forest::new(self.max_depth);
        // Seeded: the same data give the same trees.
        let mut rng = ChaCha8Rng::seed_from_u64(SUBSAMPLE_SEED);
        for t in 0..self.trees {
            all_gradients(data, &scores, self.sigma, &mut g, &mut h);
            if self.subsample < 1.0 {
                // A query left out of this tree moves none of its splits or leaves.
                for q in &data.queries {
                    if rng.random::<f32>() >= self.subsample {
                        g[q.start..q.end].fill(0.0);
                        h[q.start..q.end].fill(0.0);
                    }
                }
            }
            trees.push(&tree::grow(&binned, &g, &h, &growth, &mut gains));
            for (s, row) in scores.iter_mut().zip(data.values.chunks(data.features)) {
                *s += trees.tree_score(t, row);
            }
        }
        Ok(Ranker {
            features: data.features,
            trees,
            gains,
        })
    }
}

/// The size, not the thousands of nodes (a `Learned` in a log line stays readable).
impl std::fmt::Debug for Ranker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ranker")
            .field("features", &self.features)
            .field("trees", &self.trees.len())
            .finish()
    }
}

/// The gradients of every query, the queries split over the cores.
fn all_gradients(data: &RankData, scores: &[f32], sigma: f32, g: &mut [f32], h: &mut [f32]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = data.queries.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let (mut g, mut h) = (g, h);
        let mut offset = 0;
        for part in data.queries.chunks(per) {
            let end = part.last().map_or(offset, |q| q.end);
            let (gp, g_rest) = std::mem::take(&mut g).split_at_mut(end - offset);
            let (hp, h_rest) = std::mem::take(&mut h).split_at_mut(end - offset);
            (g, h) = (g_rest, h_rest);
            let base = offset;
            scope.spawn(move || {
                for &q in part {
                    // Each query's rows, relative to this part's slices.
                    let local = Query {
                        start: q.start - base,
                        end: q.end - base,
                        cutoff: q.cutoff,
                    };
                    let labels = &data.labels[base..];
                    let scores = &scores[base..];
                    lambda::gradients(local, labels, scores, sigma, gp, hp);
                }
            });
            offset = end;
        }
    });
}

impl Ranker {
    /// Values a row must have.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Whether the ranker can score rows of `features` values (see `Forest::check`); the
    /// artifact reader refuses one that cannot.
    pub fn check(&self, features: usize) -> Result<(), String> {
        if self.features != features || self.gains.len() != features {
            return Err(format!(
                "ranker for rows of {} features, the model's rows have {features}",
                self.features
            ));
        }
        self.trees.check(features)
    }

    /// The ranker's score of a row (higher ranks first).
    pub fn score(&self, x: &[f32]) -> f32 {
        debug_assert_eq!(x.len(), self.features);
        (0..self.trees.len())
            .map(|t| self.trees.tree_score(t, x))
            .sum()
    }

    /// The scores of many rows, walked a few at a time so that their walks overlap. The
    /// same values as [`Ranker::score`] row by row.
    pub fn score_rows<R: AsRef<[f32]>>(&self, rows: &[R]) -> Vec<f32> {
        self.trees.score_rows(rows)
    }

    /// The score of a row split over its features: adds each feature's part to `out` (as
    /// long as a row) and returns what no feature decides (the trees' roots), so that the
    /// two add up to [`Ranker::score`].
    pub fn attribute(&self, x: &[f32], out: &mut [f32]) -> f32 {
        self.trees.attribute(x, out)
    }

    /// Each feature's share of the total split gain while fitting (sums to 1).
    pub fn importance(&self) -> Vec<f64> {
        let total: f64 = self.gains.iter().sum();
        self.gains
            .iter()
            .map(|g| if total > 0.0 { g / total } else { 0.0 })
            .collect()
    }

    /// Trees in the ensemble.
    pub fn trees(&self) -> usize {
        self.trees.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Queries of 40 rows with three features: relevance needs both feature 0 above 0.5 and
    /// feature 1 below 0.5 (an interaction no weighted sum captures); feature 2 is noise.
    fn data(queries: usize, seed: u64) -> RankData {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut d = RankData::new(3);
        for _ in 0..queries {
            let rows: Vec<([f32; 3], bool)> = (0..40)
                .map(|_| {
                    let x: [f32; 3] = [rng.random(), rng.random(), rng.random()];
                    (x, x[0] > 0.5 && x[1] < 0.5)
                })
                .collect();
            d.push_query(rows.iter().map(|(x, r)| (&x[..], *r)), 10);
        }
        d
    }

    #[test]
    fn learns_an_interaction_and_attributes_it() {
        let train = data(60, 1);
        let test = data(30, 2);
        let ranker = RankerParams::default().fit(&train).unwrap();
        let before = test.ndcg(|_| 0.0);
        let after = test.ndcg(|x| ranker.score(x));
        assert!(after > 0.95, "held-out NDCG {after} (unranked {before})");
        // The noise feature matters least.
        let imp = ranker.importance();
        assert!(imp[2] < imp[0] && imp[2] < imp[1], "{imp:?}");
        assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // The attribution adds up to the score, and names feature 0 for a relevant row.
        let x = [0.9, 0.1, 0.5];
        let mut parts = [0.0; 3];
        let base = ranker.attribute(&x, &mut parts);
        assert!((base + parts.iter().sum::<f32>() - ranker.score(&x)).abs() < 1e-4);
        assert!(parts[0] > 0.0 && parts[1] > 0.0 && parts[0] > parts[2].abs());
        // Scoring many rows at once gives the same values.
        let rows = [x, [0.2, 0.8, 0.1], [f32::NAN, 0.4, 0.9]];
        let one: Vec<f32> = rows.iter().map(|r| ranker.score(r)).collect();
        assert_eq!(ranker.score_rows(&rows), one);
        // A missing value goes where the smallest values go.
        assert_eq!(
            ranker.score(&[f32::NAN, 0.1, 0.5]),
            ranker.score(&[-1.0, 0.1, 0.5])
        );
    }

    #[test]
    fn trees_learned_from_half_the_queries_each_still_learn_and_repeat() {
        let (train, test) = (data(60, 1), data(30, 2));
        let p = RankerParams {
            subsample: 0.5,
            ..RankerParams::default()
        };
        let ranker = p.fit(&train).unwrap();
        let after = test.ndcg(|x| ranker.score(x));
        assert!(after > 0.9, "held-out NDCG {after}");
        // Seeded: the same data, the same trees.
        assert!(p.fit(&train).unwrap() == ranker);
        assert!(RankerParams::default().fit(&train).unwrap() != ranker);
    }

    #[test]
    fn bad_parameters_and_data_are_refused_before_fitting() {
        let d = data(2, 3);
        let p = RankerParams {
            trees: 0,
            ..RankerParams::default()
        };
        let e = p.fit(&d).unwrap_err().to_string();
        assert!(e.contains("ranker.trees") && e.contains("got 0"), "{e}");
        let p = RankerParams {
            subsample: 0.0,
            ..RankerParams::default()
        };
        let e = p.fit(&d).unwrap_err().to_string();
        assert!(e.contains("ranker.subsample") && e.contains("got 0"), "{e}");
        let mut empty = RankData::new(3);
        empty.push_query([(&[0.0, 0.0, 0.0][..], true)], 5);
        let e = RankerParams::default().fit(&empty).unwrap_err().to_string();
        assert!(e.contains("nothing") || e.contains("no query"), "{e}");
    }
}
