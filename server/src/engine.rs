//! Getting a model: loading an artifact (file or S3, with a last-good local copy) or fitting
//! one from a catalog. Shared by `serve`, `fit`, `recommend` and `describe`.

use std::path::Path;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use selecta_catalog::{Catalog, ImportReport, LoadOptions};
use selecta_model::{FitProgress, LearnParams, Model, ModelParams};
use selecta_store::{Location, Origin, S3Config, Store};

use crate::config::{ModelArgs, S3Args};

/// A store reaching S3 as configured (local paths need no settings).
pub fn store(s3: &S3Args) -> Store {
    Store::new(S3Config {
        endpoint: s3.s3_endpoint.clone(),
        region: s3.s3_region.clone(),
        force_path_style: s3.s3_path_style,
        ..S3Config::default()
    })
}

/// Parses a `--model` / `--out` / `--catalog` value.
pub fn location(spec: &str, what: &str) -> anyhow::Result<Location> {
    spec.parse::<Location>()
        .with_context(|| format!("{what}: `{spec}` is neither a path nor s3://bucket/key"))
}

/// A progress reporter for fitting: a bar on a terminal, log lines otherwise.
pub fn fit_progress() -> impl FnMut(FitProgress) {
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = ProgressBar::new(1000);
        bar.set_style(
            ProgressStyle::with_template("fitting {msg:12} [{bar:40}] {percent:>3}% {elapsed}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Some(bar)
    } else {
        None
    };
    let mut last_stage = None;
    move |p: FitProgress| {
        if let Some(bar) = &bar {
            bar.set_message(p.stage.to_string());
            bar.set_position((p.overall() * 1000.0) as u64);
            if p.overall() >= 1.0 {
                bar.finish_and_clear();
            }
        } else if last_stage != Some(p.stage) {
            last_stage = Some(p.stage);
            tracing::info!(stage = %p.stage, "fitting");
        }
    }
}

/// Loads a catalog from a path (CSV, gzip'd CSV, `meta.json` folder) or an S3 location (a
/// CSV object, or a prefix of `meta.json` objects).
pub async fn load_catalog(
    spec: &str,
    skip_invalid: bool,
    store: &Store,
) -> anyhow::Result<(Catalog, ImportReport)> {
    let opts = LoadOptions {
        skip_invalid,
        ..LoadOptions::default()
    };
    let loc = location(spec, "catalog")?;
    match &loc {
        Location::Local(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || selecta_catalog::load_path(&path, &opts))
                .await?
                .map_err(anyhow::Error::new)
        }
        Location::S3 { key, .. } if key.ends_with(".csv") || key.ends_with(".gz") => {
            let bytes = store.get(&loc).await?;
            let name = loc.to_string();
            tokio::task::spawn_blocking(move || {
                selecta_catalog::load_csv_bytes(&name, &bytes, &opts)
            })
            .await?
            .map_err(anyhow::Error::new)
        }
        Location::S3 { .. } => {
            let objects: Vec<(String, Vec<u8>)> = store
                .get_all_under(&loc, "meta.json")
                .await?
                .into_iter()
                // Full keys, so that `tracks/<genre>/...` is seen whatever the prefix.
                .map(|(key, bytes)| (loc.join(&key).to_string(), bytes))
                .collect();
            if objects.is_empty() {
                bail!("no meta.json objects under {loc}");
            }
            tokio::task::spawn_blocking(move || selecta_catalog::load_meta_objects(objects, &opts))
                .await?
                .map_err(anyhow::Error::new)
        }
    }
}

/// Computes the model's neighbour table ([`Model::prepare_for_serving`]) on a thread of its
/// own: serving starts at once (requests search until the table is there) and shutting down
/// never waits for it. Skipped in unoptimised builds, where it would keep both cores busy for
/// a minute and change no answer.
pub fn prepare_in_background(model: std::sync::Arc<Model>) {
    if cfg!(debug_assertions) {
        return;
    }
    if let Err(e) = std::thread::Builder::new()
        .name("neighbour-table".into())
        .spawn(move || model.prepare_for_serving())
    {
        tracing::warn!(error = %e, "cannot start the neighbour-table thread; requests will search");
    }
}

/// Fits a model (on a blocking thread) with default parameters, `variance` overriding the
/// share of variance the PCA keeps.
pub async fn fit(catalog: Catalog, variance: Option<f64>, learn: bool) -> anyhow::Result<Model> {
    let mut params = ModelParams {
        learn: learn.then(LearnParams::default),
        ..ModelParams::default()
    };
    if let Some(v) = variance {
        if !(v > 0.0 && v <= 1.0) {
            bail!("--variance must be in (0, 1], got {v}");
        }
        params.features.pca.variance_ratio = v;
    }
    tokio::task::spawn_blocking(move || {
        let mut progress = fit_progress();
        Model::fit(catalog, &params, &mut progress)
    })
    .await?
    .context("fitting the model")
}

/// The model to serve or query, by the rules of [`ModelArgs`]:
/// - with `--model` (path or S3): fetch and validate it, keep a last-good copy at
///   `--model-cache`, and fall back to that copy when the location fails;
/// - without: the copy at `--model-cache` if it is newer than the catalog and loads, else a
///   model fitted from `--catalog` (seconds), saved to `--model-cache` for the next start.
pub async fn load_model(args: &ModelArgs) -> anyhow::Result<Model> {
    let store = store(&args.s3);
    if let Some(spec) = &args.model_url {
        let loc = location(spec, "--model / MODEL_URL")?;
        let (model, origin) = store
            .load_with_cache(&loc, &args.model_cache, Model::from_bytes)
            .await?;
        match origin {
            Origin::Remote => tracing::info!(model = %loc, tracks = model.len(), "model loaded"),
            Origin::Cache { reason } => tracing::warn!(
                model = %loc,
                cache = %args.model_cache.display(),
                %reason,
                "serving the last-good copy of the model"
            ),
        }
        return Ok(model);
    }

    let cache = args.model_cache.clone();
    if is_fresh(&cache, &args.catalog) {
        match tokio::task::spawn_blocking(move || Model::load(&cache)).await? {
            Ok(model) => {
                tracing::info!(model = %args.model_cache.display(), tracks = model.len(), "model loaded");
                return Ok(model);
            }
            Err(e) => tracing::warn!(
                model = %args.model_cache.display(),
                error = %e,
                "cannot use the saved model; fitting a new one"
            ),
        }
    }
    tracing::info!(catalog = %args.catalog.display(), "fitting a model on the catalog");
    let spec = args.catalog.to_string_lossy().into_owned();
    let (catalog, report) = load_catalog(&spec, false, &store).await?;
    tracing::info!(
        tracks = catalog.len(),
        rows = report.rows_read,
        "catalog loaded"
    );
    let model = fit(catalog, None, false).await?;
    // Written to a temporary name and renamed, so a crash never leaves a half model behind.
    let (model, saved) = tokio::task::spawn_blocking({
        let cache = args.model_cache.clone();
        move || {
            if let Some(dir) = cache.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = std::fs::create_dir_all(dir);
            }
            let saved = model.save(&cache);
            (model, saved)
        }
    })
    .await?;
    match saved {
        Ok(()) => tracing::info!(model = %args.model_cache.display(), "model saved"),
        Err(e) => tracing::warn!(
            model = %args.model_cache.display(),
            error = %e,
            "cannot save the model; it will be fitted again next time"
        ),
    }
    Ok(model)
}

/// True when `model` exists and is at least as new as `catalog`.
fn is_fresh(model: &Path, catalog: &Path) -> bool {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (mtime(model), mtime(catalog)) {
        (Some(m), Some(c)) => m >= c,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_compares_modification_times() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("m.selecta");
        let catalog = dir.path().join("c.csv");
        assert!(!is_fresh(&model, &catalog), "no model");
        std::fs::write(&catalog, "x").unwrap();
        assert!(!is_fresh(&model, &catalog), "no model, catalog present");
        std::fs::write(&model, "m").unwrap();
        assert!(
            is_fresh(&model, &catalog),
            "model written after the catalog"
        );
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&catalog)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(!is_fresh(&model, &catalog), "catalog changed since");
    }

    #[test]
    fn bad_locations_name_the_flag() {
        let err = location("gs://bucket/x", "--model").unwrap_err();
        assert!(format!("{err:#}").contains("--model"), "{err:#}");
    }
}
