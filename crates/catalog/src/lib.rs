//! The track catalog: loading (CSV, gzip'd CSV, the seed's `meta.json` tree), validation,
//! one entry per track id, and lookup of tracks by id, Spotify URI/URL or free text.
//!
//! ```no_run
//! use selecta_catalog::{load_path, LoadOptions};
//!
//! let (catalog, report) = load_path("data/spotify_songs.csv.gz", &LoadOptions::default())?;
//! println!("{report}");
//! let i = catalog.resolve("Ed Sheeran - I Don't Care")?;
//! println!("{}", catalog.tracks()[i].label());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Choices worth knowing:
//! - Rows without a title or artist (5 in the bundled data) are kept, with an empty title and
//!   no artists: they are real tracks with audio features, only their metadata is missing.
//!   They can be found by id, not by text.
//! - Analysis failures (tempo 0, danceability 0) are missing values, not zeros.
//! - A track in several playlists gets every genre and subgenre of them, in first-seen order.

mod assemble;
mod catalog;
mod columns;
mod csv_load;
mod error;
mod fuzzy;
mod index;
mod input;
mod layout;
mod list_literal;
mod load;
mod merge;
mod meta;
pub mod normalize;
mod resolve;
mod search;
pub mod spotify;
mod values;
mod write;

pub use catalog::{Catalog, PlaylistInfo};
pub use error::{
    shown, Format, ImportReport, LoadError, MissingColumn, Problem, ProblemKind, SkipReason,
};
pub use layout::Layout;
pub use load::{load_csv_bytes, load_meta_dir, load_meta_objects, load_path, LoadOptions};
pub use merge::{catalog_files, load_merged, CatalogMerger, MergeReport, MergeSource};
pub use meta::{TrackDetails, TrackMeta};
pub use normalize::{normalize, song_key};
pub use resolve::{Candidate, ResolveError};
pub use spotify::{parse_spotify_ref, SpotifyRef};
pub use write::write_csv;
