//! From the picked seeds and the web options to a playlist: the pure step the `generate`
//! server function wraps (and tests call directly). The options become the engine's
//! [`PlaylistRequest`](selecta_types::PlaylistRequest) ([`PlaylistOptions::request`]); the
//! engine resolves and generates.

use selecta_engine::{CatalogView, Engine, Lookup, RequestError, SeedList, Unmatched};
use selecta_types::PlaylistRequest;

use crate::options::PlaylistOptions;
use crate::{AppError, Playlist, PlaylistEntry};

/// Generates the playlist for the picked seeds (catalog ids) and options, from the catalog
/// alone. Errors name the field, in the listener's words.
pub fn playlist(
    engine: Engine<'_>,
    seeds: &[String],
    options: &PlaylistOptions,
    exclude_ids: Vec<String>,
) -> Result<Playlist, AppError> {
    let request = request(seeds, options, exclude_ids)?;
    engine
        .playlist(&request)
        .map(|g| g.playlist)
        .map_err(request_error)
}

/// As [`playlist`], with the seeds the catalog lacks (Spotify ids of the listener's library)
/// looked up and matched: the same recording under another id, else estimated from their
/// artists' catalog tracks. The playlist's `matches` say how. The lookups wait on Spotify
/// here; the generation itself (CPU work) runs on a blocking thread, off the async workers.
/// Also answers the [`spares`] next in line, for refills when the listener removes tracks.
pub async fn playlist_looking_up(
    view: std::sync::Arc<CatalogView>,
    lookup: Lookup<'_>,
    seeds: &[String],
    options: &PlaylistOptions,
    exclude_ids: Vec<String>,
) -> Result<(Playlist, Vec<PlaylistEntry>), AppError> {
    let request = request(seeds, options, exclude_ids)?;
    let resolved = view
        .engine()
        .resolve_looking_up(&request, lookup)
        .await
        .map_err(request_error)?;
    tokio::task::spawn_blocking(move || {
        view.engine()
            .generate_resolved_with_spares(&request, resolved, spares(request.length))
            .map(|g| (g.playlist, g.spares))
            .map_err(request_error)
    })
    .await
    .map_err(|e| AppError::Internal(format!("the playlist could not be made: {e}")))?
}

/// How many spares a web playlist keeps: as many as its length (at least 10, at most 50),
/// so that a listener can remove most of it and still have it refilled.
pub fn spares(length: usize) -> usize {
    length.clamp(10, 50)
}

fn request(
    seeds: &[String],
    options: &PlaylistOptions,
    exclude_ids: Vec<String>,
) -> Result<PlaylistRequest, AppError> {
    if seeds.is_empty() {
        return Err(AppError::invalid("seeds", "pick at least one track first"));
    }
    Ok(options.request(seeds, exclude_ids))
}

fn request_error(e: RequestError) -> AppError {
    match e {
        RequestError::Unmatched {
            list: SeedList::Seeds,
            reason: Unmatched::TrackId(id),
            ..
        } => AppError::invalid(
            "seeds",
            format!("track {id} is no longer in the catalog; remove it and pick another"),
        ),
        RequestError::Unmatched { list, reason, .. } => {
            AppError::invalid(list.field(), reason.to_string())
        }
        // The engine's message starts with its field's name (`length must be ...`).
        RequestError::Invalid { field, message } => {
            let rest = message
                .strip_prefix(field.as_str())
                .map(|r| r.trim_start_matches([':', ' ']))
                .unwrap_or(&message)
                .to_owned();
            AppError::invalid(field, rest)
        }
        e @ RequestError::NothingMatches { .. } => AppError::invalid("options", e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Target;
    use selecta_catalog::Catalog;
    use selecta_engine::CatalogIndex;
    use selecta_model::{Model, ModelParams};
    use selecta_types::{Attribute, AudioFeatures, Order, Track};

    /// The web's call, over a model and its indexes.
    fn playlist(
        m: &Model,
        seeds: &[String],
        o: &PlaylistOptions,
        exclude_ids: Vec<String>,
    ) -> Result<Playlist, String> {
        let index = CatalogIndex::build(m.tracks());
        super::playlist(Engine::new(m, &index), seeds, o, exclude_ids).map_err(|e| e.to_string())
    }

    fn model() -> Model {
        let tracks = (0..40)
            .map(|i| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec![format!("Artist {}", i % 10).into()],
                genres: vec![if i < 20 { "pop" } else { "rock" }.into()],
                features: AudioFeatures {
                    energy: Some(i as f32 / 40.0).into(),
                    danceability: Some(1.0 - i as f32 / 40.0).into(),
                    tempo: Some(80.0 + 3.0 * i as f32).into(),
                    valence: Some((i % 7) as f32 / 7.0).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect();
        Model::fit(
            Catalog::from_tracks(tracks, Vec::new()),
            &ModelParams::default(),
            &mut |_| {},
        )
        .unwrap()
    }

    #[test]
    fn generates_without_seeds_or_exclusions_in_the_result() {
        let m = model();
        let o = PlaylistOptions {
            length: 10,
            blocked_artists: vec!["artist 3".into()],
            ..PlaylistOptions::default()
        };
        let p = playlist(&m, &["t0".into(), "t5".into()], &o, vec!["t1".into()]).unwrap();
        assert_eq!(p.entries.len(), 10);
        for e in &p.entries {
            assert!(!["t0", "t5", "t1"].contains(&e.track.id.as_str()));
            assert_ne!(e.track.artists[0], "Artist 3");
            assert!(!e.reason.text.is_empty());
        }
        assert_eq!(p.seeds.len(), 2);
    }

    #[test]
    fn options_reach_the_core() {
        let m = model();
        let o = PlaylistOptions {
            length: 12,
            artist_cap: 0,
            negative_seeds: vec!["Artist 9 - Song 39".into()],
            targets: vec![(Target::Tempo, 150.0)],
            flow: true,
            ..PlaylistOptions::default()
        };
        let core = o.request(&["t20".into()], Vec::new());
        assert_eq!(core.max_per_artist, None);
        let index = CatalogIndex::build(m.tracks());
        let (_, negative_seeds) = Engine::new(&m, &index).resolve_request(&core).unwrap();
        assert_eq!(negative_seeds, [39]);
        assert_eq!(core.order, Order::Flow);
        assert_eq!(core.attributes[&Attribute::Tempo].target, Some(150.0));
        // A different target moves the playlist: re-generating with changed options works.
        let a = playlist(&m, &["t20".into()], &o, Vec::new()).unwrap();
        let slow = PlaylistOptions {
            targets: vec![(Target::Tempo, 60.0)],
            ..o.clone()
        };
        let b = playlist(&m, &["t20".into()], &slow, Vec::new()).unwrap();
        assert_ne!(a.entries, b.entries);
    }

    #[test]
    fn errors_name_the_field() {
        let m = model();
        let o = PlaylistOptions::default();
        assert_eq!(
            playlist(&m, &[], &o, Vec::new()).unwrap_err(),
            "seeds: pick at least one track first"
        );
        let e = playlist(&m, &["gone".into()], &o, Vec::new()).unwrap_err();
        assert!(e.starts_with("seeds: track gone is no longer"), "{e}");
        let bad = PlaylistOptions {
            negative_seeds: vec!["Nobody - Nothing At All".into()],
            ..o.clone()
        };
        let e = playlist(&m, &["t0".into()], &bad, Vec::new()).unwrap_err();
        assert!(e.starts_with("negative_seeds: no track matches"), "{e}");
        let both = PlaylistOptions {
            negative_seeds: vec!["t0".into()],
            ..o
        };
        let e = playlist(&m, &["t0".into()], &both, Vec::new()).unwrap_err();
        assert!(e.starts_with("negative_seeds"), "{e}");
    }
}
