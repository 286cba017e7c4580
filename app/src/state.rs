//! Server-side state reached by server functions through Leptos context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use selecta_model::Model;

pub use selecta_engine::{ModelHandle, Views};

use crate::api::CatalogStats;
use crate::Track;

/// Everything request handlers and server functions share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Leptos' site options (output name, site root...).
    pub leptos_options: LeptosOptions,
    /// The model in service (swapped atomically on reload) with its catalog's indexes.
    pub views: Arc<Views>,
    /// Spotify sign-in and Web API; `None` when no client id/secret is configured (the app
    /// then offers the catalog only).
    pub spotify: Option<selecta_spotify::Spotify>,
    /// Cached Spotify lookups of seeds the catalog lacks (the app's token, or the signed-in
    /// listener's).
    pub lookup: selecta_spotify::SpotifyLookup,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The model in service now.
    pub fn model(&self) -> Arc<Model> {
        self.views.handle().current()
    }

    /// Counts shown on the home page.
    pub fn catalog_summary(&self) -> CatalogStats {
        let model = self.model();
        let catalog = model.catalog();
        let artists: std::collections::HashSet<&str> = catalog
            .tracks()
            .iter()
            .flat_map(|t| t.artists.iter().map(|a| a.as_str()))
            .collect();
        CatalogStats {
            tracks: catalog.len(),
            artists: artists.len(),
            playlists: catalog.playlists().len(),
        }
    }

    /// The picked seeds as tracks, in order: catalog tracks, else the Spotify tracks looked
    /// up for seeds the catalog lacks (`known`).
    pub fn seed_tracks(&self, ids: &[String], known: &[crate::SpotifyTrack]) -> Vec<Track> {
        let model = self.model();
        let catalog = model.catalog();
        ids.iter()
            .map(|id| {
                catalog.get(id).cloned().unwrap_or_else(|| {
                    match known.iter().find(|t| &t.id == id) {
                        Some(t) => selecta_engine::known::track_of(t),
                        None => Track {
                            id: id.clone().into(),
                            name: format!("{id} (no longer in the catalog)").into(),
                            ..Track::default()
                        },
                    }
                })
            })
            .collect()
    }

    /// Whether the catalog holds a track id.
    pub fn has_track(&self, id: &str) -> bool {
        self.model().catalog().index_of(id).is_some()
    }

    /// Catalog search, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Track> {
        let model = self.model();
        let catalog = model.catalog();
        catalog
            .search(query, limit)
            .into_iter()
            .map(|i| catalog.tracks()[i].clone())
            .collect()
    }
}

/// The state, from the context the server provides to every render and server function.
pub fn current() -> Result<AppState, crate::error::AppError> {
    use_context::<AppState>().ok_or_else(|| {
        crate::error::AppError::Internal("server state missing from context (a bug)".into())
    })
}
