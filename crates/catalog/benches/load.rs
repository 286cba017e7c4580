//! Load, index, search and resolve on the real 28k-track catalog.
//!
//! `cargo bench -p selecta-catalog --bench load`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use selecta_catalog::{load_csv_bytes, Catalog, LoadOptions};

fn real_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/spotify_songs.csv.gz");
    std::fs::read(path).expect("data/spotify_songs.csv.gz")
}

fn load(c: &mut Criterion) {
    let bytes = real_bytes();
    let opts = LoadOptions::default();
    let mut g = c.benchmark_group("load");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function(
        "spotify_songs.csv.gz (gunzip, parse, validate, merge, index)",
        |b| b.iter(|| load_csv_bytes("spotify_songs.csv.gz", black_box(&bytes), &opts).unwrap()),
    );
    let (catalog, _) = load_csv_bytes("spotify_songs.csv.gz", &bytes, &opts).unwrap();
    let tracks = catalog.tracks().to_vec();
    let playlists = catalog.playlists().to_vec();
    g.bench_function("from_tracks (id + text index only)", |b| {
        b.iter_batched(
            || (tracks.clone(), playlists.clone()),
            |(t, p)| Catalog::from_tracks(t, p),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn lookup(c: &mut Criterion) {
    let (catalog, _) = load_csv_bytes(
        "spotify_songs.csv.gz",
        &real_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    let mut g = c.benchmark_group("search");
    // One letter matches nearly everything: the worst case of a search box.
    for q in ["e", "beyo", "sheeran care", "the weeknd blinding"] {
        g.bench_function(q, |b| b.iter(|| catalog.search(black_box(q), 10)));
    }
    g.finish();
    let mut g = c.benchmark_group("resolve");
    for q in [
        "https://open.spotify.com/track/0hVXuCcriWRGvwMV1r5Yn9?si=1",
        "Ed Sheeran - I Don't Care",
        "Ed Sheran - I Dont Car",
        "Stay",
        "Ed Sheeran - I Dont Cari Much",
    ] {
        g.bench_function(q, |b| b.iter(|| catalog.resolve(black_box(q))));
    }
    g.finish();
}

criterion_group!(benches, load, lookup);
criterion_main!(benches);
