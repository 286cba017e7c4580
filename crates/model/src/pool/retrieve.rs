//! Retrieval: gathering the candidates of a set of seeds and measuring their signals.
//!
//! Candidates come from each seed's sound neighbourhood (its `k` nearest tracks in model space)
//! and from its [affinity](crate::affinity) lists: tracks by the same artists, from the same
//! album, from the playlists it was found in, by artists that share playlists with its artists.
//! Every candidate's signals are measured on the whole seed set; [`super::score`] then weighs
//! them, for seeds s₁..sₙ:
//!
//! ```text
//! score(c) = (Σᵢ wᵢ · fᵢ(c)) / n · genre(c) · target(c) · negative(c)
//! sound(c)    = Σₛ 1 / (rrf_k + rankₛ(c))      reciprocal-rank fusion of the neighbour lists
//! artist(c)   = Σ_{a of c} sₐ / max(1, Nₐ − sₐ)^p   sₐ seeds by a, Nₐ tracks by a
//! album(c)    = s_b / max(1, N_b − s_b)^p          for c's album b, likewise
//! cooc(c)     = Σₛ playlists holding both s and c
//! related(c)  = Σₛ Σ_{a of s, b of c} cos(a, b)   artists' playlist sets, top related only
//! label(c)    = n · (max over c's subgenres of the seeds holding it / the most holding any
//!               + max over c's genres of the seeds holding it / the most holding any) / 2
//! era(c)      = Σₛ exp(-|date(c) - date(s)| / era_years)   release dates to the month
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
//! `p` = [`ScoringParams::group_size_power`](crate::ScoringParams::group_size_power)).
//! Targets re-rank by closeness in standard deviations of the attribute; a candidate closer to
//! a "less like this" track than to any seed is scaled down in proportion. The per-query work is bounded: at most
//! `k` neighbours and a few hundred affinity entries per seed.

use crate::attributes::Attribute;
use crate::metric::manhattan_unordered;
use crate::model::Model;
use crate::params::SIGNALS;

use super::profile::SeedProfile;
use super::{Candidate, Pool};
use crate::seed::SeedPoint;

/// Rank given to affinity entries: after any neighbour, and worth nothing in the fusion.
const NO_RANK: usize = usize::MAX;
/// The neighbour whose distance sets a seed's closeness scale: a candidate that far from the
/// seed scores e⁻¹ of an identical one.
pub(crate) const CLOSENESS_RANK: usize = 10;

/// Targets to re-rank by: (attribute, target, spread).
pub(crate) type Targets = Vec<(Attribute, f32, f32)>;

/// Neighbours to fetch per seed on the first round.
pub(crate) fn initial_k(model: &Model, length: usize) -> usize {
    let p = &model.params.scoring;
    p.min_neighbours.max(p.neighbours_per_track * length)
}

/// Fetches `k` neighbours of every seed, adds what the affinity lists bring, and measures the
/// union's signals; the pool comes back unscored ([`Pool::score`] weighs it). The closeness
/// signal costs a distance per candidate and seed: it is computed when its weight counts, or
/// when `learning` (every signal may come to count).
pub(crate) fn gather(
    model: &Model,
    seeds: &[SeedPoint],
    negatives: &[usize],
    k: usize,
    targets: &Targets,
    learning: bool,
) -> Pool {
    let n = model.len();
    // Seeds and negatives come back as neighbours of themselves and each other: fetch extra.
    let fetch = (k + seeds.len() + negatives.len()).min(n);
    let listing = list(model, seeds, negatives, fetch);
    let (mut candidates, fused, per_seed) = group(model, seeds, &listing.listed, fetch);
    let request = Request {
        seeds,
        negatives,
        targets,
        learning,
    };
    measure(model, &request, &listing, &fused, &mut candidates);
    Pool {
        candidates,
        per_seed,
        exhausted: fetch >= n,
    }
}

/// What the seeds' lists hold, before grouping by candidate.
struct Listing {
    /// (catalog index, seed position, rank) of every listed candidate, sorted and without
    /// repeats: a sort is cheaper than a hash map for a few thousand entries.
    listed: Vec<(usize, usize, usize)>,
    /// Each seed's closeness scale: the inverse distance of its CLOSENESS_RANK-th neighbour.
    scale: Vec<f32>,
    /// Playlist co-occurrence (candidate, weight) per seed that lists it, sorted by candidate.
    cooc: Vec<(usize, f32)>,
}

/// The request's parts that measuring the signals reads.
struct Request<'a> {
    seeds: &'a [SeedPoint<'a>],
    negatives: &'a [usize],
    targets: &'a Targets,
    learning: bool,
}

/// Lists every seed's `fetch` nearest neighbours (by rank) and what its affinity lists bring
/// (unranked), leaving out the seeds and negatives.
fn list(model: &Model, seeds: &[SeedPoint], negatives: &[usize], fetch: usize) -> Listing {
    let p = &model.params.scoring;
    let aff = &model.affinity;
    let excluded = |i: usize| seeds.iter().any(|s| s.index == Some(i)) || negatives.contains(&i);
    let mut listed: Vec<(usize, usize, usize)> = Vec::with_capacity(seeds.len() * fetch * 2);
    let mut scale: Vec<f32> = Vec::with_capacity(seeds.len());
    // Catalog seeds read the neighbour table (when prepared); a proxy is searched.
    let rows: Vec<usize> = seeds.iter().filter_map(|s| s.index).collect();
    let mut from_rows = model.index.nearest_rows(&rows, fetch).into_iter();
    let lists: Vec<_> = seeds
        .iter()
        .map(|s| match s.index {
            Some(_) => from_rows.next().unwrap_or_default(),
            None => model.index.nearest(&s.vector, fetch),
        })
        .collect();
    for (pos, neighbours) in lists.into_iter().enumerate() {
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
    let mut cooc: Vec<(usize, f32)> = Vec::new();
    for (pos, seed) in seeds.iter().enumerate() {
        let mut bring = |i: usize| {
            if !excluded(i) {
                listed.push((i, pos, NO_RANK));
            }
        };
        for &(a, _) in &seed.artists {
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
        if let Some((album, _)) = seed.album {
            aff.album_tracks
                .row(album as usize)
                .iter()
                .for_each(|&i| bring(i as usize));
        }
        for &(i, weight) in seed.cooccurring.iter() {
            bring(i as usize);
            cooc.push((i as usize, weight));
        }
    }
    listed.sort_unstable();
    listed.dedup();
    cooc.sort_unstable_by_key(|&(i, _)| i);
    Listing {
        listed,
        scale,
        cooc,
    }
}

/// Groups the listing by candidate: one [`Candidate`] per listed track (signals not yet
/// measured) with its reciprocal-rank fusion, and each seed's candidates, nearest first.
///
/// The seed a candidate stands for (its owner: the seed it is most tied to in sound rank,
/// artist and album, the seed its reason names and whose share of the playlist it fills) is
/// decided here, under the model's weights: the learner re-scores a pool under other weights
/// but keeps the owners it was gathered with.
fn group(
    model: &Model,
    seeds: &[SeedPoint],
    listed: &[(usize, usize, usize)],
    fetch: usize,
) -> (Vec<Candidate>, Vec<f32>, Vec<Vec<usize>>) {
    let p = &model.params.scoring;
    let w = &p.weights;
    let aff = &model.affinity;
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut rrf: Vec<f32> = Vec::new();
    // The strongest tie of each candidate to one seed so far: (strength, seed position).
    let mut tie: Vec<(f32, usize)> = Vec::new();
    let seed_album: Vec<Option<u32>> = seeds.iter().map(|s| s.album.map(|a| a.0)).collect();
    let mut per_seed: Vec<Vec<(usize, usize)>> = vec![Vec::with_capacity(fetch); seeds.len()];
    for &(index, pos, rank) in listed {
        if candidates.last().is_none_or(|c| c.index != index) {
            candidates.push(Candidate {
                index,
                score: 0.0,
                owner: 0,
                signals: [0.0; SIGNALS],
                foreign: false,
                factor: 1.0,
                counts: [0.0; 4],
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
        if aff
            .track_artists
            .row(index)
            .iter()
            .any(|&a| seeds[pos].has_artist(a))
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

    for (c, (_, strongest)) in candidates.iter_mut().zip(tie) {
        c.owner = strongest;
    }
    (candidates, rrf, per_seed)
}

/// Measures every candidate's signals (divided by the number of seeds), whether its genres
/// are foreign to the seeds', and the request's factors (negative seeds, targets).
fn measure(
    model: &Model,
    request: &Request,
    listing: &Listing,
    fused: &[f32],
    candidates: &mut [Candidate],
) {
    let p = &model.params.scoring;
    let w = &p.weights;
    let aff = &model.affinity;
    let Request {
        seeds,
        negatives,
        targets,
        learning,
    } = *request;
    let (scale, cooc) = (&listing.scale, &listing.cooc);
    let mut profile = SeedProfile::new(model, seeds);
    let labels = &model.labels;
    let tracks = model.tracks();
    let n_seeds = seeds.len().max(1) as f32;
    let mut cooc_at = 0;
    for (c, &fused) in candidates.iter_mut().zip(fused) {
        let track = &tracks[c.index];
        let (mut artist, mut related) = (0.0, 0.0);
        let mut counts = [0.0f32; 4];
        // Seeds sharing a group, discounted by the group's tracks the seeds did not pick.
        let share = |seeds_in: f32, size: usize| {
            seeds_in / (size as f32 - seeds_in).max(1.0).powf(p.group_size_power)
        };
        for &a in aff.track_artists.row(c.index) {
            let s = profile.artist(a);
            let size = aff.artist_tracks.row(a as usize).len();
            if s > 0.0 {
                artist += share(s, size);
            }
            if s > counts[0] || counts[1] == 0.0 {
                counts[0] = counts[0].max(s);
                counts[1] = size as f32;
            }
            related += profile.related(a);
        }
        let album = aff.album(c.index).map_or(0.0, |a| {
            let s = profile.album(a);
            counts[2] = s;
            counts[3] = aff.album_tracks.row(a as usize).len() as f32;
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
        let label = profile.label(labels.subgenres.row(c.index), track_genres);
        let date = labels.dates[c.index];
        let era = if date.is_finite() {
            profile.era(date, p.era_years)
        } else {
            0.0
        };
        let f = &track.features;
        let harmony = profile.harmony(f.key, f.mode);
        let closeness = if w.closeness > 0.0 || learning {
            let v = model.vector(c.index);
            seeds
                .iter()
                .zip(scale)
                .map(|(s, inv)| (-manhattan_unordered(v, &s.vector) * inv).exp())
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
        c.foreign = profile.foreign(track_genres);
        c.counts = counts;
        let mut factor = 1.0;
        if !negatives.is_empty() {
            let v = model.vector(c.index);
            let nearest = |of: &mut dyn Iterator<Item = &[f32]>| {
                of.map(|u| manhattan_unordered(v, u))
                    .fold(f32::INFINITY, f32::min)
            };
            let d_pos = nearest(&mut seeds.iter().map(|s| &*s.vector));
            let d_neg = nearest(&mut negatives.iter().map(|&i| model.vector(i)));
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
}
