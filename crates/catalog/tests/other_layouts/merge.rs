//! Several catalogs merged into one: one entry per track id, first source wins.

use selecta_catalog::{catalog_files, load_merged, Layout, LoadOptions};

use super::tiny::{tiny, write_catalog, BOWIE, GNR, QUEEN};

const PRESSURE: &str = "0VjIjW4GlUZAMYd2vXMi3b";
const SWEET: &str = "7o2CTH4ctstm8TNelqjb51";
const BOHEMIAN: &str = "4u7EnebtmKWzUH433cf5Qv";

/// Three small catalogs in three layouts that overlap on two tracks.
fn three_catalogs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut a_pressure = tiny(PRESSURE, "Under Pressure", &[QUEEN, BOWIE]);
    a_pressure.popularity = "80";
    a_pressure.genre = "";
    let a = write_catalog(
        dir,
        "a_tracks.csv",
        Layout::Tracks600k,
        &[a_pressure, tiny(SWEET, "Sweet Child O' Mine", &[GNR])],
        &[],
    );

    let mut b_pressure = tiny(
        PRESSURE,
        "Under Pressure - Remastered 2011",
        &[QUEEN, BOWIE],
    );
    b_pressure.popularity = "12";
    b_pressure.genre = "classic rock";
    let mut b_pressure_pop = b_pressure.clone();
    b_pressure_pop.genre = "pop";
    let b = write_catalog(
        dir,
        "b_dataset.csv",
        Layout::SpotifyTracks114,
        &[
            b_pressure,
            b_pressure_pop,
            tiny(BOHEMIAN, "Bohemian Rhapsody", &[QUEEN]),
        ],
        &["99,broken,Queen,X,Y,5,1,False,0.5,0.5,1,-5,1,0,0,0,0,0,abc,4,rock"],
    );

    let mut c_sweet = tiny(SWEET, "Sweet Child O' Mine", &[GNR]);
    c_sweet.genre = "hard rock";
    let c = write_catalog(dir, "c_songs.csv", Layout::TidyTuesday, &[c_sweet], &[]);
    vec![a, b, c]
}

fn lenient() -> LoadOptions {
    LoadOptions {
        skip_invalid: true,
        ..LoadOptions::default()
    }
}

#[test]
fn merges_files_into_one_entry_per_track() {
    let dir = tempfile::tempdir().unwrap();
    let files = three_catalogs(dir.path());
    // The broken row of b refuses the merge unless invalid rows are skipped.
    let err = load_merged(&files, &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("b_dataset.csv: 1 of 4 rows are invalid"),
        "{err}"
    );

    let (c, r) = load_merged(&files, &lenient()).unwrap();
    assert_eq!((c.len(), r.tracks, r.playlists), (3, 3, 1));
    let counts: Vec<(usize, usize)> = r
        .sources
        .iter()
        .map(|s| (s.new_tracks, s.duplicates_merged))
        .collect();
    assert_eq!(counts, [(2, 0), (1, 1), (0, 1)]);
    assert_eq!((r.duplicates_merged(), r.rows_refused()), (2, 1));
    assert_eq!(r.sources[1].report.layout, Some(Layout::SpotifyTracks114));

    // The first file wins on title and popularity; the second fills the album; genres union.
    let t = c.get(PRESSURE).unwrap();
    assert_eq!(t.name, "Under Pressure");
    assert_eq!(t.popularity, Some(80.0));
    assert_eq!(t.album, "Greatest Hits");
    assert_eq!(t.artist_ids, [QUEEN.1, BOWIE.1]);
    assert_eq!(t.genres, ["classic rock", "pop"]);
    let t = c.get(SWEET).unwrap();
    assert_eq!(t.genres, ["hard rock"]);
    assert_eq!(t.subgenres, ["classic rock"]);
    assert_eq!(t.album_id.as_deref(), Some("4gR3yVgz2jQzZbyhDa8Vfj"));
    assert_eq!(c.playlists()[0].track_ids, [SWEET]);
    assert_eq!(c.resolve("queen bohemian rhapsody").unwrap(), 2);

    let text = r.to_string();
    assert!(
        text.starts_with(
            "merged 3 catalogs into 3 tracks and 1 playlists (2 duplicates merged, 1 rows refused)"
        ),
        "{text}"
    );
    assert!(text.contains("b_dataset.csv: 1 new tracks, 1 already in an earlier catalog, 1 of 4 rows refused (Spotify Tracks Dataset (114 genres))"), "{text}");

    // Another order, another winner.
    let reversed: Vec<_> = files.iter().rev().collect();
    let (c, _) = load_merged(&reversed, &lenient()).unwrap();
    assert_eq!(
        c.get(PRESSURE).unwrap().name,
        "Under Pressure - Remastered 2011"
    );
    assert_eq!(c.get(PRESSURE).unwrap().popularity, Some(12.0));
}

#[test]
fn a_folder_stands_for_its_csv_files_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let files = three_catalogs(dir.path());
    std::fs::write(dir.path().join("notes.txt"), "not a catalog").unwrap();
    std::fs::write(dir.path().join(".~lock.a_tracks.csv#"), "lock").unwrap();
    std::fs::create_dir(dir.path().join("old.csv")).unwrap();
    assert_eq!(catalog_files(dir.path()).unwrap(), files);
    assert_eq!(catalog_files(&files[0]).unwrap(), [files[0].clone()]);

    let (by_folder, r1) = load_merged(&[dir.path()], &lenient()).unwrap();
    let (by_files, r2) = load_merged(&files, &lenient()).unwrap();
    assert_eq!(by_folder.tracks(), by_files.tracks());
    assert_eq!(r1, r2);

    // A folder without CSV files is a meta.json tree, refused as such when it has none.
    let empty = tempfile::tempdir().unwrap();
    let err = load_merged(&[empty.path()], &lenient()).unwrap_err();
    assert!(
        err.to_string().contains("no meta.json files found"),
        "{err}"
    );
}
