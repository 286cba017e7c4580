//! Fitting on the real catalog (target: under 2 s from the gzip'd CSV: parsing plus fitting),
//! preparing it for serving, and saving/loading the artifact.

use criterion::{criterion_group, criterion_main, Criterion};
use selecta_catalog::Catalog;
use selecta_model::{Model, ModelParams};

fn real_catalog() -> Catalog {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    Catalog::load(path).expect("the bundled catalog loads")
}

fn fit(c: &mut Criterion) {
    let catalog = real_catalog();
    let mut g = c.benchmark_group("real catalog (28k tracks)");
    g.sample_size(10);
    g.bench_function("fit", |b| {
        b.iter_batched(
            || catalog.clone(),
            |cat| Model::fit(cat, &ModelParams::default(), &mut |_| {}).unwrap(),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("from the gzip'd CSV to a fitted model", |b| {
        b.iter(|| Model::fit(real_catalog(), &ModelParams::default(), &mut |_| {}).unwrap())
    });
    g.bench_function("prepare for serving (neighbour table)", |b| {
        b.iter_batched(
            || Model::fit(catalog.clone(), &ModelParams::default(), &mut |_| {}).unwrap(),
            |model| {
                model.prepare_for_serving();
                model
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let model = Model::fit(catalog, &ModelParams::default(), &mut |_| {}).unwrap();
    let bytes = model.to_bytes();
    eprintln!("artifact: {} bytes", bytes.len());
    g.bench_function("to_bytes", |b| b.iter(|| model.to_bytes()));
    g.bench_function("from_bytes", |b| {
        b.iter(|| Model::from_bytes(&bytes).unwrap())
    });
    // Most of `from_bytes` is the catalog rebuilding its id and text indexes: shown apart.
    let (tracks, playlists) = (
        model.tracks().to_vec(),
        model.catalog().playlists().to_vec(),
    );
    g.bench_function("Catalog::from_tracks (part of from_bytes)", |b| {
        b.iter_batched(
            || (tracks.clone(), playlists.clone()),
            |(t, p)| Catalog::from_tracks(t, p),
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
