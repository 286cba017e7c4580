//! Shared helpers of the integration tests: the real catalog and a model fitted on it, each
//! built once per test binary.

#![allow(dead_code)] // each test binary uses a different subset

use std::sync::OnceLock;

use selecta_catalog::Catalog;
use selecta_model::{Model, ModelParams};

/// The bundled real catalog (TidyTuesday spotify_songs, 28,356 tracks).
pub fn real_catalog() -> Catalog {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    Catalog::load(path).expect("the bundled catalog loads")
}

/// A model fitted with the default parameters on the real catalog.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        Model::fit(real_catalog(), &ModelParams::default(), &mut |_| {}).expect("fit")
    })
}
