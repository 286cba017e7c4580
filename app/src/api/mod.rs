//! Server functions: thin wrappers over the domain crates, callable from the browser.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Track;

/// What the home page shows about the loaded catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogStats {
    /// Number of tracks.
    pub tracks: usize,
    /// Number of distinct artists.
    pub artists: usize,
    /// Number of source playlists.
    pub playlists: usize,
}

/// The largest number of hits one search returns.
pub const MAX_SEARCH_RESULTS: usize = 50;

/// Size of the loaded catalog.
#[server]
pub async fn catalog_summary() -> Result<CatalogStats, ServerFnError> {
    let state = crate::state::current()?;
    Ok(state.catalog_summary())
}

/// Tracks of the catalog matching `query` (title, artist or album), best first.
#[server]
pub async fn search_tracks(query: String, limit: usize) -> Result<Vec<Track>, ServerFnError> {
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(ServerFnError::new("query: at most 200 characters"));
    }
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let limit = limit.clamp(1, MAX_SEARCH_RESULTS);
    let state = crate::state::current()?;
    Ok(state.search(query, limit))
}
