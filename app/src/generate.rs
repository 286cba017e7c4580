//! From the picked seeds and the web options to a playlist: the pure step the `generate`
//! server function wraps (and tests call directly).

use selecta_model::{generate, Attribute, GenerateError, GenerateOptions, Model, Order};

use crate::options::{PlaylistOptions, Target};
use crate::Playlist;

fn attribute(t: Target) -> Attribute {
    match t {
        Target::Energy => Attribute::Energy,
        Target::Danceability => Attribute::Danceability,
        Target::Valence => Attribute::Valence,
        Target::Tempo => Attribute::Tempo,
    }
}

/// The core's options for the web options. `negative_seeds` are resolved like the command
/// line's seeds (`artist - title`, ids, Spotify links); `exclude_ids` are tracks never to
/// return (the listener's saved tracks when asked). Errors name the field.
pub fn core_options(
    model: &Model,
    options: &PlaylistOptions,
    exclude_ids: Vec<String>,
) -> Result<GenerateOptions, String> {
    let catalog = model.catalog();
    let mut negative_seeds = Vec::with_capacity(options.negative_seeds.len());
    for text in &options.negative_seeds {
        let i = catalog
            .resolve(text)
            .map_err(|e| format!("negative_seeds: {e}"))?;
        negative_seeds.push(i);
    }
    let mut core = GenerateOptions {
        length: options.length,
        exclude_ids,
        max_per_artist: (options.artist_cap > 0).then_some(options.artist_cap),
        block_artists: options.blocked_artists.clone(),
        negative_seeds,
        order: if options.flow {
            Order::Flow
        } else {
            Order::Similarity
        },
        ..GenerateOptions::default()
    };
    for &(t, v) in &options.targets {
        core = core.with_target(attribute(t), v);
    }
    Ok(core)
}

/// Generates the playlist for the picked seeds (catalog ids) and options.
pub fn playlist(
    model: &Model,
    seeds: &[String],
    options: &PlaylistOptions,
    exclude_ids: Vec<String>,
) -> Result<Playlist, String> {
    if seeds.is_empty() {
        return Err("seeds: pick at least one track first".into());
    }
    let catalog = model.catalog();
    let mut indices = Vec::with_capacity(seeds.len());
    for id in seeds {
        let i = catalog.index_of(id).ok_or_else(|| {
            format!("seeds: track {id} is no longer in the catalog; remove it and pick another")
        })?;
        indices.push(i);
    }
    let core = core_options(model, options, exclude_ids)?;
    generate(model, &indices, &core).map_err(|e| match e {
        // The core names its parameters (`negative_seeds`, `length`): keep the message.
        GenerateError::InvalidOption { message, .. } => message,
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_catalog::Catalog;
    use selecta_model::ModelParams;
    use selecta_types::{AudioFeatures, Track};

    fn model() -> Model {
        let tracks = (0..40)
            .map(|i| Track {
                id: format!("t{i}"),
                name: format!("Song {i}"),
                artists: vec![format!("Artist {}", i % 10)],
                genres: vec![if i < 20 { "pop" } else { "rock" }.into()],
                features: AudioFeatures {
                    energy: Some(i as f32 / 40.0),
                    danceability: Some(1.0 - i as f32 / 40.0),
                    tempo: Some(80.0 + 3.0 * i as f32),
                    valence: Some((i % 7) as f32 / 7.0),
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
        let core = core_options(&m, &o, Vec::new()).unwrap();
        assert_eq!(core.max_per_artist, None);
        assert_eq!(core.negative_seeds, [39]);
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
