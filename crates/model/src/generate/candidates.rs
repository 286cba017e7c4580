//! Gathering candidates for a set of seeds and scoring them.
//!
//! Candidates come from each seed's sound neighbourhood (its `k` nearest tracks in model space)
//! and from its [affinity](crate::affinity) lists: tracks by the same artists, from the same
//! album, from the playlists it was found in, by artists that share playlists with its artists.
//! Every candidate is then scored on the whole seed set, for seeds s₁..sₙ:
//!
//! ```text
//! score(c) = (Σᵢ wᵢ · fᵢ(c)) / n · genre(c) · target(c) · negative(c)
//! sound(c)    = Σₛ 1 / (rrf_k + rankₛ(c))      reciprocal-rank fusion of the neighbour lists
//! artist(c)   = Σ_{a of c} sₐ / max(1, Nₐ − sₐ)^p   sₐ seeds by a, Nₐ tracks by a
//! album(c)    = s_b / max(1, N_b − s_b)^p          for c's album b, likewise
//! cooc(c)     = Σₛ playlists holding both s and c
//! related(c)  = Σₛ Σ_{a of s, b of c} cos(a, b)   artists' playlist sets, top related only
//! label(c)    = (max over c's subgenres of the seeds holding it
//!               + max over c's genres of the seeds holding it) / 2
//! era(c)      = Σₛ exp(-|year(c) - year(s)| / era_years)
//! harmony(c)  = Σₛ ([key(c) = key(s)] + [mode(c) = mode(s)]) / 2
//! close(c)    = Σₛ exp(-d(c, s) / d₁₀(s))   d₁₀(s): distance of s's 10th nearest neighbour
//! genre(c)    = other_genre when c has genres and none is a seed's, else 1 (a factor)
//! target(c)   = Π_targets exp(-target_strength · |value(c) - target| / std)
//! negative(c) = min(1, d(c, nearest negative seed) / d(c, nearest seed)) ^ negative_strength
//! ```
//!
//! Reciprocal-rank fusion weighs every seed's list alike whatever the density of its
//! neighbourhood; the other signals count seeds, so a track that agrees with many seeds (same
//! artists, same labels, same era) rises above one close to a single seed. A shared artist or
//! album counts in proportion to how much of it the seeds took: three seeds by an artist with
//! four tracks make its fourth a near certainty, three by an artist with a hundred do not (with
//! `p` = [`ScoringParams::group_size_power`]). Targets re-rank by
//! closeness in standard deviations of the attribute; a candidate closer to a "less like this"
//! track than to any seed is scaled down in proportion. The per-query work is bounded: at most
//! `k` neighbours and a few hundred affinity entries per seed.

use serde::{Deserialize, Serialize};

use crate::attributes::Attribute;
use crate::metric::manhattan_unordered;
use crate::model::Model;

/// How much each signal counts in a candidate's score (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalWeights {
    /// Sound: reciprocal-rank fusion of the seeds' neighbour lists.
    pub sound: f32,
    /// Seeds sharing an artist with the candidate.
    pub artist: f32,
    /// Seeds on the candidate's album.
    pub album: f32,
    /// Playlists holding both a seed and the candidate.
    pub cooccurrence: f32,
    /// Artists who share playlists with the seeds' artists.
    pub related_artists: f32,
    /// Seeds sharing the candidate's genre and subgenre labels.
    pub label: f32,
    /// Release-era proximity to the seeds.
    pub era: f32,
    /// Seeds in the candidate's key and mode (harmonic mixing; the seed's sound metric counts
    /// a different key or mode as a large difference).
    pub harmony: f32,
    /// Closeness in model space to each seed, on the scale of that seed's neighbourhood: it
    /// orders every candidate by sound, also those no neighbour list reached (an artist's
    /// other tracks, co-occurring ones), where `sound` gives nothing.
    #[serde(default)]
    pub closeness: f32,
}

impl Default for SignalWeights {
    fn default() -> Self {
        SignalWeights {
            sound: 8.0,
            artist: 20.0,
            album: 10.0,
            cooccurrence: 0.2,
            related_artists: 0.3,
            label: 0.3,
            era: 0.3,
            harmony: 0.0,
            closeness: 0.0,
        }
    }
}

/// Constants of the ranking, kept in the model artifact so that tuned or learned values
/// travel with the model.
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
    /// Weights of the signals.
    pub weights: SignalWeights,
    /// Width of the era kernel, in years.
    pub era_years: f32,
    /// Related artists followed per seed artist.
    pub related_per_artist: usize,
    /// Tracks taken per related artist (its most popular).
    pub tracks_per_related: usize,
    /// Factor of a candidate whose genres are all foreign to the seeds'.
    pub other_genre: f32,
    /// How much a shared artist or album counts less when it has many tracks the seeds left
    /// out: a seed count `s` over a group of `N` tracks counts `s / max(1, N − s)^power`.
    /// `0` counts every shared seed alike; `1` makes the count an estimate of the odds that one
    /// of the group's other tracks belongs with the seeds (about as many are left to find as
    /// were picked). Parameters written before it existed read 0: the bare count their
    /// weights were tuned with.
    #[serde(default)]
    pub group_size_power: f32,
}

impl Default for ScoringParams {
    fn default() -> Self {
        ScoringParams {
            rrf_k: 5.0,
            neighbours_per_track: 1,
            min_neighbours: 20,
            target_strength: 1.0,
            negative_strength: 1.0,
            seed_share: 0.1,
            weights: SignalWeights::default(),
            era_years: 4.0,
            related_per_artist: 10,
            tracks_per_related: 5,
            other_genre: 0.01,
            group_size_power: 1.0,
        }
    }
}

/// The signals of [`SignalWeights`], in its field order.
pub(crate) const SIGNALS: usize = 9;

/// A scored candidate.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Catalog index.
    pub index: usize,
    /// Final score (higher is better).
    pub score: f32,
    /// Position (in the seed list) of the seed it is most tied to.
    pub owner: usize,
    /// The signal values (sound, artist, album, co-occurrence, related, label, era, harmony,
    /// closeness),
    /// already divided by the number of seeds: the score is their weighted sum times the
    /// factors, so that other weights can re-score a pool without gathering it again.
    pub signals: [f32; SIGNALS],
    /// Whether the candidate has genres and none of them is a seed's (`other_genre` applies).
    pub foreign: bool,
    /// The product of the request's factors (negative seeds, targets).
    pub factor: f32,
}

impl SignalWeights {
    /// The weights in the order of [`Candidate::signals`].
    pub(crate) fn as_array(&self) -> [f32; SIGNALS] {
        [
            self.sound,
            self.artist,
            self.album,
            self.cooccurrence,
            self.related_artists,
            self.label,
            self.era,
            self.harmony,
            self.closeness,
        ]
    }

    /// Weights from the order of [`Candidate::signals`].
    pub(crate) fn from_array(w: [f32; SIGNALS]) -> Self {
        let [sound, artist, album, cooccurrence, related_artists, label, era, harmony, closeness] =
            w;
        SignalWeights {
            sound,
            artist,
            album,
            cooccurrence,
            related_artists,
            label,
            era,
            harmony,
            closeness,
        }
    }
}

/// Candidates of one round of retrieval.
pub(crate) struct Pool {
    pub candidates: Vec<Candidate>,
    /// For each seed, its candidates (positions in `candidates`): its neighbours from nearest
    /// to farthest, then the tracks its affinity lists brought.
    pub per_seed: Vec<Vec<usize>>,
    /// True when the lists already cover the whole catalog (growing k would not help).
    pub exhausted: bool,
}

/// Targets to re-rank by: (attribute, target, spread).
pub(crate) type Targets = Vec<(Attribute, f32, f32)>;

/// Rank given to affinity entries: after any neighbour, and worth nothing in the fusion.
const NO_RANK: usize = usize::MAX;
/// The neighbour whose distance sets a seed's closeness scale: a candidate that far from the
/// seed scores e⁻¹ of an identical one.
pub(crate) const CLOSENESS_RANK: usize = 10;

/// What the seeds say as a whole, gathered once per request. Lookups are by small integers
/// (artist, album and label ids): scoring a candidate hashes no string.
struct SeedProfile {
    /// (artist, seeds by that artist): a handful, searched linearly.
    artists: Vec<(u32, f32)>,
    /// (album, seeds on it).
    albums: Vec<(u32, f32)>,
    /// (related artist, summed similarity), sorted by artist for binary search.
    related: Vec<(u32, f32)>,
    /// Seeds per subgenre id / genre id.
    subgenres: Vec<f32>,
    genres: Vec<f32>,
    /// Whether any seed has a genre.
    has_genres: bool,
    years: Vec<f32>,
    /// Era score per release year from [`ERA_FROM`], filled on first use.
    era_memo: Vec<f32>,
    keys: [f32; 12],
    modes: [f32; 2],
}

/// First year of the era memo; years outside the memo are computed directly.
const ERA_FROM: u16 = 1850;
/// Years the era memo covers.
const ERA_YEARS: usize = 250;

fn add(list: &mut Vec<(u32, f32)>, id: u32, w: f32) {
    match list.iter_mut().find(|(i, _)| *i == id) {
        Some((_, v)) => *v += w,
        None => list.push((id, w)),
    }
}

fn get(list: &[(u32, f32)], id: u32) -> f32 {
    list.iter().find(|(i, _)| *i == id).map_or(0.0, |&(_, v)| v)
}

impl SeedProfile {
    fn new(model: &Model, seeds: &[usize]) -> Self {
        let p = &model.params.scoring;
        let aff = &model.affinity;
        let labels = &model.labels;
        let tracks = model.tracks();
        let mut s = SeedProfile {
            artists: Vec::new(),
            albums: Vec::new(),
            related: Vec::new(),
            subgenres: vec![0.0; labels.subgenre_count],
            genres: vec![0.0; labels.genre_count],
            has_genres: false,
            years: Vec::with_capacity(seeds.len()),
            era_memo: vec![f32::NAN; ERA_YEARS],
            keys: [0.0; 12],
            modes: [0.0; 2],
        };
        for &seed in seeds {
            for &a in aff.track_artists.row(seed) {
                add(&mut s.artists, a, 1.0);
                s.related.extend(
                    aff.related_artists
                        .row(a as usize)
                        .iter()
                        .take(p.related_per_artist),
                );
            }
            if let Some(album) = aff.album(seed) {
                add(&mut s.albums, album, 1.0);
            }
            for &g in labels.subgenres.row(seed) {
                s.subgenres[usize::from(g)] += 1.0;
            }
            for &g in labels.genres.row(seed) {
                s.genres[usize::from(g)] += 1.0;
                s.has_genres = true;
            }
            let t = &tracks[seed];
            if let Some(y) = t.year {
                s.years.push(f32::from(y));
            }
            if let Some(k) = t.features.key.filter(|&k| k < 12) {
                s.keys[usize::from(k)] += 1.0;
            }
            if let Some(m) = t.features.mode.filter(|&m| m < 2) {
                s.modes[usize::from(m)] += 1.0;
            }
        }
        // Merge the related artists' similarities (summed over seeds, in any order).
        s.related.sort_unstable_by_key(|&(a, _)| a);
        s.related.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 += later.1;
                true
            } else {
                false
            }
        });
        s
    }

    fn related(&self, artist: u32) -> f32 {
        self.related
            .binary_search_by_key(&artist, |&(a, _)| a)
            .map_or(0.0, |i| self.related[i].1)
    }

    /// The largest seed count over the labels.
    fn best(counts: &[f32], labels: &[u16]) -> f32 {
        labels
            .iter()
            .map(|&g| counts[usize::from(g)])
            .fold(0.0f32, f32::max)
    }

    /// Σ over seeds of exp(-|year - seed year| / era_years).
    fn era(&mut self, year: u16, era_years: f32) -> f32 {
        let compute = |years: &[f32]| {
            years
                .iter()
                .map(|&s| (-(f32::from(year) - s).abs() / era_years).exp())
                .sum()
        };
        match year.checked_sub(ERA_FROM).map(usize::from) {
            Some(i) if i < ERA_YEARS => {
                if self.era_memo[i].is_nan() {
                    self.era_memo[i] = compute(&self.years);
                }
                self.era_memo[i]
            }
            _ => compute(&self.years),
        }
    }
}

/// Fetches `k` neighbours of every seed, adds what the affinity lists bring, and scores the
/// union. The closeness signal costs a distance per candidate and seed: it is computed when
/// its weight counts, or when `learning` (every signal may come to count).
pub(crate) fn gather(
    model: &Model,
    seeds: &[usize],
    negatives: &[usize],
    k: usize,
    targets: &Targets,
    learning: bool,
) -> Pool {
    let p = &model.params.scoring;
    let w = &p.weights;
    let aff = &model.affinity;
    let n = model.len();
    let excluded = |i: usize| seeds.contains(&i) || negatives.contains(&i);
    // Seeds and negatives come back as neighbours of themselves and each other: fetch extra.
    let fetch = (k + seeds.len() + negatives.len()).min(n);
    // (catalog index, seed position, rank) of every listed candidate, grouped by index below:
    // a sort is cheaper than a hash map for a few thousand entries.
    let mut listed: Vec<(usize, usize, usize)> = Vec::with_capacity(seeds.len() * fetch * 2);
    // Each seed's closeness scale: the distance of its CLOSENESS_RANK-th neighbour.
    let mut scale: Vec<f32> = Vec::with_capacity(seeds.len());
    for (pos, neighbours) in model
        .index
        .nearest_rows(seeds, fetch)
        .into_iter()
        .enumerate()
    {
        let mut rank = 0usize;
        let mut radius = 0.0f32;
        for nb in neighbours {
            if excluded(nb.index) {
                continue;
            }
            rank += 1;
            if rank <= CLOSENESS_RANK {
                radius = nb.distance;
            }
            listed.push((nb.index, pos, rank));
        }
        scale.push(1.0 / radius.max(f32::MIN_POSITIVE));
    }
    // Playlist co-occurrence, remembered per (candidate, seed) for the score.
    let mut cooc: Vec<(usize, f32)> = Vec::new();
    for (pos, &seed) in seeds.iter().enumerate() {
        let mut bring = |i: usize| {
            if !excluded(i) {
                listed.push((i, pos, NO_RANK));
            }
        };
        for &a in aff.track_artists.row(seed) {
            aff.artist_tracks
                .row(a as usize)
                .iter()
                .for_each(|&i| bring(i as usize));
            for &(b, _) in aff
                .related_artists
                .row(a as usize)
                .iter()
                .take(p.related_per_artist)
            {
                let top = aff
                    .artist_tracks
                    .row(b as usize)
                    .iter()
                    .take(p.tracks_per_related);
                top.for_each(|&i| bring(i as usize));
            }
        }
        if let Some(album) = aff.album(seed) {
            aff.album_tracks
                .row(album as usize)
                .iter()
                .for_each(|&i| bring(i as usize));
        }
        for &(i, weight) in aff.cooccurring.row(seed) {
            bring(i as usize);
            cooc.push((i as usize, weight));
        }
    }
    listed.sort_unstable();
    listed.dedup();
    cooc.sort_unstable_by_key(|&(i, _)| i);

    let mut candidates: Vec<Candidate> = Vec::new();
    let mut rrf: Vec<f32> = Vec::new();
    // The strongest tie of each candidate to one seed so far: (strength, seed position).
    let mut tie: Vec<(f32, usize)> = Vec::new();
    let seed_album: Vec<Option<u32>> = seeds.iter().map(|&s| aff.album(s)).collect();
    let mut per_seed: Vec<Vec<(usize, usize)>> = vec![Vec::with_capacity(fetch); seeds.len()];
    for &(index, pos, rank) in &listed {
        if candidates.last().is_none_or(|c| c.index != index) {
            candidates.push(Candidate {
                index,
                score: 0.0,
                owner: 0,
                signals: [0.0; SIGNALS],
                foreign: false,
                factor: 1.0,
            });
            rrf.push(0.0);
            tie.push((f32::NEG_INFINITY, 0));
        }
        let slot = candidates.len() - 1;
        let mut strength = 0.0;
        if rank != NO_RANK {
            let r = 1.0 / (p.rrf_k + rank as f32);
            rrf[slot] += r;
            strength += w.sound * r;
        }
        let seed_artists = aff.track_artists.row(seeds[pos]);
        if aff
            .track_artists
            .row(index)
            .iter()
            .any(|a| seed_artists.contains(a))
        {
            strength += w.artist;
        }
        if seed_album[pos].is_some() && aff.album(index) == seed_album[pos] {
            strength += w.album;
        }
        if strength > tie[slot].0 {
            tie[slot] = (strength, pos);
        }
        // A seed lists a candidate once: by its neighbour rank when it has one.
        if per_seed[pos].last().is_none_or(|&(_, s)| s != slot) {
            per_seed[pos].push((rank, slot));
        }
    }
    let per_seed: Vec<Vec<usize>> = per_seed
        .into_iter()
        .map(|mut l| {
            l.sort_unstable();
            l.into_iter().map(|(_, slot)| slot).collect()
        })
        .collect();

    let mut profile = SeedProfile::new(model, seeds);
    let labels = &model.labels;
    let tracks = model.tracks();
    let n_seeds = seeds.len().max(1) as f32;
    let mut cooc_at = 0;
    for ((c, fused), (_, strongest)) in candidates.iter_mut().zip(rrf).zip(tie) {
        // A candidate stands for the seed it is most tied to (in sound rank, artist, album),
        // which is the seed its reason names and whose share of the playlist it fills.
        c.owner = strongest;
        let track = &tracks[c.index];
        let (mut artist, mut related) = (0.0, 0.0);
        // Seeds sharing a group, discounted by the group's tracks the seeds did not pick.
        let share = |seeds_in: f32, size: usize| {
            seeds_in / (size as f32 - seeds_in).max(1.0).powf(p.group_size_power)
        };
        for &a in aff.track_artists.row(c.index) {
            let s = get(&profile.artists, a);
            if s > 0.0 {
                artist += share(s, aff.artist_tracks.row(a as usize).len());
            }
            related += profile.related(a);
        }
        let album = aff.album(c.index).map_or(0.0, |a| {
            let s = get(&profile.albums, a);
            if s > 0.0 {
                share(s, aff.album_tracks.row(a as usize).len())
            } else {
                0.0
            }
        });
        while cooc_at < cooc.len() && cooc[cooc_at].0 < c.index {
            cooc_at += 1;
        }
        let mut together = 0.0;
        while cooc_at < cooc.len() && cooc[cooc_at].0 == c.index {
            together += cooc[cooc_at].1;
            cooc_at += 1;
        }
        let track_genres = labels.genres.row(c.index);
        let label = (SeedProfile::best(&profile.subgenres, labels.subgenres.row(c.index))
            + SeedProfile::best(&profile.genres, track_genres))
            / 2.0;
        let era = track.year.map_or(0.0, |y| profile.era(y, p.era_years));
        let f = &track.features;
        let harmony = (f
            .key
            .and_then(|k| profile.keys.get(usize::from(k)))
            .copied()
            .unwrap_or(0.0)
            + f.mode
                .and_then(|m| profile.modes.get(usize::from(m)))
                .copied()
                .unwrap_or(0.0))
            / 2.0;
        let closeness = if w.closeness > 0.0 || learning {
            let v = model.vector(c.index);
            seeds
                .iter()
                .zip(&scale)
                .map(|(&s, inv)| (-manhattan_unordered(v, model.vector(s)) * inv).exp())
                .sum()
        } else {
            0.0
        };
        c.signals = [
            fused, artist, album, together, related, label, era, harmony, closeness,
        ]
        .map(|v| v / n_seeds);
        // A candidate with genres, none of them the seeds', belongs elsewhere (an artist's
        // tracks from playlists of another genre, a playlist that crosses genres).
        c.foreign = profile.has_genres
            && !track_genres.is_empty()
            && track_genres
                .iter()
                .all(|&g| profile.genres[usize::from(g)] == 0.0);
        let mut factor = 1.0;
        if !negatives.is_empty() {
            let v = model.vector(c.index);
            let nearest = |of: &[usize]| {
                of.iter()
                    .map(|&i| manhattan_unordered(v, model.vector(i)))
                    .fold(f32::INFINITY, f32::min)
            };
            let (d_pos, d_neg) = (nearest(seeds), nearest(negatives));
            if d_neg < d_pos {
                let ratio = if d_pos > 0.0 { d_neg / d_pos } else { 1.0 };
                factor *= ratio.powf(p.negative_strength);
            }
        }
        for &(attribute, target, std) in targets {
            // An unknown value counts as one spread away: neither rewarded nor ruled out.
            let gap = attribute
                .value(track)
                .map_or(1.0, |x| (x - target).abs() / std);
            factor *= (-p.target_strength * gap).exp();
        }
        c.factor = factor;
    }
    let mut pool = Pool {
        candidates,
        per_seed,
        exhausted: fetch >= n,
    };
    pool.score(&p.weights, p.other_genre);
    pool
}

impl Pool {
    /// Orders two candidates (positions in the pool) best first; ties by catalog index, so the
    /// same request gives the same playlist.
    pub(crate) fn by_score(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (ca, cb) = (&self.candidates[a], &self.candidates[b]);
        cb.score.total_cmp(&ca.score).then(ca.index.cmp(&cb.index))
    }

    /// Scores every candidate with these weights and foreign-genre factor.
    pub(crate) fn score(&mut self, weights: &SignalWeights, other_genre: f32) {
        let w = weights.as_array();
        for c in &mut self.candidates {
            let sum: f32 = w.iter().zip(&c.signals).map(|(w, s)| w * s).sum();
            let genre = if c.foreign { other_genre } else { 1.0 };
            c.score = sum * genre * c.factor;
        }
    }
}

/// Neighbours to fetch per seed on the first round.
pub(crate) fn initial_k(model: &Model, length: usize) -> usize {
    let p = &model.params.scoring;
    p.min_neighbours.max(p.neighbours_per_track * length)
}
