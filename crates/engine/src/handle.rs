//! The model in service, swapped atomically on reload.

use std::sync::Arc;

use selecta_model::Model;

/// The model in service. Readers take a snapshot (`current`) and keep using it even if a reload
/// swaps in a new model meanwhile, so a reload never drops or mixes requests.
#[derive(Clone)]
pub struct ModelHandle(Arc<arc_swap::ArcSwap<Model>>);

impl ModelHandle {
    /// Wraps the first model.
    pub fn new(model: Model) -> Self {
        Self(Arc::new(arc_swap::ArcSwap::from_pointee(model)))
    }

    /// Wraps a shared first model.
    pub fn new_arc(model: Arc<Model>) -> Self {
        Self(Arc::new(arc_swap::ArcSwap::new(model)))
    }

    /// The model in service now.
    pub fn current(&self) -> Arc<Model> {
        self.0.load_full()
    }

    /// Puts `model` in service; requests already running finish on the old one.
    pub fn replace(&self, model: Model) {
        self.0.store(Arc::new(model));
    }

    /// Puts a shared `model` in service.
    pub fn replace_arc(&self, model: Arc<Model>) {
        self.0.store(model);
    }
}
