//! `selecta bench`: fitting and playlist speed on a synthetic catalog.

use selecta_model::bench::{run as run_bench, BenchConfig};

use crate::config::BenchArgs;
use crate::model_source;

/// Draws the synthetic catalog from the real one's distributions, fits, times playlists.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let base = selecta_catalog::Catalog::load(&args.catalog)?;
    if let Some(path) = args.write_catalog.clone() {
        return write_catalog(base, &args, path).await;
    }
    let mut config = BenchConfig::default();
    config.synthetic.tracks = args.tracks;
    config.synthetic.seed = args.seed;
    config.queries = args.queries;
    let learned = args.learned;
    let report = tokio::task::spawn_blocking(move || {
        let mut progress = model_source::fit_progress();
        if learned {
            eprintln!(
                "learning from the {} playlists of the catalog",
                base.playlists().len()
            );
            config.learned = selecta_model::bench::learn_from(base.clone(), &mut progress)?;
        }
        anyhow::Ok(run_bench(base.tracks(), &config, &mut progress)?)
    })
    .await??;
    if args.json {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let json = serde_json::json!({
            "tracks": report.tracks,
            "dim": report.dim,
            "synthesize_s": report.synthesize.as_secs_f64(),
            "catalog_s": report.catalog.as_secs_f64(),
            "fit_s": report.fit.as_secs_f64(),
            "prepare_s": report.prepare.as_secs_f64(),
            "queries": report.queries,
            "query_median_ms": ms(report.query_median),
            "query_p95_ms": ms(report.query_p95),
            "learned_query_median_ms": report.learned_query.map(|(m, _)| ms(m)),
            "learned_query_p95_ms": report.learned_query.map(|(_, p)| ms(p)),
            "peak_rss_bytes": report.peak_rss_bytes,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!("{report}");
    }
    Ok(())
}

/// Draws the synthetic catalog and writes it as CSV in `args.layout`, whole or not at all
/// ([`selecta_store::write_atomic`]).
async fn write_catalog(
    base: selecta_catalog::Catalog,
    args: &BenchArgs,
    path: std::path::PathBuf,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;

    let params = selecta_model::synthetic::SyntheticParams {
        tracks: args.tracks,
        seed: args.seed,
        ..Default::default()
    };
    let layout = selecta_catalog::Layout::from(args.layout);
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let tracks = selecta_model::synthetic::generate(base.tracks(), &params);
        let mut bytes = Vec::new();
        if path.extension().is_some_and(|e| e == "gz") {
            let mut gz = flate2::write::GzEncoder::new(&mut bytes, flate2::Compression::fast());
            selecta_catalog::write_csv(&tracks, layout, &mut gz)?;
            gz.finish()?.flush()?;
        } else {
            selecta_catalog::write_csv(&tracks, layout, &mut bytes)?;
        }
        selecta_store::write_atomic(&path, &bytes)
            .with_context(|| format!("--write-catalog: cannot write {}", path.display()))
    })
    .await??;
    eprintln!(
        "wrote {} synthetic tracks to {shown} ({layout})",
        args.tracks
    );
    Ok(())
}
