//! Playlist generation: from a few seed tracks (catalog indices) to a playlist of tracks that
//! belong with them, each with the reason it was chosen.
//!
//! Steps: validate the options; retrieve the candidates of the seeds (their nearest
//! neighbours, read from the neighbour table when the model was prepared for serving, else
//! searched, and what their affinity lists bring) with their signals; score them; pick with
//! the filters, caps and a per-seed guarantee (these three stages are `crate::pool`'s,
//! shared with the learner); order by relevance or by flow ([`flow`]); explain ([`reason`]).
//! When the filters leave the playlist short, the neighbour lists grow fourfold and the steps
//! repeat, up to the whole catalog.

mod flow;
pub mod options;
mod reason;
mod similar;

use selecta_types::{Playlist, PlaylistEntry, Track};

use crate::error::GenerateError;
use crate::knn::Neighbour;
use crate::model::Model;
use crate::pool::rerank::{contributions, Shape};
use crate::pool::select::{self, Filters};
use crate::pool::{gather, initial_k, Targets};
use crate::seed::{proxy_count, Seed, SeedPoint};
use options::{GenerateOptions, Order};

/// Generates a playlist from seed tracks (catalog indices; a repeated seed counts once).
///
/// The result never holds a seed, a negative seed or a track twice, and is the same for the
/// same model, seeds and options. It may be shorter than asked when the filters leave too few
/// tracks in the whole catalog.
pub fn generate(
    model: &Model,
    seeds: &[usize],
    options: &GenerateOptions,
) -> Result<Playlist, GenerateError> {
    let seeds: Vec<Seed> = seeds.iter().map(|&i| Seed::Track(i)).collect();
    generate_from(model, &seeds, options)
}

/// Generates a playlist from seeds: catalog tracks, or proxies for tracks the catalog lacks
/// ([`Seed`]). Otherwise as [`generate`]; a proxy's own catalog tracks may be chosen.
pub fn generate_from(
    model: &Model,
    seeds: &[Seed],
    options: &GenerateOptions,
) -> Result<Playlist, GenerateError> {
    generate_with_spares(model, seeds, options, 0).map(|(playlist, _)| playlist)
}

/// Most spares [`generate_with_spares`] keeps.
pub const MAX_SPARES: usize = 100;

/// As [`generate_from`], with up to `spares` (at most [`MAX_SPARES`]) more entries: the
/// candidates next in line, best first, under the same filters and caps. A listener who
/// removes a track gets the first spare instead, without another search; any spare fits the
/// caps whichever tracks were removed.
pub fn generate_with_spares(
    model: &Model,
    seeds: &[Seed],
    options: &GenerateOptions,
    spares: usize,
) -> Result<(Playlist, Vec<PlaylistEntry>), GenerateError> {
    let spares = spares.min(MAX_SPARES);
    let mut unique: Vec<Seed> = Vec::with_capacity(seeds.len());
    for s in seeds {
        if !unique.contains(s) {
            unique.push(s.clone());
        }
    }
    let seeds = unique;
    // The limits hold for every seed; a proxy is checked, then stands in the range check by
    // one of its tracks.
    let mut in_range: Vec<usize> = Vec::with_capacity(seeds.len());
    for s in &seeds {
        match s {
            Seed::Track(i) => in_range.push(*i),
            Seed::Proxy(p) => {
                p.check(model.len())?;
                in_range.push(p.from[0].0);
            }
        }
    }
    options.validate(&in_range, model.len())?;
    let mut negatives = options.negative_seeds.clone();
    negatives.sort_unstable();
    negatives.dedup();
    let points = SeedPoint::of_seeds(model, &seeds);

    let targets: Targets = options
        .attributes
        .iter()
        .filter_map(|(&a, b)| b.target.map(|t| (a, t, model.stats.get(a).std)))
        .collect();
    let filters = Filters::new(&points, options);
    let proxies = proxy_count(&seeds);
    let (weights, other_genre, seed_share) =
        model.scoring_for(proxies as f32 / seeds.len().max(1) as f32);
    let mut k = initial_k(model, options.length);
    // In relevance order: the flow walk starts from the most relevant track.
    let ranker = model.ranker();
    let shape = Shape::new(&points, options.length, proxies);
    let (pool, rows, mut picks, spare_picks) = loop {
        // The ranker reads every signal, closeness included.
        let mut pool = gather(model, &points, &negatives, k, &targets, ranker.is_some());
        pool.score(&weights, other_genre);
        let rows = match ranker {
            Some(ranker) => pool.rerank(model, ranker, &filters, &shape, options.length),
            None => Vec::new(),
        };
        let (length, n, share) = (options.length, points.len(), seed_share);
        let (picks, spare_picks) =
            select::ranked_with_spares(model, &pool, &filters, length, spares, n, share);
        if picks.len() >= options.length || pool.exhausted {
            break (pool, rows, picks, spare_picks);
        }
        tracing::debug!(k, got = picks.len(), "playlist short; widening the search");
        k = k.saturating_mul(4);
    };
    if picks.is_empty() {
        return Err(GenerateError::NothingMatches);
    }

    let tracks = model.tracks();
    if options.order == Order::Flow {
        let chosen: Vec<&Track> = picks
            .iter()
            .map(|p| &tracks[pool.candidates[p.slot].index])
            .collect();
        let order = flow::flow_order(&chosen, &model.stats);
        picks = order.into_iter().map(|i| picks[i]).collect();
    }
    let seed_tracks: Vec<&Track> = points.iter().map(|s| &*s.track).collect();
    let seed_labels: Vec<String> = seed_tracks.iter().map(|t| t.label()).collect();
    // A shortlisted candidate's reason follows the ranker's attribution; one below the
    // shortlist (the filters took the rest) the weighted sum's parts.
    let entry = |p: &select::Pick| {
        let c = &pool.candidates[p.slot];
        let track = &tracks[c.index];
        let parts = match rows.iter().find(|(slot, _)| *slot == p.slot) {
            Some((_, x)) => contributions(ranker, x, &weights),
            None => contributions(
                None,
                &pool.features(model, p.slot, 0, 0.0, &shape),
                &weights,
            ),
        };
        PlaylistEntry {
            track: track.clone(),
            score: c.score,
            reason: reason::reason(
                track,
                seed_tracks[p.seed],
                &seed_labels[p.seed],
                &model.stats,
                &parts,
                &c.signals,
            ),
        }
    };
    let entries = picks.iter().map(entry).collect();
    let spares = spare_picks.iter().map(entry).collect();
    let playlist = Playlist {
        name: reason::playlist_name(&seed_tracks),
        seeds: seed_tracks.into_iter().cloned().collect(),
        entries,
        matches: Vec::new(),
    };
    Ok((playlist, spares))
}

/// The `k` tracks nearest to a catalog track (itself excluded), nearest first, with their
/// Manhattan distances in model space: the model's plain nearest neighbours. Read from the
/// neighbour table when it holds `k + 1` per track (the same answer as the search).
pub fn neighbours(model: &Model, index: usize, k: usize) -> Result<Vec<Neighbour>, GenerateError> {
    check_track(model, index, k)?;
    let mut out = model
        .index
        .nearest_rows(&[index], k + 1)
        .pop()
        .unwrap_or_default();
    out.retain(|n| n.index != index);
    out.truncate(k);
    Ok(out)
}

/// The `k` tracks most like a catalog track (itself excluded), best first, with their
/// Manhattan distances in model space: its nearest tracks, with those sharing its artist or
/// album raised ([`similar`] documents the rule). What a track's card shows.
pub fn similar(model: &Model, index: usize, k: usize) -> Result<Vec<Neighbour>, GenerateError> {
    check_track(model, index, k)?;
    Ok(similar::similar(model, index, k))
}

fn check_track(model: &Model, index: usize, k: usize) -> Result<(), GenerateError> {
    if index >= model.len() {
        return Err(GenerateError::InvalidOption {
            param: "index".into(),
            message: format!(
                "index: {index} is out of range (the catalog has {} tracks)",
                model.len()
            ),
        });
    }
    if !(1..=1000).contains(&k) {
        return Err(GenerateError::InvalidOption {
            param: "k".into(),
            message: format!("k must be 1..=1000, got {k}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ModelParams;
    use selecta_catalog::Catalog;
    use selecta_types::AudioFeatures;

    fn tiny_model() -> Model {
        let tracks = (0..12)
            .map(|i| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec![format!("Artist {}", i % 6).into()],
                genres: vec![if i < 6 { "pop" } else { "rock" }.into()],
                features: AudioFeatures {
                    energy: Some(i as f32 / 12.0).into(),
                    tempo: Some(90.0 + 5.0 * i as f32).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect();
        let catalog = Catalog::from_tracks(tracks, Vec::new());
        Model::fit(catalog, &ModelParams::default(), &mut |_| {}).unwrap()
    }

    #[test]
    fn a_small_catalog_gives_what_it_has() {
        let model = tiny_model();
        // 12 tracks, 1 seed, 6 artists with 2 tracks each: the seed's artist has 1 left, so
        // every other track fits under the cap of 2.
        let p = generate(&model, &[0], &GenerateOptions::default()).unwrap();
        assert_eq!(p.entries.len(), 11);
        assert!(p.entries.iter().all(|e| e.track.id != "t0"));
        // A cap of 1 leaves one track per artist: 6 artists.
        let o = GenerateOptions {
            max_per_artist: Some(1),
            ..GenerateOptions::default()
        };
        assert_eq!(generate(&model, &[0], &o).unwrap().entries.len(), 6);
        // The nearest track of the seed's genre comes first: t1, next to t0 in energy, tempo
        // and genre. t6 is the only other track by t0's artist (strong evidence: artist odds
        // 1 / 1), but rock, a genre foreign to the seed: `other_genre` scales it down.
        assert_eq!(p.entries[0].track.id, "t1");
        assert_eq!(p.entries[0].reason.seed_id, "t0");
        let t6 = p.entries.iter().position(|e| e.track.id == "t6").unwrap();
        assert!(t6 > 0);
        assert!(p.entries[t6].reason.text.contains("same artist (Artist 0)"));
        let near = neighbours(&model, 0, 3).unwrap();
        assert_eq!(near[0].index, 1);
    }

    #[test]
    fn a_track_as_a_proxy_comes_from_its_artists_other_tracks() {
        let model = tiny_model();
        // t0's artist also made t6 (and nothing else): t6 is the proxy's only source, unless
        // it is left out (another seed), and then there is no proxy.
        let p = crate::seed::artist_proxy(&model, 0, &[]).unwrap();
        assert_eq!(p.from.iter().map(|&(i, _)| i).collect::<Vec<_>>(), [6]);
        assert_eq!(p.track.id, "t0");
        assert!(p.track.genres.is_empty() && p.track.features.energy.is_none());
        assert!(crate::seed::artist_proxy(&model, 0, &[6]).is_none());
        // Without proxy weights, every request scores with the model's own.
        let own = &model.params.scoring;
        let (w, other, share) = model.scoring_for(1.0);
        assert_eq!(
            (w, other, share),
            (own.weights.clone(), own.other_genre, own.seed_share)
        );
    }

    #[test]
    fn the_era_reads_release_dates_to_the_month() {
        // Alike but for their release dates: t2 came out a month after the seed, t1 ten
        // months after, both in the seed's year. Only the era counts here, so by years alone
        // they would tie (and t1, the lower index, would come first).
        let dates = ["2019-01-10", "2019-11-20", "2019-02-05"];
        let tracks = dates
            .iter()
            .enumerate()
            .map(|(i, d)| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec![format!("Artist {i}").into()],
                release_date: Some((*d).into()),
                year: Some(2019),
                genres: vec!["pop".into()],
                features: AudioFeatures {
                    energy: Some(0.5).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect();
        let mut params = ModelParams::default();
        params.scoring.weights = crate::SignalWeights::from_array([0.0; crate::params::SIGNALS]);
        params.scoring.weights.era = 1.0;
        let catalog = Catalog::from_tracks(tracks, Vec::new());
        let model = Model::fit(catalog, &params, &mut |_| {}).unwrap();
        let o = GenerateOptions {
            length: 2,
            ..GenerateOptions::default()
        };
        let p = generate(&model, &[0], &o).unwrap();
        let ids: Vec<&str> = p.entries.iter().map(|e| e.track.id.as_str()).collect();
        assert_eq!(ids, ["t2", "t1"]);
        assert!(p.entries[0].score > p.entries[1].score);
    }

    #[test]
    fn nothing_left_is_an_error() {
        let model = tiny_model();
        let all: Vec<String> = (1..12).map(|i| format!("t{i}")).collect();
        let o = GenerateOptions {
            exclude_ids: all,
            ..GenerateOptions::default()
        };
        assert_eq!(
            generate(&model, &[0], &o),
            Err(GenerateError::NothingMatches)
        );
    }

    #[test]
    fn spares_are_the_next_in_line_under_the_same_caps() {
        let model = tiny_model();
        // Cap 1, 6 artists: the seed's artist (Artist 0) has t6 left, so 6 tracks fit in
        // all; a playlist of 3 leaves exactly 3 spares, one per remaining artist.
        let o = GenerateOptions {
            length: 3,
            max_per_artist: Some(1),
            ..GenerateOptions::default()
        };
        let seeds = [Seed::Track(0)];
        let alone = generate_from(&model, &seeds, &o).unwrap();
        let (p, spares) = generate_with_spares(&model, &seeds, &o, 10).unwrap();
        assert_eq!(p, alone, "spares never change the playlist");
        assert_eq!(spares.len(), 3);
        let artist = |e: &PlaylistEntry| e.track.artists[0].to_string();
        let mut artists: Vec<String> = p.entries.iter().chain(&spares).map(artist).collect();
        artists.sort();
        artists.dedup();
        assert_eq!(
            artists.len(),
            6,
            "playlist and spares together keep the cap"
        );
        assert!(spares.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(spares
            .iter()
            .all(|e| e.track.id != "t0" && !e.reason.text.is_empty()));
        // Asking for none keeps none.
        assert!(generate_with_spares(&model, &seeds, &o, 0)
            .unwrap()
            .1
            .is_empty());
    }
}
