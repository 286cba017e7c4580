//! `selecta fit`: fit a model on a catalog and write the artifact.

use std::time::Instant;

use crate::config::FitArgs;
use crate::model_source;

/// Loads the catalog, fits, writes the artifact (atomically on disk; one PUT on S3).
pub async fn run(args: FitArgs) -> anyhow::Result<()> {
    let store = model_source::store(&args.s3);
    let out = model_source::location(&args.out, "--out")?;
    let started = Instant::now();
    let (catalog, report) = if args.catalog.len() == 1 && args.lookups.is_none() {
        let (catalog, report) =
            model_source::load_catalog(&args.catalog[0], args.skip_invalid, &store).await?;
        eprintln!("{report}");
        (catalog, None)
    } else {
        let (catalog, report) =
            selecta_engine::runtime::load_catalogs(&args.catalog, args.skip_invalid, &store, None)
                .await?;
        (catalog, Some(report))
    };
    let catalog = match &args.lookups {
        Some(file) => fold_lookups(catalog, file).await?,
        None => catalog,
    };
    if let Some(report) = report {
        eprintln!("{report}");
    }
    let loaded = started.elapsed();
    let tracks = catalog.len();
    let learn = args.learn
        || (!args.no_learn && selecta_engine::runtime::has_learnable_playlists(&catalog));
    if learn {
        eprintln!(
            "learning the scoring weights and the ranker from the catalog's playlists \
             (--no-learn skips this)"
        );
    } else if !args.no_learn {
        eprintln!(
            "no playlist of {} or more tracks to learn from: fitting with the built-in weights",
            selecta_model::learn::tasks::MIN_TRACKS
        );
    }
    let model = model_source::fit(catalog, args.variance, learn).await?;
    let fitted = started.elapsed() - loaded;
    let bytes = model.to_bytes();
    store.put(&out, &bytes).await?;
    if let Some(l) = model.learned() {
        eprintln!(
            "learned the scoring weights from {} playlists (held-out score {:.4} -> {:.4}): {:?}, other genre {}, seed share {}",
            l.tasks, l.start_score, l.score, l.weights, l.other_genre, l.seed_share
        );
        if let (Some(r), Some(score), Some(recall)) =
            (&l.ranker, l.ranker_score, l.shortlist_recall)
        {
            eprintln!(
                "learned a ranker of {} trees (score {score:.4} on the tasks it learned from; \
                 its shortlists hold {recall:.3} of the hidden tracks)",
                r.trees()
            );
        }
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

/// Adds the tracks of a lookup cache file that the catalog lacks, their sound estimated from
/// their artists' catalog tracks; reports how many were added and left out.
async fn fold_lookups(
    catalog: selecta_catalog::Catalog,
    file: &std::path::Path,
) -> anyhow::Result<selecta_catalog::Catalog> {
    if !file.is_file() {
        anyhow::bail!("--lookups: {} is not a file", file.display());
    }
    let cache = selecta_spotify::LookupCache::memory(
        Some(file.to_path_buf()),
        selecta_spotify::CacheSettings::default(),
    );
    let known = cache.tracks().await;
    let (catalog, added, left_out) =
        tokio::task::spawn_blocking(move || selecta_engine::known::fold_into(catalog, &known))
            .await?;
    eprintln!(
        "lookups {}: {added} tracks added (sound estimated from their artists' tracks), \
         {left_out} left out (in the catalog already, or no track by their artists)",
        file.display()
    );
    Ok(catalog)
}
