//! The protocols on the real catalog, with fixed seeds: what a scored playlist hides never
//! reaches the seeds or the model, and the scores are sane.

use std::collections::HashSet;

use selecta_catalog::Catalog;
use selecta_eval::protocol::{deal, playlist_tracks, restricted_catalog, split, tasks};
use selecta_eval::{evaluate, EvalConfig, Protocol};
use selecta_model::{Model, ModelParams};

fn real_catalog() -> Catalog {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    Catalog::load(path).expect("the bundled catalog loads")
}

#[test]
fn protocols_keep_scored_playlists_out_of_the_model() {
    let catalog = real_catalog();
    let n = catalog.playlists().len();
    assert_eq!(n, 471);

    // Tasks: seeds and hidden tracks split each playlist in two halves that never meet.
    let all: Vec<usize> = (0..n).collect();
    let t = tasks(&catalog, &all, 42);
    assert!(t.len() > 400, "{} playlists scored", t.len());
    for task in &t {
        let tracks = playlist_tracks(&catalog, &catalog.playlists()[task.playlist]);
        assert_eq!(task.seeds.len(), tracks.len() / 2);
        assert_eq!(task.seeds.len() + task.hidden.len(), tracks.len());
        let seeds: HashSet<usize> = task.seeds.iter().copied().collect();
        assert!(task.hidden.iter().all(|h| !seeds.contains(h)));
    }

    // Seed protocol folds: every playlist in exactly one fold, folds balanced.
    let folds = deal(n, 5, 1);
    for f in 0..5 {
        let size = folds.iter().filter(|&&g| g == f).count();
        assert!((94..=95).contains(&size), "fold {f}: {size}");
    }

    // Strict protocol: labels only from training playlists or the artist's training tracks.
    let test = split(n, 0.2, 7);
    let known: Vec<bool> = test.iter().map(|t| !t).collect();
    let strict = restricted_catalog(&catalog, &known, true);
    assert_eq!(
        strict.playlists().len(),
        n - test.iter().filter(|t| **t).count()
    );
    // Every training playlist's tracks, once; then the genres each artist reaches in them.
    let training: Vec<(&str, Vec<usize>)> = catalog
        .playlists()
        .iter()
        .zip(&known)
        .filter(|(_, k)| **k)
        .map(|(p, _)| (p.genre.as_str(), playlist_tracks(&catalog, p)))
        .collect();
    let in_training: HashSet<usize> = training
        .iter()
        .flat_map(|(_, t)| t.iter().copied())
        .collect();
    let mut artist_genres: std::collections::HashMap<&str, HashSet<&str>> = Default::default();
    for (genre, tracks) in &training {
        for &j in tracks {
            for a in &catalog.tracks()[j].artists {
                artist_genres.entry(a.as_str()).or_default().insert(genre);
            }
        }
    }
    let mut checked = 0;
    for (p, _) in catalog.playlists().iter().zip(&test).filter(|(_, t)| **t) {
        for i in playlist_tracks(&catalog, p) {
            if in_training.contains(&i) {
                continue;
            }
            // A test-only track: its labels must come from training playlists holding a
            // track by one of its artists.
            let allowed: HashSet<&str> = catalog.tracks()[i]
                .artists
                .iter()
                .filter_map(|a| artist_genres.get(a.as_str()))
                .flatten()
                .copied()
                .collect();
            let got = &strict.tracks()[i].genres;
            assert!(
                got.iter().all(|g| allowed.contains(g.as_str())),
                "{}: {got:?} not in {allowed:?}",
                catalog.tracks()[i].label()
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} test-only tracks checked");

    // The model fitted for the strict protocol learns no co-occurrence from test playlists:
    // a test-only track shares no playlist with anything.
    let model = Model::fit(strict, &ModelParams::default(), &mut |_| {}).unwrap();
    let aff = model.affinity();
    for (p, _) in catalog.playlists().iter().zip(&test).filter(|(_, t)| **t) {
        for i in playlist_tracks(&catalog, p) {
            if !in_training.contains(&i) {
                assert!(aff.cooccurring.row(i).is_empty(), "track {i} co-occurs");
            }
        }
    }
}

#[test]
fn strict_scores_are_sane_and_beat_random() {
    let catalog = real_catalog();
    let config = EvalConfig {
        sample: 300,
        protocols: vec![Protocol::Strict],
        split_seed: 11,
        ..EvalConfig::default()
    };
    let report = evaluate(&catalog, &ModelParams::default(), &config, &mut |_| {}).unwrap();
    // Selecta's similar tracks, the two baselines, Selecta's plain nearest neighbours, the
    // seed's model rebuilt, Selecta's playlist from the one track.
    let names: Vec<&str> = report
        .neighbours
        .iter()
        .map(|r| r.recommender.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Selecta",
            "random",
            "same-genre random",
            "Selecta neighbours",
            "the seed's model (rebuilt)",
            "Selecta playlist"
        ]
    );
    // Similar tracks raise the artist's and album's tracks over the plain neighbours and stay
    // close in sound (the seed's sound metric, lower is closer) compared with random tracks.
    let row = |name: &str| report.neighbours.iter().find(|r| r.recommender == name);
    let mean = |s: Option<selecta_eval::Summary>| s.unwrap().mean;
    let (similar, plain) = (row("Selecta").unwrap(), row("Selecta neighbours").unwrap());
    assert!(mean(similar.artist_share) > 2.0 * mean(plain.artist_share));
    assert!(mean(similar.album_share) > 2.0 * mean(plain.album_share));
    assert!(mean(similar.sound_diff) < mean(row("random").unwrap().sound_diff));
    // Every model learned its weights, from the playlists it could see.
    let learned = report
        .learned
        .as_ref()
        .expect("the whole-catalog model learned");
    assert!(learned.learned.tasks > 400, "{learned:?}");
    // The report keeps the ranker's size and importances, not its trees.
    assert!(learned.learned.ranker.is_none());
    assert_eq!(learned.ranker_trees, Some(120));
    let shares: f64 = learned.ranker_importance.iter().map(|(_, v)| v).sum();
    assert!(
        (shares - 1.0).abs() < 1e-6,
        "{:?}",
        learned.ranker_importance
    );
    assert!(learned.learned.pool > 100.0, "{learned:?}");
    for row in &report.neighbours {
        for s in [&row.genre_share, &row.album_share, &row.artist_share] {
            let s = s.unwrap();
            assert!((0.0..=1.0).contains(&s.mean), "{}: {s:?}", row.recommender);
        }
    }
    let strict = report.protocol(Protocol::Strict).unwrap();
    // 94 test playlists (20% of 471), those of 10 tracks or more scored.
    assert!(
        (80..=94).contains(&strict.scored),
        "{} scored",
        strict.scored
    );
    for row in &strict.rows {
        for s in [row.r_precision, row.ndcg] {
            let s = s.unwrap();
            assert!((0.0..=1.0).contains(&s.mean) && s.ci_low <= s.mean && s.mean <= s.ci_high);
        }
        assert!(row.clicks.unwrap().mean >= 0.0);
    }
    let rp = |name: &str| strict.row(name).unwrap().r_precision.unwrap().mean;
    assert!(rp("Selecta") > 10.0 * rp("random"), "{strict:?}");
    assert!(rp("Selecta") > rp("same-genre random"), "{strict:?}");
    assert!(
        rp("Selecta") > rp("the seed's model (rebuilt)"),
        "{strict:?}"
    );
    // Cold seeds: the scored playlists' seeds were out of the model's catalog, given as
    // looked-up metadata; every seed is counted once, by how it matched.
    let cold = strict.cold.as_ref().expect("the cold-seed run");
    assert_eq!(cold.playlists, strict.scored);
    assert_eq!(cold.seeds, cold.same_recording + cold.proxy + cold.skipped);
    assert!(cold.proxy > cold.skipped, "{cold:?}");
    // Playlists share a cold model only when none's seeds are another's hidden tracks.
    assert_eq!(cold.hidden_removed, 0, "{cold:?}");
    assert!(cold.models * config.cold_group >= strict.scored, "{cold:?}");
    assert!(
        cold.seconds > 0.0 && cold.seconds < strict.seconds,
        "{cold:?}"
    );
    assert!(
        rp(selecta_eval::cold::COLD) > 10.0 * rp("random"),
        "{strict:?}"
    );
    // The learned ranker, which knows a request's share of estimated seeds, keeps most of
    // the warm score (a cold run may even edge above it: its seeds are fewer and surer).
    assert!(
        rp(selecta_eval::cold::COLD) > 0.8 * rp("Selecta"),
        "{strict:?}"
    );
    if cold.lost_all_seeds > 0 {
        let m = cold.lost_all_message.as_deref().unwrap();
        assert!(m.contains("neither is anything by its artists"), "{m}");
    }
    // The strict model learned from the training playlists only (90-odd are held out).
    assert_eq!(strict.learned.len(), 1);
    assert!(
        strict.learned[0].learned.tasks < strict.training,
        "{:?}",
        strict.learned[0]
    );
    // The JSON document reads back (floats to within printing precision).
    let json = serde_json::to_string(&report).unwrap();
    let back: selecta_eval::Report = serde_json::from_str(&json).unwrap();
    let back_strict = back.protocol(Protocol::Strict).unwrap();
    assert_eq!(back_strict.scored, strict.scored);
    let back_rp = back_strict
        .row("Selecta")
        .unwrap()
        .r_precision
        .unwrap()
        .mean;
    assert!((back_rp - rp("Selecta")).abs() < 1e-12);
}
