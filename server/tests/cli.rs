//! The `selecta` command line on the real catalog: fit, recommend, describe, and their errors.

mod common;

use common::*;
use selecta_types::Playlist;

#[test]
fn fit_writes_one_complete_artifact() {
    let model = fitted_model();
    let dir = model.parent().unwrap();
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["model.selecta"],
        "no temporary files left behind"
    );
    assert!(std::fs::metadata(&model).unwrap().len() > 1_000_000);
}

#[test]
fn recommend_json_from_text_and_id_seeds() {
    let o = run(selecta()
        .args(["recommend", "--model"])
        .arg(fitted_model())
        .args([
            "--seed",
            "ed sheeran - i dont care",
            "--seed",
            "spotify:track:0r7CVbZTWZgbTCYdfa2P31",
        ])
        .args(["-n", "12", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Playlist = serde_json::from_str(&stdout(&o)).expect("JSON playlist");
    assert_eq!(p.entries.len(), 12);
    assert_eq!(p.seeds.len(), 2);
    let seed_ids: Vec<&str> = p.seeds.iter().map(|t| t.id.as_str()).collect();
    assert!(seed_ids.contains(&"0r7CVbZTWZgbTCYdfa2P31"));
    for e in &p.entries {
        assert!(!seed_ids.contains(&e.track.id.as_str()), "a seed came back");
        assert!(!e.reason.text.is_empty(), "every track says why");
    }
    let mut ids: Vec<&str> = p.entries.iter().map(|e| e.track.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12, "no duplicates");
}

#[test]
fn reading_another_model_leaves_the_served_one_alone() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("model.selecta");
    std::fs::write(&cache, b"the model serve starts from").unwrap();
    for command in ["recommend", "describe"] {
        let mut cmd = selecta();
        cmd.arg(command).arg("--model").arg(fitted_model());
        cmd.arg("--model-cache").arg(&cache);
        match command {
            "recommend" => cmd.args(["--seed", "ed sheeran - i dont care", "-n", "3"]),
            _ => cmd.arg("ed sheeran - i dont care"),
        };
        let o = run(&mut cmd);
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        assert_eq!(
            std::fs::read(&cache).unwrap(),
            b"the model serve starts from",
            "{command} rewrote --model-cache"
        );
    }
}

#[test]
fn recommend_table_honours_filters() {
    let o = run(selecta()
        .args(["recommend", "--model"])
        .arg(fitted_model())
        .args([
            "--seed",
            "Ed Sheeran - Shape of You",
            "-n",
            "8",
            "--min",
            "energy=0.7",
            "--json",
        ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Playlist = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(!p.entries.is_empty());
    for e in &p.entries {
        assert!(
            e.track.features.energy.get().unwrap() >= 0.7,
            "{:?}",
            e.track.features
        );
    }
    let o = run(selecta()
        .args(["recommend", "--model"])
        .arg(fitted_model())
        .args([
            "--seed",
            "Ed Sheeran - Shape of You",
            "-n",
            "5",
            "--order",
            "flow",
        ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("5 tracks from 1 seed"), "{text}");
    assert!(text.contains("  1. ") && text.contains("  5. "), "{text}");
}

#[test]
fn unknown_seed_fails_with_suggestions() {
    let o = run(selecta()
        .args(["recommend", "--model"])
        .arg(fitted_model())
        .args(["--seed", "Ed Sheran - I Dont Car", "--seed", "zzqx - qqzzx"]));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("--seed `zzqx - qqzzx`"), "{err}");
    assert!(err.contains("no track matches"), "{err}");
}

#[test]
fn bad_options_name_the_flag() {
    let o = run(selecta()
        .args(["recommend", "--model"])
        .arg(fitted_model())
        .args(["--seed", "Ed Sheeran - Shape of You", "--max", "tempo=fast"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--max `tempo=fast`"), "{}", stderr(&o));

    let o = run(selecta()
        .args(["recommend", "--model"])
        .arg(fitted_model())
        .args(["--seed", "Ed Sheeran - Shape of You", "-n", "0"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("length"), "{}", stderr(&o));
}

#[test]
fn describe_prints_a_card_with_neighbours() {
    let o = run(selecta()
        .args(["describe", "--model"])
        .arg(fitted_model())
        .args([
            "https://open.spotify.com/track/0r7CVbZTWZgbTCYdfa2P31?si=abc",
            "-k",
            "3",
        ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("similar:"), "{text}");
    assert!(text.contains("energy"), "{text}");
    assert_eq!(
        text.lines().skip_while(|l| !l.contains("similar:")).count(),
        4,
        "{text}"
    );
}

/// The header of the bundled catalog's layout (TidyTuesday spotify_songs).
const TIDY_HEADER: &str = "track_id,track_name,track_artist,track_popularity,track_album_id,\
    track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,\
    playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,\
    instrumentalness,liveness,valence,tempo,duration_ms\n";

#[test]
fn fit_learns_the_weights_and_the_ranker_when_the_catalog_has_playlists() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("two-playlists.csv");
    let mut text = String::from(TIDY_HEADER);
    // Two playlists of 12 tracks, each by two artists of its own.
    for i in 0..24 {
        let (p, a) = (i / 12, i / 6);
        text.push_str(&format!(
            "{:0>22},Song {i},Artist {a},{},alb{a:0>19},Album {a},2019-06-14,P{p},pl{p},pop,dance pop,\
             0.{},0.{},{},-5.0,1,0.05,0.1,0,0.1,0.5,{},200000\n",
            format!("t{i}"),
            40 + i,
            30 + 2 * i,
            90 - 3 * i,
            i % 12,
            90 + 3 * i,
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let out = dir.path().join("m.selecta");
    let o = run(selecta()
        .args(["fit", "--catalog"])
        .arg(&csv)
        .arg("--out")
        .arg(&out));
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("learning the scoring weights and the ranker"),
        "{err}"
    );
    assert!(err.contains("learned a ranker of 120 trees"), "{err}");
    let o = run(selecta()
        .args(["fit", "--no-learn", "--catalog"])
        .arg(&csv)
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("learn"), "{}", stderr(&o));
    let o = run(selecta()
        .args(["fit", "--learn", "--no-learn", "--catalog"])
        .arg(&csv)
        .arg("--out")
        .arg(&out));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--no-learn"), "{}", stderr(&o));
    // The bench times its synthetic playlists again with what learning found here.
    let o = run(selecta()
        .args([
            "bench",
            "--tracks",
            "3000",
            "--queries",
            "3",
            "--learned",
            "--json",
        ])
        .arg("--catalog")
        .arg(&csv));
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (median, p95) = (
        report["learned_query_median_ms"].as_f64().unwrap(),
        report["learned_query_p95_ms"].as_f64().unwrap(),
    );
    assert!(median > 0.0 && median <= p95, "{report}");
}

#[test]
fn a_bad_catalog_is_refused_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    let mut text = String::from(TIDY_HEADER);
    text.push_str("6f807x0ima9a1j3VPbc7VN,Song,Artist,66,2oCs0DGTsRO98Gh5ZSl2Cx,Album,2019-06-14,P,pl1,pop,dance pop,0.748,0.916,6,-2.634,1,0.0583,0.102,0,0.0653,0.518,122.036,194754\n");
    text.push_str("0r7CVbZTWZgbTCYdfa2P31,Song 2,Artist 2,67,63rPSO264uRjW1X5E6cWv6,Album 2,2019-12-13,P,pl1,pop,dance pop,loud,0.815,11,-4.969,1,0.0373,0.0724,0.00421,0.357,0.693,99.972,162600\n");
    std::fs::write(&csv, text).unwrap();
    let out = dir.path().join("model.selecta");
    let o = run(selecta()
        .args(["fit", "--catalog"])
        .arg(&csv)
        .arg("--out")
        .arg(&out));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.csv:3"), "file and line: {err}");
    assert!(err.contains("danceability"), "{err}");
    assert!(err.contains("loud"), "{err}");
    assert!(!out.exists(), "nothing written on a refused import");

    // With --skip-invalid the good row is imported and the model written.
    let o = run(selecta()
        .args(["fit", "--skip-invalid", "--catalog"])
        .arg(&csv)
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.exists());
}

#[test]
fn a_corrupt_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fitted_model()).unwrap();
    let truncated = dir.path().join("truncated.selecta");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let o = run(selecta()
        .args(["describe", "--model"])
        .arg(&truncated)
        .arg("--model-cache")
        .arg(dir.path().join("cache.selecta"))
        .arg("Ed Sheeran - Shape of You"));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn fit_merges_several_catalogs_and_reports_each() {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.csv");
    // Two tracks the bundled catalog lacks, and one it holds (its values stay the bundled ones).
    std::fs::write(
        &extra,
        "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,\
track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,\
energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms\n\
5ExtraTrack000000000001,Paper Harbour,Lumen Avenue,40,5ExtraAlbum000000000001,Harbour,2021-04-02,\
Mine,5ExtraList0000000000001,pop,indie poptimism,0.61,0.72,5,-6.1,1,0.04,0.12,0.0,0.11,0.55,118.0,201000\n\
5ExtraTrack000000000002,Copper Tides,Lumen Avenue,35,5ExtraAlbum000000000001,Harbour,2021-04-02,\
Mine,5ExtraList0000000000001,pop,indie poptimism,0.58,0.66,7,-7.0,0,0.05,0.20,0.0,0.09,0.48,122.0,189000\n\
0r7CVbZTWZgbTCYdfa2P31,Changed Title,Somebody,1,5ExtraAlbum000000000009,X,2020-01-01,\
Mine,5ExtraList0000000000001,pop,indie poptimism,0.1,0.1,1,-20.0,1,0.5,0.5,0.5,0.5,0.5,60.0,100000\n",
    )
    .unwrap();
    let out = dir.path().join("merged.selecta");
    let o = run(selecta()
        .args(["fit", "--no-learn", "--catalog"])
        .arg(catalog())
        .arg("--catalog")
        .arg(&extra)
        .arg("--out")
        .arg(&out));
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("merged 2 catalogs into 28358 tracks"), "{err}");
    assert!(
        err.contains("extra.csv: 2 new tracks, 1 already in an earlier catalog"),
        "{err}"
    );

    let o = run(selecta().args(["recommend", "--model"]).arg(&out).args([
        "--seed",
        "5ExtraTrack000000000001",
        "-n",
        "5",
        "--json",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Playlist = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(p.seeds[0].name, "Paper Harbour");
    let o = run(selecta().args(["recommend", "--model"]).arg(&out).args([
        "--seed",
        "0r7CVbZTWZgbTCYdfa2P31",
        "-n",
        "5",
        "--json",
    ]));
    let p: Playlist = serde_json::from_str(&stdout(&o)).unwrap();
    assert_ne!(
        p.seeds[0].name, "Changed Title",
        "the first catalog's values win"
    );
}

/// A one-shot command writes its answer, not progress: at the default level (no `SELECTA_LOG`,
/// no `RUST_LOG`) nothing at `INFO` reaches stderr, and stderr redirected to a file gets no
/// colour codes, even at `info`.
#[test]
fn recommend_to_a_file_logs_plain_warnings_only() {
    let dir = tempfile::tempdir().unwrap();
    let run_to_file = |log: Option<&str>| {
        let path = dir
            .path()
            .join(format!("stderr-{}", log.unwrap_or("default")));
        let file = std::fs::File::create(&path).unwrap();
        let mut cmd = selecta();
        cmd.env_remove("SELECTA_LOG").env_remove("RUST_LOG");
        if let Some(log) = log {
            cmd.env("SELECTA_LOG", log);
        }
        let o = cmd
            .args(["recommend", "--model"])
            .arg(fitted_model())
            .args(["--seed", "ed sheeran - i dont care", "-n", "3"])
            .stderr(std::process::Stdio::from(file))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stdout(&o));
        assert!(!stdout(&o).is_empty(), "the playlist is on stdout");
        std::fs::read_to_string(&path).unwrap()
    };

    let quiet = run_to_file(None);
    assert!(!quiet.contains("\x1b["), "colour codes in {quiet:?}");
    assert!(!quiet.contains("INFO"), "INFO lines by default: {quiet}");

    // Asked for, the lines come, still without colour.
    let verbose = run_to_file(Some("debug"));
    assert!(
        verbose.contains("INFO") || verbose.contains("DEBUG"),
        "{verbose}"
    );
    assert!(!verbose.contains("\x1b["), "colour codes in {verbose:?}");
}
