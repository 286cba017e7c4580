//! `selecta serve` as a process: start-up errors, model reload, S3 with a last-good copy.

mod common;
#[path = "../../crates/store/tests/common/mod.rs"]
mod moto;

use common::*;

#[test]
fn a_taken_port_is_an_error_naming_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let site = fake_site(dir.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = run(selecta()
        .args(["serve", "--addr", &addr, "--site-root"])
        .arg(&site)
        .arg("--model")
        .arg(fitted_model())
        .arg("--model-cache")
        .arg(dir.path().join("cache.selecta")));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}

#[test]
fn an_unbuilt_site_is_an_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    let o = run(selecta()
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--site-root",
        ])
        .arg(dir.path()));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("not built") && err.contains("frontend_bg.wasm"),
        "{err}"
    );
}

#[test]
fn reload_swaps_models_and_keeps_the_old_one_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let site = fake_site(dir.path());
    let model = dir.path().join("model.selecta");
    std::fs::copy(fitted_model(), &model).unwrap();
    let cache = dir.path().join("cache.selecta");
    let port = free_port();
    let mut cmd = selecta();
    cmd.args([
        "serve",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--site-root",
    ])
    .arg(&site)
    .arg("--model")
    .arg(&model)
    .arg("--model-cache")
    .arg(&cache)
    .env("SELECTA_ADMIN_TOKEN", "s3cret-token");
    let server = Server::start(cmd, port);
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        body.contains("28,356 tracks"),
        "server-rendered catalog size"
    );

    let (status, _) = server.request("POST", "/admin/reload", &[]);
    assert_eq!(status, 401, "no token, no reload");
    let auth = [("Authorization", "Bearer s3cret-token")];
    let (status, body) = server.request("POST", "/admin/reload", &auth);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("28356 tracks"), "{body}");

    // A broken artifact and no last-good copy: the reload fails, the old model keeps serving.
    std::fs::write(&model, b"not a model").unwrap();
    std::fs::remove_file(&cache).unwrap();
    let (status, body) = server.request("POST", "/admin/reload", &auth);
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("previous model stays"), "{body}");
    let (status, body) = server.get("/?q=queen");
    assert_eq!(status, 200);
    assert!(body.contains("28,356 tracks"));
    assert!(
        body.contains("Queen"),
        "search still served by the old model"
    );
}

#[test]
fn s3_model_with_last_good_copy_when_s3_is_down() {
    let moto = moto::Moto::start();
    moto.create_bucket("models");
    let endpoint = moto.endpoint();
    let dir = tempfile::tempdir().unwrap();
    let s3_env = |c: &mut std::process::Command| {
        c.env("AWS_ACCESS_KEY_ID", moto::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", moto::SECRET_KEY)
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("S3_ENDPOINT_URL", &endpoint)
            .env("S3_FORCE_PATH_STYLE", "true");
    };

    // fit straight into S3
    let mut fit = selecta();
    s3_env(&mut fit);
    let o = run(fit
        .args(["fit", "--catalog"])
        .arg(catalog())
        .args(["--out", "s3://models/selecta/model.selecta"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("s3://models/selecta/model.selecta"));

    let cache = dir.path().join("last-good.selecta");
    let describe = |s3_up: bool| {
        let mut c = selecta();
        s3_env(&mut c);
        c.args([
            "describe",
            "--model",
            "s3://models/selecta/model.selecta",
            "--model-cache",
        ])
        .arg(&cache)
        .arg("Ed Sheeran - Shape of You");
        let o = run(&mut c);
        assert!(o.status.success(), "s3 up: {s3_up}: {}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    let (card, _) = describe(true);
    assert!(card.contains("Shape of You"));
    assert!(cache.exists(), "the last good copy is kept");
    assert!(!stderr_mentions_secret(&card));

    drop(moto); // S3 goes away
    let (card_again, log) = describe(false);
    assert_eq!(card, card_again, "same model from the local copy");
    assert!(log.contains("last-good"), "{log}");
    assert!(!stderr_mentions_secret(&log));
}

fn stderr_mentions_secret(text: &str) -> bool {
    text.contains(moto::SECRET_KEY)
}

#[test]
fn fit_reads_the_seed_layout_from_an_s3_prefix() {
    use selecta_catalog::{TrackDetails, TrackMeta};
    let moto = moto::Moto::start();
    moto.create_bucket("seed");
    let store = moto.store();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let songs = [
        ("pop", "Nova Lights", "Glass Hearts", 0.81, 118.0),
        ("pop", "Nova Lights", "Paper Moon", 0.74, 121.0),
        ("pop", "Ivy Park", "Summer Static", 0.69, 124.0),
        ("rock", "The Gravel", "Iron Coast", 0.91, 142.0),
        ("rock", "The Gravel", "Rust Belt", 0.88, 150.0),
        ("rock", "Stone Ferry", "Low Tide", 0.79, 138.0),
    ];
    for (i, (genre, artist, title, energy, tempo)) in songs.iter().enumerate() {
        let meta = TrackMeta {
            album_name: Some(format!("{title} (Single)")),
            album_id: Some(format!("album{i:018}")),
            album_release_date: Some(format!("201{i}-03-08")),
            artist_name: vec![artist.to_string()],
            artist_id: vec![format!("artist{i:016}")],
            track_id: format!("track{i:017}"),
            track_name: title.to_string(),
            genres: vec![genre.to_string()],
            track_details: TrackDetails {
                popularity: Some(50.0 + i as f64),
                duration_ms: Some(200_000.0 + 1000.0 * i as f64),
                danceability: Some(0.5 + 0.05 * i as f64),
                energy: Some(*energy),
                key: Some(i as f64),
                loudness: Some(-5.0 - i as f64),
                mode: Some((i % 2) as f64),
                tempo: Some(*tempo),
                ..TrackDetails::default()
            },
        };
        let folder = format!("s3://seed/tracks/{genre}/{}_{}", artist, title).replace(' ', "_");
        let meta_loc = format!("{folder}/meta.json").parse().unwrap();
        let mp3_loc = format!("{folder}/audio.mp3").parse().unwrap();
        rt.block_on(store.put(&meta_loc, &serde_json::to_vec(&meta).unwrap()))
            .unwrap();
        rt.block_on(store.put(&mp3_loc, b"ID3 not json")).unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("seed.selecta");
    let o = run(selecta()
        .env("S3_ENDPOINT_URL", moto.endpoint())
        .env("S3_FORCE_PATH_STYLE", "true")
        .args(["fit", "--catalog", "s3://seed/tracks", "--out"])
        .arg(&model));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("fitted 6 tracks"), "{}", stderr(&o));

    let o = run(selecta()
        .args(["describe", "--json", "-k", "2", "--model"])
        .arg(&model)
        .arg("--model-cache")
        .arg(dir.path().join("cache.selecta"))
        .arg("the gravel - iron coast"));
    assert!(o.status.success(), "{}", stderr(&o));
    let card: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(card["track"]["name"], "Iron Coast");
    assert_eq!(card["track"]["genres"], serde_json::json!(["rock"]));
    assert_eq!(card["neighbours"].as_array().unwrap().len(), 2);
}
