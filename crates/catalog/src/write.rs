//! Writes tracks as CSV in the column names and cell conventions of a public data set, so that
//! a synthetic catalog can be loaded (and merged) exactly as the real files are: the memory
//! and speed of `selecta fit` and `selecta serve` at scales the bundled data does not reach.
//!
//! Only what a layout carries is written (the 160k set has no artist ids, the 1.2M set no
//! popularity and no genres); what the loader reads back is what a real file of that layout
//! would give.

use std::io::Write;

use selecta_types::{AudioFeatures, Text, Track, AUDIO_FEATURE_NAMES};

use crate::layout::Layout;

/// The header of `layout`, as the data set writes it: its own columns around the audio
/// features, which every layout but the 160k set lists in [`AUDIO_FEATURE_NAMES`] order.
fn layout_header(layout: Layout) -> Vec<&'static str> {
    // danceability .. tempo; time_signature is placed by each layout.
    let features = &AUDIO_FEATURE_NAMES[..11];
    let around =
        |before: &[&'static str], after: &[&'static str]| [before, features, after].concat();
    match layout {
        Layout::Songs1_2M => around(
            &[
                "id",
                "name",
                "album",
                "album_id",
                "artists",
                "artist_ids",
                "track_number",
                "disc_number",
                "explicit",
            ],
            &["duration_ms", "time_signature", "year", "release_date"],
        ),
        Layout::Tracks600k => around(
            &[
                "id",
                "name",
                "popularity",
                "duration_ms",
                "explicit",
                "artists",
                "id_artists",
                "release_date",
            ],
            &["time_signature"],
        ),
        // Alphabetical, as that data set's columns are.
        Layout::Data160k => vec![
            "valence",
            "year",
            "acousticness",
            "artists",
            "danceability",
            "duration_ms",
            "energy",
            "explicit",
            "id",
            "instrumentalness",
            "key",
            "liveness",
            "loudness",
            "mode",
            "name",
            "popularity",
            "release_date",
            "speechiness",
            "tempo",
        ],
        Layout::SpotifyTracks114 => around(
            &[
                "",
                "track_id",
                "artists",
                "album_name",
                "track_name",
                "popularity",
                "duration_ms",
                "explicit",
            ],
            &["time_signature", "track_genre"],
        ),
        Layout::TidyTuesday | Layout::ByColumnName => around(
            &[
                "track_id",
                "track_name",
                "track_artist",
                "track_popularity",
                "track_album_id",
                "track_album_name",
                "track_album_release_date",
                "playlist_name",
                "playlist_id",
                "playlist_genre",
                "playlist_subgenre",
            ],
            &["duration_ms"],
        ),
    }
}

/// Writes `tracks` as CSV in `layout` (a header, then one row per track; [`Layout::ByColumnName`]
/// writes the TidyTuesday columns).
pub fn write_csv<W: Write>(tracks: &[Track], layout: Layout, out: W) -> csv::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(layout_header(layout))?;
    let mut row: Vec<String> = Vec::with_capacity(24);
    for (i, t) in tracks.iter().enumerate() {
        row.clear();
        cells(t, layout, i, &mut row);
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// One row of `t` in `layout`, in header order (`index` fills the 114-genre set's unnamed
/// first column).
fn cells(t: &Track, layout: Layout, index: usize, row: &mut Vec<String>) {
    let f = &t.features;
    let num = |v: Option<f32>| v.map(|v| v.to_string()).unwrap_or_default();
    let int = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    let duration = t.duration_ms.map(|d| d.to_string()).unwrap_or_default();
    let popularity = t
        .popularity
        .map(|p| format!("{}", p.round() as i64))
        .unwrap_or_default();
    let date = t
        .release_date
        .clone()
        .or_else(|| (t.year.map(|y| y.to_string())).map(Into::into))
        .unwrap_or_default();
    let year = t.year.map_or("0".into(), |y| y.to_string());
    let explicit_py = if t.explicit == Some(true) {
        "True"
    } else {
        "False"
    };
    let explicit_01 = if t.explicit == Some(true) { "1" } else { "0" };
    let genre = t.genres.first().map(Text::to_string).unwrap_or_default();
    let subgenre = t.subgenres.first().map(Text::to_string).unwrap_or_default();
    let album_id = t.album_id.clone().unwrap_or_default();
    let artists_py = py_list(&t.artists);
    let ids_py = py_list(&t.artist_ids);
    // danceability .. tempo, the order every layout but the 160k set writes them in.
    let features = |f: &AudioFeatures| {
        [
            num(f.danceability.get()),
            num(f.energy.get()),
            int(f.key),
            num(f.loudness.get()),
            int(f.mode),
            num(f.speechiness.get()),
            num(f.acousticness.get()),
            num(f.instrumentalness.get()),
            num(f.liveness.get()),
            num(f.valence.get()),
            num(f.tempo.get()),
        ]
    };
    match layout {
        Layout::Songs1_2M => {
            row.extend([
                t.id.to_string(),
                t.name.to_string(),
                t.album.to_string(),
                album_id.to_string(),
                artists_py,
                ids_py,
                "1".into(),
                "1".into(),
                explicit_py.into(),
            ]);
            row.extend(features(f));
            // The data set writes the time signature as a float, and year 0 for no date.
            row.extend([
                duration,
                f.time_signature
                    .map(|s| format!("{s}.0"))
                    .unwrap_or_default(),
                year,
                date.to_string(),
            ]);
        }
        Layout::Tracks600k => {
            row.extend([
                t.id.to_string(),
                t.name.to_string(),
                popularity,
                duration,
                explicit_01.into(),
                artists_py,
                ids_py,
                date.to_string(),
            ]);
            row.extend(features(f));
            row.push(int(f.time_signature));
        }
        Layout::Data160k => row.extend([
            num(f.valence.get()),
            year,
            num(f.acousticness.get()),
            artists_py,
            num(f.danceability.get()),
            duration,
            num(f.energy.get()),
            explicit_01.into(),
            t.id.to_string(),
            num(f.instrumentalness.get()),
            int(f.key),
            num(f.liveness.get()),
            num(f.loudness.get()),
            int(f.mode),
            t.name.to_string(),
            popularity,
            date.to_string(),
            num(f.speechiness.get()),
            num(f.tempo.get()),
        ]),
        Layout::SpotifyTracks114 => {
            row.extend([
                index.to_string(),
                t.id.to_string(),
                t.artists.join(";"),
                t.album.to_string(),
                t.name.to_string(),
                popularity,
                duration,
                explicit_py.into(),
            ]);
            row.extend(features(f));
            row.extend([int(f.time_signature), genre]);
        }
        Layout::TidyTuesday | Layout::ByColumnName => {
            row.extend([
                t.id.to_string(),
                t.name.to_string(),
                t.artists.first().map(Text::to_string).unwrap_or_default(),
                popularity,
                album_id.to_string(),
                t.album.to_string(),
                date.to_string(),
                String::new(),
                String::new(),
                genre,
                subgenre,
            ]);
            row.extend(features(f));
            row.push(duration);
        }
    }
}

/// A Python list literal of strings, as pandas writes list columns: `['A', "B's"]`.
fn py_list(items: &[Text]) -> String {
    let items: Vec<String> = items.iter().map(|s| py_repr(s)).collect();
    format!("[{}]", items.join(", "))
}

/// Python's `repr` of a string: `'x'`, or `"x"` when it holds `'` but no `"`, else `'...'`
/// with `\'` and `\\` escapes.
fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_csv_bytes, LoadOptions};

    fn track(id: &str, artists: &[(&str, &str)]) -> Track {
        Track {
            id: id.into(),
            name: "Under Pressure".into(),
            artists: artists.iter().map(|a| a.0.into()).collect(),
            artist_ids: artists.iter().map(|a| a.1.into()).collect(),
            album: "Hot Space".into(),
            album_id: Some("4gR3yVgz2jQzZbyhDa8Vfj".into()),
            release_date: Some("1982-05-21".into()),
            year: Some(1982),
            popularity: Some(71.0),
            duration_ms: Some(248_440),
            explicit: Some(false),
            genres: vec!["rock".into()],
            subgenres: vec!["classic rock".into()],
            features: AudioFeatures {
                danceability: Some(0.671).into(),
                energy: Some(0.712).into(),
                key: Some(2),
                loudness: Some(-7.815).into(),
                mode: Some(1),
                speechiness: Some(0.0476).into(),
                acousticness: Some(0.431).into(),
                instrumentalness: Some(0.0).into(),
                liveness: Some(0.103).into(),
                valence: Some(0.462).into(),
                tempo: Some(113.8).into(),
                time_signature: Some(4),
            },
            ..Track::default()
        }
    }

    fn round_trip(layout: Layout, tracks: &[Track]) -> Vec<Track> {
        let mut bytes = Vec::new();
        write_csv(tracks, layout, &mut bytes).unwrap();
        let (c, report) = load_csv_bytes("test.csv", &bytes, &LoadOptions::default()).unwrap();
        assert_eq!(report.layout, Some(layout), "{layout:?}");
        c.tracks().to_vec()
    }

    #[test]
    fn every_layout_reads_back_what_it_carries() {
        let queen = ("Queen", "1dfeR4HaWDbWqFHLkxsg1d");
        let bowie = ("David Bowie", "0oSGxfWSnnOXhD2fKuz2Gy");
        let gnr = ("Guns N' Roses", "3qm84nBOXUEQ2vnTfUTTFC");
        let tracks = [
            track("0VjIjW4GlUZAMYd2vXMi3b", &[queen, bowie]),
            track("7o2CTH4ctstm8TNelqjb51", &[gnr]),
        ];
        for layout in [
            Layout::Songs1_2M,
            Layout::Tracks600k,
            Layout::Data160k,
            Layout::SpotifyTracks114,
            Layout::TidyTuesday,
        ] {
            let back = round_trip(layout, &tracks);
            assert_eq!(back.len(), 2, "{layout:?}");
            let t = &back[0];
            assert_eq!(t.id, "0VjIjW4GlUZAMYd2vXMi3b");
            assert_eq!(t.name, "Under Pressure");
            assert_eq!(t.features.tempo, Some(113.8).into(), "{layout:?}");
            assert_eq!(t.features.key, Some(2), "{layout:?}");
            assert_eq!(t.duration_ms, Some(248_440), "{layout:?}");
            // The 114-genre set has no date column.
            let has_year = !matches!(layout, Layout::SpotifyTracks114);
            assert_eq!(t.year, has_year.then_some(1982), "{layout:?}");
            let single_artist = matches!(layout, Layout::TidyTuesday);
            if single_artist {
                assert_eq!(t.artists, ["Queen"]);
            } else {
                assert_eq!(t.artists, ["Queen", "David Bowie"], "{layout:?}");
            }
            assert_eq!(back[1].artists, ["Guns N' Roses"], "{layout:?}");
            let has_ids = matches!(layout, Layout::Songs1_2M | Layout::Tracks600k);
            if has_ids {
                assert_eq!(t.artist_ids, [queen.1, bowie.1], "{layout:?}");
            } else {
                assert!(t.artist_ids.is_empty(), "{layout:?}");
            }
            let has_popularity = !matches!(layout, Layout::Songs1_2M);
            assert_eq!(t.popularity, has_popularity.then_some(71.0), "{layout:?}");
        }
    }

    #[test]
    fn quotes_and_commas_survive() {
        let mut t = track(
            "35iwgR4jXetI318WEWsa1Q",
            &[("Sam \"Tex\" O'Neil, Jr", "45tIt06XoI0Iio4LBEVpls")],
        );
        t.name = "Carve, \"Live\"".into();
        for layout in [
            Layout::Songs1_2M,
            Layout::Tracks600k,
            Layout::SpotifyTracks114,
        ] {
            let back = round_trip(layout, std::slice::from_ref(&t));
            assert_eq!(back[0].name, t.name, "{layout:?}");
            assert_eq!(back[0].artists, t.artists, "{layout:?}");
        }
    }
}
