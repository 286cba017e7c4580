//! The model in service and where it comes from: loading an artifact (a file, or S3 with a
//! last-good local copy) or fitting one from a catalog, hot swaps, and reloads (SIGHUP,
//! `POST /admin/reload`) that never run two at once. Shared by `serve`, `bot` and the
//! command line. The local copy records what it was made from ([`crate::provenance`]) and is
//! used only for the same source.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};
use selecta_catalog::{Catalog, CatalogMerger, ImportReport, LoadOptions, MergeReport};
use selecta_model::{fit_learned, FitProgress, LearnParams, Model, ModelParams};
use selecta_store::{Location, S3Config, Store, StoreError};
use selecta_types::Track;
use sha2::{Digest, Sha256};

use crate::provenance::{self, CacheSource, Mismatch};
use crate::ModelHandle;

/// A fitting progress reporter.
pub type Progress = Box<dyn FnMut(FitProgress) + Send>;

/// Where the model in service comes from.
#[derive(Debug, Clone)]
pub struct ModelSource {
    /// The model artifact: a path or `s3://bucket/key`. `None`: the copy at `cache` when it
    /// was fitted from `catalog` as it is now, else a model fitted from `catalog`.
    pub model_url: Option<String>,
    /// Local copy of the model in service: the last good download of `model_url`, or the
    /// model fitted from `catalog`; `<cache>.source.json` beside it records which.
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
    fetch_catalog(spec, store).await?.parse(skip_invalid).await
}

/// A catalog's bytes before parsing: a local path (read when parsed), or what S3 gave.
enum RawCatalog {
    Local(PathBuf),
    /// A CSV object (gzip'd or not) and its name for messages.
    Csv {
        name: String,
        bytes: Vec<u8>,
    },
    /// `meta.json` objects under a prefix, by full key.
    Meta(Vec<(String, Vec<u8>)>),
}

/// Fetches what [`load_catalog`] parses: S3 objects are downloaded once, for both the
/// checksum and the parse.
async fn fetch_catalog(spec: &str, store: &Store) -> anyhow::Result<RawCatalog> {
    let loc = location(spec, "catalog")?;
    Ok(match &loc {
        Location::Local(path) => RawCatalog::Local(path.clone()),
        Location::S3 { key, .. } if key.ends_with(".csv") || key.ends_with(".gz") => {
            RawCatalog::Csv {
                bytes: store.get(&loc).await?,
                name: loc.to_string(),
            }
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
            RawCatalog::Meta(objects)
        }
    })
}

impl RawCatalog {
    /// Parses the catalog on a blocking thread.
    async fn parse(self, skip_invalid: bool) -> anyhow::Result<(Catalog, ImportReport)> {
        let opts = LoadOptions {
            skip_invalid,
            ..LoadOptions::default()
        };
        tokio::task::spawn_blocking(move || match self {
            RawCatalog::Local(path) => selecta_catalog::load_path(&path, &opts),
            RawCatalog::Csv { name, bytes } => {
                selecta_catalog::load_csv_bytes(&name, &bytes, &opts)
            }
            RawCatalog::Meta(objects) => selecta_catalog::load_meta_objects(objects, &opts),
        })
        .await?
        .map_err(anyhow::Error::new)
    }

    /// SHA-256 (hex) of the bytes the catalog is parsed from: a file's bytes; for a
    /// `meta.json` tree (local or S3), each `meta.json`'s key and bytes in key order, so that
    /// an added, removed, renamed or edited track changes it. Local files are read on a
    /// blocking thread.
    async fn checksum(&self) -> anyhow::Result<String> {
        fn add(hash: &mut Sha256, key: &str, bytes: &[u8]) {
            hash.update((key.len() as u64).to_le_bytes());
            hash.update(key.as_bytes());
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        }
        let mut hash = Sha256::new();
        match self {
            RawCatalog::Local(path) if path.is_dir() => {
                // The files `load_path` reads in a folder: every `meta.json` below it.
                let dir = Location::Local(path.clone());
                let store = Store::default();
                let mut found = false;
                for (key, bytes) in store.get_all_under(&dir, "meta.json").await? {
                    if key.rsplit('/').next() == Some("meta.json") {
                        add(&mut hash, &key, &bytes);
                        found = true;
                    }
                }
                if !found {
                    bail!("no meta.json files under {}", path.display());
                }
            }
            RawCatalog::Local(path) => {
                let path = path.clone();
                let bytes = tokio::task::spawn_blocking(move || {
                    std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
                })
                .await??;
                hash.update(&bytes);
            }
            RawCatalog::Csv { bytes, .. } => hash.update(bytes),
            RawCatalog::Meta(objects) => {
                for (key, bytes) in objects {
                    add(&mut hash, key, bytes);
                }
            }
        }
        Ok(provenance::hex(&hash.finalize()))
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

/// Whether a playlist of the catalog is long enough to become a learning task: what decides
/// whether a fit learns the weights and the ranker by default.
pub fn has_learnable_playlists(catalog: &Catalog) -> bool {
    use selecta_model::learn::tasks::{playlist_tracks, MIN_TRACKS};
    catalog
        .playlists()
        .iter()
        .any(|p| playlist_tracks(catalog, p).len() >= MIN_TRACKS)
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
///   last-good copy at `cache`, and fall back to that copy when the location fails, but only
///   if the copy was made from that same location;
/// - without: the copy at `cache` if it was fitted from `catalog` as it is now (same path,
///   same SHA-256) and loads, else a model fitted from `catalog`, learning its weights and
///   ranker when the catalog has playlists to learn from (seconds; about 15 with learning),
///   saved to `cache` for the next start.
///
/// What the copy at `cache` was made from is recorded beside it ([`crate::provenance`]);
/// whether it was used, and if not why, is logged.
pub async fn load_model(source: &ModelSource) -> anyhow::Result<Model> {
    Ok(load_versioned(source).await?.0)
}

/// [`load_model`], with the version of `model_url` the model was read from ([`Store::version`]:
/// the S3 ETag, or a file's length and time); `None` for a model fitted from the catalog or
/// the last-good copy served because the location failed.
async fn load_versioned(source: &ModelSource) -> anyhow::Result<(Model, Option<String>)> {
    match &source.model_url {
        Some(spec) => fetch_model(source, spec, true).await,
        None => Ok((model_of_catalog(source).await?, None)),
    }
}

/// The model at `spec` with its version, or, when `fallback`, the last good copy of it at
/// `source.cache`.
async fn fetch_model(
    source: &ModelSource,
    spec: &str,
    fallback: bool,
) -> anyhow::Result<(Model, Option<String>)> {
    let loc = location(spec, "--model / MODEL_URL")?;
    let wanted = CacheSource::Model {
        url: provenance::source_name(&loc),
    };
    let cache = &source.cache;
    let remote = match source.store().get_versioned(&loc).await {
        Ok((bytes, version)) => match validate(bytes).await? {
            (bytes, Ok(model)) => {
                tracing::info!(model = %loc, tracks = model.len(), version = version.as_deref().unwrap_or("-"), "model loaded");
                save_cache(cache, bytes, &wanted).await;
                return Ok((model, version));
            }
            (_, Err(e)) => anyhow::Error::new(e).context(format!("{loc} is not a usable model")),
        },
        Err(e) => anyhow::Error::new(e),
    };
    if !fallback {
        return Err(remote);
    }
    // The copy stands in only for the same model: one left by `describe --model other` or
    // fitted from a catalog would silently serve something else.
    if let Err(why) = provenance::check(cache, &wanted) {
        bail!(
            "cannot load the model: {remote:#}; and the copy at {} is not a copy of it: {why}",
            cache.display()
        );
    }
    let bytes = tokio::fs::read(cache).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot load the model: {remote:#}; and no usable last-good copy at {}: {e}",
            cache.display()
        )
    })?;
    match validate(bytes).await? {
        (_, Ok(model)) => {
            tracing::warn!(
                model = %loc,
                cache = %cache.display(),
                reason = %format!("{remote:#}"),
                tracks = model.len(),
                "serving the last-good copy of the model"
            );
            Ok((model, None))
        }
        (_, Err(e)) => bail!(
            "cannot load the model: {remote:#}; and no usable last-good copy at {}: {e}",
            cache.display()
        ),
    }
}

/// The model fitted from `source.catalog`: the copy at `source.cache` when it records that
/// catalog as it is now, else a new fit, saved there.
async fn model_of_catalog(source: &ModelSource) -> anyhow::Result<Model> {
    let store = source.store();
    let cache = &source.cache;
    let spec = source.catalog.to_string_lossy().into_owned();
    let catalog_loc = location(&spec, "--catalog")?;
    let path = provenance::source_name(&catalog_loc);
    let fetched = match fetch_catalog(&spec, &store).await {
        Ok(raw) => raw.checksum().await.map(|sum| (raw, sum)),
        Err(e) => Err(e),
    };
    let (raw, sha256) = match fetched {
        Ok(found) => found,
        Err(e) => {
            // Without the catalog nothing can be fitted; a model fitted from it earlier is
            // still the best answer, and the operator is told it could not be checked.
            let recorded = provenance::recorded_source(cache);
            let same_catalog = matches!(&recorded, Some(CacheSource::Catalog { path: p, .. }) if *p == path)
                // The record must describe the artifact there now, too.
                && recorded
                    .as_ref()
                    .is_some_and(|r| provenance::check(cache, r).is_ok());
            if same_catalog {
                if let Ok(model) = load_file(cache).await {
                    tracing::warn!(
                        catalog = %path,
                        model = %cache.display(),
                        error = %format!("{e:#}"),
                        "cannot read the catalog to check the saved model; serving the model fitted from it earlier"
                    );
                    return Ok(model);
                }
            }
            return Err(e.context(format!("cannot read the catalog {spec}")));
        }
    };
    let wanted = CacheSource::Catalog {
        path: path.clone(),
        sha256,
    };
    match provenance::check(cache, &wanted) {
        Ok(()) => match load_file(cache).await {
            Ok(model) => {
                tracing::info!(
                    model = %cache.display(),
                    catalog = %spec,
                    tracks = model.len(),
                    "model loaded: it was fitted from this catalog as it is now"
                );
                return Ok(model);
            }
            Err(e) => tracing::warn!(
                model = %cache.display(),
                error = %format!("{e:#}"),
                "cannot use the saved model; fitting a new one"
            ),
        },
        Err(Mismatch::NoCache) => {
            tracing::info!(model = %cache.display(), "no saved model; fitting one")
        }
        Err(Mismatch::OtherSource(CacheSource::Catalog { path: p, .. })) if p == path => {
            tracing::info!(
                model = %cache.display(),
                catalog = %spec,
                "the catalog changed since the saved model was fitted (its SHA-256 differs); fitting a new one"
            )
        }
        Err(why) => tracing::info!(
            model = %cache.display(),
            catalog = %spec,
            reason = %why,
            "the saved model is not this catalog's; fitting a new one"
        ),
    }
    tracing::info!(catalog = %spec, "fitting a model on the catalog");
    let (catalog, report) = raw.parse(false).await?;
    tracing::info!(
        tracks = catalog.len(),
        rows = report.rows_read,
        "catalog loaded"
    );
    // As `selecta fit` does by default: the served model ranks with the weights and ranker
    // learned from the catalog's playlists (once: the model is saved to the cache).
    let learn = has_learnable_playlists(&catalog);
    if learn {
        tracing::info!(
            playlists = catalog.playlists().len(),
            "learning the scoring weights and the ranker from the catalog's playlists (about 15 s on the bundled catalog, once)"
        );
    }
    let model = fit(catalog, None, learn, source.progress).await?;
    let (model, bytes) = tokio::task::spawn_blocking(move || {
        let bytes = model.to_bytes();
        (model, bytes)
    })
    .await?;
    save_cache(cache, bytes, &wanted).await;
    Ok(model)
}

/// Validates artifact bytes on a blocking thread (checksum and decoding take a second on
/// big catalogs), giving the bytes back.
async fn validate(
    bytes: Vec<u8>,
) -> anyhow::Result<(Vec<u8>, Result<Model, selecta_model::ArtifactError>)> {
    Ok(tokio::task::spawn_blocking(move || {
        let model = Model::from_bytes(&bytes);
        (bytes, model)
    })
    .await?)
}

/// The model in the file at `path`, read and validated on a blocking thread.
async fn load_file(path: &Path) -> anyhow::Result<Model> {
    let path = path.to_path_buf();
    Ok(tokio::task::spawn_blocking(move || Model::load(&path)).await??)
}

/// Writes `bytes` and the record of `source` to the cache, atomically; a failure only means
/// fitting or fetching again next time, so it is logged, not returned. Takes the bytes, not a
/// copy: at a million tracks they are some 300 MB beside the decoded model.
async fn save_cache(cache: &Path, bytes: Vec<u8>, source: &CacheSource) {
    let (path, recorded) = (cache.to_path_buf(), source.clone());
    let saved = match tokio::task::spawn_blocking(move || {
        provenance::write_cache(&path, &bytes, &recorded)
    })
    .await
    {
        Ok(written) => written.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match saved {
        Ok(()) => tracing::info!(model = %cache.display(), from = %source, "model saved"),
        Err(error) => tracing::warn!(
            model = %cache.display(),
            %error,
            "cannot save the model; it will be fitted or fetched again next time"
        ),
    }
}

/// Writes `model` to `path` as an artifact with [`selecta_store::write_atomic`]: a reader
/// (or a crash) sees the previous file or the whole new one, never half a model.
pub fn save_model(model: &Model, path: &Path) -> Result<(), StoreError> {
    selecta_store::write_atomic(path, &model.to_bytes())
}

/// The model for a command that only reads it (`selecta recommend`, `selecta describe`): a
/// local `model_url` is read and validated but never copied to `cache`, so that querying
/// another model file leaves the one `selecta serve` would start from untouched. An S3
/// model, or none, is loaded as [`load_model`] does: an S3 model keeps its last good copy at
/// `cache`, to answer when S3 is down, recorded as that model's copy, so that a `serve` with
/// other settings fits or fetches its own instead of starting from it.
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
    /// What the watcher compares with the model's location ([`Runtime::watch_model`]).
    versions: Mutex<Versions>,
}

/// The versions of `model_url` the runtime has met.
#[derive(Default)]
struct Versions {
    /// The version the model in service was read from (`None`: fitted, or a last-good copy).
    serving: Option<String>,
    /// A version that is not a usable model: not tried again until the location changes
    /// again, so a bad upload is logged once, not at every look.
    refused: Option<String>,
}

impl Runtime {
    /// Loads the first model from `source` and starts preparing its neighbour table.
    pub async fn start(source: ModelSource) -> anyhow::Result<Runtime> {
        let (model, version) = load_versioned(&source).await?;
        let runtime = Runtime::serving(model, source);
        runtime.versions().serving = version;
        Ok(runtime)
    }

    /// Serves an already loaded `model`; reloads come from `source`.
    pub fn serving(model: Model, source: ModelSource) -> Runtime {
        let runtime = Runtime {
            inner: Arc::new(Inner {
                handle: ModelHandle::new(model),
                source,
                reloading: tokio::sync::Mutex::new(()),
                preparing: Mutex::new(None),
                versions: Mutex::new(Versions::default()),
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
        self.reload_with(true).await
    }

    /// [`Runtime::reload`]; without `fallback`, a model at `model_url` that cannot be fetched
    /// or used is an error rather than a reload of the last-good copy (which is what is
    /// served already).
    async fn reload_with(&self, fallback: bool) -> anyhow::Result<usize> {
        let _one_at_a_time = self.inner.reloading.lock().await;
        let (model, version) = match (&self.inner.source.model_url, fallback) {
            (Some(spec), false) => fetch_model(&self.inner.source, spec, false).await?,
            _ => load_versioned(&self.inner.source).await?,
        };
        let model = Arc::new(model);
        let tracks = model.len();
        self.inner.handle.replace_arc(Arc::clone(&model));
        self.prepare_in_background(model);
        tracing::info!(
            tracks,
            version = version.as_deref().unwrap_or("-"),
            "model reloaded"
        );
        *self.versions() = Versions {
            serving: version,
            refused: None,
        };
        Ok(tracks)
    }

    fn versions(&self) -> std::sync::MutexGuard<'_, Versions> {
        self.inner
            .versions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The version of `model_url` the model in service was read from: the S3 object's ETag,
    /// or a file's length and modification time; `None` when it was fitted from the catalog,
    /// or is the last-good copy served while the location failed.
    pub fn serving_version(&self) -> Option<String> {
        self.versions().serving.clone()
    }

    /// Looks at `model_url` every `every` (a HeadObject on S3, file metadata on disk) and
    /// reloads when its version differs from the model in service's, so that every replica
    /// serves a new upload within one interval plus a load. A version that is not a usable
    /// model is logged once and skipped until the location changes again; a failed download
    /// is tried again at the next look. Either way the model in service stays.
    /// Does nothing without a `model_url` (a model fitted from the catalog).
    pub fn watch_model(&self, every: std::time::Duration) {
        let Some(spec) = self.source().model_url.clone() else {
            return;
        };
        let Ok(loc) = location(&spec, "--model / MODEL_URL") else {
            return; // the load at start already refused it
        };
        let runtime = self.clone();
        tokio::spawn(async move {
            let store = runtime.source().store();
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await; // the first tick is now: the model was just loaded
            let mut unreachable = false;
            loop {
                ticks.tick().await;
                let now = match store.version(&loc).await {
                    Ok(Some(v)) => v,
                    Ok(None) => continue,
                    Err(e) => {
                        // Said once per outage: the model in service goes on meanwhile.
                        if !unreachable {
                            tracing::warn!(model = %loc, error = %e, "cannot look at the model's location; the model in service stays");
                        }
                        unreachable = true;
                        continue;
                    }
                };
                if std::mem::take(&mut unreachable) {
                    tracing::info!(model = %loc, "the model's location answers again");
                }
                {
                    let versions = runtime.versions();
                    if versions.serving.as_ref() == Some(&now)
                        || versions.refused.as_ref() == Some(&now)
                    {
                        continue;
                    }
                }
                tracing::info!(model = %loc, version = %now, "the model changed; reloading");
                match runtime.reload_with(false).await {
                    Ok(_) => {}
                    // A bad artifact stays bad: wait for the next upload.
                    Err(e) if e.downcast_ref::<selecta_model::ArtifactError>().is_some() => {
                        tracing::error!(model = %loc, version = %now, error = %format!("{e:#}"), "the new model is not usable; the previous model stays in service until the model changes again");
                        runtime.versions().refused = Some(now);
                    }
                    // A failed download is tried again at the next look.
                    Err(e) => {
                        tracing::warn!(model = %loc, version = %now, error = %format!("{e:#}"), "cannot fetch the new model; the previous model stays in service, trying again");
                    }
                }
            }
        });
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
    fn bad_locations_name_the_flag() {
        let err = location("gs://bucket/x", "--model").unwrap_err();
        assert!(format!("{err:#}").contains("--model"), "{err:#}");
    }
}
