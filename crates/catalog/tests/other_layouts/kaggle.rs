//! The Kaggle layouts with list-literal artist columns and artist ids.

use selecta_catalog::{load_path, Layout, LoadOptions};

use super::tiny::{tiny, write_catalog, BOWIE, GNR, QUEEN};

fn lenient() -> LoadOptions {
    LoadOptions {
        skip_invalid: true,
        ..LoadOptions::default()
    }
}

#[test]
fn loads_the_1_2m_songs_layout_with_artist_ids() {
    let dir = tempfile::tempdir().unwrap();
    let mut unknown_year = tiny("2Dl8CRRSDqZlfCPwUTDKUA", "Untitled", &[QUEEN]);
    unknown_year.release_date = "0000";
    let tracks = [
        tiny("0VjIjW4GlUZAMYd2vXMi3b", "Under Pressure", &[QUEEN, BOWIE]),
        tiny("7o2CTH4ctstm8TNelqjb51", "Sweet Child O' Mine", &[GNR]),
        unknown_year,
    ];
    let path = write_catalog(
        dir.path(),
        "tracks_features.csv",
        Layout::Songs1_2M,
        &tracks,
        &[],
    );
    let (c, report) = load_path(&path, &LoadOptions::default()).unwrap();
    assert_eq!(report.layout, Some(Layout::Songs1_2M));
    assert_eq!((report.rows_read, report.tracks), (3, 3));
    assert!(
        report.to_string().ends_with("layout: Spotify 1.2M+ Songs"),
        "{report}"
    );

    let t = c.get("0VjIjW4GlUZAMYd2vXMi3b").unwrap();
    assert_eq!(t.artists, ["Queen", "David Bowie"]);
    assert_eq!(t.artist_ids, [QUEEN.1, BOWIE.1]);
    assert_eq!(t.album_id.as_deref(), Some("4gR3yVgz2jQzZbyhDa8Vfj"));
    assert_eq!((t.year, t.explicit), (Some(1981), Some(false)));
    assert_eq!(t.features.time_signature, Some(4));
    // An apostrophe inside a double-quoted item.
    let t = c.get("7o2CTH4ctstm8TNelqjb51").unwrap();
    assert_eq!(t.artists, ["Guns N' Roses"]);
    assert_eq!(t.artist_ids, [GNR.1]);
    // Year 0 with date 0000 is an unknown year, not a bad row.
    let t = c.get("2Dl8CRRSDqZlfCPwUTDKUA").unwrap();
    assert_eq!((t.year, t.release_date.as_deref()), (None, None));
    assert_eq!(c.resolve("guns n roses sweet child o mine").unwrap(), 1);
}

#[test]
fn loads_the_600k_and_160k_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let mut escaped = tiny(
        "35iwgR4jXetI318WEWsa1Q",
        "Carve",
        &[("Sam \"Tex\" O'Neil", "45tIt06XoI0Iio4LBEVpls")],
    );
    escaped.release_date = "1922";
    let tracks = [
        tiny("0VjIjW4GlUZAMYd2vXMi3b", "Under Pressure", &[QUEEN, BOWIE]),
        escaped,
    ];
    let path = write_catalog(dir.path(), "tracks.csv", Layout::Tracks600k, &tracks, &[]);
    let (c, report) = load_path(&path, &LoadOptions::default()).unwrap();
    assert_eq!(report.layout, Some(Layout::Tracks600k));
    let t = c.get("35iwgR4jXetI318WEWsa1Q").unwrap();
    assert_eq!(t.artists, ["Sam \"Tex\" O'Neil"]);
    assert_eq!(t.artist_ids, ["45tIt06XoI0Iio4LBEVpls"]);
    assert_eq!(
        (t.year, t.explicit, t.popularity),
        (Some(1922), Some(false), Some(50.0))
    );
    assert_eq!(c.get("0VjIjW4GlUZAMYd2vXMi3b").unwrap().artist_ids.len(), 2);

    let path = write_catalog(dir.path(), "data.csv", Layout::Data160k, &tracks, &[]);
    let (c, report) = load_path(&path, &LoadOptions::default()).unwrap();
    assert_eq!(report.layout, Some(Layout::Data160k));
    let t = c.get("0VjIjW4GlUZAMYd2vXMi3b").unwrap();
    assert_eq!(t.artists, ["Queen", "David Bowie"]);
    assert!(t.artist_ids.is_empty());
    assert_eq!(t.name, "Under Pressure");
}

#[test]
fn broken_lists_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let good = tiny("0VjIjW4GlUZAMYd2vXMi3b", "Under Pressure", &[QUEEN, BOWIE]);
    let features = "0.5,0.8,4,-5.1,1,0.05,0.1,0,0.2,0.6,114,4";
    let unclosed = format!("1111111111111111111111,A,5,200000,0,\"['Queen\",['1dfeR4HaWDbWqFHLkxsg1d'],1999,{features}");
    // Two names, one id: the ids cannot be paired, so the track keeps its names only.
    let unpaired = format!("2222222222222222222222,B,5,200000,0,\"['Queen', 'David Bowie']\",['1dfeR4HaWDbWqFHLkxsg1d'],1999,{features}");
    let not_ids =
        format!("3333333333333333333333,C,5,200000,0,['Queen'],['queen'],1999,{features}");
    let path = write_catalog(
        dir.path(),
        "tracks.csv",
        Layout::Tracks600k,
        &[good],
        &[&unclosed, &unpaired, &not_ids],
    );
    let err = load_path(&path, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        format!(
            "{}:3: column `artists`: value `['Queen` is not a list like ['A', 'B']: the list is not closed with `]`",
            path.display()
        )
    );
    assert_eq!(err.problems().len(), 1);

    let (c, report) = load_path(&path, &lenient()).unwrap();
    assert_eq!((report.rows_read, report.rows_skipped, c.len()), (4, 1, 3));
    assert_eq!(report.skipped[0].reason, "artists: not a list");
    assert_eq!(report.artist_ids_dropped, 2);
    let t = c.get("2222222222222222222222").unwrap();
    assert_eq!(t.artists, ["Queen", "David Bowie"]);
    assert!(t.artist_ids.is_empty());
    assert!(c
        .get("3333333333333333333333")
        .unwrap()
        .artist_ids
        .is_empty());
    assert!(
        report
            .to_string()
            .contains("2 rows kept their artists without artist ids"),
        "{report}"
    );
}
