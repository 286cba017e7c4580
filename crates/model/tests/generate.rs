//! Playlist generation on the real catalog, with seeds drawn from its real playlists.

mod common;

use std::collections::{HashMap, HashSet};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_model::{
    generate, neighbours, Attribute, GenerateError, GenerateOptions, Model, Order,
};
use selecta_types::{Playlist, Track};

/// `n` seeds a listener might pick: tracks of one real playlist.
fn playlist_seeds(model: &Model, rng: &mut ChaCha8Rng, n: usize) -> Vec<usize> {
    let catalog = model.catalog();
    loop {
        let p = catalog.playlists().choose(rng).expect("playlists");
        let ids: Vec<&String> = p.track_ids.choose_multiple(rng, n).collect();
        if ids.len() == n {
            return ids
                .iter()
                .map(|id| catalog.index_of(id).expect("playlist track in catalog"))
                .collect();
        }
    }
}

fn seed_ids(model: &Model, seeds: &[usize]) -> HashSet<String> {
    seeds
        .iter()
        .map(|&s| model.tracks()[s].id.to_string())
        .collect()
}

fn artists_lower(t: &Track) -> Vec<String> {
    t.artists.iter().map(|a| a.trim().to_lowercase()).collect()
}

/// Invariants every playlist keeps, whatever the options.
fn check_invariants(model: &Model, seeds: &[usize], o: &GenerateOptions, p: &Playlist) {
    let catalog = model.catalog();
    let seeds_set = seed_ids(model, seeds);
    let mut ids = HashSet::new();
    let mut songs = HashSet::new();
    let seed_songs: HashSet<u32> = seeds.iter().filter_map(|&s| catalog.song_id(s)).collect();
    let mut per_artist: HashMap<String, usize> = HashMap::new();
    for e in &p.entries {
        let t = &e.track;
        assert!(
            !seeds_set.contains(t.id.as_str()),
            "seed {} returned",
            t.label()
        );
        assert!(ids.insert(t.id.clone()), "{} twice", t.label());
        let i = catalog.index_of(&t.id).unwrap();
        if o.collapse_versions {
            let song = catalog.song_id(i).unwrap();
            assert!(songs.insert(song), "two versions of {}", t.label());
            assert!(
                !seed_songs.contains(&song),
                "a version of a seed: {}",
                t.label()
            );
        }
        for a in artists_lower(t) {
            *per_artist.entry(a).or_insert(0) += 1;
        }
        assert!(seeds_set.contains(&e.reason.seed_id));
        assert!(e.reason.text.starts_with("Close to "), "{}", e.reason.text);
        assert!(e.score > 0.0);
    }
    if let Some(cap) = o.max_per_artist {
        for (a, n) in per_artist {
            assert!(n <= cap, "{n} tracks by {a}, cap {cap}");
        }
    }
    assert_eq!(p.seeds.len(), seeds.len());
}

#[test]
fn playlists_keep_their_promises() {
    let model = common::model();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut sharing, mut total) = (0, 0);
    for case in 0..40 {
        let n = rng.random_range(1..=8);
        let seeds = playlist_seeds(model, &mut rng, n);
        let o = GenerateOptions {
            length: [5, 30, 60, 100][case % 4],
            order: if case % 3 == 0 {
                Order::Flow
            } else {
                Order::Similarity
            },
            max_per_artist: if case % 5 == 0 { Some(1) } else { Some(2) },
            ..GenerateOptions::default()
        };
        let p = generate(model, &seeds, &o).unwrap();
        assert_eq!(p.entries.len(), o.length, "case {case}");
        check_invariants(model, &seeds, &o, &p);
        // Every seed is heard, not only the one in the densest neighbourhood (when the
        // playlist has room for two tracks per seed).
        let represented: HashSet<&str> = p
            .entries
            .iter()
            .map(|e| e.reason.seed_id.as_str())
            .collect();
        if o.length >= 2 * n {
            for &s in &seeds {
                assert!(
                    represented.contains(model.tracks()[s].id.as_str()),
                    "case {case}: seed {} not represented",
                    model.tracks()[s].label()
                );
            }
        }
        // Deterministic.
        assert_eq!(generate(model, &seeds, &o).unwrap(), p, "case {case}");
        // Quality sanity: tracks share a genre with the seeds.
        let genres: HashSet<&selecta_types::Text> = seeds
            .iter()
            .flat_map(|&s| model.tracks()[s].genres.iter())
            .collect();
        for e in &p.entries {
            total += 1;
            sharing += usize::from(e.track.genres.iter().any(|g| genres.contains(g)));
        }
    }
    let share = sharing as f64 / total as f64;
    assert!(
        share >= 0.9,
        "only {share:.2} of the tracks share a genre with their seeds"
    );
}

#[test]
fn exclusions_and_blocked_artists_are_honoured() {
    let model = common::model();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..10 {
        let seeds = playlist_seeds(model, &mut rng, 3);
        let plain = generate(model, &seeds, &GenerateOptions::default()).unwrap();
        let excluded: Vec<String> = plain.entries[..10]
            .iter()
            .map(|e| e.track.id.to_string())
            .collect();
        let blocked = plain.entries[10].track.artists[0].clone();
        let o = GenerateOptions {
            exclude_ids: excluded.clone(),
            block_artists: vec![blocked.to_uppercase().to_string()],
            ..GenerateOptions::default()
        };
        let p = generate(model, &seeds, &o).unwrap();
        assert_eq!(p.entries.len(), 30);
        check_invariants(model, &seeds, &o, &p);
        for e in &p.entries {
            assert!(
                !excluded.iter().any(|x| *x == e.track.id),
                "excluded {}",
                e.track.label()
            );
            assert!(
                !artists_lower(&e.track).contains(&blocked.to_lowercase().to_string()),
                "blocked artist in {}",
                e.track.label()
            );
        }
    }
}

#[test]
fn min_and_max_filter_and_targets_pull() {
    let model = common::model();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mean = |p: &Playlist, a: Attribute| {
        p.entries
            .iter()
            .map(|e| a.value(&e.track).unwrap())
            .sum::<f32>()
            / p.entries.len() as f32
    };
    let (mut up, mut down) = (0, 0);
    for _ in 0..10 {
        let seeds = playlist_seeds(model, &mut rng, 4);
        let o = GenerateOptions::default()
            .with_min(Attribute::Energy, 0.6)
            .with_max(Attribute::Energy, 0.85)
            .with_max(Attribute::Tempo, 125.0)
            .with_min(Attribute::Popularity, 20.0);
        let p = generate(model, &seeds, &o).unwrap();
        assert_eq!(p.entries.len(), 30);
        check_invariants(model, &seeds, &o, &p);
        for e in &p.entries {
            let f = &e.track.features;
            let energy = f.energy.get().unwrap();
            assert!((0.6..=0.85).contains(&energy), "energy {energy}");
            assert!(f.tempo.get().unwrap() <= 125.0);
            assert!(e.track.popularity.unwrap() >= 20.0);
        }
        let plain = generate(model, &seeds, &GenerateOptions::default()).unwrap();
        let happy = generate(
            model,
            &seeds,
            &GenerateOptions::default().with_target(Attribute::Valence, 0.95),
        )
        .unwrap();
        let sad = generate(
            model,
            &seeds,
            &GenerateOptions::default().with_target(Attribute::Valence, 0.05),
        )
        .unwrap();
        let base = mean(&plain, Attribute::Valence);
        up += usize::from(mean(&happy, Attribute::Valence) > base);
        down += usize::from(mean(&sad, Attribute::Valence) < base);
    }
    assert_eq!(
        (up, down),
        (10, 10),
        "targets must move the playlist toward them"
    );
}

#[test]
fn negative_seeds_push_away() {
    let model = common::model();
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut farther = 0;
    for _ in 0..10 {
        let seeds = playlist_seeds(model, &mut rng, 3);
        let plain = generate(model, &seeds, &GenerateOptions::default()).unwrap();
        // "Less like" the playlist's own top track.
        let neg = model
            .catalog()
            .index_of(&plain.entries[0].track.id)
            .unwrap();
        let o = GenerateOptions {
            negative_seeds: vec![neg],
            ..GenerateOptions::default()
        };
        let p = generate(model, &seeds, &o).unwrap();
        check_invariants(model, &seeds, &o, &p);
        assert!(p
            .entries
            .iter()
            .all(|e| e.track.id != model.tracks()[neg].id));
        let mean_dist = |p: &Playlist| {
            p.entries
                .iter()
                .map(|e| {
                    let i = model.catalog().index_of(&e.track.id).unwrap();
                    selecta_model::metric::manhattan(model.vector(i), model.vector(neg))
                })
                .sum::<f32>()
                / p.entries.len() as f32
        };
        farther += usize::from(mean_dist(&p) > mean_dist(&plain));
    }
    assert_eq!(farther, 10);
}

#[test]
fn flow_order_reorders_the_same_tracks_smoothly() {
    let model = common::model();
    let stats = model.stats();
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let jumps = |p: &Playlist| -> f32 {
        p.entries
            .windows(2)
            .map(|w| {
                let (a, b) = (&w[0].track, &w[1].track);
                [Attribute::Tempo, Attribute::Energy]
                    .iter()
                    .map(|&at| match (at.value(a), at.value(b)) {
                        (Some(x), Some(y)) => stats.gap(at, x, y),
                        _ => 0.5,
                    })
                    .sum::<f32>()
            })
            .sum()
    };
    for _ in 0..10 {
        let seeds = playlist_seeds(model, &mut rng, 5);
        let sim = generate(model, &seeds, &GenerateOptions::default()).unwrap();
        let flow = generate(
            model,
            &seeds,
            &GenerateOptions {
                order: Order::Flow,
                ..GenerateOptions::default()
            },
        )
        .unwrap();
        let ids = |p: &Playlist| {
            let mut v: Vec<String> = p.entries.iter().map(|e| e.track.id.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&sim), ids(&flow));
        assert_eq!(
            flow.entries[0], sim.entries[0],
            "the walk starts at the best track"
        );
        assert!(
            jumps(&flow) < jumps(&sim),
            "{} vs {}",
            jumps(&flow),
            jumps(&sim)
        );
    }
}

#[test]
fn bad_requests_name_the_parameter() {
    let model = common::model();
    let err =
        |seeds: &[usize], o: GenerateOptions| generate(model, seeds, &o).unwrap_err().to_string();
    assert_eq!(
        err(
            &[1],
            GenerateOptions {
                length: 0,
                ..GenerateOptions::default()
            }
        ),
        "length must be 1..=100, got 0"
    );
    assert_eq!(
        err(&[], GenerateOptions::default()),
        "seeds must hold 1..=50 tracks, got 0"
    );
    let n = model.len();
    assert_eq!(
        err(&[n], GenerateOptions::default()),
        format!("seeds: index {n} is out of range (the catalog has {n} tracks)")
    );
    // Nothing in the catalog has a tempo of 399 BPM or more.
    assert_eq!(
        generate(
            model,
            &[1],
            &GenerateOptions::default().with_min(Attribute::Tempo, 399.0)
        ),
        Err(GenerateError::NothingMatches)
    );
    // A repeated seed counts once.
    let once = generate(model, &[5, 5, 5], &GenerateOptions::default()).unwrap();
    assert_eq!(once.seeds.len(), 1);
    assert_eq!(
        once,
        generate(model, &[5], &GenerateOptions::default()).unwrap()
    );
}

#[test]
fn neighbours_describe_a_track() {
    let model = common::model();
    let i = model
        .catalog()
        .index_of("6f807x0ima9a1j3VPbc7VN")
        .unwrap_or(100);
    let near = neighbours(model, i, 10).unwrap();
    assert_eq!(near.len(), 10);
    assert!(near.iter().all(|n| n.index != i));
    assert!(near.windows(2).all(|w| w[0].distance <= w[1].distance));
    let mut brute = model.index().nearest_brute_force(model.vector(i), 11);
    brute.retain(|n| n.index != i);
    brute.truncate(10);
    assert_eq!(near, brute);
    assert_eq!(
        neighbours(model, i, 0).unwrap_err().to_string(),
        "k must be 1..=1000, got 0"
    );
    assert!(neighbours(model, model.len(), 3).is_err());
}
