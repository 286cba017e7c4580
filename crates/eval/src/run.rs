//! Running an evaluation: fitting the models each protocol allows, asking every recommender,
//! scoring.

use std::collections::HashSet;
use std::time::Instant;

use rand::seq::{IndexedRandom, SliceRandom};
use selecta_catalog::Catalog;
use selecta_model::{fit_learned, LearnParams, Model, ModelParams};
use selecta_types::PlaylistRequest;
use serde::{Deserialize, Serialize};

use crate::cold::{self, ColdRecommender, ColdStats};
use crate::config::{EvalConfig, EvalError};
use crate::metrics::{self, Summary};
use crate::protocol::{self, rng_for, Protocol, Task};
use crate::recommender::{
    seed_model_params, ModelRecommender, NeighbourRecommender, RandomBaseline, Recommender,
    SameGenreBaseline,
};
use crate::report::{ContinuationRow, LearnedSummary, NeighbourRow, ProtocolReport, Report};

/// Where an evaluation is, for progress displays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalProgress {
    /// What is being done, e.g. "fitting (seed protocol, fold 2/5)".
    pub stage: String,
    /// Steps done in this stage.
    pub done: usize,
    /// Steps in this stage.
    pub total: usize,
}

/// Row names of the neighbour recommenders.
const SIMILAR: &str = "Selecta";
const PLAYLIST: &str = "Selecta playlist";
const NEIGHBOURS: &str = "Selecta neighbours";
const SEED_MODEL: &str = "the seed's model (rebuilt)";

/// Stream numbers of the random generators, so that each use is independent.
const STREAM_SAMPLE: u64 = 1 << 40;
const STREAM_BASELINE: u64 = 2 << 40;
const STREAM_COLD_GROUPS: u64 = 3 << 40;

/// Runs the seed's metrics and the configured continuation protocols on a catalog, fitting
/// models with `params` (one per fold or split, as the protocols require).
pub fn evaluate(
    catalog: &Catalog,
    params: &ModelParams,
    config: &EvalConfig,
    progress: &mut dyn FnMut(EvalProgress),
) -> Result<Report, EvalError> {
    config.validate()?;
    if catalog.is_empty() {
        return Err(EvalError::Catalog("it holds no track".into()));
    }
    let started = Instant::now();
    let (neighbours, learned) = neighbour_metrics(catalog, params, config, progress)?;
    let mut continuation = Vec::new();
    for &p in &config.protocols {
        continuation.push(run_protocol(catalog, params, config, p, progress)?);
    }
    Ok(Report {
        config: config.clone(),
        tracks: catalog.len(),
        playlists: catalog.playlists().len(),
        neighbours,
        learned,
        continuation,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The request the engine is measured with (its seeds and length are set per task).
pub fn eval_options(config: &EvalConfig) -> PlaylistRequest {
    PlaylistRequest {
        max_per_artist: config.max_per_artist,
        ..PlaylistRequest::default()
    }
}

/// Fits a model on what it may see. With `config.learn`, its weights are learned from the
/// playlists of that catalog, under the protocol's conditions: with `relabel`, the labels of
/// the playlists it learns from come from its other playlists only, as the strict protocol's
/// test playlists' do.
fn fit(
    catalog: Catalog,
    params: &ModelParams,
    config: &EvalConfig,
    relabel: bool,
    proxies: bool,
    stage: &str,
    progress: &mut dyn FnMut(EvalProgress),
) -> Result<Model, EvalError> {
    progress(EvalProgress {
        stage: format!("fitting ({stage})"),
        done: 0,
        total: 1,
    });
    let model = if config.learn {
        let learn = LearnParams {
            relabel,
            proxies,
            max_per_artist: config.max_per_artist,
            ..LearnParams::default()
        };
        fit_learned(catalog, params, &learn, &mut |_| {})?
    } else {
        Model::fit(catalog, params, &mut |_| {})?
    };
    progress(EvalProgress {
        stage: format!("fitting ({stage})"),
        done: 1,
        total: 1,
    });
    Ok(model)
}

/// The seed's metrics: a model fitted on the whole catalog, `config.neighbours` tracks for
/// each of `config.sample` random tracks, against the two baselines.
fn neighbour_metrics(
    catalog: &Catalog,
    params: &ModelParams,
    config: &EvalConfig,
    progress: &mut dyn FnMut(EvalProgress),
) -> Result<(Vec<NeighbourRow>, Option<LearnedSummary>), EvalError> {
    let model = fit(
        catalog.clone(),
        params,
        config,
        false,
        false,
        "whole catalog",
        progress,
    )?;
    let all: Vec<usize> = (0..catalog.len()).collect();
    let queries: Vec<usize> = all
        .choose_multiple(&mut rng_for(config.seed, STREAM_SAMPLE), config.sample)
        .copied()
        .collect();
    let model_rec = ModelRecommender::new(&model, eval_options(config)).named(PLAYLIST);
    let similar = NeighbourRecommender::similar(&model, SIMILAR);
    let knn = NeighbourRecommender::new(&model, NEIGHBOURS);
    let seed_model = Model::fit(catalog.clone(), &seed_model_params(), &mut |_| {})?;
    let seed_knn = NeighbourRecommender::new(&seed_model, SEED_MODEL);
    let random = RandomBaseline::new(catalog.len());
    let same_genre = SameGenreBaseline::new(catalog);
    // The KNN rows last, so that the baselines keep their random streams.
    let recommenders: [&dyn Recommender; 6] =
        [&similar, &random, &same_genre, &knn, &seed_knn, &model_rec];
    let tracks = catalog.tracks();
    let mut rows = Vec::new();
    for (r, rec) in recommenders.iter().enumerate() {
        let stage = format!("seed's metrics: {}", rec.name());
        let mut rng = rng_for(config.seed, STREAM_BASELINE + r as u64);
        let mut cols: [Vec<f64>; 6] = Default::default();
        for (done, &q) in queries.iter().enumerate() {
            let query = &tracks[q];
            for i in rec.recommend(&[q], config.neighbours, &mut rng) {
                let t = &tracks[i];
                let flag = |b: bool| if b { 1.0 } else { 0.0 };
                cols[0].push(flag(metrics::same_genre(query, t)));
                cols[1].push(flag(metrics::same_subgenre(query, t)));
                cols[2].push(flag(metrics::same_album(query, t)));
                cols[3].push(flag(metrics::same_artist(query, t)));
                cols[4].extend(metrics::year_diff(query, t));
                cols[5].extend(metrics::sound_diff(query, t));
            }
            if done % 100 == 99 || done + 1 == queries.len() {
                progress(EvalProgress {
                    stage: stage.clone(),
                    done: done + 1,
                    total: queries.len(),
                });
            }
        }
        rows.push(NeighbourRow {
            recommender: rec.name().to_owned(),
            pairs: cols[0].len(),
            genre_share: Summary::of(&cols[0]),
            subgenre_share: Summary::of(&cols[1]),
            album_share: Summary::of(&cols[2]),
            artist_share: Summary::of(&cols[3]),
            year_diff: Summary::of(&cols[4]),
            sound_diff: Summary::of(&cols[5]),
        });
    }
    Ok((rows, model.learned().map(LearnedSummary::from)))
}

/// Scores of one recommender on some tasks: (R-precision, NDCG@R, clicks) per task.
fn score_tasks(
    rec: &dyn Recommender,
    tasks: &[Task],
    seed: u64,
    stream: u64,
    out: &mut Vec<[f64; 3]>,
) {
    let mut rng = rng_for(seed, stream);
    for task in tasks {
        let hidden: HashSet<usize> = task.hidden.iter().copied().collect();
        let ranked = rec.recommend(&task.seeds, hidden.len(), &mut rng);
        out.push([
            metrics::r_precision(&ranked, &hidden),
            metrics::ndcg_at_r(&ranked, &hidden),
            metrics::clicks(&ranked, &hidden, hidden.len()),
        ]);
    }
}

/// Playlist continuation under one protocol.
fn run_protocol(
    catalog: &Catalog,
    params: &ModelParams,
    config: &EvalConfig,
    protocol: Protocol,
    progress: &mut dyn FnMut(EvalProgress),
) -> Result<ProtocolReport, EvalError> {
    let started = Instant::now();
    let n = catalog.playlists().len();
    // Each group of scored playlists with the playlists its model may know.
    let groups: Vec<(Vec<usize>, Vec<bool>)> = match protocol {
        Protocol::Seed => {
            let fold = protocol::deal(n, config.folds, config.split_seed);
            (0..config.folds)
                .map(|f| {
                    let scored = (0..n).filter(|&p| fold[p] == f).collect();
                    let known = fold.iter().map(|&g| g != f).collect();
                    (scored, known)
                })
                .collect()
        }
        Protocol::Strict => {
            let test = protocol::split(n, config.test_share, config.split_seed);
            let scored = (0..n).filter(|&p| test[p]).collect();
            let known = test.iter().map(|&t| !t).collect();
            vec![(scored, known)]
        }
    };
    let names = [
        "Selecta",
        "random",
        "same-genre random",
        SEED_MODEL,
        cold::COLD,
    ];
    let mut scores: Vec<Vec<[f64; 3]>> = vec![Vec::new(); names.len()];
    let mut training = 0;
    let mut learned = Vec::new();
    let mut scored = 0;
    let mut cold_stats = ColdStats::default();
    for (g, (which, known)) in groups.iter().enumerate() {
        let tasks = protocol::tasks(catalog, which, config.seed);
        if tasks.is_empty() {
            continue;
        }
        // Labels from the known playlists only: always under the strict protocol, and under
        // the seed protocol when asked (`EvalConfig::known_labels`).
        let relabel = protocol == Protocol::Strict || config.known_labels;
        let seen = protocol::restricted_catalog(catalog, known, relabel);
        training = training.max(seen.playlists().len());
        let stage = match protocol {
            Protocol::Seed => format!("seed protocol, fold {}/{}", g + 1, groups.len()),
            Protocol::Strict => "strict protocol".to_owned(),
        };
        let same_genre = SameGenreBaseline::new(&seen);
        let seed_model = Model::fit(seen.clone(), &seed_model_params(), &mut |_| {})?;
        let seed_knn = NeighbourRecommender::new(&seed_model, SEED_MODEL);
        let (cold_seen, _) = cold::cold_catalog(&seen, &tasks);
        // The warm model only ever sees catalog seeds: no proxy weights to learn.
        let model = fit(
            seen.clone(),
            params,
            config,
            relabel,
            false,
            &stage,
            progress,
        )?;
        learned.extend(model.learned().map(LearnedSummary::from));
        let model_rec = ModelRecommender::new(&model, eval_options(config));
        let random = RandomBaseline::new(catalog.len());
        let recs: [&dyn Recommender; 4] = [&model_rec, &random, &same_genre, &seed_knn];
        for (r, rec) in recs.iter().enumerate() {
            debug_assert_eq!(rec.name(), names[r]);
            let stream = STREAM_BASELINE + (r as u64) * 1000 + g as u64;
            score_tasks(*rec, &tasks, config.seed, stream, &mut scores[r]);
        }
        // Cold seeds: the weights and ranker are learned once, without every scored
        // playlist's seeds; each group of playlists is then scored by a model fitted without
        // its own seeds only, so that a playlist loses no more of the catalog than the
        // protocol takes (see `EvalConfig::cold_group`).
        let cold_stage = format!("{stage}, cold seeds");
        let cold_started = Instant::now();
        let learner = fit(
            cold_seen,
            params,
            config,
            relabel,
            true,
            &cold_stage,
            progress,
        )?;
        let cold_learned = learner.learned().cloned();
        drop(learner);
        let mut order: Vec<usize> = (0..tasks.len()).collect();
        order.shuffle(&mut rng_for(config.seed, STREAM_COLD_GROUPS + g as u64));
        let cold_groups = cold::groups(&tasks, &order, config.cold_group);
        for (c, members) in cold_groups.iter().enumerate() {
            let group: Vec<Task> = members.iter().map(|&k| tasks[k].clone()).collect();
            let (group_seen, hidden_removed) = cold::cold_catalog(&seen, &group);
            let mut cold_model = Model::fit(group_seen, params, &mut |_| {})?;
            if let Some(l) = &cold_learned {
                cold_model = cold_model.with_learned(l.clone());
            }
            let cold_rec = ColdRecommender::new(&cold_model, catalog, eval_options(config));
            let stream = STREAM_BASELINE + 4 * 1000 + g as u64;
            score_tasks(&cold_rec, &group, config.seed, stream, &mut scores[4]);
            let mut group_cold = cold_rec.stats();
            group_cold.hidden_removed = hidden_removed;
            group_cold.models = 1;
            cold_stats.add(&group_cold);
            progress(EvalProgress {
                stage: format!("scoring ({cold_stage})"),
                done: c + 1,
                total: cold_groups.len(),
            });
        }
        cold_stats.seconds += cold_started.elapsed().as_secs_f64();
        scored += tasks.len();
        progress(EvalProgress {
            stage: format!("scoring ({stage})"),
            done: g + 1,
            total: groups.len(),
        });
    }
    if scored == 0 {
        return Err(EvalError::Catalog(format!(
            "no playlist of the {protocol} protocol has {} or more tracks",
            protocol::MIN_TRACKS
        )));
    }
    let rows = names
        .iter()
        .zip(&scores)
        .map(|(name, s)| {
            let col = |j: usize| Summary::of(&s.iter().map(|v| v[j]).collect::<Vec<_>>());
            ContinuationRow {
                recommender: (*name).to_owned(),
                r_precision: col(0),
                ndcg: col(1),
                clicks: col(2),
            }
        })
        .collect();
    Ok(ProtocolReport {
        protocol,
        scored,
        training,
        rows,
        learned,
        cold: Some(cold_stats),
        seconds: started.elapsed().as_secs_f64(),
    })
}
