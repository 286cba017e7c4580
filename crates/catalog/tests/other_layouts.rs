//! Other inputs than the bundled file: the 114-genre "Spotify Tracks Dataset" layout, and the
//! seed's `tracks/<genre>/<artist_track>/meta.json` tree from a folder and from objects, the
//! Kaggle layouts with list-literal artists (`kaggle`), and merges of several files (`merge`).

#[path = "other_layouts/kaggle.rs"]
mod kaggle;
#[path = "other_layouts/merge.rs"]
mod merge;
#[path = "other_layouts/tiny.rs"]
mod tiny;

use std::path::Path;

use selecta_catalog::{
    load_meta_dir, load_meta_objects, load_path, LoadError, LoadOptions, TrackDetails, TrackMeta,
};

/// Rows in the 114-genre layout: an unnamed index column, `;`-joined artists, `explicit`,
/// `time_signature`, one genre per row (a track listed under two genres appears twice).
const GENRES_114: &str = "\
,track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre
0,5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino,Comedy,Comedy,73,230666,False,0.676,0.461,1,-6.746,0,0.143,0.0322,1.01e-06,0.358,0.715,87.917,4,acoustic
1,4qPNDBW1i3p13qLCt0Ki3A,Ben Woodward,Ghost (Acoustic),Ghost - Acoustic,55,149610,False,0.42,0.166,1,-17.235,1,0.0763,0.924,5.56e-06,0.101,0.267,77.489,4,acoustic
2,1iJBSr7s7jYXzM8EGcbK5b,Ingrid Michaelson;ZAYN,To Begin Again,To Begin Again,57,210826,False,0.438,0.359,0,-9.734,1,0.0557,0.21,0,0.117,0.12,76.332,4,acoustic
3,6lfxq3CG4xtTiEg7opyCyx,Kina Grannis,\"Crazy Rich Asians (Original Motion Picture Soundtrack)\",Can't Help Falling In Love,71,201933,False,0.266,0.0596,0,-18.515,1,0.0363,0.905,7.07e-05,0.132,0.143,181.74,3,acoustic
20001,1iJBSr7s7jYXzM8EGcbK5b,Ingrid Michaelson;ZAYN,To Begin Again,To Begin Again,57,210826,False,0.438,0.359,0,-9.734,1,0.0557,0.21,0,0.117,0.12,76.332,4,pop
65900,7mULVp0DJrI2Nd6GesLvxn,Joshua Hyslop,Where I Belong,Do Not Let Me Go,0,0.5,True,0.0,0.0,-1,-23.1,0,0.0,0.0,0.0,0.0,0.0,0.0,0,j-pop
";

#[test]
fn loads_the_114_genre_layout_by_column_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dataset.csv");
    std::fs::write(&path, GENRES_114).unwrap();
    // The last row has duration_ms 0.5: refused, with its line.
    let err = load_path(&path, &LoadOptions::default()).unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert_eq!(
        err.problems()[0].to_string(),
        format!(
            "{}:7: column `duration_ms`: value `0.5` is not a whole number",
            path.display()
        )
    );

    let fixed = GENRES_114.replace(",0,0.5,True,", ",0,217000,True,");
    std::fs::write(&path, fixed).unwrap();
    let (c, report) = load_path(&path, &LoadOptions::default()).unwrap();
    assert_eq!(
        (report.rows_read, report.tracks, report.playlists),
        (6, 5, 0)
    );
    assert!(c.playlists().is_empty());

    let t = c.get("1iJBSr7s7jYXzM8EGcbK5b").unwrap();
    assert_eq!(t.artists, ["Ingrid Michaelson", "ZAYN"]);
    assert_eq!(t.genres, ["acoustic", "pop"]);
    assert_eq!(t.explicit, Some(false));
    assert_eq!(t.features.time_signature, Some(4));
    assert_eq!(t.features.instrumentalness.get(), Some(0.0));
    assert_eq!(t.year, None);

    let t = c.get("5SuOikwiRyPMVoIQDJUgSV").unwrap();
    assert_eq!((t.name.as_str(), t.album.as_str()), ("Comedy", "Comedy"));
    assert_eq!(t.popularity, Some(73.0));
    assert_eq!(t.duration_ms, Some(230_666));
    assert_eq!(t.features.instrumentalness.get(), Some(1.01e-06));
    let t = c.get("6lfxq3CG4xtTiEg7opyCyx").unwrap();
    assert_eq!(
        t.album,
        "Crazy Rich Asians (Original Motion Picture Soundtrack)"
    );

    // The all-zero row is an analysis failure: its zeros are missing values; key -1 and
    // time signature 0 mean unknown.
    let t = c.get("7mULVp0DJrI2Nd6GesLvxn").unwrap();
    assert_eq!(t.explicit, Some(true));
    let f = &t.features;
    assert_eq!(
        (
            f.tempo.get(),
            f.danceability.get(),
            f.energy.get(),
            f.valence.get()
        ),
        (None, None, None, None)
    );
    assert_eq!((f.key, f.time_signature, f.mode), (None, None, Some(0)));
    assert_eq!(f.loudness.get(), Some(-23.1));

    assert_eq!(c.resolve("Ingrid Michaelson - To Begin Again").unwrap(), 2);
    assert_eq!(c.resolve("zayn to begin again").unwrap(), 2);
    assert_eq!(
        c.resolve("Kina Grannis - Cant Help Falling in Love")
            .unwrap(),
        3
    );
}

fn meta(id: &str, name: &str, artists: &[&str], genres: &[&str], tempo: f64) -> TrackMeta {
    TrackMeta {
        album_name: Some(format!("{name} (Single)")),
        album_id: Some("1ZJmq1V4Ktu1HbJmIGDMBt".into()),
        album_release_date: Some("2011-03-08".into()),
        artist_name: artists.iter().map(|a| a.to_string()).collect(),
        artist_id: vec!["3q7HBObVc0L8jNeTe5Gofh".into()],
        track_id: id.into(),
        track_name: name.into(),
        genres: genres.iter().map(|g| g.to_string()).collect(),
        track_details: TrackDetails {
            popularity: Some(61.0),
            duration_ms: Some(215_000.0),
            danceability: Some(0.61),
            energy: Some(0.8),
            key: Some(7.0),
            loudness: Some(-4.2),
            mode: Some(1.0),
            tempo: Some(tempo),
            ..TrackDetails::default()
        },
    }
}

/// Writes `tracks/<genre>/<folder>/{meta.json, audio.mp3}` under `root`.
fn put(root: &Path, genre: &str, folder: &str, meta_json: &[u8]) {
    let dir = root.join("tracks").join(genre).join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("meta.json"), meta_json).unwrap();
    std::fs::write(dir.join("audio.mp3"), [0xff, 0xfb, 0x90, 0x00]).unwrap();
}

fn seed_tree(root: &Path) {
    let json = |m: &TrackMeta| serde_json::to_vec_pretty(m).unwrap();
    put(
        root,
        "pop",
        "Outta_Control_-_Remix50_Cent",
        &json(&meta(
            "1ajFIBCYvYZZRSK2zKjoHJ",
            "Outta Control - Remix",
            &["50 Cent", "Mobb Deep"],
            &["unknown"],
            94.0,
        )),
    );
    put(
        root,
        "rap",
        "Outta_Control_-_Remix50_Cent",
        &json(&meta(
            "1ajFIBCYvYZZRSK2zKjoHJ",
            "Outta Control - Remix",
            &["50 Cent", "Mobb Deep"],
            &["east coast hip hop"],
            94.0,
        )),
    );
    put(
        root,
        "rock",
        "Song_2Blur",
        &json(&meta(
            "1FTSo4v6BOZH9QxKc3MbVM",
            "Song 2 - 2012 Remaster",
            &["Blur"],
            &[],
            0.0,
        )),
    );
}

#[test]
fn loads_the_seed_meta_tree_from_a_folder_and_from_objects() {
    let dir = tempfile::tempdir().unwrap();
    seed_tree(dir.path());
    let (c, report) = load_meta_dir(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(
        (report.rows_read, report.rows_imported, report.tracks),
        (3, 3, 2)
    );
    let t = c.get("1ajFIBCYvYZZRSK2zKjoHJ").unwrap();
    assert_eq!(t.artists, ["50 Cent", "Mobb Deep"]);
    // The folder genres plus the meta's own, without the pydantic default "unknown".
    assert_eq!(t.genres, ["pop", "rap", "east coast hip hop"]);
    assert_eq!(
        (t.year, t.popularity, t.duration_ms),
        (Some(2011), Some(61.0), Some(215_000))
    );
    assert_eq!(t.album, "Outta Control - Remix (Single)");
    let blur = c.get("1FTSo4v6BOZH9QxKc3MbVM").unwrap();
    assert_eq!(blur.genres, ["rock"]);
    assert_eq!(blur.features.tempo.get(), None);
    assert_eq!(
        c.resolve("blur - song 2").unwrap(),
        c.index_of("1FTSo4v6BOZH9QxKc3MbVM").unwrap()
    );

    // A path to a folder is read the same way.
    let (same, _) = load_path(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(same.tracks(), c.tracks());

    // The same objects as an object store would list them (keys relative to the bucket).
    let mut objects = Vec::new();
    for genre in ["pop", "rap", "rock"] {
        for entry in std::fs::read_dir(dir.path().join("tracks").join(genre)).unwrap() {
            let folder = entry.unwrap().path();
            for file in ["audio.mp3", "meta.json"] {
                let key = format!(
                    "tracks/{genre}/{}/{file}",
                    folder.file_name().unwrap().to_str().unwrap()
                );
                objects.push((key, std::fs::read(folder.join(file)).unwrap()));
            }
        }
    }
    objects.reverse(); // listing order does not matter
    let (from_objects, report) = load_meta_objects(objects, &LoadOptions::default()).unwrap();
    assert_eq!(from_objects.tracks(), c.tracks());
    assert_eq!(report.source_name, "tracks/");
}

#[test]
fn bad_meta_files_are_named_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    seed_tree(dir.path());
    let mut bad = meta(
        "2xLMifQCjDGFmkHkpNLD9h",
        "Sicko Mode",
        &["Travis Scott"],
        &["rap"],
        155.0,
    );
    bad.track_details.valence = Some(1.4);
    put(
        dir.path(),
        "rap",
        "Sicko_ModeTravis_Scott",
        &serde_json::to_vec_pretty(&bad).unwrap(),
    );
    put(
        dir.path(),
        "rap",
        "BrokenArtist",
        b"{\n  \"track_id\": \"x\",\n  \"track_name\": \"y\"\n",
    );
    put(
        dir.path(),
        "rap",
        "TypedArtist",
        b"{\"track_id\": \"z\",\n \"track_details\": {\"tempo\": \"fast\"}}",
    );

    let err = load_meta_dir(dir.path(), &LoadOptions::default()).unwrap_err();
    let LoadError::Invalid {
        invalid_rows,
        rows_read,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((*invalid_rows, *rows_read), (3, 6));
    let msgs: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    let file = |folder: &str| {
        dir.path()
            .join("tracks/rap")
            .join(folder)
            .join("meta.json")
            .display()
            .to_string()
    };
    assert!(
        msgs[0].starts_with(&format!(
            "{}:4: invalid JSON: EOF while parsing an object",
            file("BrokenArtist")
        )),
        "{msgs:?}"
    );
    let valence_line = serde_json::to_string_pretty(&bad)
        .unwrap()
        .lines()
        .position(|l| l.contains("\"valence\""))
        .unwrap()
        + 1;
    assert_eq!(
        msgs[1],
        format!(
            "{}:{valence_line}: field `track_details.valence`: value `1.4` is out of range (allowed: 0 to 1)",
            file("Sicko_ModeTravis_Scott")
        )
    );
    assert_eq!(
        msgs[2],
        format!(
            "{}:2: field `track_details.tempo`: invalid type: string \"fast\", expected f64",
            file("TypedArtist")
        )
    );

    let opts = LoadOptions {
        skip_invalid: true,
        ..LoadOptions::default()
    };
    let (c, report) = load_meta_dir(dir.path(), &opts).unwrap();
    assert_eq!((c.len(), report.rows_skipped), (2, 3));

    let empty = tempfile::tempdir().unwrap();
    let err = load_meta_dir(empty.path(), &opts).unwrap_err();
    assert!(matches!(err, LoadError::NoMetaFiles { .. }));
    assert!(err.to_string().contains("no meta.json files found"));
}
