//! Server-side state reached by server functions through Leptos context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use selecta_model::Model;

use crate::api::CatalogStats;
use crate::Track;

/// Everything request handlers and server functions share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Leptos' site options (output name, site root...).
    pub leptos_options: LeptosOptions,
    /// The model in service; swapped atomically on reload.
    pub model: ModelHandle,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The model in service. Readers take a snapshot (`current`) and keep using it even if a reload
/// swaps in a new model meanwhile, so a reload never drops or mixes requests.
#[derive(Clone)]
pub struct ModelHandle(Arc<arc_swap::ArcSwap<Model>>);

impl ModelHandle {
    /// Wraps the first model.
    pub fn new(model: Model) -> Self {
        Self(Arc::new(arc_swap::ArcSwap::from_pointee(model)))
    }

    /// The model in service now.
    pub fn current(&self) -> Arc<Model> {
        self.0.load_full()
    }

    /// Puts `model` in service; requests already running finish on the old one.
    pub fn replace(&self, model: Model) {
        self.0.store(Arc::new(model));
    }
}

impl AppState {
    /// Counts shown on the home page.
    pub fn catalog_summary(&self) -> CatalogStats {
        let model = self.model.current();
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

    /// Catalog search, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Track> {
        let model = self.model.current();
        let catalog = model.catalog();
        catalog
            .search(query, limit)
            .into_iter()
            .map(|i| catalog.tracks()[i].clone())
            .collect()
    }
}

/// The state, from the context the server provides to every render and server function.
pub fn current() -> Result<AppState, ServerFnError> {
    use_context::<AppState>()
        .ok_or_else(|| ServerFnError::new("server state missing from context (a bug)"))
}
