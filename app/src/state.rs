//! Server-side state reached by server functions through Leptos context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use selecta_model::Model;

pub use selecta_engine::{ModelHandle, Views};

use crate::api::CatalogStats;
use crate::library::SongKeys;
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
    /// The catalog's song keys for matching Spotify tracks, built once per model.
    pub song_keys: SongKeyCache,
}

/// [`SongKeys`] of the model in service, rebuilt when a reload swaps the model.
#[derive(Clone, Default)]
pub struct SongKeyCache(Arc<std::sync::Mutex<Option<CachedKeys>>>);

/// The model the keys were built for, and the keys.
type CachedKeys = (Arc<Model>, Arc<SongKeys>);

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
            .flat_map(|t| t.artists.iter().map(String::as_str))
            .collect();
        CatalogStats {
            tracks: catalog.len(),
            artists: artists.len(),
            playlists: catalog.playlists().len(),
        }
    }

    /// The tracks of catalog ids, in order; an id the catalog no longer holds (after a model
    /// reload) stays visible as a track named after its id, so it can be removed.
    pub fn seed_tracks(&self, ids: &[String]) -> Vec<Track> {
        let model = self.model();
        let catalog = model.catalog();
        ids.iter()
            .map(|id| {
                catalog.get(id).cloned().unwrap_or_else(|| Track {
                    id: id.clone(),
                    name: format!("{id} (no longer in the catalog)"),
                    ..Track::default()
                })
            })
            .collect()
    }

    /// The song keys of the model in service (built on first use after a (re)load).
    pub fn song_keys(&self) -> Arc<SongKeys> {
        let model = self.model();
        let mut cache = self
            .song_keys
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*cache {
            Some((m, keys)) if Arc::ptr_eq(m, &model) => keys.clone(),
            _ => {
                let keys = Arc::new(SongKeys::build(&model));
                *cache = Some((model, keys.clone()));
                keys
            }
        }
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
