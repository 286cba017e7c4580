//! Choosing the playlist from scored candidates: filters, the per-seed guarantee, caps.

use std::collections::{HashMap, HashSet};

use selecta_types::Track;

use crate::attributes::Attribute;
use crate::generate::candidates::Pool;
use crate::generate::options::GenerateOptions;
use crate::model::Model;

/// A chosen track: position in the pool and the seed it stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pick {
    pub slot: usize,
    pub seed: usize,
}

/// The request's filters, prepared once.
pub(crate) struct Filters<'a> {
    exclude: HashSet<&'a str>,
    blocked: HashSet<String>,
    bounds: Vec<(Attribute, Option<f32>, Option<f32>)>,
    collapse: bool,
    seed_songs: HashSet<u32>,
    max_per_artist: Option<usize>,
}

fn artist_key(a: &str) -> String {
    a.trim().to_lowercase()
}

impl<'a> Filters<'a> {
    pub fn new(model: &Model, seeds: &[usize], o: &'a GenerateOptions) -> Self {
        Filters {
            exclude: o.exclude_ids.iter().map(String::as_str).collect(),
            blocked: o.block_artists.iter().map(|a| artist_key(a)).collect(),
            bounds: o
                .attributes
                .iter()
                .filter(|(_, b)| b.min.is_some() || b.max.is_some())
                .map(|(&a, b)| (a, b.min, b.max))
                .collect(),
            collapse: o.collapse_versions,
            seed_songs: if o.collapse_versions {
                seeds
                    .iter()
                    .filter_map(|&s| model.catalog().song_id(s))
                    .collect()
            } else {
                HashSet::new()
            },
            max_per_artist: o.max_per_artist,
        }
    }

    /// Whether a track may appear at all (caps aside).
    fn admits(&self, t: &Track) -> bool {
        if self.exclude.contains(t.id.as_str()) {
            return false;
        }
        if !self.blocked.is_empty()
            && t.artists
                .iter()
                .any(|a| self.blocked.contains(&artist_key(a)))
        {
            return false;
        }
        self.bounds.iter().all(|&(attribute, min, max)| {
            attribute
                .value(t)
                .is_some_and(|v| min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m))
        })
    }
}

/// The running playlist with its caps.
struct Picker<'f, 'm> {
    filters: &'f Filters<'f>,
    length: usize,
    taken: Vec<bool>,
    /// Filter verdict per slot, remembered: a slot is tried again in later rounds.
    admitted: Vec<Option<bool>>,
    /// Tracks per artist so far (names as the catalog spells them: one source, one spelling).
    per_artist: HashMap<&'m str, usize>,
    songs: HashSet<u32>,
    picks: Vec<Pick>,
}

impl<'m> Picker<'_, 'm> {
    fn full(&self) -> bool {
        self.picks.len() >= self.length
    }

    /// Takes the candidate if the filters and caps allow it.
    fn try_take(&mut self, model: &'m Model, pool: &Pool, slot: usize, seed: usize) -> bool {
        if self.taken[slot] {
            return false;
        }
        let t = &model.tracks()[pool.candidates[slot].index];
        let admitted = *self.admitted[slot].get_or_insert_with(|| self.filters.admits(t));
        if !admitted {
            return false;
        }
        if let Some(cap) = self.filters.max_per_artist {
            if t.artists
                .iter()
                .any(|a| self.per_artist.get(a.as_str()).copied().unwrap_or(0) >= cap)
            {
                return false;
            }
        }
        if self.filters.collapse {
            // The catalog numbers songs once (`selecta_catalog::song_key`): versions of a
            // song (remix, remaster, live, radio edit) share the number.
            if let Some(song) = model.catalog().song_id(pool.candidates[slot].index) {
                if self.filters.seed_songs.contains(&song) {
                    self.admitted[slot] = Some(false);
                    return false;
                }
                if !self.songs.insert(song) {
                    return false;
                }
            }
        }
        for a in &t.artists {
            *self.per_artist.entry(a.as_str()).or_insert(0) += 1;
        }
        self.taken[slot] = true;
        self.picks.push(Pick { slot, seed });
        true
    }
}

/// Picks up to `length` candidates.
///
/// 1. Seeds in turn (round-robin), each takes its best-scored admissible candidate, preferring
///    ones nearer to it than to any other seed, until `seed_share · length` slots are taken:
///    when they are at least as many as the seeds, every seed is heard, not only the one in
///    the densest neighbourhood.
/// 2. The rest by score, best first.
///
/// Ties resolve by catalog index, so the same request gives the same playlist.
pub(crate) fn pick(
    model: &'_ Model,
    pool: &Pool,
    filters: &Filters,
    length: usize,
    n_seeds: usize,
) -> Vec<Pick> {
    let by_score = |a: &usize, b: &usize| {
        let (ca, cb) = (&pool.candidates[*a], &pool.candidates[*b]);
        cb.score.total_cmp(&ca.score).then(ca.index.cmp(&cb.index))
    };
    let mut picker = Picker {
        filters,
        length,
        taken: vec![false; pool.candidates.len()],
        admitted: vec![None; pool.candidates.len()],
        per_artist: HashMap::new(),
        songs: HashSet::new(),
        picks: Vec::with_capacity(length),
    };
    let share = model.params.scoring.seed_share;
    // Slots reserved for the seeds in turn: `seed_share` of the playlist, dealt round-robin
    // (with more seeds than reserved slots, the first seeds get one each).
    let reserved = (share * length as f32).floor() as usize;
    let quota = reserved.div_ceil(n_seeds.max(1));
    let per_seed: Vec<Vec<usize>> = pool
        .per_seed
        .iter()
        .map(|list| {
            let mut l = list.clone();
            l.sort_by(by_score);
            l
        })
        .collect();
    'rounds: for _ in 0..quota {
        for (seed, list) in per_seed.iter().enumerate() {
            if picker.full() || picker.picks.len() >= reserved {
                break 'rounds;
            }
            let owned = list
                .iter()
                .find(|&&slot| {
                    pool.candidates[slot].owner == seed && picker.try_take(model, pool, slot, seed)
                })
                .is_some();
            if !owned {
                for &slot in list {
                    if picker.try_take(model, pool, slot, seed) {
                        break;
                    }
                }
            }
        }
    }
    let mut all: Vec<usize> = (0..pool.candidates.len()).collect();
    all.sort_by(by_score);
    for slot in all {
        if picker.full() {
            break;
        }
        let owner = pool.candidates[slot].owner;
        picker.try_take(model, pool, slot, owner);
    }
    picker.picks
}
