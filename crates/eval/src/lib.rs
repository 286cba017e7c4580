//! Measuring Selecta's recommender (issue 5).
//!
//! - [`metrics`]: R-precision, NDCG@R, RecSys 2018 clicks, the seed project's pair metrics
//!   (genre, subgenre, album and artist shares, year and sound differences), means with 95%
//!   confidence intervals;
//! - [`protocol`]: the playlist-continuation protocols (seed and strict): tasks, splits, folds
//!   and the catalog a model may see;
//! - [`recommender`]: the model through the real `generate()` path and the seed's baselines;
//! - [`evaluate`]: runs it all into a [`Report`] (serde: the `--json` document; `Display`: the
//!   terminal tables);
//! - [`figures`] and [`html`]: the charts (drawn by `selecta-charts`) and the self-contained
//!   HTML report.

pub mod cold;
mod config;
pub mod figures;
pub mod html;
pub mod metrics;
pub mod protocol;
pub mod recommender;
mod report;
mod run;

pub use config::{EvalConfig, EvalError};
pub use metrics::Summary;
pub use protocol::{parse_protocols, Protocol, Task, UnknownProtocol};
pub use report::{ContinuationRow, LearnedSummary, NeighbourRow, ProtocolReport, Report};
pub use run::{eval_options, evaluate, EvalProgress};
