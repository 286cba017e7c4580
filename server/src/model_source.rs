//! The command line's side of the engine's runtime: the flags to a [`ModelSource`], and a
//! progress bar for fits on a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use selecta_catalog::Catalog;
use selecta_engine::runtime::{self, Progress};
use selecta_engine::ModelSource;
use selecta_model::{FitProgress, Model};
use selecta_store::{S3Config, Store};

use crate::config::{ModelArgs, S3Args};

pub use selecta_engine::runtime::{load_catalog, location};

/// The S3 settings of the flags.
pub fn s3_config(s3: &S3Args) -> S3Config {
    S3Config {
        endpoint: s3.s3_endpoint.clone(),
        region: s3.s3_region.clone(),
        force_path_style: s3.s3_path_style,
        ..S3Config::default()
    }
}

/// A store reaching S3 as configured (local paths need no settings).
pub fn store(s3: &S3Args) -> Store {
    Store::new(s3_config(s3))
}

/// Where the model comes from, by the flags.
pub fn source(args: &ModelArgs) -> ModelSource {
    ModelSource {
        s3: s3_config(&args.s3),
        progress: fit_progress,
        ..ModelSource::new(
            args.model_url.clone(),
            args.model_cache.clone(),
            args.catalog.clone(),
        )
    }
}

/// The model the flags name, for a command that only reads it: never copied to
/// `--model-cache` (see [`runtime::read_model`]).
pub async fn read_model(args: &ModelArgs) -> anyhow::Result<Model> {
    runtime::read_model(&source(args)).await
}

/// Fits a model with a progress bar on a terminal (see [`runtime::fit`]).
pub async fn fit(catalog: Catalog, variance: Option<f64>, learn: bool) -> anyhow::Result<Model> {
    runtime::fit(catalog, variance, learn, fit_progress).await
}

/// A progress reporter for fitting: a bar on a terminal, log lines otherwise.
pub fn fit_progress() -> Progress {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return runtime::log_progress();
    }
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("fitting {msg:12} [{bar:40}] {percent:>3}% {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    Box::new(move |p: FitProgress| {
        bar.set_message(p.stage.to_string());
        bar.set_position((p.overall() * 1000.0) as u64);
        if p.overall() >= 1.0 {
            bar.finish_and_clear();
        }
    })
}
