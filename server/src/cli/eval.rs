//! `selecta eval`: the seed's metrics and playlist continuation on the catalog's real
//! playlists (issue 5), as tables, JSON or a self-contained HTML report with charts.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use selecta_eval::figures::{catalog_figures, report_figures};
use selecta_eval::{evaluate, parse_protocols, EvalConfig, EvalProgress};
use selecta_model::ModelParams;

/// `selecta eval`
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// The catalog to evaluate on (its playlists are the ground truth).
    #[arg(
        long,
        env = "SELECTA_CATALOG",
        default_value = "data/spotify_songs.csv.gz"
    )]
    pub catalog: PathBuf,

    /// Catalog tracks sampled as queries for the seed's metrics.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    pub sample: u64,

    /// Recommendations per sampled track for the seed's metrics (the seed used 3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub neighbours: u64,

    /// Seed of the query sample, the playlist shuffles and the baselines.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Seed of the strict protocol's train/test split and of the seed protocol's folds.
    #[arg(long, default_value_t = 1)]
    pub split_seed: u64,

    /// Continuation protocol(s) to run.
    #[arg(long, default_value = "both", value_parser = ["seed", "strict", "both"])]
    pub protocol: String,

    /// Share of the playlists held out for testing (strict protocol), strictly between 0 and 1.
    #[arg(long, default_value_t = 0.2)]
    pub test_share: f64,

    /// Folds of the seed protocol (each scored by a model that never saw its playlists).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..=100))]
    pub folds: u64,

    /// Cap of tracks per artist passed to the generator (default: no cap).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_per_artist: Option<u64>,

    /// Measure the scoring weights as they are instead of learning them inside each fitted
    /// model from the playlists it may see (learning adds about 10 s per model).
    #[arg(long)]
    pub no_learn: bool,

    /// Most playlists whose seeds leave the catalog together in the cold-seed run (1: each
    /// playlist's own seeds alone, one model fit per playlist; larger is faster).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
    pub cold_group: u64,

    /// Seed protocol: take genre labels only from the playlists each model may know (as the
    /// strict protocol always does), so that a scored playlist's own label reaches neither
    /// its seeds nor its hidden tracks.
    #[arg(long)]
    pub known_labels: bool,

    /// Print the report as JSON (see docs/cli.md) instead of tables.
    #[arg(long)]
    pub json: bool,

    /// Also write a self-contained HTML report with the charts to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// A progress display on stderr: a bar on a terminal, log lines otherwise.
fn progress() -> impl FnMut(EvalProgress) {
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let bar = ProgressBar::new(1);
        bar.set_style(
            ProgressStyle::with_template("{msg:48} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar
    });
    move |p: EvalProgress| match &bar {
        Some(bar) => {
            bar.set_message(p.stage);
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
        }
        None if p.done == p.total => tracing::info!(stage = %p.stage, "done"),
        None => {}
    }
}

/// Loads the catalog, evaluates, prints and writes what was asked.
pub async fn run(args: EvalArgs) -> anyhow::Result<()> {
    if !(args.test_share > 0.0 && args.test_share < 1.0) {
        anyhow::bail!(
            "--test-share must be strictly between 0 and 1, got {}",
            args.test_share
        );
    }
    if let Some(dir) = args.html.as_ref().and_then(|p| p.parent()) {
        if !dir.as_os_str().is_empty() && !dir.is_dir() {
            anyhow::bail!("--html: the folder {} does not exist", dir.display());
        }
    }
    let config = EvalConfig {
        sample: args.sample as usize,
        neighbours: args.neighbours as usize,
        seed: args.seed,
        split_seed: args.split_seed,
        protocols: parse_protocols(&args.protocol)?,
        test_share: args.test_share,
        folds: args.folds as usize,
        max_per_artist: args.max_per_artist.map(|m| m as usize),
        learn: !args.no_learn,
        cold_group: args.cold_group as usize,
        known_labels: args.known_labels,
    };
    let path = args.catalog.clone();
    let (report, catalog) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let catalog = selecta_catalog::Catalog::load(&path)
            .with_context(|| format!("--catalog {}", path.display()))?;
        let mut progress = progress();
        let report = evaluate(&catalog, &ModelParams::default(), &config, &mut progress)?;
        Ok((report, catalog))
    })
    .await??;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    if let Some(path) = &args.html {
        let mut figures = report_figures(&report);
        figures.extend(catalog_figures(&catalog));
        selecta_store::write_atomic(
            path,
            selecta_eval::html::render(&report, &figures).as_bytes(),
        )
        .with_context(|| format!("--html: cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
