//! The model in service and where it comes from: loading an artifact (a file, or S3 with a
//! last-good local copy) or fitting one from a catalog, hot swaps, and reloads (SIGHUP,
//! `POST /admin/reload`) that never run two at once. Shared by `serve`, `bot` and the
//! command line.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};
use selecta_catalog::{Catalog, CatalogMerger, ImportReport, LoadOptions, MergeReport};
use selecta_model::{fit_learned, FitProgress, LearnParams, Model, ModelParams};
use selecta_store::{Location, Origin, S3Config, Store};
use selecta_types::Track;

use crate::ModelHandle;

/// A fitting progress reporter.
pub type Progress = Box<dyn FnMut(FitProgress) + Send>;

/// Where the model in service comes from.
#[derive(Debug, Clone)]
pub struct ModelSource {
    /// The model artifact: a path or `s3://bucket/key`. `None`: the copy at `cache`, fitted
    /// from `catalog` when missing or older than the catalog.
    pub model_url: Option<String>,
    /// Local copy of the model in service: the last good download of `model_url`, or the
    /// model fitted from `catalog`.
    pub cache: PathBuf,
    /// The catalog to fit on when there is no `model_url`.
    pub catalog: PathBuf,
    /// How to reach S3.
    pub s3: S3Config,
    /// Makes a progress reporter for a fit (log lines by default).
    pub progress: fn() -> Progress,
}

impl ModelSource {
    /// A source with the defaults of `selecta serve`.
    pub fn new(model_url: Option<String>, cache: PathBuf, catalog: PathBuf) -> Self {
        ModelSource {
            model_url,
            cache,
            catalog,
            s3: S3Config::default(),
            progress: log_progress,
        }
    }

    /// The store reaching S3 as configured (local paths need no settings).
    pub fn store(&self) -> Store {
        Store::new(self.s3.clone())
    }
}

/// Reports a fit's stages as log lines.
pub fn log_progress() -> Progress {
    let mut last_stage = None;
    Box::new(move |p: FitProgress| {
        if last_stage != Some(p.stage) {
            last_stage = Some(p.stage);
            tracing::info!(stage = %p.stage, "fitting");
        }
    })
}

/// Parses a `--model` / `--out` / `--catalog` value; the error names `what`.
pub fn location(spec: &str, what: &str) -> anyhow::Result<Location> {
    spec.parse::<Location>()
        .with_context(|| format!("{what}: `{spec}` is neither a path nor s3://bucket/key"))
}

/// Loads a catalog from a path (CSV, gzip'd CSV, `meta.json` folder) or an S3 location (a
/// CSV object, or a prefix of `meta.json` objects). Parsing runs on a blocking thread.
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

/// Loads and merges several catalogs (each as [`load_catalog`] takes it; a local folder of
/// CSV files stands for each of them), in order: the first source of a track wins, later
/// ones fill what it lacks ([`selecta_catalog::CatalogMerger`]). `extra` are tracks known
/// otherwise (learned through lookups), merged last under the name `extra_name`.
pub async fn load_catalogs(
    specs: &[String],
    skip_invalid: bool,
    store: &Store,
    extra: Option<(&str, Vec<Track>)>,
) -> anyhow::Result<(Catalog, MergeReport)> {
    if specs.is_empty() {
        bail!("--catalog: give at least one catalog");
    }
    let mut merger = CatalogMerger::new();
    for spec in specs {
        match location(spec, "catalog")? {
            Location::Local(path) => {
                let opts = LoadOptions {
                    skip_invalid,
                    ..LoadOptions::default()
                };
                merger = tokio::task::spawn_blocking(move || {
                    for file in selecta_catalog::catalog_files(&path)? {
                        merger.add_path(&file, &opts)?;
                    }
                    Ok::<_, selecta_catalog::LoadError>(merger)
                })
                .await??;
            }
            Location::S3 { .. } => {
                let (catalog, _) = load_catalog(spec, skip_invalid, store).await?;
                merger.add_catalog(spec, catalog);
            }
        }
    }
    if let Some((name, tracks)) = extra {
        merger.add_tracks(name, tracks);
    }
    Ok(tokio::task::spawn_blocking(move || merger.finish()).await?)
}

/// Fits a model (on a blocking thread) with default parameters, `variance` overriding the
/// share of variance the PCA keeps, learning the scoring weights when `learn`.
pub async fn fit(
    catalog: Catalog,
    variance: Option<f64>,
    learn: bool,
    progress: fn() -> Progress,
) -> anyhow::Result<Model> {
    let mut params = ModelParams::default();
    if let Some(v) = variance {
        if !(v > 0.0 && v <= 1.0) {
            bail!("--variance must be in (0, 1], got {v}");
        }
        params.features.pca.variance_ratio = v;
    }
    tokio::task::spawn_blocking(move || {
        let mut progress = progress();
        if learn {
            fit_learned(catalog, &params, &LearnParams::default(), &mut progress)
        } else {
            Model::fit(catalog, &params, &mut progress)
        }
    })
    .await?
    .context("fitting the model")
}

/// The model to serve or query:
/// - with a `model_url` (path or S3): fetch and validate it (on a blocking thread), keep a
///   last-good copy at `cache`, and fall back to that copy when the location fails;
/// - without: the copy at `cache` if it is newer than the catalog and loads, else a model
///   fitted from `catalog` (seconds), saved to `cache` for the next start.
pub async fn load_model(source: &ModelSource) -> anyhow::Result<Model> {
    let store = source.store();
    if let Some(spec) = &source.model_url {
        let loc = location(spec, "--model / MODEL_URL")?;
        let (model, origin) = store
            .load_with_cache(&loc, &source.cache, Model::from_bytes)
            .await?;
        match origin {
            Origin::Remote => tracing::info!(model = %loc, tracks = model.len(), "model loaded"),
            Origin::Cache { reason } => tracing::warn!(
                model = %loc,
                cache = %source.cache.display(),
                %reason,
                "serving the last-good copy of the model"
            ),
        }
        return Ok(model);
    }

    let cache = source.cache.clone();
    if is_fresh(&cache, &source.catalog) {
        match tokio::task::spawn_blocking(move || Model::load(&cache)).await? {
            Ok(model) => {
                tracing::info!(model = %source.cache.display(), tracks = model.len(), "model loaded");
                return Ok(model);
            }
            Err(e) => tracing::warn!(
                model = %source.cache.display(),
                error = %e,
                "cannot use the saved model; fitting a new one"
            ),
        }
    }
    tracing::info!(catalog = %source.catalog.display(), "fitting a model on the catalog");
    let spec = source.catalog.to_string_lossy().into_owned();
    let (catalog, report) = load_catalog(&spec, false, &store).await?;
    tracing::info!(
        tracks = catalog.len(),
        rows = report.rows_read,
        "catalog loaded"
    );
    let model = fit(catalog, None, false, source.progress).await?;
    // Written to a temporary name and renamed, so a crash never leaves a half model behind.
    let (model, saved) = tokio::task::spawn_blocking({
        let cache = source.cache.clone();
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
        Ok(()) => tracing::info!(model = %source.cache.display(), "model saved"),
        Err(e) => tracing::warn!(
            model = %source.cache.display(),
            error = %e,
            "cannot save the model; it will be fitted again next time"
        ),
    }
    Ok(model)
}

/// The model for a command that only reads it (`selecta recommend`, `selecta describe`): a
/// local `model_url` is read and validated but never copied to `cache`, so that querying
/// another model file leaves the one `selecta serve` would start from untouched. An S3
/// model, or none, is loaded as [`load_model`] does (an S3 model keeps its last good copy at
/// `cache`, to answer when S3 is down).
pub async fn read_model(source: &ModelSource) -> anyhow::Result<Model> {
    let Some(spec) = &source.model_url else {
        return load_model(source).await;
    };
    let loc = location(spec, "--model / MODEL_URL")?;
    if !matches!(loc, Location::Local(_)) {
        return load_model(source).await;
    }
    let bytes = source
        .store()
        .get(&loc)
        .await
        .with_context(|| format!("cannot read the model at {loc}"))?;
    let model = tokio::task::spawn_blocking(move || Model::from_bytes(&bytes))
        .await?
        .with_context(|| format!("{loc} is not a usable Selecta model"))?;
    tracing::info!(model = %loc, tracks = model.len(), "model loaded");
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

/// The model in service with its source: loads it, swaps in reloads one at a time, and
/// prepares each model's neighbour table in the background. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    handle: ModelHandle,
    source: ModelSource,
    /// Held for the whole of a reload: a second reload waits for the first to finish.
    reloading: tokio::sync::Mutex<()>,
    /// The stop flag of the neighbour-table preparation running now, if any.
    preparing: Mutex<Option<Arc<AtomicBool>>>,
}

impl Runtime {
    /// Loads the first model from `source` and starts preparing its neighbour table.
    pub async fn start(source: ModelSource) -> anyhow::Result<Runtime> {
        let model = load_model(&source).await?;
        Ok(Runtime::serving(model, source))
    }

    /// Serves an already loaded `model`; reloads come from `source`.
    pub fn serving(model: Model, source: ModelSource) -> Runtime {
        let runtime = Runtime {
            inner: Arc::new(Inner {
                handle: ModelHandle::new(model),
                source,
                reloading: tokio::sync::Mutex::new(()),
                preparing: Mutex::new(None),
            }),
        };
        runtime.prepare_in_background(runtime.handle().current());
        runtime
    }

    /// The model in service.
    pub fn handle(&self) -> &ModelHandle {
        &self.inner.handle
    }

    /// Where reloads come from.
    pub fn source(&self) -> &ModelSource {
        &self.inner.source
    }

    /// Reloads the model from its source and swaps it in, returning its track count. On
    /// failure the model in service stays. Requests in flight finish on the model they
    /// started with. A reload asked for while one runs waits for it, then runs.
    pub async fn reload(&self) -> anyhow::Result<usize> {
        let _one_at_a_time = self.inner.reloading.lock().await;
        let model = Arc::new(load_model(&self.inner.source).await?);
        let tracks = model.len();
        self.inner.handle.replace_arc(Arc::clone(&model));
        self.prepare_in_background(model);
        tracing::info!(tracks, "model reloaded");
        Ok(tracks)
    }

    /// Computes the model's neighbour table on a thread of its own: serving goes on at once
    /// (requests search until the table is there) and shutting down never waits for it. A
    /// preparation still running for a model that was swapped out is stopped. Skipped in
    /// unoptimised builds, where it would keep both cores busy for a minute and change no
    /// answer.
    fn prepare_in_background(&self, model: Arc<Model>) {
        let stop = Arc::new(AtomicBool::new(false));
        {
            let mut preparing = self
                .inner
                .preparing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(old) = preparing.replace(Arc::clone(&stop)) {
                old.store(true, Ordering::Relaxed);
            }
        }
        if cfg!(debug_assertions) {
            return;
        }
        if let Err(e) = std::thread::Builder::new()
            .name("neighbour-table".into())
            .spawn(move || {
                if !model.prepare_for_serving_until(&stop) {
                    tracing::info!("neighbour table of a replaced model: stopped");
                }
            })
        {
            tracing::warn!(error = %e, "cannot start the neighbour-table thread; requests will search");
        }
    }

    /// Reloads on every SIGHUP (Unix), logging failures; the previous model stays then.
    pub fn reload_on_sighup(&self) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                tracing::warn!("cannot listen for SIGHUP; reload with POST /admin/reload instead");
                return;
            };
            let runtime = self.clone();
            tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    tracing::info!("SIGHUP: reloading the model");
                    if let Err(e) = runtime.reload().await {
                        tracing::error!(error = %format!("{e:#}"), "reload failed; the previous model stays in service");
                    }
                }
            });
        }
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
