//! A small fitted catalog for the API's unit tests: 60 tracks, 6 artists, 3 genres, values
//! chosen so that tests can tell what to expect (popularity = index, energy rises with index).

use std::sync::{Arc, OnceLock};

use rand::{Rng, SeedableRng};
use selecta_catalog::Catalog;
use selecta_engine::ModelHandle;
use selecta_model::{Model, ModelParams};
use selecta_types::{AudioFeatures, Track};

use selecta_engine::CatalogView;

/// Tracks in the small catalog.
pub const N: usize = 60;

/// The id of track `i`: 22 base62 characters, like a Spotify id.
pub fn tid(i: usize) -> String {
    format!("t{i:021}")
}

fn tracks() -> Vec<Track> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let genres = [
        ("pop", "dance pop"),
        ("r&b", "new jack swing"),
        ("rock", "hard rock"),
    ];
    (0..N)
        .map(|i| {
            let (g, sub) = genres[i % 3];
            let mut artists: Vec<selecta_types::Text> =
                vec![format!("Artist {}", (b'A' + (i % 6) as u8) as char).into()];
            if i % 10 == 9 {
                artists.push("Guest Star".into());
            }
            Track {
                id: tid(i).into(),
                name: format!("Song {i}").into(),
                artists,
                artist_ids: Vec::new(),
                isrc: None,
                album: format!("Album {}", i / 4).into(),
                album_id: Some(format!("a{:021}", i / 4).into()),
                release_date: Some(format!("{}-03-01", 1990 + i).into()),
                year: Some(1990 + i as u16),
                popularity: Some(i as f32),
                duration_ms: Some(180_000 + 1000 * i as u32),
                explicit: None,
                genres: vec![g.into()],
                subgenres: vec![sub.into()],
                features: AudioFeatures {
                    danceability: Some(rng.random_range(0.2..0.9)).into(),
                    energy: Some((i as f32 + 0.5) / N as f32).into(),
                    key: Some((i % 12) as u8),
                    loudness: Some(rng.random_range(-12.0..-3.0)).into(),
                    mode: Some((i % 2) as u8),
                    speechiness: Some(rng.random_range(0.02..0.3)).into(),
                    acousticness: Some(rng.random_range(0.0..0.8)).into(),
                    instrumentalness: Some(rng.random_range(0.0..0.1)).into(),
                    liveness: Some(rng.random_range(0.05..0.4)).into(),
                    valence: Some(rng.random_range(0.1..0.9)).into(),
                    tempo: Some(80.0 + i as f32).into(),
                    time_signature: None,
                },
            }
        })
        .collect()
}

/// The small model, fitted once per test binary.
pub fn small_model() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let catalog = Catalog::from_tracks(tracks(), Vec::new());
            Arc::new(
                Model::fit(catalog, &ModelParams::default(), &mut |_| {})
                    .expect("the small catalog fits"),
            )
        })
        .clone()
}

/// A handle serving a fresh copy of the small model.
pub fn small_handle() -> ModelHandle {
    let catalog = Catalog::from_tracks(tracks(), Vec::new());
    ModelHandle::new(Model::fit(catalog, &ModelParams::default(), &mut |_| {}).expect("fits"))
}

/// The API's view of the small model.
pub fn small_view() -> CatalogView {
    CatalogView::build(small_model())
}
