//! Re-ranking a scored pool with the learned ranker ([`crate::rank`]): the best candidates by
//! the weighted sum that the filters admit (a shortlist of a few per playlist track, so the
//! per-request work stays bounded) are described by [`RANK_FEATURES`] features, of the
//! candidate and of the seed set, and re-ordered by the ranker's score. The rest keep their
//! order below them. The learner builds its training rows with the same function.

use crate::metric::manhattan_unordered;
use crate::model::Model;
use crate::params::{SignalWeights, SIGNALS};
use crate::rank::Ranker;
use crate::seed::SeedPoint;

use super::select::Filters;
use super::Pool;

/// Features per candidate.
pub const RANK_FEATURES: usize = 27;

/// The features' names, in row order: the nine signals, then the rest.
pub const FEATURE_NAMES: [&str; RANK_FEATURES] = [
    "sound",
    "artist",
    "album",
    "cooccurrence",
    "related_artists",
    "label",
    "era",
    "harmony",
    "closeness",
    "foreign_genre",
    "linear_score",
    "linear_rank",
    "popularity",
    "release_date",
    "centroid_distance",
    "seed_spread",
    "artist_seeds",
    "artist_tracks",
    "album_seeds",
    "album_tracks",
    "label_seeds",
    "length",
    "seeds",
    "proxy_share",
    "date_gap",
    "date_gap_mean",
    "popularity_gap",
];

/// The group ([`crate::params::FEATURE_GROUPS`]) of each feature.
pub(crate) fn group_of(feature: usize) -> &'static str {
    match feature {
        0..=9 => "signals",
        10 | 11 => "linear",
        12 | 26 => "track",
        13 | 24 | 25 => "dates",
        14 | 15 => "centroid",
        16..=20 => "shares",
        _ => "request",
    }
}

/// What a request says as a whole, measured once: the seeds' centroid and spread, their
/// number and share of proxies, the playlist's length.
pub(crate) struct Shape {
    centroid: Vec<f32>,
    spread: f32,
    seeds: f32,
    length: f32,
    proxy_share: f32,
    /// The seeds' release dates.
    dates: Vec<f32>,
    /// The seeds' mean popularity, when any has one (a proxy's is the lookup's).
    popularity: Option<f32>,
}

impl Shape {
    pub fn new(seeds: &[SeedPoint], length: usize, proxies: usize) -> Self {
        let dim = seeds.first().map_or(0, |s| s.vector.len());
        let n = seeds.len().max(1) as f32;
        let mut centroid = vec![0.0f32; dim];
        for s in seeds {
            for (c, v) in centroid.iter_mut().zip(s.vector.iter()) {
                *c += v / n;
            }
        }
        let spread = seeds
            .iter()
            .map(|s| manhattan_unordered(&s.vector, &centroid))
            .sum::<f32>()
            / n;
        Shape {
            centroid,
            spread,
            seeds: seeds.len() as f32,
            length: length as f32,
            proxy_share: proxies as f32 / n,
            dates: seeds.iter().filter_map(|s| s.date).collect(),
            popularity: mean(seeds.iter().filter_map(|s| s.track.popularity)),
        }
    }
}

fn mean(values: impl Iterator<Item = f32>) -> Option<f32> {
    let (sum, n) = values
        .filter(|v| v.is_finite())
        .fold((0.0f32, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f32)
}

impl Pool {
    /// Slots of the best `m` candidates by the current score that `filters` admit, best first.
    pub(crate) fn shortlist(&self, model: &Model, filters: &Filters, m: usize) -> Vec<usize> {
        let tracks = model.tracks();
        let mut slots: Vec<usize> = (0..self.candidates.len())
            .filter(|&s| filters.admits(&tracks[self.candidates[s].index]))
            .collect();
        let by = |a: &usize, b: &usize| self.by_score(*a, *b);
        if slots.len() > m {
            slots.select_nth_unstable_by(m, by);
            slots.truncate(m);
        }
        slots.sort_unstable_by(by);
        slots
    }

    /// The ranker's features of the candidate at `slot`, the `place`-th of the shortlist,
    /// whose first candidate scored `top` under the weighted sum.
    pub(crate) fn features(
        &self,
        model: &Model,
        slot: usize,
        place: usize,
        top: f32,
        shape: &Shape,
    ) -> [f32; RANK_FEATURES] {
        let c = &self.candidates[slot];
        let t = &model.tracks()[c.index];
        let mut x = [f32::NAN; RANK_FEATURES];
        x[..SIGNALS].copy_from_slice(&c.signals);
        x[9] = f32::from(u8::from(c.foreign));
        x[10] = if top > 0.0 { c.score / top } else { 0.0 };
        x[11] = (1.0 + place as f32).ln();
        x[12] = t.popularity.unwrap_or(f32::NAN);
        let date = model.labels.dates[c.index];
        x[13] = date;
        x[14] = manhattan_unordered(model.vector(c.index), &shape.centroid);
        x[15] = shape.spread;
        x[16..20].copy_from_slice(&c.counts);
        x[20] = c.signals[5] * shape.seeds;
        x[21] = shape.length;
        x[22] = shape.seeds;
        x[23] = shape.proxy_share;
        if date.is_finite() && !shape.dates.is_empty() {
            let gaps = shape.dates.iter().map(|&d| (d - date).abs());
            x[24] = gaps.clone().fold(f32::INFINITY, f32::min);
            x[25] = gaps.sum::<f32>() / shape.dates.len() as f32;
        }
        if let (Some(p), Some(seeds)) = (t.popularity, shape.popularity) {
            x[26] = (p - seeds).abs();
        }
        x
    }

    /// The shortlist of a playlist of `length` tracks under the current scores, each slot
    /// with its features: what the ranker re-orders, and what the learner trains it on.
    pub(crate) fn shortlist_rows(
        &self,
        model: &Model,
        filters: &Filters,
        shape: &Shape,
        length: usize,
    ) -> Vec<(usize, [f32; RANK_FEATURES])> {
        let list = self.shortlist(model, filters, model.params.ranker.shortlist(length));
        let top = list.first().map_or(0.0, |&s| self.candidates[s].score);
        list.iter()
            .enumerate()
            .map(|(place, &slot)| (slot, self.features(model, slot, place, top, shape)))
            .collect()
    }

    /// Re-orders the shortlist of `length`'s playlist by `ranker` (plus the log of the
    /// request's factors, so that targets and negative seeds still count): its candidates
    /// score in (0, 1) by the ranker, all others in (-1, 0) by the weighted sum, in the same
    /// order as before. Returns the shortlist's slots with their features.
    pub(crate) fn rerank(
        &mut self,
        model: &Model,
        ranker: &Ranker,
        filters: &Filters,
        shape: &Shape,
        length: usize,
    ) -> Vec<(usize, [f32; RANK_FEATURES])> {
        let rows = self.shortlist_rows(model, filters, shape, length);
        let xs: Vec<&[f32; RANK_FEATURES]> = rows.iter().map(|(_, x)| x).collect();
        let scores = ranker.score_rows(&xs);
        let mut listed = vec![false; self.candidates.len()];
        for (&(slot, _), score) in rows.iter().zip(scores) {
            listed[slot] = true;
            let c = &mut self.candidates[slot];
            let r = score + c.factor.max(f32::MIN_POSITIVE).ln();
            c.score = 1.0 / (1.0 + (-r).exp());
        }
        for (c, listed) in self.candidates.iter_mut().zip(listed) {
            if !listed {
                c.score = c.score / (1.0 + c.score.max(0.0)) - 1.0;
            }
        }
        rows
    }
}

/// Each signal's part of a candidate's standing, for its reason: under a ranker, its path
/// attribution, with the weighted sum's features (score and rank) shared out over the signals
/// in proportion to their weighted values, the shares' counts given to the artist and album
/// signals and the dates to the era; without one, the weighted values themselves.
pub(crate) fn contributions(
    ranker: Option<&Ranker>,
    x: &[f32; RANK_FEATURES],
    weights: &SignalWeights,
) -> [f32; SIGNALS] {
    let w = weights.as_array();
    let mut weighted = [0.0f32; SIGNALS];
    for (k, v) in weighted.iter_mut().enumerate() {
        *v = w[k] * x[k];
    }
    let Some(ranker) = ranker else {
        return weighted;
    };
    let mut parts = [0.0f32; RANK_FEATURES];
    ranker.attribute(x, &mut parts);
    let mut out = [0.0f32; SIGNALS];
    out.copy_from_slice(&parts[..SIGNALS]);
    let total: f32 = weighted.iter().sum();
    if total > 0.0 {
        let linear = parts[10] + parts[11];
        for (o, v) in out.iter_mut().zip(weighted) {
            *o += linear * v / total;
        }
    }
    out[1] += parts[16] + parts[17];
    out[2] += parts[18] + parts[19];
    out[5] += parts[9] + parts[20];
    // The candidate's date and its gaps to the seeds' are the era's.
    out[6] += parts[13] + parts[24] + parts[25];
    out[8] += parts[14];
    out
}
