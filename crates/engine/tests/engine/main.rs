//! The engine on a tiny fitted catalog: the resolver's outcomes, the request's limits checked
//! before any matching, the one playlist function, and reloads of the model in service.

mod cache;
mod known;

use std::sync::Arc;

use selecta_catalog::Catalog;
use selecta_engine::runtime::save_model;
use selecta_engine::{
    CatalogView, MatchKind, ModelSource, RequestError, Runtime, SeedList, Unmatched,
};
use selecta_model::{Model, ModelParams};
use selecta_types::{AudioFeatures, PlaylistRequest, SeedRef, Track, MAX_SEEDS, MAX_SEED_CHARS};

/// `n` tracks by 6 artists over 3 genres; energy and popularity rise with the index.
fn tracks(n: usize) -> Vec<Track> {
    let genres = [
        ("pop", "dance pop"),
        ("r&b", "new jack swing"),
        ("rock", "hard rock"),
    ];
    (0..n)
        .map(|i| {
            let (g, sub) = genres[i % 3];
            Track {
                id: format!("t{i:021}").into(),
                // Two songs of one title by different artists, for ambiguity.
                name: if i == 10 || i == 11 {
                    "Twin".into()
                } else {
                    format!("Song {i}").into()
                },
                artists: vec![format!("Artist {}", (b'A' + (i % 6) as u8) as char).into()],
                album: format!("Album {}", i / 4).into(),
                year: Some(1990 + i as u16),
                popularity: Some(i as f32),
                genres: vec![g.into()],
                subgenres: vec![sub.into()],
                features: AudioFeatures {
                    energy: Some((i as f32 + 0.5) / n as f32).into(),
                    danceability: Some(1.0 - (i as f32 + 0.5) / n as f32).into(),
                    tempo: Some(80.0 + i as f32).into(),
                    valence: Some((i % 7) as f32 / 7.0).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            }
        })
        .collect()
}

fn model(n: usize) -> Model {
    Model::fit(
        Catalog::from_tracks(tracks(n), Vec::new()),
        &ModelParams::default(),
        &mut |_| {},
    )
    .expect("the tiny catalog fits")
}

fn view() -> CatalogView {
    CatalogView::build(Arc::new(model(48)))
}

fn id(i: usize) -> String {
    format!("t{i:021}")
}

#[test]
fn every_kind_of_seed_resolves_and_says_how() {
    let view = view();
    let e = view.engine();
    let q = |s: &str| SeedRef::Query(s.into());
    let m = e.resolve(&q(&id(3)), 1).unwrap();
    assert_eq!((m.tracks, m.how), (vec![3], MatchKind::Id));
    let m = e
        .resolve(&q(&format!("spotify:track:{}", id(4))), 1)
        .unwrap();
    assert_eq!((m.tracks, m.how), (vec![4], MatchKind::Id));
    let m = e.resolve(&q("artist f - song 5"), 1).unwrap();
    assert_eq!((m.tracks, m.how), (vec![5], MatchKind::Text));
    let m = e.resolve(&SeedRef::Track(id(7)), 1).unwrap();
    assert_eq!((m.tracks, m.how), (vec![7], MatchKind::Id));

    // An artist stands for its most popular tracks (popularity = index here).
    let m = e.resolve(&SeedRef::Artist("artist a".into()), 3).unwrap();
    assert_eq!((m.tracks, m.how), (vec![42, 36, 30], MatchKind::Artist));
    // A genre for its most popular tracks by different artists: r&b is every third track
    // from 1, by artists B and E only.
    let m = e.resolve(&SeedRef::Genre("R&B".into()), 3).unwrap();
    assert_eq!(m.how, MatchKind::Genre);
    assert_eq!(m.tracks, [46, 43]);
}

#[test]
fn unmatched_seeds_are_typed() {
    let view = view();
    let e = view.engine();
    // Two songs fit "Twin" as well: candidates to choose from.
    let err = e.resolve(&SeedRef::Query("Twin".into()), 1).unwrap_err();
    assert!(err.candidates().is_some_and(|c| c.len() > 1), "{err}");
    // Nothing fits: suggestions, maybe none.
    let err = e
        .resolve(&SeedRef::Query("Nobody - Nothing At All".into()), 1)
        .unwrap_err();
    assert!(err.suggestions().is_some(), "{err}");
    assert!(err.to_string().starts_with("no track matches"), "{err}");
    let err = e.resolve(&SeedRef::Track("nope".into()), 1).unwrap_err();
    assert_eq!(err, Unmatched::TrackId("nope".into()));
    assert_eq!(
        err.to_string(),
        "unknown track id 'nope' (not in Selecta's catalog)"
    );
    let err = e.resolve(&SeedRef::Genre("polka".into()), 1).unwrap_err();
    assert!(
        err.to_string().starts_with("unknown genre 'polka'"),
        "{err}"
    );
    let long = "x".repeat(500);
    let err = e.resolve(&SeedRef::Artist(long), 1).unwrap_err();
    assert!(err.to_string().len() < 200, "the input is not echoed whole");
}

#[test]
fn a_request_gives_a_playlist_and_its_seeds() {
    let view = view();
    let req = PlaylistRequest {
        seeds: vec![SeedRef::Query(id(0)), SeedRef::Artist("Artist B".into())],
        negative_seeds: vec![SeedRef::Query(id(47))],
        length: 10,
        ..PlaylistRequest::default()
    };
    let g = view.engine().playlist(&req).unwrap();
    assert_eq!(g.playlist.entries.len(), 10);
    assert_eq!(g.seeds.len(), 2);
    assert_eq!(g.seeds[1].matched.how, MatchKind::Artist);
    // Up to 3 tracks per group seed when few seeds are given.
    assert_eq!(g.seeds[1].matched.tracks.len(), 3);
    let seeds: Vec<&str> = g.playlist.seeds.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(seeds.len(), 4);
    for e in &g.playlist.entries {
        assert!(!seeds.contains(&e.track.id.as_str()));
        assert_ne!(e.track.id, id(47), "a negative seed is never returned");
    }
}

#[test]
fn errors_name_the_list_and_position() {
    let view = view();
    let req = PlaylistRequest {
        seeds: vec![
            SeedRef::Query(id(0)),
            SeedRef::Query("Nobody - Nothing".into()),
        ],
        ..PlaylistRequest::default()
    };
    let err = view.engine().playlist(&req).unwrap_err();
    assert!(
        matches!(
            &err,
            RequestError::Unmatched {
                list: SeedList::Seeds,
                index: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("seeds[1]: no track matches"),
        "{err}"
    );

    let req = PlaylistRequest {
        seeds: vec![SeedRef::Query(id(0))],
        length: 0,
        ..PlaylistRequest::default()
    };
    let err = view.engine().playlist(&req).unwrap_err();
    assert_eq!(err.to_string(), "length must be 1..=100, got 0");

    // Every artist blocked: nothing passes, and the seeds still say how they matched.
    let req = PlaylistRequest {
        seeds: vec![SeedRef::Query(id(0))],
        block_artists: (0..6)
            .map(|a| format!("Artist {}", (b'A' + a) as char))
            .collect(),
        ..PlaylistRequest::default()
    };
    match view.engine().playlist(&req).unwrap_err() {
        RequestError::NothingMatches { seeds } => assert_eq!(seeds[0].matched.tracks, [0]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_many_seeds_are_refused_before_any_matching() {
    let view = view();
    // Texts that would each cost a fuzzy search: refused by count alone.
    let text = "word ".repeat(2000);
    let req = PlaylistRequest {
        seeds: vec![SeedRef::Query(text.clone()); MAX_SEEDS + 1],
        ..PlaylistRequest::default()
    };
    let started = std::time::Instant::now();
    let err = view.engine().playlist(&req).unwrap_err();
    assert_eq!(err.to_string(), "seeds must hold 1..=50 tracks, got 51");
    assert!(started.elapsed().as_secs() < 5);
    let req = PlaylistRequest {
        seeds: vec![SeedRef::Query(id(0))],
        negative_seeds: vec![SeedRef::Query(text); MAX_SEEDS + 1],
        ..PlaylistRequest::default()
    };
    let err = view.engine().playlist(&req).unwrap_err();
    assert!(matches!(err, RequestError::Invalid { ref field, .. } if field == "negative_seeds"));

    // One long text is refused by its length, naming the seed, before it is matched.
    for list in ["seeds", "negative_seeds"] {
        let long = SeedRef::Query("word ".repeat(200_000));
        let mut req = PlaylistRequest {
            seeds: vec![SeedRef::Query(id(0)), SeedRef::Query(id(1))],
            ..PlaylistRequest::default()
        };
        match list {
            "seeds" => req.seeds[1] = long,
            _ => req.negative_seeds = vec![long],
        }
        let err = view.engine().playlist(&req).unwrap_err();
        let want = match list {
            "seeds" => "seeds[1]",
            _ => "negative_seeds[0]",
        };
        assert_eq!(
            err.to_string(),
            format!("{want} must be at most {MAX_SEED_CHARS} characters, got 1000000")
        );
        assert!(matches!(err, RequestError::Invalid { ref field, .. } if field == want));
    }

    // The other lists are counted and length-checked before any seed is matched: 10x and
    // 100x what the web form once took 0.45 s over.
    for n in [200_000usize, 2_000_000] {
        let req = PlaylistRequest {
            seeds: vec![SeedRef::Query("word ".repeat(50)); 3],
            block_artists: (0..n).map(|i| format!("artist {i}")).collect(),
            ..PlaylistRequest::default()
        };
        let err = view.engine().playlist(&req).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("block_artists must hold at most 100 artists, got {n}")
        );
        let req = PlaylistRequest {
            seeds: vec![SeedRef::Query(id(0))],
            exclude_ids: (0..n).map(|i| format!("id{i}")).collect(),
            ..PlaylistRequest::default()
        };
        let err = view.engine().playlist(&req).unwrap_err();
        assert!(matches!(err, RequestError::Invalid { ref field, .. } if field == "exclude_ids"));
    }
    let req = PlaylistRequest {
        seeds: vec![SeedRef::Query(id(0))],
        block_artists: vec!["Queen".into(), "x".repeat(201)],
        ..PlaylistRequest::default()
    };
    let err = view.engine().playlist(&req).unwrap_err();
    assert_eq!(
        err.to_string(),
        "block_artists[1] must be at most 200 characters"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_swap_the_model_one_at_a_time_and_keep_it_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.selecta");
    save_model(&model(30), &path).unwrap();
    let source = ModelSource::new(
        Some(path.to_string_lossy().into_owned()),
        dir.path().join("cache.selecta"),
        dir.path().join("no-catalog.csv"),
    );
    let runtime = Runtime::start(source).await.unwrap();
    let before = runtime.handle().current();
    assert_eq!(before.len(), 30);

    // A request in flight keeps its model across a reload.
    save_model(&model(36), &path).unwrap();
    let (a, b) = tokio::join!(runtime.reload(), runtime.reload());
    assert_eq!((a.unwrap(), b.unwrap()), (36, 36));
    assert_eq!(before.len(), 30);
    assert_eq!(runtime.handle().current().len(), 36);

    // A broken artifact is refused: the last good copy serves, and the model stays.
    std::fs::write(&path, b"not a model").unwrap();
    assert_eq!(
        runtime.reload().await.unwrap(),
        36,
        "served from the last-good copy"
    );
    std::fs::remove_file(dir.path().join("cache.selecta")).unwrap();
    let err = runtime.reload().await.unwrap_err();
    assert!(format!("{err:#}").contains("cannot load"), "{err:#}");
    assert_eq!(runtime.handle().current().len(), 36);
}
