//! Learning the scoring weights from playlists: on a catalog where only one signal tells the
//! playlists apart, the learner must find it, and what it learns (the weights and the ranker
//! above them) travels in the artifact.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_catalog::{Catalog, PlaylistInfo};
use selecta_model::learn::tasks::{r_precision, tasks};
use selecta_model::{
    fit_learned, generate, FitError, GenerateOptions, LearnParams, Model, ModelParams,
    RankerParams, FEATURE_NAMES, RANK_FEATURES,
};
use selecta_types::{AudioFeatures, Track};

/// 30 artists with 12 tracks each, sounds drawn at random (so sound says nothing), one genre
/// for all; playlist `p` holds artist `p`'s tracks and 3 random others. Only the shared artist
/// finds a playlist's hidden half.
fn catalog(seed: u64) -> Catalog {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tracks = Vec::new();
    for a in 0..30 {
        for t in 0..12 {
            tracks.push(Track {
                id: format!("a{a}t{t}").into(),
                name: format!("Song {t}").into(),
                artists: vec![format!("Artist {a}").into()],
                album_id: Some(format!("album{a}_{}", t % 4).into()),
                genres: vec!["pop".into()],
                features: AudioFeatures {
                    energy: Some(rng.random()).into(),
                    danceability: Some(rng.random()).into(),
                    valence: Some(rng.random()).into(),
                    tempo: Some(rng.random_range(60.0..180.0)).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            });
        }
    }
    let playlists = (0..30)
        .map(|a| {
            let mut ids: Vec<String> = (0..12).map(|t| format!("a{a}t{t}")).collect();
            for _ in 0..3 {
                ids.push(format!(
                    "a{}t{}",
                    rng.random_range(0..30),
                    rng.random_range(0..12)
                ));
            }
            PlaylistInfo {
                id: format!("p{a}"),
                name: format!("Playlist {a}"),
                genre: "pop".into(),
                subgenre: "dance pop".into(),
                track_ids: ids,
            }
        })
        .collect();
    Catalog::from_tracks(tracks, playlists)
}

/// Fits with the default parameters, learning the weights as `learn` says.
fn fit_learning(catalog: Catalog, learn: &LearnParams) -> Result<Model, FitError> {
    fit_learned(catalog, &ModelParams::default(), learn, &mut |_| {})
}

#[test]
fn learning_finds_the_signal_that_tells_playlists_apart() {
    let model = fit_learning(catalog(1), &LearnParams::default()).unwrap();
    let learned = model.learned().expect("learned weights").clone();
    let w = &learned.weights;
    assert!(
        w.artist > 4.0 * w.sound && w.artist > 4.0 * w.closeness,
        "artist should dominate: {w:?}"
    );
    assert!(
        learned.score > learned.start_score + 0.05,
        "{learned:?} should improve on equal weights"
    );
    assert_eq!(learned.tasks, 30);
    // Proxy weights too, learned from the same tasks with their seeds as proxies, starting
    // from the catalog seeds' weights (so never worse on those tasks than where they began).
    let proxy = learned.proxy.as_ref().expect("proxy weights");
    assert!(proxy.tasks > 0 && proxy.tasks <= 30, "{proxy:?}");
    assert!(proxy.score >= proxy.start_score, "{proxy:?}");
    // A request of proxies only scores with them; one of catalog seeds with the model's own.
    let (pw, po, ps) = model.scoring_for(1.0);
    assert_eq!(
        (pw, po, ps),
        (proxy.weights.clone(), proxy.other_genre, proxy.seed_share)
    );
    assert_eq!(model.scoring_for(0.0).0, learned.weights);
    // The model serves with what it learned, and the artifact keeps both.
    assert_eq!(&model.params().scoring.weights, w);
    assert_eq!(model.params().scoring.other_genre, learned.other_genre);
    assert_eq!(model.params().scoring.seed_share, learned.seed_share);
    let back = Model::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(back.learned(), Some(&learned));
    assert_eq!(back.params(), model.params());
    assert_eq!(back.learn_params(), Some(&LearnParams::default()));

    // On another draw of the same kind of catalog, the learned weights continue playlists
    // better than equal weights do.
    let fresh = catalog(2);
    let all: Vec<usize> = (0..fresh.playlists().len()).collect();
    let held_out = tasks(&fresh, &all, 3);
    let mut equal = ModelParams::default();
    equal.scoring.weights = selecta_model::SignalWeights {
        sound: 1.0,
        artist: 1.0,
        album: 1.0,
        cooccurrence: 1.0,
        related_artists: 1.0,
        label: 1.0,
        era: 1.0,
        harmony: 1.0,
        closeness: 1.0,
    };
    let mut tuned = ModelParams::default();
    tuned.scoring.weights = w.clone();
    tuned.scoring.other_genre = learned.other_genre;
    tuned.scoring.seed_share = learned.seed_share;
    let mean_rp = |params: &ModelParams| {
        // Without the playlists, so that no co-occurrence gives the answer away.
        let bare = Catalog::from_tracks(fresh.tracks().to_vec(), Vec::new());
        let model = Model::fit(bare, params, &mut |_| {}).unwrap();
        let total: f64 = held_out
            .iter()
            .map(|t| {
                let options = GenerateOptions {
                    length: t.hidden.len(),
                    max_per_artist: None,
                    ..GenerateOptions::default()
                };
                let p = generate(&model, &t.seeds, &options).unwrap();
                let ranked: Vec<usize> = p
                    .entries
                    .iter()
                    .map(|e| model.catalog().index_of(&e.track.id).unwrap())
                    .collect();
                r_precision(&ranked, &t.hidden.iter().copied().collect())
            })
            .sum();
        total / held_out.len() as f64
    };
    let (learned_rp, equal_rp) = (mean_rp(&tuned), mean_rp(&equal));
    assert!(
        learned_rp > equal_rp + 0.1,
        "learned {learned_rp:.3} vs equal weights {equal_rp:.3}"
    );
}

#[test]
fn learning_needs_playlists_and_sane_folds() {
    let bare = Catalog::from_tracks(catalog(1).tracks().to_vec(), Vec::new());
    let err = fit_learning(bare, &LearnParams::default()).unwrap_err();
    assert!(
        matches!(&err, FitError::InvalidParam { name, .. } if name == "learn"),
        "{err}"
    );
    assert!(err.to_string().contains("10 or more tracks"), "{err}");
    let one_fold = LearnParams {
        folds: 1,
        ..LearnParams::default()
    };
    let err = fit_learning(catalog(1), &one_fold).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid parameter learn.folds: must be 2..=20, got 1"
    );
}

#[test]
fn the_ranker_is_learned_in_the_fit_travels_in_the_artifact_and_explains_its_picks() {
    let model = fit_learning(catalog(1), &LearnParams::default()).unwrap();
    let learned = model.learned().unwrap();
    let ranker = model.ranker().expect("a ranker, learned by default");
    assert_eq!(ranker.features(), RANK_FEATURES);
    assert_eq!(ranker.importance().len(), FEATURE_NAMES.len());
    let (score, recall) = (
        learned.ranker_score.unwrap(),
        learned.shortlist_recall.unwrap(),
    );
    assert!(recall > 0.5 && recall <= 1.0, "{recall}");
    // On the tasks it learned from, the ranker does not lose what the weights found.
    assert!(
        score >= learned.score - 0.02,
        "{score} vs {}",
        learned.score
    );
    let back = Model::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(back.ranker(), Some(ranker));

    // Six seeds by Artist 3: its other six tracks come first, each ranked (a score in (0, 1))
    // and explained by the shared artist.
    let index = |id: &str| model.catalog().index_of(id).unwrap();
    let seeds: Vec<usize> = (0..6).map(|t| index(&format!("a3t{t}"))).collect();
    let options = GenerateOptions {
        length: 6,
        max_per_artist: None,
        ..GenerateOptions::default()
    };
    let p = generate(&model, &seeds, &options).unwrap();
    for e in &p.entries {
        assert_eq!(e.track.artists[0], "Artist 3", "{:?}", e.track.id);
        assert!(e.score > 0.0 && e.score < 1.0, "{}", e.score);
        assert!(
            e.reason.text.contains("same artist (Artist 3)"),
            "{}",
            e.reason.text
        );
    }
    assert!(p.entries.windows(2).all(|w| w[0].score >= w[1].score));

    // Turned off, learning keeps the weights alone.
    let mut params = ModelParams::default();
    params.ranker.enabled = false;
    let plain = fit_learned(catalog(1), &params, &LearnParams::default(), &mut |_| {}).unwrap();
    assert!(plain.ranker().is_none() && plain.learned().unwrap().ranker_score.is_none());
}

#[test]
fn bad_ranker_parameters_are_refused_before_learning() {
    let mut params = ModelParams::default();
    params.ranker.trees = 0;
    let err = fit_learned(catalog(1), &params, &LearnParams::default(), &mut |_| {})
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid parameter ranker.trees: must be 1..=2000, got 0"
    );
    params.ranker = RankerParams {
        without: vec!["sound".into()],
        ..RankerParams::default()
    };
    let err = fit_learned(catalog(1), &params, &LearnParams::default(), &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ranker.without") && err.contains("\"sound\""),
        "{err}"
    );
}

#[test]
fn what_was_learned_scores_another_catalog_and_the_bench_times_it() {
    let learned = fit_learning(catalog(1), &LearnParams::default())
        .unwrap()
        .learned()
        .cloned()
        .unwrap();
    // Another catalog, fitted plainly, then given the learned weights and ranker.
    let other = Model::fit(catalog(2), &ModelParams::default(), &mut |_| {})
        .unwrap()
        .with_learned(learned.clone());
    assert_eq!(other.params().scoring.weights, learned.weights);
    assert!(other.ranker().is_some());
    let seeds: Vec<usize> = (0..3).map(|t| 5 * 12 + t).collect();
    let p = generate(&other, &seeds, &GenerateOptions::default()).unwrap();
    assert!(!p.entries.is_empty());
    // Re-ranked: the shortlist scores in (0, 1).
    assert!(p.entries.iter().all(|e| e.score > 0.0 && e.score < 1.0));

    // The bench times the same playlists both ways on a synthetic catalog.
    let config = selecta_model::bench::BenchConfig {
        synthetic: selecta_model::synthetic::SyntheticParams {
            tracks: 1500,
            ..Default::default()
        },
        queries: 4,
        learned: Some(learned),
        ..Default::default()
    };
    let report = selecta_model::bench::run(catalog(3).tracks(), &config, &mut |_| {}).unwrap();
    let (median, p95) = report.learned_query.expect("learned playlists timed");
    assert!(median <= p95);
    assert!(report.to_string().contains("learned ranker:"));
}
