//! Generated bad files, one per kind of problem: each import is refused (or, with
//! `skip_invalid`, reported) with a message naming the file, line, column and value.

use std::io::Write;
use std::path::{Path, PathBuf};

use selecta_catalog::{load_path, LoadError, LoadOptions, ProblemKind};

const HEADER: &str = "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";

/// A valid row of the bundled layout (values of a real row), with some columns replaced.
fn row(id: &str, changes: &[(&str, &str)]) -> String {
    let mut values = vec![
        id,
        "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
        "Ed Sheeran",
        "66",
        "2oCs0DGTsRO98Gh5ZSl2Cx",
        "I Don't Care (with Justin Bieber) [Loud Luxury Remix]",
        "2019-06-14",
        "Pop Remix",
        "37i9dQZF1DXcZDD7cfEKhW",
        "pop",
        "dance pop",
        "0.748",
        "0.916",
        "6",
        "-2.634",
        "1",
        "0.0583",
        "0.102",
        "0.0",
        "0.0653",
        "0.518",
        "122.036",
        "194754",
    ];
    let names: Vec<&str> = HEADER.split(',').collect();
    for (col, v) in changes {
        let at = names.iter().position(|n| n == col).unwrap();
        values[at] = v;
    }
    values
        .iter()
        .map(|v| {
            if v.contains(',') || v.contains('"') {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn csv(lines: &[String]) -> Vec<u8> {
    let mut s = HEADER.to_string();
    for l in lines {
        s.push('\n');
        s.push_str(l);
    }
    s.push('\n');
    s.into_bytes()
}

fn strict() -> LoadOptions {
    LoadOptions::default()
}

/// Loads a file that must be refused; returns the error and its message.
fn refused(path: &Path) -> (LoadError, String) {
    let err = load_path(path, &strict()).expect_err("the import must be refused");
    let msg = err.to_string();
    (err, msg)
}

#[test]
fn non_numeric_value_names_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "songs.csv",
        &csv(&[row("a", &[]), row("b", &[("danceability", "high")])]),
    );
    let (err, msg) = refused(&path);
    let file = path.display().to_string();
    assert!(
        msg.starts_with(&format!(
            "{file}: 1 of 2 rows are invalid (1 problem); nothing was imported."
        )),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "{file}:3: column `danceability`: value `high` is not a number"
        )),
        "{msg}"
    );
    let p = &err.problems()[0];
    assert_eq!(
        (p.line, p.column.as_deref(), p.value.as_deref()),
        (Some(3), Some("danceability"), Some("high"))
    );
}

#[test]
fn out_of_range_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("danceability", "1.5", "(allowed: 0 to 1)"),
        ("key", "12", "(allowed: -1 to 11)"),
        ("mode", "2", "(allowed: 0 to 1)"),
        ("track_popularity", "101", "(allowed: 0 to 100)"),
        ("duration_ms", "0", "(allowed: 1 to 86400000)"),
        ("tempo", "-3", "(allowed: 0 to 300)"),
        ("loudness", "120", "(allowed: -70 to 10)"),
    ];
    for (col, value, range) in cases {
        let path = write(dir.path(), "r.csv", &csv(&[row("a", &[(col, value)])]));
        let (err, msg) = refused(&path);
        let expected = format!(
            "{}:2: column `{col}`: value `{value}` is out of range {range}",
            path.display()
        );
        assert!(msg.contains(&expected), "{msg}");
        assert!(matches!(
            err.problems()[0].kind,
            ProblemKind::OutOfRange { .. }
        ));
    }
    let path = write(dir.path(), "k.csv", &csv(&[row("a", &[("key", "2.5")])]));
    assert!(refused(&path)
        .1
        .contains(":2: column `key`: value `2.5` is not a whole number"));
    let path = write(
        dir.path(),
        "d.csv",
        &csv(&[row("a", &[("track_album_release_date", "14/06/2019")])]),
    );
    assert!(refused(&path).1.contains(
        ":2: column `track_album_release_date`: value `14/06/2019` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    ));
}

#[test]
fn missing_required_column_names_column_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let header = HEADER.replace(",energy,", ",enrgy,");
    let text = format!("{header}\n{}\n", row("a", &[]));
    let path = write(dir.path(), "cols.csv", text.as_bytes());
    let (err, msg) = refused(&path);
    assert!(
        msg.starts_with(&format!(
            "{}:1: missing required column `energy` — did you mean `enrgy`?; the header has: track_id,",
            path.display()
        )),
        "{msg}"
    );
    let LoadError::MissingColumns { missing, .. } = err else {
        panic!()
    };
    assert_eq!(missing.len(), 1);
    // Several missing at once are all named.
    let text = "track_id,track_name\nx,y\n";
    let path = write(dir.path(), "few.csv", text.as_bytes());
    let (_, msg) = refused(&path);
    assert!(msg.contains("missing required columns `track_artist` (or `artist`, `artist_name`, `artists`, `artist_names`), `danceability`"), "{msg}");
}

#[test]
fn short_row_names_line_and_first_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let short: String = row("b", &[]).rsplitn(4, ',').last().unwrap().to_string();
    let path = write(dir.path(), "short.csv", &csv(&[row("a", &[]), short]));
    let (_, msg) = refused(&path);
    assert!(
        msg.contains(&format!(
            "{}:3: column `valence`: the row has 20 fields but the header has 23",
            path.display()
        )),
        "{msg}"
    );
}

#[test]
fn empty_file_and_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.csv", b"");
    let (err, msg) = refused(&path);
    assert!(matches!(err, LoadError::EmptyFile { .. }));
    assert_eq!(
        msg,
        format!(
            "{}: the file is empty (expected a CSV header line and rows)",
            path.display()
        )
    );
    let path = write(dir.path(), "bom.csv", b"\xEF\xBB\xBF\r\n");
    assert!(matches!(refused(&path).0, LoadError::EmptyFile { .. }));
    let path = write(dir.path(), "header.csv", format!("{HEADER}\r\n").as_bytes());
    let (err, msg) = refused(&path);
    assert!(matches!(err, LoadError::NoRows { .. }));
    assert_eq!(
        msg,
        format!(
            "{}: the file has a header line but no data rows",
            path.display()
        )
    );
}

#[test]
fn truncated_gzip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/spotify_songs.csv.gz"),
    )
    .unwrap();
    let path = write(dir.path(), "songs.csv.gz", &real[..real.len() / 3]);
    let (err, msg) = refused(&path);
    assert!(
        matches!(
            err,
            LoadError::Gzip {
                what: "truncated",
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.starts_with(&format!("{}: the gzip data is truncated", path.display())),
        "{msg}"
    );
    // Damaged in the middle rather than cut.
    let mut broken = real.clone();
    for b in &mut broken[1000..1100] {
        *b ^= 0x5a;
    }
    let path = write(dir.path(), "broken.csv.gz", &broken);
    let (err, msg) = refused(&path);
    assert!(matches!(err, LoadError::Gzip { .. }), "{msg}");
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.csv");
    let (err, msg) = refused(&path);
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(
        msg.starts_with(&format!("cannot read {}:", path.display())),
        "{msg}"
    );
}

#[test]
fn bom_and_crlf_keep_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "\u{FEFF}{HEADER}\r\n{}\r\n\r\n{}\r\n",
        row("a", &[]),
        row("b", &[("energy", "NaNa")])
    );
    let path = write(dir.path(), "crlf.csv", text.as_bytes());
    let (_, msg) = refused(&path);
    assert!(
        msg.contains(&format!(
            "{}:4: column `energy`: value `NaNa` is not a number",
            path.display()
        )),
        "{msg}"
    );
}

#[test]
fn many_problems_list_the_first_and_count_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows: Vec<String> = (0..30)
        .map(|i| row(&format!("t{i}"), &[("valence", "x")]))
        .collect();
    rows.push(row("ok", &[]));
    let path = write(dir.path(), "many.csv", &csv(&rows));
    let opts = LoadOptions {
        max_listed: 5,
        ..LoadOptions::default()
    };
    let err = load_path(&path, &opts).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("30 of 31 rows are invalid (30 problems)"),
        "{msg}"
    );
    assert_eq!(err.problems().len(), 5);
    assert_eq!(err.problems()[4].line, Some(6));
    assert!(msg.contains("… and 25 more"), "{msg}");
    assert!(msg.ends_with(
        "Fix these rows, or import with the skip-invalid option to keep only the valid rows."
    ));
}

#[test]
fn skip_invalid_imports_good_rows_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        row("a", &[]),
        row("b", &[("tempo", "fast")]),
        row("a", &[("playlist_id", "other"), ("playlist_genre", "edm")]),
        row("c", &[("tempo", "slow"), ("key", "13")]),
        "d,only,three".to_string(),
        row("e", &[("track_name", ""), ("track_artist", "")]),
    ];
    let path = write(dir.path(), "mixed.csv", &csv(&rows));
    // Strict: refused, nothing imported.
    assert!(matches!(
        load_path(&path, &strict()),
        Err(LoadError::Invalid {
            invalid_rows: 3,
            ..
        })
    ));

    let opts = LoadOptions {
        skip_invalid: true,
        ..LoadOptions::default()
    };
    let (catalog, report) = load_path(&path, &opts).unwrap();
    assert_eq!(
        (report.rows_read, report.rows_imported, report.rows_skipped),
        (6, 3, 3)
    );
    assert_eq!((report.tracks, report.playlists), (2, 2));
    let ids: Vec<&str> = catalog.tracks().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["a", "e"]);
    assert_eq!(catalog.get("a").unwrap().genres, ["pop", "edm"]);
    assert_eq!(catalog.get("e").unwrap().name, "");
    let reasons: Vec<(&str, usize)> = report
        .skipped
        .iter()
        .map(|r| (r.reason.as_str(), r.count))
        .collect();
    assert_eq!(
        reasons,
        [
            ("tempo: not a number", 2),
            ("key: out of range", 1),
            ("too few fields", 1)
        ]
    );
    assert_eq!(report.skipped[0].examples[1].line, Some(5));
    let text = report.to_string();
    assert!(
        text.starts_with(&format!(
            "{}: imported 3 of 6 rows as 2 tracks and 2 playlists; skipped 3 invalid rows:",
            path.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "2 × tempo: not a number (e.g. {}:3: column `tempo`: value `fast` is not a number)",
            path.display()
        )),
        "{text}"
    );

    // Nothing valid at all: refused even when skipping.
    let path = write(
        dir.path(),
        "bad.csv",
        &csv(&[row("b", &[("tempo", "fast")])]),
    );
    let err = load_path(&path, &opts).unwrap_err();
    assert!(matches!(err, LoadError::NoValidRows { .. }));
    assert!(err.to_string().starts_with(&format!(
        "{}: none of the 1 rows is valid; nothing was imported.",
        path.display()
    )));
}

#[test]
fn gzip_files_report_lines_of_the_uncompressed_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&csv(&[
        row("a", &[]),
        row("b", &[]),
        row("c", &[("energy", "-0.1")]),
    ]))
    .unwrap();
    let path = write(dir.path(), "songs.csv.gz", &enc.finish().unwrap());
    let (_, msg) = refused(&path);
    assert!(
        msg.contains(&format!(
            "{}:4: column `energy`: value `-0.1` is out of range",
            path.display()
        )),
        "{msg}"
    );
}
