//! `selecta fit`: fit a model on a catalog and write the artifact.

use std::time::Instant;

use crate::config::FitArgs;
use crate::model_source;

/// Loads the catalog, fits, writes the artifact (atomically on disk; one PUT on S3).
pub async fn run(args: FitArgs) -> anyhow::Result<()> {
    let store = model_source::store(&args.s3);
    let out = model_source::location(&args.out, "--out")?;
    let started = Instant::now();
    let (catalog, report) =
        model_source::load_catalog(&args.catalog, args.skip_invalid, &store).await?;
    eprintln!("{report}");
    let loaded = started.elapsed();
    let tracks = catalog.len();
    let model = model_source::fit(catalog, args.variance, args.learn).await?;
    let fitted = started.elapsed() - loaded;
    let bytes = model.to_bytes();
    store.put(&out, &bytes).await?;
    if let Some(l) = model.learned() {
        eprintln!(
            "learned the scoring weights from {} playlists (held-out score {:.4} -> {:.4}): {:?}, other genre {}, seed share {}",
            l.tasks, l.start_score, l.score, l.weights, l.other_genre, l.seed_share
        );
    }
    eprintln!(
        "fitted {tracks} tracks into {} dimensions: catalog {:.2} s, fit {:.2} s; wrote {} ({:.1} MB)",
        model.features().dim(),
        loaded.as_secs_f64(),
        fitted.as_secs_f64(),
        out,
        bytes.len() as f64 / 1e6
    );
    Ok(())
}
