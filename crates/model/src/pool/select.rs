//! Selection: the playlist chosen from a scored pool (filters, the per-seed guarantee, caps),
//! in relevance order. `generate` and the learner pick through [`ranked`].

use std::collections::HashSet;

use selecta_types::Track;

use crate::attributes::Attribute;
use crate::generate::options::GenerateOptions;
use crate::model::Model;
use crate::seed::SeedPoint;

use super::Pool;

/// A chosen track: position in the pool and the seed it stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pick {
    /// Position in the pool.
    pub slot: usize,
    /// Position of its seed in the seed list.
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
    /// The filters of options `o` for these seeds.
    pub fn new(seeds: &[SeedPoint], o: &'a GenerateOptions) -> Self {
        Self::of_songs(Self::seed_songs(seeds), o)
    }

    /// The seeds' songs (catalog song numbers), which [`Filters::of_songs`] takes.
    pub fn seed_songs(seeds: &[SeedPoint]) -> HashSet<u32> {
        seeds.iter().filter_map(|s| s.song).collect()
    }

    /// The filters of options `o` for seeds of these songs: what the learner keeps of a task's
    /// seeds, so that picking under another weight setting does not measure them again.
    pub fn of_songs(seed_songs: HashSet<u32>, o: &'a GenerateOptions) -> Self {
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
                seed_songs
            } else {
                HashSet::new()
            },
            max_per_artist: o.max_per_artist,
        }
    }

    /// Whether a track may appear at all (caps aside).
    pub(crate) fn admits(&self, t: &Track) -> bool {
        if !self.exclude.is_empty() && self.exclude.contains(t.id.as_str()) {
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
struct Picker<'f> {
    filters: &'f Filters<'f>,
    length: usize,
    taken: Vec<bool>,
    /// Filter verdict per slot, remembered: a slot is tried again in later rounds.
    admitted: Vec<Option<bool>>,
    /// (artist id, tracks so far): at most a few hundred, searched linearly.
    per_artist: Vec<(u32, usize)>,
    /// Songs taken (catalog song numbers).
    songs: Vec<u32>,
    picks: Vec<Pick>,
}

impl Picker<'_> {
    fn full(&self) -> bool {
        self.picks.len() >= self.length
    }

    /// Takes the candidate if the filters and caps allow it.
    fn try_take(&mut self, model: &Model, pool: &Pool, slot: usize, seed: usize) -> bool {
        if self.taken[slot] {
            return false;
        }
        let t = &model.tracks()[pool.candidates[slot].index];
        let admitted = *self.admitted[slot].get_or_insert_with(|| self.filters.admits(t));
        if !admitted {
            return false;
        }
        let index = pool.candidates[slot].index;
        let artists = model.affinity.track_artists.row(index);
        let count = |per_artist: &[(u32, usize)], a: u32| {
            per_artist
                .iter()
                .find(|(b, _)| *b == a)
                .map_or(0, |&(_, n)| n)
        };
        if let Some(cap) = self.filters.max_per_artist {
            if artists.iter().any(|&a| count(&self.per_artist, a) >= cap) {
                return false;
            }
        }
        if self.filters.collapse {
            // The catalog numbers songs once (`selecta_catalog::song_key`): versions of a
            // song (remix, remaster, live, radio edit) share the number.
            if let Some(song) = model.catalog().song_id(index) {
                if self.filters.seed_songs.contains(&song) {
                    self.admitted[slot] = Some(false);
                    return false;
                }
                if self.songs.contains(&song) {
                    return false;
                }
                self.songs.push(song);
            }
        }
        for &a in artists {
            match self.per_artist.iter_mut().find(|(b, _)| *b == a) {
                Some((_, n)) => *n += 1,
                None => self.per_artist.push((a, 1)),
            }
        }
        self.taken[slot] = true;
        self.picks.push(Pick { slot, seed });
        true
    }
}

/// Slots put in order best first only as far as they are read: a walk that stops after a few
/// costs a few partial selections, not a sort of the whole list (a pool holds a thousand
/// candidates or more, a playlist needs tens, and the learner picks thousands of playlists
/// per weight setting it tries).
struct BestFirst {
    slots: Vec<usize>,
    /// `slots[..ready]` are the best, in order.
    ready: usize,
    /// Slots put in order on the first read.
    first: usize,
}

impl BestFirst {
    /// The slots, of which a walk is expected to read about `first`.
    fn new(slots: Vec<usize>, first: usize) -> Self {
        BestFirst {
            slots,
            ready: 0,
            first: first.max(1),
        }
    }

    /// The `i`-th best slot under the total order `by`.
    fn get(
        &mut self,
        i: usize,
        by: impl Fn(&usize, &usize) -> std::cmp::Ordering,
    ) -> Option<usize> {
        while i >= self.ready && self.ready < self.slots.len() {
            // Chunks that double: reading the whole list costs O(n log n), as a sort would.
            let tail = &mut self.slots[self.ready..];
            let chunk = self.ready.max(self.first).min(tail.len());
            if chunk < tail.len() {
                tail.select_nth_unstable_by(chunk - 1, &by);
            }
            tail[..chunk].sort_unstable_by(&by);
            self.ready += chunk;
        }
        self.slots.get(i).copied()
    }
}

/// Picks up to `length` candidates, then up to `spares` more (see [`ranked_with_spares`]).
///
/// 1. Seeds in turn (round-robin), each takes its best-scored admissible candidate, preferring
///    ones most tied to it (its owner), until `seed_share · length` slots are taken (and at
///    least one per seed when the playlist has room for twice as many tracks as seeds):
///    every seed is heard, not only the one in the densest neighbourhood.
/// 2. The rest by score, best first.
///
/// Ties resolve by catalog index, so the same request gives the same playlist.
fn pick(
    model: &'_ Model,
    pool: &Pool,
    filters: &Filters,
    length: usize,
    spares: usize,
    n_seeds: usize,
    seed_share: f32,
) -> Vec<Pick> {
    let by_score = |a: &usize, b: &usize| pool.by_score(*a, *b);
    // The spares come after the playlist in the same by-score walk, under the same caps: the
    // first `length` picks are the same with or without them (the reserved slots below depend
    // on `length` alone, and the walk only stops later).
    let mut picker = Picker {
        filters,
        length: length + spares,
        taken: vec![false; pool.candidates.len()],
        admitted: vec![None; pool.candidates.len()],
        per_artist: Vec::new(),
        songs: Vec::new(),
        picks: Vec::with_capacity(length + spares),
    };
    // Slots reserved for the seeds in turn: `seed_share` of the playlist, and at least one
    // per seed when the playlist has room for twice as many tracks as seeds. With about as
    // many seeds as tracks, one slot per seed would make the playlist a round of each seed's
    // nearest track and drown what the seeds share (measured: R-precision 0.24 instead of
    // 0.30 on the real playlists), so then only the first seeds get a reserved slot.
    let mut reserved = (seed_share * length as f32).floor() as usize;
    if 2 * n_seeds <= length {
        reserved = reserved.max(n_seeds);
    }
    let quota = reserved.div_ceil(n_seeds.max(1));
    let mut per_seed: Vec<BestFirst> = pool
        .per_seed
        .iter()
        .map(|list| BestFirst::new(list.clone(), 16))
        .collect();
    'rounds: for _ in 0..quota {
        for (seed, list) in per_seed.iter_mut().enumerate() {
            if picker.picks.len() >= reserved.min(length) {
                break 'rounds;
            }
            let owned = (0..).map_while(|i| list.get(i, by_score)).any(|slot| {
                pool.candidates[slot].owner == seed && picker.try_take(model, pool, slot, seed)
            });
            if !owned {
                for slot in (0..).map_while(|i| list.get(i, by_score)) {
                    if picker.try_take(model, pool, slot, seed) {
                        break;
                    }
                }
            }
        }
    }
    // The rest by score (a pool holds a thousand candidates or more; a playlist needs tens).
    let mut rest = BestFirst::new((0..pool.candidates.len()).collect(), 2 * picker.length);
    for slot in (0..).map_while(|i| rest.get(i, by_score)) {
        if picker.full() {
            break;
        }
        let owner = pool.candidates[slot].owner;
        picker.try_take(model, pool, slot, owner);
    }
    picker.picks
}

/// Picks up to `length` candidates of a scored pool ([`pick`]) and orders them by score, best
/// first: the playlist in relevance order, as `generate` shows it and the learner measures it.
pub(crate) fn ranked(
    model: &Model,
    pool: &Pool,
    filters: &Filters,
    length: usize,
    n_seeds: usize,
    seed_share: f32,
) -> Vec<Pick> {
    ranked_with_spares(model, pool, filters, length, 0, n_seeds, seed_share).0
}

/// As [`ranked`], with up to `spares` more candidates, the next ones the walk would take
/// (best first), under the same filters and caps counted with the playlist: any of them can
/// replace a removed track without breaking a cap, and without another search.
pub(crate) fn ranked_with_spares(
    model: &Model,
    pool: &Pool,
    filters: &Filters,
    length: usize,
    spares: usize,
    n_seeds: usize,
    seed_share: f32,
) -> (Vec<Pick>, Vec<Pick>) {
    let mut picks = pick(model, pool, filters, length, spares, n_seeds, seed_share);
    let mut rest = picks.split_off(picks.len().min(length));
    picks.sort_unstable_by(|a, b| pool.by_score(a.slot, b.slot));
    rest.sort_unstable_by(|a, b| pool.by_score(a.slot, b.slot));
    (picks, rest)
}
