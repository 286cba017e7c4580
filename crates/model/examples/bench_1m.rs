//! Measures Selecta's model on a synthetic catalog drawn from the real one (1,000,000 tracks
//! by default): fit time, playlist time (median of 200 playlists of 30 tracks from 5 seeds,
//! with the built-in weights and with those and the ranker learned from the real playlists)
//! and peak memory. Run with `cargo run --release -p selecta-model --example bench_1m
//! [-- TRACKS [CATALOG_PATH]]`.

use std::process::ExitCode;

/// The allocator the `selecta` binary uses (see server/src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use selecta_catalog::Catalog;
use selecta_model::bench::{self, BenchConfig};
use selecta_model::synthetic::SyntheticParams;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let tracks = match args.next().map(|a| a.replace('_', "").parse::<usize>()) {
        None => 1_000_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("TRACKS must be a number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/spotify_songs.csv.gz"
        )
        .to_owned()
    });
    let base = match Catalog::load(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot load the real catalog {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("drawing {tracks} tracks from {} real ones", base.len());
    // The weights and ranker `selecta fit` learns from the real playlists, so that the
    // playlists are timed as a served learned model answers them too.
    eprintln!(
        "learning from the {} real playlists",
        base.playlists().len()
    );
    let learned = match bench::learn_from(base.clone(), &mut |_| {}) {
        Ok(learned) => learned,
        Err(e) => {
            eprintln!("cannot learn from the real catalog: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = BenchConfig {
        synthetic: SyntheticParams {
            tracks,
            ..SyntheticParams::default()
        },
        learned,
        ..BenchConfig::default()
    };
    let mut last = -1i32;
    let report = bench::run(base.tracks(), &config, &mut |p| {
        let pct = (p.overall() * 100.0) as i32;
        if pct / 10 != last / 10 {
            eprintln!("  fit {pct:>3}% ({})", p.stage);
            last = pct;
        }
    });
    match report {
        Ok(r) => {
            println!("{r}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}
