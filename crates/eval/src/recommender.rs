//! What is measured: Selecta's model through the real [`generate`] path, and the seed's two
//! baselines (random tracks; random tracks of the seeds' genre).

use std::collections::{HashMap, HashSet};

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;
use selecta_model::generate::options::{MAX_LENGTH, MAX_SEEDS};
use selecta_model::{generate, GenerateOptions, Model};

/// Something that turns seed tracks into a ranked list of catalog tracks.
pub trait Recommender {
    /// The name shown in reports.
    fn name(&self) -> &str;

    /// Up to `n` tracks (catalog indices, best first) for the seeds, never a seed.
    fn recommend(&self, seeds: &[usize], n: usize, rng: &mut ChaCha8Rng) -> Vec<usize>;
}

/// Selecta's model, through [`generate`] with the options a listener gets, except the cap of
/// tracks per artist, which is lifted by default (the measure is how well the ranking finds the
/// playlist, not the diversity rule).
pub struct ModelRecommender<'m> {
    model: &'m Model,
    options: GenerateOptions,
}

impl<'m> ModelRecommender<'m> {
    /// Measures `model` with `options` (their `length` is set per request).
    pub fn new(model: &'m Model, options: GenerateOptions) -> Self {
        ModelRecommender { model, options }
    }
}

impl Recommender for ModelRecommender<'_> {
    fn name(&self) -> &str {
        "Selecta"
    }

    /// At most [`MAX_SEEDS`] seeds are given (the first ones; the others are excluded from the
    /// result, as a listener excludes what they already have) and at most [`MAX_LENGTH`]
    /// tracks asked for.
    fn recommend(&self, seeds: &[usize], n: usize, _rng: &mut ChaCha8Rng) -> Vec<usize> {
        let catalog = self.model.catalog();
        let (given, rest) = seeds.split_at(seeds.len().min(MAX_SEEDS));
        let mut options = self.options.clone();
        options.length = n.clamp(1, MAX_LENGTH);
        options
            .exclude_ids
            .extend(rest.iter().map(|&i| catalog.tracks()[i].id.clone()));
        match generate(self.model, given, &options) {
            Ok(p) => p
                .entries
                .iter()
                .filter_map(|e| catalog.index_of(&e.track.id))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "generate failed during evaluation");
                Vec::new()
            }
        }
    }
}

/// Selecta's nearest neighbours in its model space (Manhattan, what `selecta describe` lists):
/// the k-nearest-neighbour part of the model alone, the like-for-like comparison with the
/// seed's KNN. Given several seeds it answers for the first.
pub struct NeighbourRecommender<'m> {
    model: &'m Model,
}

impl<'m> NeighbourRecommender<'m> {
    /// Measures `model`'s neighbour search.
    pub fn new(model: &'m Model) -> Self {
        NeighbourRecommender { model }
    }
}

impl Recommender for NeighbourRecommender<'_> {
    fn name(&self) -> &str {
        "Selecta neighbours"
    }

    fn recommend(&self, seeds: &[usize], n: usize, _rng: &mut ChaCha8Rng) -> Vec<usize> {
        let Some(&seed) = seeds.first() else {
            return Vec::new();
        };
        let n = n.clamp(1, 1000);
        selecta_model::neighbours(self.model, seed, n)
            .map(|list| list.into_iter().map(|nb| nb.index).collect())
            .unwrap_or_default()
    }
}

/// Uniformly random catalog tracks.
pub struct RandomBaseline {
    len: usize,
}

impl RandomBaseline {
    /// Draws from a catalog of `len` tracks.
    pub fn new(len: usize) -> Self {
        RandomBaseline { len }
    }
}

impl Recommender for RandomBaseline {
    fn name(&self) -> &str {
        "random"
    }

    fn recommend(&self, seeds: &[usize], n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let banned: HashSet<usize> = seeds.iter().copied().collect();
        let n = n.min(self.len.saturating_sub(banned.len()));
        let mut out = Vec::with_capacity(n);
        let mut taken = HashSet::new();
        while out.len() < n {
            let i = rng.random_range(0..self.len);
            if !banned.contains(&i) && taken.insert(i) {
                out.push(i);
            }
        }
        out
    }
}

/// Random tracks of the seeds' genre: the genre most of the seeds carry (ties: the first in
/// alphabetical order); a random track when no seed has a genre.
pub struct SameGenreBaseline {
    by_genre: HashMap<String, Vec<usize>>,
    genres: Vec<Vec<String>>,
    len: usize,
}

impl SameGenreBaseline {
    /// Indexes the catalog's tracks by genre (the labels the catalog holds, so under the strict
    /// protocol the strict labels).
    pub fn new(catalog: &Catalog) -> Self {
        let mut by_genre: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in catalog.tracks().iter().enumerate() {
            for g in &t.genres {
                by_genre.entry(g.clone()).or_default().push(i);
            }
        }
        SameGenreBaseline {
            by_genre,
            genres: catalog.tracks().iter().map(|t| t.genres.clone()).collect(),
            len: catalog.len(),
        }
    }

    /// The seeds' most common genre.
    fn genre_of(&self, seeds: &[usize]) -> Option<&str> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for &s in seeds {
            for g in &self.genres[s] {
                *counts.entry(g.as_str()).or_insert(0) += 1;
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(g, _)| g)
    }
}

impl Recommender for SameGenreBaseline {
    fn name(&self) -> &str {
        "same-genre random"
    }

    fn recommend(&self, seeds: &[usize], n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let Some(pool) = self.genre_of(seeds).and_then(|g| self.by_genre.get(g)) else {
            return RandomBaseline::new(self.len).recommend(seeds, n, rng);
        };
        let banned: HashSet<usize> = seeds.iter().copied().collect();
        let allowed: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|i| !banned.contains(i))
            .collect();
        allowed.choose_multiple(rng, n).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use selecta_types::Track;

    fn catalog() -> Catalog {
        let tracks = (0..20)
            .map(|i| Track {
                id: format!("t{i}"),
                genres: vec![if i < 5 { "rock" } else { "pop" }.into()],
                ..Track::default()
            })
            .collect();
        Catalog::from_tracks(tracks, Vec::new())
    }

    #[test]
    fn random_never_returns_a_seed_or_a_repeat() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let r = RandomBaseline::new(20);
        let got = r.recommend(&[0, 1, 2], 17, &mut rng);
        assert_eq!(got.len(), 17);
        let set: HashSet<usize> = got.iter().copied().collect();
        assert_eq!(set.len(), 17);
        assert!(!set.contains(&0) && !set.contains(&2));
        // Asking for more than exists gives what exists.
        assert_eq!(r.recommend(&[0], 50, &mut rng).len(), 19);
    }

    #[test]
    fn same_genre_draws_from_the_seeds_majority_genre() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let b = SameGenreBaseline::new(&catalog());
        // Seeds 0, 1 rock and 10 pop: rock wins; 3 rock tracks are left.
        let got = b.recommend(&[0, 1, 10], 10, &mut rng);
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [2, 3, 4]);
        assert_eq!(b.genre_of(&[0, 10]), Some("pop"), "ties: alphabetical");
    }
}
