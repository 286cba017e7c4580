//! A tiny-catalog builder shared by the layout and merge tests: a few tracks written as CSV in
//! the column names and cell conventions of one public data set.

use std::path::{Path, PathBuf};

use selecta_catalog::Layout;

/// One track to write; the builder fills audio features from `tempo`.
#[derive(Clone)]
pub struct Tiny {
    pub id: &'static str,
    pub name: &'static str,
    /// (name, Spotify artist id)
    pub artists: Vec<(&'static str, &'static str)>,
    pub album: &'static str,
    pub genre: &'static str,
    pub popularity: &'static str,
    pub release_date: &'static str,
    pub tempo: f64,
}

pub fn tiny(
    id: &'static str,
    name: &'static str,
    artists: &[(&'static str, &'static str)],
) -> Tiny {
    Tiny {
        id,
        name,
        artists: artists.to_vec(),
        album: "Greatest Hits",
        genre: "rock",
        popularity: "50",
        release_date: "1981-10-26",
        tempo: 114.0,
    }
}

/// The header of a layout, as the data set writes it.
pub fn header(layout: Layout) -> &'static str {
    match layout {
        Layout::Songs1_2M => "id,name,album,album_id,artists,artist_ids,track_number,disc_number,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature,year,release_date",
        Layout::Tracks600k => "id,name,popularity,duration_ms,explicit,artists,id_artists,release_date,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature",
        Layout::Data160k => "valence,year,acousticness,artists,danceability,duration_ms,energy,explicit,id,instrumentalness,key,liveness,loudness,mode,name,popularity,release_date,speechiness,tempo",
        Layout::SpotifyTracks114 => ",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre",
        _ => "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms",
    }
}

/// A Python `repr` of a string, as pandas writes list items: `'x'`, or `"x"` when the text
/// holds `'` but no `"`, else `'` with `\'` escapes.
pub fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

pub fn py_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(py_repr).collect();
    format!("[{}]", items.join(", "))
}

/// A CSV cell, quoted when it must be.
pub fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One data row of `t` in `layout` (`index` fills the 114-genre set's unnamed first column).
pub fn row(layout: Layout, t: &Tiny, index: usize) -> String {
    let names = || t.artists.iter().map(|a| a.0);
    let ids = || t.artists.iter().map(|a| a.1);
    // The 1.2M set writes year 0 beside an unknown `0000` date.
    let year = match t.release_date.get(..4) {
        Some("0000") | None => "0",
        Some(y) => y,
    };
    let f = |v: f64| v.to_string();
    let (dance, energy, key, loud, mode, speech, acoustic, instr, live, valence, tempo) = (
        "0.5",
        "0.8",
        "4",
        "-5.1",
        "1",
        "0.05",
        "0.1",
        "0",
        "0.2",
        "0.6",
        &f(t.tempo)[..],
    );
    let features = [
        dance, energy, key, loud, mode, speech, acoustic, instr, live, valence, tempo,
    ];
    let cells: Vec<String> = match layout {
        Layout::Songs1_2M => [t.id, t.name, t.album, "4gR3yVgz2jQzZbyhDa8Vfj"]
            .map(String::from)
            .into_iter()
            .chain([
                py_list(names()),
                py_list(ids()),
                "1".into(),
                "1".into(),
                "False".into(),
            ])
            .chain(features.map(String::from))
            .chain([
                "215000".into(),
                "4.0".into(),
                year.into(),
                t.release_date.into(),
            ])
            .collect(),
        Layout::Tracks600k => [t.id, t.name, t.popularity, "215000", "0"]
            .map(String::from)
            .into_iter()
            .chain([py_list(names()), py_list(ids()), t.release_date.into()])
            .chain(features.map(String::from))
            .chain(["4".into()])
            .collect(),
        Layout::Data160k => vec![
            valence.into(),
            year.into(),
            acoustic.into(),
            py_list(names()),
            dance.into(),
            "215000".into(),
            energy.into(),
            "0".into(),
            t.id.into(),
            instr.into(),
            key.into(),
            live.into(),
            loud.into(),
            mode.into(),
            t.name.into(),
            t.popularity.into(),
            t.release_date.into(),
            speech.into(),
            tempo.into(),
        ],
        Layout::SpotifyTracks114 => {
            let artists: Vec<&str> = names().collect();
            [
                &index.to_string()[..],
                t.id,
                &artists.join(";"),
                t.album,
                t.name,
                t.popularity,
                "215000",
                "False",
            ]
            .map(String::from)
            .into_iter()
            .chain(features.map(String::from))
            .chain(["4".into(), t.genre.into()])
            .collect()
        }
        _ => [
            t.id,
            t.name,
            t.artists.first().map_or("", |a| a.0),
            t.popularity,
            "4gR3yVgz2jQzZbyhDa8Vfj",
            t.album,
            t.release_date,
            "Rock Classics",
            "37i9dQZF1DWXRqgorJj26U",
            t.genre,
            "classic rock",
        ]
        .map(String::from)
        .into_iter()
        .chain(features.map(String::from))
        .chain(["215000".into()])
        .collect(),
    };
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    cells.join(",")
}

/// Writes `tracks` as `dir/name` in `layout`, plus any `extra` raw lines, and returns the path.
pub fn write_catalog(
    dir: &Path,
    name: &str,
    layout: Layout,
    tracks: &[Tiny],
    extra: &[&str],
) -> PathBuf {
    let mut text = format!("{}\n", header(layout));
    for (i, t) in tracks.iter().enumerate() {
        text.push_str(&row(layout, t, i));
        text.push('\n');
    }
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub const QUEEN: (&str, &str) = ("Queen", "1dfeR4HaWDbWqFHLkxsg1d");
pub const BOWIE: (&str, &str) = ("David Bowie", "0oSGxfWSnnOXhD2fKuz2Gy");
pub const GNR: (&str, &str) = ("Guns N' Roses", "3qm84nBOXUEQ2vnTfUTTFC");
