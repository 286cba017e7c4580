//! What is measured: Selecta's model through the engine's real playlist path, and the seed's two
//! baselines (random tracks; random tracks of the seeds' genre).

use std::collections::{HashMap, HashSet};

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;
use selecta_engine::{CatalogIndex, Engine};
use selecta_model::PcaParams;
use selecta_model::{Model, ModelParams};
use selecta_types::{PlaylistRequest, SeedRef, MAX_LENGTH, MAX_SEEDS};

/// Something that turns seed tracks into a ranked list of catalog tracks.
pub trait Recommender {
    /// The name shown in reports.
    fn name(&self) -> &str;

    /// Up to `n` tracks (catalog indices, best first) for the seeds, never a seed.
    fn recommend(&self, seeds: &[usize], n: usize, rng: &mut ChaCha8Rng) -> Vec<usize>;
}

/// Selecta's model, through the engine's playlist request as every entry point makes it,
/// with the options a listener gets, except the cap of tracks per artist, which is lifted by
/// default (the measure is how well the ranking finds the playlist, not the diversity rule).
pub struct ModelRecommender<'m> {
    model: &'m Model,
    index: CatalogIndex,
    request: PlaylistRequest,
    name: &'static str,
}

impl<'m> ModelRecommender<'m> {
    /// Measures `model` with `request` (its seeds and `length` are set per task), as
    /// "Selecta".
    pub fn new(model: &'m Model, request: PlaylistRequest) -> Self {
        ModelRecommender {
            model,
            index: CatalogIndex::build(model.tracks()),
            request,
            name: "Selecta",
        }
    }

    /// The same under another name.
    pub fn named(self, name: &'static str) -> Self {
        ModelRecommender { name, ..self }
    }
}

impl Recommender for ModelRecommender<'_> {
    fn name(&self) -> &str {
        self.name
    }

    /// At most [`MAX_SEEDS`] seeds are given (the first ones; the others are excluded from the
    /// result, as a listener excludes what they already have) and at most [`MAX_LENGTH`]
    /// tracks asked for.
    fn recommend(&self, seeds: &[usize], n: usize, _rng: &mut ChaCha8Rng) -> Vec<usize> {
        let catalog = self.model.catalog();
        let (given, rest) = seeds.split_at(seeds.len().min(MAX_SEEDS));
        let id = |&i: &usize| catalog.tracks()[i].id.to_string();
        let mut request = self.request.clone();
        request.seeds = given
            .iter()
            .map(|i| SeedRef::Track(id(i).to_string()))
            .collect();
        request.length = n.clamp(1, MAX_LENGTH);
        request.exclude_ids.extend(rest.iter().map(id));
        match Engine::new(self.model, &self.index).playlist(&request) {
            Ok(g) => g
                .playlist
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

/// A model's nearest neighbours in its space (Manhattan, what `selecta describe` lists), as the
/// seed's service used its KNN: the seeds' neighbour lists taken in turn, nearest first, each
/// track once. With Selecta's model, the k-nearest-neighbour part of the model alone; with
/// [`seed_model_params`], the seed's model rebuilt.
pub struct NeighbourRecommender<'m> {
    model: &'m Model,
    name: &'static str,
    similar: bool,
}

impl<'m> NeighbourRecommender<'m> {
    /// Measures `model`'s plain neighbour search under `name`.
    pub fn new(model: &'m Model, name: &'static str) -> Self {
        NeighbourRecommender {
            model,
            name,
            similar: false,
        }
    }

    /// Measures `model`'s similar tracks ([`selecta_model::similar`]: the nearest, raised for
    /// a shared artist or album; what a track's card shows) under `name`.
    pub fn similar(model: &'m Model, name: &'static str) -> Self {
        NeighbourRecommender {
            model,
            name,
            similar: true,
        }
    }
}

impl Recommender for NeighbourRecommender<'_> {
    fn name(&self) -> &str {
        self.name
    }

    fn recommend(&self, seeds: &[usize], n: usize, _rng: &mut ChaCha8Rng) -> Vec<usize> {
        let seeds = &seeds[..seeds.len().min(MAX_SEEDS)];
        if seeds.is_empty() {
            return Vec::new();
        }
        // Enough per seed for its share, and a margin for the tracks other seeds took.
        let k = (n.div_ceil(seeds.len()) * 2 + seeds.len()).clamp(1, 1000);
        let lists: Vec<Vec<usize>> = seeds
            .iter()
            .map(|&s| {
                let list = if self.similar {
                    selecta_model::similar(self.model, s, k)
                } else {
                    selecta_model::neighbours(self.model, s, k)
                };
                list.map(|l| l.into_iter().map(|nb| nb.index).collect())
                    .unwrap_or_default()
            })
            .collect();
        let banned: HashSet<usize> = seeds.iter().copied().collect();
        let mut taken = HashSet::new();
        let mut out = Vec::with_capacity(n);
        for rank in 0..k {
            for list in &lists {
                if out.len() == n {
                    return out;
                }
                if let Some(&i) = list.get(rank) {
                    if !banned.contains(&i) && taken.insert(i) {
                        out.push(i);
                    }
                }
            }
        }
        out
    }
}

/// The seed's model rebuilt with Selecta's pipeline (issue 5's baseline): the Spotify audio
/// features, popularity, duration and release year mean-imputed and standardised with equal
/// weights, the genre and subgenre one-hot (the catalog's two labels, which is what matches the
/// issue's measurement of the seed's model), PCA to at most 141 components, and Manhattan
/// nearest neighbours. Nothing is learned.
pub fn seed_model_params() -> ModelParams {
    let mut p = ModelParams::default();
    let w = &mut p.features.encoder.weights;
    w.genre = 1.0;
    w.subgenre = 1.0;
    p.features.pca = PcaParams {
        variance_ratio: 1.0,
        max_components: Some(141),
    };
    p
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
    genres: Vec<Vec<selecta_types::Text>>,
    len: usize,
}

impl SameGenreBaseline {
    /// Indexes the catalog's tracks by genre (the labels the catalog holds, so under the strict
    /// protocol the strict labels).
    pub fn new(catalog: &Catalog) -> Self {
        let mut by_genre: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in catalog.tracks().iter().enumerate() {
            for g in &t.genres {
                by_genre.entry(g.to_string()).or_default().push(i);
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
                id: format!("t{i}").into(),
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
