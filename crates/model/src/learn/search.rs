//! The search behind [`super::fit_learned`]: held-out tasks from folds of the playlists, their
//! candidate pools gathered once, and a coordinate search over the weights in log steps.

use std::collections::HashSet;

use selecta_catalog::Catalog;

use crate::error::FitError;
use crate::generate::options::{GenerateOptions, MAX_LENGTH, MAX_SEEDS};
use crate::model::Model;
use crate::params::{LearnParams, ModelParams, SignalWeights, SIGNALS};
use crate::pool::rerank::{group_of, Shape, RANK_FEATURES};
use crate::pool::select::{ranked, Filters};
use crate::pool::{gather, initial_k, Pool};
use crate::progress::{FitProgress, FitStage};
use crate::rank::{RankData, Ranker};
use crate::seed::{artist_proxy, proxy_count, Seed, SeedPoint};

use super::{tasks, Learned, ProxyLearned};

/// Coordinates of the search: the signal weights, then `other_genre`, then `seed_share`.
const COORDS: usize = SIGNALS + 2;
const OTHER_GENRE: usize = SIGNALS;
const SEED_SHARE: usize = SIGNALS + 1;
/// Multiplicative steps, coarse to fine.
const STEPS: [f32; 4] = [4.0, 2.0, 1.414, 1.189];
/// Passes over the coordinates per step at most.
const PASSES: usize = 4;
/// Smallest gain that counts as an improvement (ties keep the current weights).
const MIN_GAIN: f64 = 1e-5;
/// Steps of the proxies' search, which starts from the catalog seeds' weights.
const PROXY_STEPS: [f32; 2] = [2.0, 1.414];

/// One held-out playlist with its gathered candidates.
struct Prepared {
    fold: usize,
    seeds: Vec<Seed>,
    /// The seeds' songs, for the filters ([`Filters::of_songs`]).
    seed_songs: HashSet<u32>,
    options: GenerateOptions,
    hidden: HashSet<usize>,
    pool: Pool,
}

/// Learns the signal weights, the foreign-genre factor and the seeds' share on `catalog`'s
/// playlists (see the module documentation of [`crate::learn`]). `params` gives everything
/// else of the fold models; `learn` has been checked.
pub(super) fn learn(
    catalog: &Catalog,
    params: &ModelParams,
    learn: &LearnParams,
    progress: &mut dyn FnMut(FitProgress),
) -> Result<Learned, FitError> {
    let mut report = |fraction: f32| {
        progress(FitProgress {
            stage: FitStage::Learn,
            fraction,
        })
    };
    report(0.0);
    let mut start = params.clone();
    start.scoring.weights = SignalWeights::from_array([1.0; SIGNALS]);
    start.scoring.other_genre = 1.0;

    let n = catalog.playlists().len();
    let fold_of = tasks::deal(n, learn.folds, learn.seed);
    let mut models = Vec::with_capacity(learn.folds);
    let mut prepared = Vec::new();
    let mut proxied = Vec::new();
    for f in 0..learn.folds {
        let which: Vec<usize> = (0..n).filter(|&p| fold_of[p] == f).collect();
        let fold_tasks = tasks::tasks(catalog, &which, learn.seed);
        let known: Vec<bool> = fold_of.iter().map(|&g| g != f).collect();
        let seen = tasks::restricted_catalog(catalog, &known, learn.relabel);
        let model = Model::fit(seen, &start, &mut |_| {})?;
        for task in fold_tasks {
            let (given, rest) = task.seeds.split_at(task.seeds.len().min(MAX_SEEDS));
            let options = GenerateOptions {
                length: task.hidden.len().clamp(1, MAX_LENGTH),
                exclude_ids: rest
                    .iter()
                    .map(|&i| model.tracks()[i].id.to_string())
                    .collect(),
                max_per_artist: learn.max_per_artist,
                ..GenerateOptions::default()
            };
            let points = SeedPoint::of_tracks(&model, given);
            let pool = gather(
                &model,
                &points,
                &[],
                initial_k(&model, options.length),
                &Vec::new(),
                true,
            );
            // The same task with its seeds unknown to the catalog: each one a proxy from its
            // artists' other tracks (the seeds, which a catalog without them would not have,
            // never among them nor picked), as the engine estimates a listener's track.
            let proxies: Vec<Seed> = given
                .iter()
                .filter(|_| learn.proxies)
                .filter_map(|&i| artist_proxy(&model, i, given))
                .map(|p| Seed::Proxy(Box::new(p)))
                .collect();
            let hidden: HashSet<usize> = task.hidden.into_iter().collect();
            if learn.proxies && !proxies.is_empty() {
                let mut options = options.clone();
                options
                    .exclude_ids
                    .extend(given.iter().map(|&i| model.tracks()[i].id.to_string()));
                let points = SeedPoint::of_seeds(&model, &proxies);
                let pool = gather(
                    &model,
                    &points,
                    &[],
                    initial_k(&model, options.length),
                    &Vec::new(),
                    true,
                );
                proxied.push(Prepared {
                    fold: f,
                    seed_songs: Filters::seed_songs(&points),
                    seeds: proxies,
                    options,
                    hidden: hidden.clone(),
                    pool,
                });
            }
            prepared.push(Prepared {
                fold: f,
                seed_songs: Filters::seed_songs(&points),
                seeds: given.iter().map(|&i| Seed::Track(i)).collect(),
                options,
                hidden,
                pool,
            });
        }
        models.push(model);
        report(0.3 * (f + 1) as f32 / learn.folds as f32);
    }
    if prepared.is_empty() {
        return Err(FitError::invalid(
            "learn",
            format!(
                "no playlist of the catalog has {} or more tracks to learn from",
                tasks::MIN_TRACKS
            ),
        ));
    }

    let recall = prepared
        .iter()
        .map(|t| {
            let found = t
                .pool
                .candidates
                .iter()
                .filter(|c| t.hidden.contains(&c.index))
                .count();
            found as f64 / t.hidden.len() as f64
        })
        .sum::<f64>()
        / prepared.len() as f64;
    let pool = prepared
        .iter()
        .map(|t| t.pool.candidates.len() as f64)
        .sum::<f64>()
        / prepared.len() as f64;
    let mut evaluations = 0;
    let mut x = [1.0f32; COORDS];
    x[SEED_SHARE] = start.scoring.seed_share;
    let (x, start_score, best) = search(
        &models,
        &mut prepared,
        x,
        &STEPS,
        &mut evaluations,
        &mut |s| report(0.3 + 0.6 * (s + 1) as f32 / STEPS.len() as f32),
    );
    let proxy = (!proxied.is_empty()).then(|| {
        let (y, start_score, score) = search(
            &models,
            &mut proxied,
            x,
            &PROXY_STEPS,
            &mut evaluations,
            &mut |_| {},
        );
        ProxyLearned {
            weights: weights_of(&y),
            other_genre: y[OTHER_GENRE],
            seed_share: y[SEED_SHARE],
            start_score,
            score,
            tasks: proxied.len(),
        }
    });
    report(0.92);
    let ranker = if params.ranker.enabled {
        let proxy_x = proxy.as_ref().map(|p| {
            let mut y = x;
            y[..SIGNALS].copy_from_slice(&p.weights.as_array());
            y[OTHER_GENRE] = p.other_genre;
            y[SEED_SHARE] = p.seed_share;
            y
        });
        fit_ranker(
            &models,
            &mut prepared,
            &x,
            &mut proxied,
            proxy_x.as_ref(),
            params,
        )?
    } else {
        None
    };
    let (ranker, shortlist_recall) = match ranker {
        Some((r, recall)) => (Some(r), Some(recall)),
        None => (None, None),
    };
    let ranker_score = ranker.as_ref().map(|r| {
        evaluations += 1;
        objective(&models, &mut prepared, &x, Some(r))
    });
    report(1.0);
    let weights = weights_of(&x);
    tracing::info!(
        tasks = prepared.len(),
        evaluations,
        start_score,
        score = best,
        recall,
        pool,
        ?weights,
        other_genre = x[OTHER_GENRE],
        seed_share = x[SEED_SHARE],
        ?proxy,
        ranker_score,
        shortlist_recall,
        "learned the scoring weights and the ranker"
    );
    Ok(Learned {
        weights,
        other_genre: x[OTHER_GENRE],
        seed_share: x[SEED_SHARE],
        start_score,
        score: best,
        tasks: prepared.len(),
        recall,
        pool,
        evaluations,
        proxy,
        ranker,
        ranker_score,
        shortlist_recall,
    })
}

/// Boosts the ranker on every task's shortlist under the learned weights (a proxy task's
/// under the proxies' weights, `proxy_x`), as `generate` would re-rank it: the hidden tracks
/// are the relevant rows, NDCG counts the playlist's length. Returns the ranker and the mean
/// share of a catalog-seed task's hidden tracks its shortlist holds; `None` (and a warning)
/// when no shortlist holds a hidden track beside other tracks: a catalog of a playlist or two
/// gives nothing to learn a ranking from, and the weights rank alone.
fn fit_ranker(
    models: &[Model],
    prepared: &mut [Prepared],
    x: &[f32; COORDS],
    proxied: &mut [Prepared],
    proxy_x: Option<&[f32; COORDS]>,
    params: &ModelParams,
) -> Result<Option<(Ranker, f64)>, FitError> {
    let mut data = RankData::new(RANK_FEATURES);
    let mut recall = Vec::new();
    let sets: [(&mut [Prepared], Option<&[f32; COORDS]>); 2] =
        [(prepared, Some(x)), (proxied, proxy_x)];
    for (k, (tasks, x)) in sets.into_iter().enumerate() {
        let Some(x) = x else { continue };
        let weights = weights_of(x);
        for t in tasks.iter_mut() {
            let model = &models[t.fold];
            t.pool.score(&weights, x[OTHER_GENRE]);
            let points = SeedPoint::of_seeds(model, &t.seeds);
            let filters = Filters::new(&points, &t.options);
            let length = t.options.length;
            let shape = Shape::new(&points, length, proxy_count(&t.seeds));
            let rows: Vec<([f32; RANK_FEATURES], bool)> = t
                .pool
                .shortlist_rows(model, &filters, &shape, length)
                .into_iter()
                .map(|(slot, x)| (x, t.hidden.contains(&t.pool.candidates[slot].index)))
                .collect();
            if k == 0 {
                let found = rows.iter().filter(|(_, r)| *r).count();
                recall.push(found as f64 / t.hidden.len().max(1) as f64);
            }
            data.push_query(rows.iter().map(|(x, r)| (&x[..], *r)), length);
        }
    }
    for f in 0..RANK_FEATURES {
        if params.ranker.without.iter().any(|g| g == group_of(f)) {
            data.mask(f);
        }
    }
    let recall = recall.iter().sum::<f64>() / recall.len().max(1) as f64;
    if !data.learnable() {
        tracing::warn!(
            queries = data.queries(),
            "no shortlist holds a hidden track beside others: no ranker learned, the weights rank alone"
        );
        return Ok(None);
    }
    Ok(Some((params.ranker.fit(&data)?, recall)))
}

/// A coordinate search in multiplicative `steps` from `x`: one coordinate at a time, while the
/// mean R-precision of `prepared` improves. Returns the point, the starting score and the
/// best; `done(s)` after each step.
fn search(
    models: &[Model],
    prepared: &mut [Prepared],
    mut x: [f32; COORDS],
    steps: &[f32],
    evaluations: &mut usize,
    done: &mut dyn FnMut(usize),
) -> ([f32; COORDS], f64, f64) {
    let mut score = |x: &[f32; COORDS], prepared: &mut [Prepared]| {
        *evaluations += 1;
        objective(models, prepared, x, None)
    };
    let start_score = score(&x, prepared);
    let mut best = start_score;
    for (s, &step) in steps.iter().enumerate() {
        for _ in 0..PASSES {
            let mut moved = false;
            for c in 0..COORDS {
                for factor in [step, 1.0 / step] {
                    let mut y = x;
                    y[c] = (y[c] * factor).clamp(1e-4, 1e4);
                    // `other_genre` is a factor, at most 1; `seed_share` a share of the
                    // playlist, at most a half.
                    if c == OTHER_GENRE {
                        y[c] = y[c].min(1.0);
                    } else if c == SEED_SHARE {
                        y[c] = y[c].min(0.5);
                    }
                    if y[c] == x[c] {
                        continue;
                    }
                    let got = score(&y, prepared);
                    if got > best + MIN_GAIN {
                        (x, best, moved) = (y, got, true);
                        break;
                    }
                }
            }
            if !moved {
                break;
            }
        }
        done(s);
    }
    (x, start_score, best)
}

/// The signal weights of a point of the search.
fn weights_of(x: &[f32; COORDS]) -> SignalWeights {
    let mut w = [0.0; SIGNALS];
    w.copy_from_slice(&x[..SIGNALS]);
    SignalWeights::from_array(w)
}

/// Mean R-precision over the tasks with the weights `x` (and the shortlists re-ranked by
/// `ranker`, when given), on all cores.
fn objective(
    models: &[Model],
    prepared: &mut [Prepared],
    x: &[f32; COORDS],
    ranker: Option<&Ranker>,
) -> f64 {
    let weights = weights_of(x);
    let (other_genre, seed_share) = (x[OTHER_GENRE], x[SEED_SHARE]);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = prepared.len().div_ceil(threads).max(1);
    let total: f64 = std::thread::scope(|scope| {
        let workers: Vec<_> = prepared
            .chunks_mut(chunk)
            .map(|part| {
                let weights = &weights;
                scope.spawn(move || {
                    part.iter_mut()
                        .map(|t| {
                            let model = &models[t.fold];
                            t.pool.score(weights, other_genre);
                            let filters = Filters::of_songs(t.seed_songs.clone(), &t.options);
                            let (length, n) = (t.options.length, t.seeds.len());
                            if let Some(ranker) = ranker {
                                let points = SeedPoint::of_seeds(model, &t.seeds);
                                let shape = Shape::new(&points, length, proxy_count(&t.seeds));
                                t.pool.rerank(model, ranker, &filters, &shape, length);
                            }
                            let picks = ranked(model, &t.pool, &filters, length, n, seed_share);
                            let c = &t.pool.candidates;
                            let ranked: Vec<usize> =
                                picks.iter().map(|p| c[p.slot].index).collect();
                            tasks::r_precision(&ranked, &t.hidden)
                        })
                        .sum::<f64>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|h| h.join().expect("a scoring worker panicked"))
            .sum()
    });
    total / prepared.len() as f64
}
