//! The large-catalog measurement behind `selecta bench` and `examples/bench_1m.rs`: draw a
//! synthetic catalog from the real one, fit, time playlist generation, read peak memory.

use std::fmt;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;
use selecta_types::Track;

use crate::generate::options::GenerateOptions;
use crate::progress::FitProgress;
use crate::synthetic::{self, SyntheticParams};
use crate::{generate, FitError, Learned, Model, ModelParams};

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    /// The synthetic catalog (size and seed).
    pub synthetic: SyntheticParams,
    /// Playlists to generate for the timing.
    pub queries: usize,
    /// Seeds per playlist.
    pub seeds_per_query: usize,
    /// Tracks per playlist.
    pub length: usize,
    /// What learning found on a real catalog's playlists (`Model::learned` of a learned fit):
    /// when given, the same playlists are timed again scoring with its weights and ranker
    /// ([`Model::with_learned`]), as a served learned model answers. The synthetic catalog
    /// has no playlists to learn from itself.
    pub learned: Option<Learned>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            synthetic: SyntheticParams::default(),
            queries: 200,
            seeds_per_query: 5,
            length: 30,
            learned: None,
        }
    }
}

/// What was measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Tracks in the synthetic catalog.
    pub tracks: usize,
    /// Model vector length (principal components kept).
    pub dim: usize,
    /// Drawing the synthetic tracks.
    pub synthesize: Duration,
    /// Building the catalog (id and text indexes) from the tracks.
    pub catalog: Duration,
    /// Fitting the model (features, PCA, vectors, neighbour index, affinity lists) on the
    /// catalog.
    pub fit: Duration,
    /// Preparing the model for serving ([`Model::prepare_for_serving`]: the neighbour table
    /// on catalogs of up to [`crate::TABLE_MAX_TRACKS`] tracks, nothing above).
    pub prepare: Duration,
    /// Playlists generated.
    pub queries: usize,
    /// Median time of one playlist.
    pub query_median: Duration,
    /// 95th percentile time of one playlist.
    pub query_p95: Duration,
    /// Median and 95th percentile of the same playlists with the learned weights and ranker,
    /// when [`BenchConfig::learned`] gave them.
    pub learned_query: Option<(Duration, Duration)>,
    /// Peak resident memory of the process (Linux `VmHWM`), if known.
    pub peak_rss_bytes: Option<u64>,
    /// Resident memory after drawing the tracks, after building the catalog and after fitting
    /// (Linux `VmRSS`): where the memory goes.
    pub rss_steps_bytes: Option<[u64; 3]>,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        writeln!(f, "tracks:          {}", self.tracks)?;
        writeln!(f, "dimensions:      {}", self.dim)?;
        writeln!(f, "synthesize:      {:.2} s", self.synthesize.as_secs_f64())?;
        writeln!(f, "catalog build:   {:.2} s", self.catalog.as_secs_f64())?;
        writeln!(f, "fit:             {:.2} s", self.fit.as_secs_f64())?;
        if self.tracks <= crate::TABLE_MAX_TRACKS {
            writeln!(
                f,
                "neighbour table: {:.2} s (computed once when serving starts)",
                self.prepare.as_secs_f64()
            )?;
        }
        writeln!(
            f,
            "playlist:        median {:.3} ms, p95 {:.3} ms ({} playlists)",
            ms(self.query_median),
            ms(self.query_p95),
            self.queries
        )?;
        if let Some((median, p95)) = self.learned_query {
            writeln!(
                f,
                "learned ranker:  median {:.3} ms, p95 {:.3} ms (the same playlists)",
                ms(median),
                ms(p95)
            )?;
        }
        let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
        if let Some([tracks, catalog, fit]) = self.rss_steps_bytes {
            writeln!(
                f,
                "resident memory: {:.0} MiB with the tracks, {:.0} MiB with the catalog, \
                 {:.0} MiB with the model",
                mib(tracks),
                mib(catalog),
                mib(fit)
            )?;
        }
        match self.peak_rss_bytes {
            Some(b) => write!(f, "peak memory:     {:.0} MiB", mib(b)),
            None => write!(f, "peak memory:     unknown on this system"),
        }
    }
}

/// Why the measurement failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// No real tracks to draw from.
    #[error("the base catalog is empty; a synthetic catalog is drawn from real tracks")]
    EmptyBase,
    /// A parameter is out of range.
    #[error("invalid bench parameter {name}: {message}")]
    InvalidParam {
        /// Parameter name.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Fitting failed.
    #[error(transparent)]
    Fit(#[from] FitError),
    /// Generating a playlist failed.
    #[error("generating a playlist failed: {0}")]
    Generate(#[from] crate::GenerateError),
}

fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Peak resident memory of this process in bytes (`VmHWM` of `/proc/self/status`), where the
/// system reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_bytes("VmHWM:")
}

/// Resident memory of this process in bytes (`VmRSS`), where the system reports it.
pub fn rss_bytes() -> Option<u64> {
    proc_status_bytes("VmRSS:")
}

/// What `selecta fit` learns by default from `catalog`'s playlists: what
/// [`BenchConfig::learned`] takes, since a synthetic catalog has no playlists to learn from.
pub fn learn_from(
    catalog: Catalog,
    progress: &mut dyn FnMut(FitProgress),
) -> Result<Option<Learned>, FitError> {
    let model = crate::fit_learned(
        catalog,
        &ModelParams::default(),
        &crate::LearnParams::default(),
        progress,
    )?;
    Ok(model.learned().cloned())
}

/// Draws a synthetic catalog from `base`, fits a model on it (reporting progress) and times
/// `config.queries` playlists from random seeds.
pub fn run(
    base: &[Track],
    config: &BenchConfig,
    progress: &mut dyn FnMut(FitProgress),
) -> Result<BenchReport, BenchError> {
    if base.is_empty() {
        return Err(BenchError::EmptyBase);
    }
    if config.synthetic.tracks == 0 {
        return Err(BenchError::InvalidParam {
            name: "tracks",
            message: "must be at least 1, got 0".into(),
        });
    }
    if config.queries == 0 {
        return Err(BenchError::InvalidParam {
            name: "queries",
            message: "must be at least 1, got 0".into(),
        });
    }
    let started = Instant::now();
    let tracks = synthetic::generate(base, &config.synthetic);
    let synthesize = started.elapsed();
    let rss_tracks = rss_bytes();

    let started = Instant::now();
    let catalog = Catalog::from_tracks(tracks, Vec::new());
    let catalog_time = started.elapsed();
    let rss_catalog = rss_bytes();

    let started = Instant::now();
    let model = Model::fit(catalog, &ModelParams::default(), progress)?;
    let fit = started.elapsed();
    // As the server does before it answers from a model.
    let started = Instant::now();
    model.prepare_for_serving();
    let prepare = started.elapsed();
    let rss_fit = rss_bytes();

    let mut rng = ChaCha8Rng::seed_from_u64(config.synthetic.seed ^ 0x5eed);
    let options = GenerateOptions {
        length: config.length,
        ..GenerateOptions::default()
    };
    let seed_sets: Vec<Vec<usize>> = (0..config.queries)
        .map(|_| {
            (0..config.seeds_per_query)
                .map(|_| rng.random_range(0..model.len()))
                .collect()
        })
        .collect();
    let (tracks, dim) = (model.len(), model.features().dim());
    let (query_median, query_p95) = time_playlists(&model, &seed_sets, &options)?;
    let learned_query = match config.learned.clone() {
        Some(learned) => {
            let model = model.with_learned(learned);
            Some(time_playlists(&model, &seed_sets, &options)?)
        }
        None => None,
    };
    Ok(BenchReport {
        tracks,
        dim,
        synthesize,
        catalog: catalog_time,
        fit,
        prepare,
        queries: seed_sets.len(),
        query_median,
        query_p95,
        learned_query,
        peak_rss_bytes: peak_rss_bytes(),
        rss_steps_bytes: match (rss_tracks, rss_catalog, rss_fit) {
            (Some(a), Some(b), Some(c)) => Some([a, b, c]),
            _ => None,
        },
    })
}

/// The median and 95th percentile time of one playlist from each seed set.
fn time_playlists(
    model: &Model,
    seed_sets: &[Vec<usize>],
    options: &GenerateOptions,
) -> Result<(Duration, Duration), BenchError> {
    let mut times = Vec::with_capacity(seed_sets.len());
    for seeds in seed_sets {
        let started = Instant::now();
        let playlist = generate(model, seeds, options)?;
        times.push(started.elapsed());
        std::hint::black_box(playlist);
    }
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.95)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;

    #[test]
    fn runs_on_a_small_synthetic_catalog() {
        let base: Vec<Track> = (0..50)
            .map(|i| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec![format!("Artist {i}").into()],
                genres: vec![if i % 2 == 0 { "pop" } else { "rock" }.into()],
                features: AudioFeatures {
                    energy: Some(i as f32 / 50.0).into(),
                    tempo: Some(80.0 + i as f32).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect();
        let config = BenchConfig {
            synthetic: SyntheticParams {
                tracks: 2000,
                ..SyntheticParams::default()
            },
            queries: 5,
            ..BenchConfig::default()
        };
        let mut stages = 0;
        let report = run(&base, &config, &mut |_| stages += 1).unwrap();
        assert_eq!(report.tracks, 2000);
        assert_eq!(report.queries, 5);
        assert!(report.query_median <= report.query_p95);
        assert!(stages > 0);
        if cfg!(target_os = "linux") {
            assert!(report.peak_rss_bytes.unwrap() > 1024 * 1024);
        }
        assert!(report.to_string().contains("tracks:          2000"));
        assert!(report.to_string().contains("neighbour table:"));
        assert!(matches!(
            run(&[], &config, &mut |_| {}),
            Err(BenchError::EmptyBase)
        ));
    }
}
