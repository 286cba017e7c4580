//! The playlist page's pictures, drawn on the server as SVG (`selecta-charts`): the sound map
//! (seeds and tracks placed in the model's space, flattened to 2-D) and the flow line
//! (energy, mood and tempo along the playlist order).

use selecta_charts::{line_chart, point_map, LabelledPoint, Line, LineChart, PointMap};
use selecta_model::Model;

use crate::api::PlaylistCharts;
use crate::Playlist;

/// The tempo range the flow line spans (its 0 and 1): most of the catalog's music.
pub const TEMPO_RANGE: (f32, f32) = (60.0, 180.0);

/// Both charts of a playlist, for the model in service.
pub fn playlist_charts(model: &Model, playlist: &Playlist) -> PlaylistCharts {
    let (sound_map, placed) = sound_map(model, playlist);
    PlaylistCharts {
        sound_map,
        placed,
        flow: flow_line(playlist),
    }
}

/// The sound map, and how many of the playlist's tracks and seeds it places (a seed the
/// catalog lacks is placed where its estimate is: among the catalog tracks it stands for; a
/// track the model no longer holds after a reload is left out).
fn sound_map(model: &Model, playlist: &Playlist) -> (String, usize) {
    let catalog = model.catalog();
    let vector_of = |id: &str| catalog.index_of(id).map(|i| model.vector(i).to_vec());
    let mut vectors = Vec::new();
    let mut points = Vec::new();
    for e in &playlist.entries {
        if let Some(v) = vector_of(&e.track.id) {
            vectors.push(v);
            points.push((e.track.label(), 0));
        }
    }
    for s in &playlist.seeds {
        let v = vector_of(&s.id).or_else(|| {
            // Estimated: the mean of the catalog tracks its sound is estimated from.
            let m = playlist
                .matches
                .iter()
                .find(|m| m.estimated && m.given.contains(s.id.as_str()))?;
            mean(m.tracks.iter().filter_map(|id| vector_of(id)))
        });
        if let Some(v) = v {
            vectors.push(v);
            points.push((format!("Seed: {}", s.label()), 1));
        }
    }
    let xy = selecta_model::projection::plane(&vectors);
    let map = PointMap {
        title: "Sound map".into(),
        description: "The seeds (diamonds) and the playlist's tracks (circles), placed by how \
                      they sound to the model: close points sound alike. The two directions \
                      are those along which these tracks differ most."
            .into(),
        groups: vec!["track".into(), "seed".into()],
        points: xy
            .into_iter()
            .zip(points)
            .map(|([x, y], (label, group))| LabelledPoint {
                x,
                // Up on the screen is up.
                y,
                label,
                group,
            })
            .collect(),
    };
    let placed = map.points.len();
    (point_map(&map), placed)
}

fn mean(vectors: impl Iterator<Item = Vec<f32>>) -> Option<Vec<f32>> {
    let mut sum: Option<Vec<f32>> = None;
    let mut n = 0.0f32;
    for v in vectors {
        n += 1.0;
        match &mut sum {
            Some(s) => s.iter_mut().zip(&v).for_each(|(a, b)| *a += b),
            None => sum = Some(v),
        }
    }
    sum.map(|s| s.into_iter().map(|a| a / n).collect())
}

/// Energy, mood (valence) and tempo (scaled to [`TEMPO_RANGE`]) along the playlist.
fn flow_line(playlist: &Playlist) -> String {
    let (lo, hi) = TEMPO_RANGE;
    let series = |name: &str, f: &dyn Fn(&crate::Track) -> Option<f32>| Line {
        name: name.into(),
        values: playlist
            .entries
            .iter()
            .map(|e| f(&e.track).map(f64::from))
            .collect(),
    };
    let chart = LineChart {
        title: "Flow: energy, mood and tempo along the playlist".into(),
        x_label: "position in the playlist".into(),
        y_label: "level (0 to 1)".into(),
        y_range: Some((0.0, 1.0)),
        series: vec![
            series("energy", &|t| t.features.energy.get()),
            series("mood (valence)", &|t| t.features.valence.get()),
            series(&format!("tempo ({lo:.0}–{hi:.0} BPM)"), &|t| {
                t.features
                    .tempo
                    .get()
                    .map(|b| ((b - lo) / (hi - lo)).clamp(0.0, 1.0))
            }),
        ],
    };
    line_chart(&chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_catalog::Catalog;
    use selecta_model::ModelParams;
    use selecta_types::{AudioFeatures, PlaylistEntry, SeedMatch, Track};

    fn track(i: usize) -> Track {
        Track {
            id: format!("t{i}").into(),
            name: format!("Song {i}").into(),
            artists: vec![format!("Artist {i}").into()],
            features: AudioFeatures {
                energy: Some(i as f32 / 10.0).into(),
                valence: Some(1.0 - i as f32 / 10.0).into(),
                tempo: Some(60.0 + 12.0 * i as f32).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        }
    }

    fn entry(t: Track) -> PlaylistEntry {
        PlaylistEntry {
            track: t,
            score: 1.0,
            reason: Default::default(),
        }
    }

    #[test]
    fn the_map_places_tracks_and_seeds_and_the_flow_follows_the_order() {
        let model = Model::fit(
            Catalog::from_tracks((0..10).map(track).collect(), Vec::new()),
            &ModelParams::default(),
            &mut |_| {},
        )
        .unwrap();
        // Seeds: a catalog track, and one the catalog lacks estimated from t8 and t9; and one
        // estimated from nothing the model holds (left off the map).
        let outside = Track {
            id: "x".into(),
            name: "Elsewhere".into(),
            artists: vec!["Artist 8".into()],
            ..Track::default()
        };
        let lost = Track {
            id: "y".into(),
            ..Track::default()
        };
        let playlist = Playlist {
            name: "p".into(),
            seeds: vec![track(0), outside, lost],
            entries: vec![entry(track(1)), entry(track(5)), entry(track(2))],
            matches: vec![SeedMatch {
                given: "x".into(),
                matched_by: "proxy".into(),
                tracks: vec!["t8".into(), "t9".into()],
                estimated: true,
                note: None,
            }],
        };
        let charts = playlist_charts(&model, &playlist);
        assert_eq!(charts.placed, 5);
        assert!(charts.sound_map.contains("Seed: Artist 0 - Song 0"));
        assert!(charts.sound_map.contains("Seed: Artist 8 - Elsewhere"));
        assert!(charts.sound_map.contains("Artist 5 - Song 5"));
        // Energy of the entries in order: 0.1, 0.5, 0.2; tempo 72, 120, 84 BPM scale to
        // 0.1, 0.5, 0.2 of 60–180.
        for needle in [
            "energy at 1: 0.10",
            "energy at 2: 0.50",
            "energy at 3: 0.20",
            "mood (valence) at 2: 0.50",
            "BPM) at 3: 0.20",
        ] {
            assert!(charts.flow.contains(needle), "{needle} in {}", charts.flow);
        }
    }

    #[test]
    fn the_mean_of_no_vectors_is_none() {
        assert_eq!(mean(std::iter::empty()), None);
        assert_eq!(
            mean([vec![1.0, 2.0], vec![3.0, 6.0]].into_iter()),
            Some(vec![2.0, 4.0])
        );
    }
}
