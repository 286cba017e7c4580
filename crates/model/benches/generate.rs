//! Playlist generation on the real catalog (target: median at most 0.5 ms for 30 tracks from
//! 5 seeds, with the built-in weights and with the learned weights and ranker that
//! `selecta fit` gives by default) and the neighbour searches behind it.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;
use selecta_model::{
    fit_learned, generate, GenerateOptions, LearnParams, Model, ModelParams, Order,
};

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    let catalog = Catalog::load(path).expect("the bundled catalog loads");
    let started = std::time::Instant::now();
    let learned = fit_learned(
        catalog.clone(),
        &ModelParams::default(),
        &LearnParams::default(),
        &mut |_| {},
    )
    .unwrap();
    eprintln!("learned fit: {:.2} s", started.elapsed().as_secs_f64());
    learned.prepare_for_serving();
    let model = Model::fit(catalog, &ModelParams::default(), &mut |_| {}).unwrap();
    let started = std::time::Instant::now();
    // As the server does after loading a model.
    model.prepare_for_serving();
    eprintln!("neighbour table: {:.2} s", started.elapsed().as_secs_f64());
    // 50 seed sets of 5 tracks, each from one real playlist (what a listener would pick).
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let sets: Vec<Vec<usize>> = (0..50)
        .map(|_| {
            let p = model.catalog().playlists().choose(&mut rng).unwrap();
            p.track_ids
                .choose_multiple(&mut rng, 5)
                .map(|id| model.catalog().index_of(id).unwrap())
                .collect()
        })
        .collect();
    let mut g = c.benchmark_group("real catalog (28k tracks)");
    for (name, options) in [
        ("generate 30 from 5 seeds", GenerateOptions::default()),
        (
            "generate 30 from 5 seeds, flow order",
            GenerateOptions {
                order: Order::Flow,
                ..GenerateOptions::default()
            },
        ),
    ] {
        let mut i = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % sets.len();
                generate(&model, &sets[i], &options).unwrap()
            })
        });
    }
    let mut i = 0;
    let options = GenerateOptions::default();
    g.bench_function("generate 30 from 5 seeds, learned ranker", |b| {
        b.iter(|| {
            i = (i + 1) % sets.len();
            generate(&learned, &sets[i], &options).unwrap()
        })
    });
    let index = model.index();
    // The seed searches of a playlist alone, without the table: 5 seeds, 35 neighbours each
    // (what `generate` asks for a 30-track playlist), in one batched scan.
    let queries: Vec<Vec<&[f32]>> = sets
        .iter()
        .map(|set| set.iter().map(|&s| model.vector(s)).collect())
        .collect();
    let mut i = 0;
    g.bench_function("nearest 35 for 5 seeds (batched scan)", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            index.nearest_many(&queries[i], 35)
        })
    });
    let q = model.vector(1000).to_vec();
    g.bench_function("nearest 70 (blocked scan)", |b| {
        b.iter(|| index.nearest(&q, 70))
    });
    g.bench_function("nearest 70 (ball tree)", |b| {
        b.iter(|| index.nearest_tree(&q, 70))
    });
    g.bench_function("nearest 70 (brute force)", |b| {
        b.iter(|| index.nearest_brute_force(&q, 70))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
