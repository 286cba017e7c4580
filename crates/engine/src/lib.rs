//! Selecta's engine: what the web app, the JSON API, the Telegram bot, the command line and
//! the evaluation share, free of any web framework.
//!
//! - [`Engine::playlist`]: the one function every entry point calls, from a
//!   [`PlaylistRequest`](selecta_types::PlaylistRequest) (each entry point parses its own input
//!   into one) to a playlist, with how each seed matched ([`resolve`]: the one resolver);
//!   [`Engine::playlist_looking_up`] looks up on Spotify what the catalog lacks and matches
//!   it ([`known`]: the same recording, else a proxy from the same artists' tracks).
//! - [`view`]: the artist, genre and album indexes of a catalog, rebuilt per model.
//! - [`runtime`]: the model in service and where it comes from: loading (a file, or S3 with
//!   a last-good copy) or fitting, reloads one at a time, the neighbour table in the background.
//! - [`provenance`]: what the model cache was made from, so that it is used only for that.
//! - [`ModelHandle`]: the model in service, swapped atomically on reload.

mod handle;
mod hashed;
pub mod known;
mod lookup;
mod playlist;
pub mod provenance;
pub mod resolve;
pub mod runtime;
pub mod view;

pub use handle::ModelHandle;
pub use lookup::{Lookup, Resolved};
pub use playlist::{Engine, Generated, RequestError, ResolvedSeed, SeedList, SkippedSeed};
pub use resolve::{MatchKind, Matched, Unmatched};
pub use runtime::{ModelSource, Runtime};
pub use view::{CatalogIndex, CatalogView, Views};

/// A value as echoed in messages: at most 60 characters, so a long input never fills an
/// error.
pub use selecta_catalog::shown;
