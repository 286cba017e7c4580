// Temporary profiling harness (not committed).
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;
use selecta_model::{fit_learned, generate, GenerateOptions, LearnParams, Model, ModelParams};

fn main() {
    let art = "/tmp/prof/learned.selecta";
    let model = if std::path::Path::new(art).exists() {
        Model::load(art).unwrap()
    } else {
        let catalog = Catalog::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/spotify_songs.csv.gz"
        ))
        .unwrap();
        let m = fit_learned(
            catalog,
            &ModelParams::default(),
            &LearnParams::default(),
            &mut |_| {},
        )
        .unwrap();
        std::fs::write(art, m.to_bytes()).unwrap();
        m
    };
    model.prepare_for_serving();
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
    let options = GenerateOptions::default();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20000);
    let t = std::time::Instant::now();
    let mut pool_sizes = 0usize;
    for i in 0..n {
        let p = generate(&model, &sets[i % sets.len()], &options).unwrap();
        pool_sizes += std::hint::black_box(p).entries.len();
    }
    let e = t.elapsed();
    eprintln!(
        "{} playlists, mean {:.1} us ({})",
        n,
        e.as_secs_f64() * 1e6 / n as f64,
        pool_sizes
    );
}
