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
    let model = dir.path().join("model.selecta");
    std::fs::copy(fitted_model(), &model).unwrap();
    let cache = dir.path().join("cache.selecta");
    let port = free_port();
    let mut cmd = serve_model(dir.path(), port, &model);
    cmd.env("SELECTA_ADMIN_TOKEN", "s3cret-token");
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

/// The `"tracks":N` of `/readyz`.
fn ready_tracks(server: &Server) -> usize {
    let (_, body) = server.get("/readyz");
    let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    value["tracks"].as_u64().unwrap_or(0) as usize
}

/// Polls `/readyz` until the model in service has `tracks` tracks; false after `secs`.
fn wait_for_tracks(server: &Server, tracks: usize, secs: u64) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if ready_tracks(server) == tracks {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}

/// Replaces `path` as an upload would: written beside it, renamed over it.
fn replace(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension("uploading");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn the_server_follows_a_changed_model_and_skips_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    // A second model, of 300 generated tracks.
    let small_csv = dir.path().join("small.csv");
    let o = run(selecta()
        .args(["bench", "--tracks", "300", "--seed", "3", "--catalog"])
        .arg(catalog())
        .arg("--write-catalog")
        .arg(&small_csv));
    assert!(o.status.success(), "{}", stderr(&o));
    let small = dir.path().join("small.selecta");
    let o = run(selecta()
        .args(["fit", "--catalog"])
        .arg(&small_csv)
        .arg("--out")
        .arg(&small));
    assert!(o.status.success(), "{}", stderr(&o));

    let model = dir.path().join("model.selecta");
    std::fs::copy(fitted_model(), &model).unwrap();
    let port = free_port();
    let mut cmd = serve_model(dir.path(), port, &model);
    cmd.env("SELECTA_MODEL_WATCH", "1");
    let server = Server::start(cmd, port);
    assert_eq!(ready_tracks(&server), 28_356);

    replace(&model, &std::fs::read(&small).unwrap());
    assert!(
        wait_for_tracks(&server, 300, 30),
        "the new model is served without a signal"
    );

    // A broken upload: refused, and the model in service stays and answers.
    replace(&model, b"not a model");
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(ready_tracks(&server), 300);
    let (status, _) = server.get("/v1/audio-features?ids=x");
    assert!(status < 500, "still serving: {status}");

    // The next good upload is taken again.
    replace(&model, &std::fs::read(fitted_model()).unwrap());
    assert!(wait_for_tracks(&server, 28_356, 30));
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
        .args(["fit", "--no-learn", "--catalog"])
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
    // Its playlists are too short to learn from: the built-in weights, said so.
    assert!(
        stderr(&o).contains("no playlist of 10 or more tracks to learn from"),
        "{}",
        stderr(&o)
    );

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

/// `selecta serve` on the fitted model with `args`, sessions in memory unless `env` says.
fn serve_with(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let mut cmd = serve_model(dir, port, &fitted_model());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Server::start(cmd, port)
}

/// The path of a Leptos server function (`/api/add_seed<hash>`).
fn server_fn<F: leptos::server_fn::ServerFn>() -> &'static str {
    F::PATH
}

/// A catalog track's id, through the JSON API.
fn catalog_id(server: &Server, query: &str) -> String {
    let (status, body) = server.get(&format!("/api/search?q={query}&limit=1"));
    assert_eq!(status, 200, "{body}");
    let hits: serde_json::Value = serde_json::from_str(&body).unwrap();
    hits["tracks"][0]["id"].as_str().unwrap().to_string()
}

/// Adds a seed as the page's script does; the answer and the session cookie it set, if any.
fn add_seed(server: &Server, id: &str, cookie: Option<&str>) -> (Reply, Option<String>) {
    let mut headers = vec![
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Accept", "application/json"),
    ];
    let cookie_header = cookie.map(|c| format!("selecta_session={c}"));
    if let Some(c) = &cookie_header {
        headers.push(("Cookie", c.as_str()));
    }
    let reply = server.send(
        "POST",
        server_fn::<app::api::AddSeed>(),
        &headers,
        &format!("id={id}"),
    );
    let set = reply
        .header("set-cookie")
        .and_then(|c| c.strip_prefix("selecta_session="))
        .and_then(|c| c.split(';').next())
        .map(String::from);
    (reply, set)
}

/// The seeds' ids of a session, as the page reads them.
fn seeds(server: &Server, cookie: &str) -> Vec<String> {
    let cookie = format!("selecta_session={cookie}");
    let reply = server.send(
        "POST",
        server_fn::<app::api::GetPageState>(),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
            ("Cookie", cookie.as_str()),
        ],
        "",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let state: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    state["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn memory_sessions_are_capped_forgetting_the_longest_unused() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with(
        dir.path(),
        &["--max-sessions", "2", "--web-rate-limit", "0"],
        &[],
    );
    let id = catalog_id(&server, "queen");
    // Three listeners without a cookie, each getting a session of their own.
    let cookies: Vec<String> = (0..3)
        .map(|_| {
            let (reply, cookie) = add_seed(&server, &id, None);
            assert_eq!(reply.status, 200, "{}", reply.body);
            cookie.expect("a new session sets its cookie")
        })
        .collect();
    assert_eq!(seeds(&server, &cookies[2]), [id.as_str()]);
    assert_eq!(seeds(&server, &cookies[1]), [id.as_str()]);
    // Only two are kept: the first made room and is an empty session now.
    assert!(seeds(&server, &cookies[0]).is_empty());
}

#[test]
fn web_pages_are_rate_limited_per_client_behind_trusted_proxies() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with(
        dir.path(),
        &[
            "--web-rate-limit",
            "1",
            "--web-rate-burst",
            "2",
            "--trusted-proxies",
            "1",
        ],
        &[],
    );
    // Server::start spent part of the loopback client's budget: a client behind the proxy
    // has its own, however it fills the left of X-Forwarded-For.
    let from = |forged: &str, real: &str| format!("{forged}, {real}");
    let a = from("198.51.100.1", "203.0.113.7");
    assert_eq!(
        server
            .request("GET", "/", &[("X-Forwarded-For", a.as_str())])
            .0,
        200
    );
    let b = from("198.51.100.2", "203.0.113.7");
    assert_eq!(
        server
            .request("GET", "/", &[("X-Forwarded-For", b.as_str())])
            .0,
        200
    );
    let c = from("198.51.100.3", "203.0.113.7");
    let reply = server.send("GET", "/", &[("X-Forwarded-For", c.as_str())], "");
    assert_eq!(reply.status, 429, "{}", reply.body);
    let wait: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(reply.body.contains("Too many requests"), "{}", reply.body);
    // Another client, and an IPv6 one whose /64 is shared by its addresses.
    let other = [("X-Forwarded-For", "203.0.113.8")];
    assert_eq!(server.request("GET", "/", &other).0, 200);
    for (i, status) in [(1, 200), (2, 200), (3, 429)] {
        let v6 = format!("2001:db8:1:2::{i}");
        let got = server
            .request("GET", "/", &[("X-Forwarded-For", v6.as_str())])
            .0;
        assert_eq!(got, status, "{v6}");
    }
    // The JSON API has its own limit; the built assets are not counted.
    let (status, body) = server.request(
        "GET",
        "/api/search?q=queen",
        &[("X-Forwarded-For", c.as_str())],
    );
    assert_eq!(status, 200, "{body}");
    let css = server.request("GET", "/pkg/main.css", &[("X-Forwarded-For", c.as_str())]);
    assert_eq!(css.0, 200);
}

/// A Redis of the test's own on a free port, which it can pause and stop; killed on drop.
struct Redis {
    child: std::process::Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        Redis::start_on(free_port())
    }

    fn start_on(port: u16) -> Redis {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the Redis fault tests need redis-server on the PATH");
        let redis = Redis { child, port };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !redis.answers() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn answers(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        s.set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    /// Sends `kill <signal>` to this Redis only (by its pid); whether it was delivered.
    fn signal(&self, signal: &str) -> bool {
        std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // A paused process ignores nothing but SIGKILL; resumed first for a clean end anyway.
        self.signal("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request that must answer within a bound: a hang fails the test, not the CI's clock.
fn timed(server: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let started = std::time::Instant::now();
    let reply = server.send(method, path, headers, body);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(10),
        "{method} {path} took {took:?}"
    );
    reply
}

#[test]
fn redis_paused_or_stopped_pages_say_sessions_unavailable_and_the_rest_works() {
    let mut redis = Redis::start();
    let dir = tempfile::tempdir().unwrap();
    let url = redis.url();
    let server = serve_with(
        dir.path(),
        &["--web-rate-limit", "0"],
        &[
            ("REDIS_URL", url.as_str()),
            // Sign-in on, against nothing: only the callback's session check is reached.
            ("SPOTIFY_CLIENT_ID", "test-client"),
            ("SPOTIFY_CLIENT_SECRET", "test-secret"),
            ("SPOTIFY_ACCOUNTS_URL", "http://127.0.0.1:1"),
            ("SPOTIFY_API_URL", "http://127.0.0.1:1/v1"),
        ],
    );
    let id = catalog_id(&server, "queen");
    let (reply, cookie) = add_seed(&server, &id, None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let cookie = cookie.unwrap();
    let with_cookie = format!("selecta_session={cookie}");
    assert_eq!(seeds(&server, &cookie), [id.as_str()]);
    let (status, body) = server.get("/readyz");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""sessions":"ok: redis""#), "{body}");

    let search = server_fn::<app::api::SearchTracks>();
    let form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Accept", "application/json"),
    ];
    let works_without_sessions = |when: &str| {
        let hits = timed(&server, "POST", search, &form, "query=bohemian&page=1");
        assert_eq!(hits.status, 200, "{when}: {}", hits.body);
        assert!(hits.body.contains("Queen"), "{when}: {}", hits.body);
        let (status, body) = server.get("/api/search?q=bohemian&limit=1");
        assert_eq!(status, 200, "{when}: {body}");
        let (status, body) = server.get(&format!("/v1/recommendations?seed_tracks={id}&limit=5"));
        assert_eq!(status, 200, "{when}: {body}");
    };

    for (fault, signal) in [("paused", "-STOP"), ("stopped", "-KILL")] {
        assert!(redis.signal(signal), "kill {signal}");
        // Sign-in first, before the server may have noticed: never "state mismatch".
        let reply = timed(
            &server,
            "GET",
            "/auth/callback?code=abc&state=xyz",
            &[("Cookie", with_cookie.as_str())],
            "",
        );
        assert_eq!(reply.status, 503, "{fault}: {}", reply.body);
        assert!(
            !reply.body.to_lowercase().contains("mismatch"),
            "{}",
            reply.body
        );
        assert!(reply.body.contains("session storage"), "{}", reply.body);

        for headers in [vec![("Cookie", with_cookie.as_str())], vec![]] {
            let page = timed(&server, "GET", "/", &headers, "");
            assert_eq!(page.status, 503, "{fault}: {}", page.body);
            assert!(page.body.contains("Sessions unavailable"), "{}", page.body);
            assert!(page.header("retry-after").is_some());
        }
        // Adding a seed: 503 with the app's own message, never 500.
        for c in [Some(cookie.as_str()), None] {
            let (reply, _) = add_seed(&server, &id, c);
            assert_eq!(reply.status, 503, "{fault}, cookie {c:?}: {}", reply.body);
            assert!(
                reply.body.contains("storage_unavailable"),
                "{fault}: {}",
                reply.body
            );
        }
        works_without_sessions(fault);
        let (status, body) = server.get("/readyz");
        assert_eq!(status, 503, "{fault}: {body}");
        assert!(
            body.contains(r#""sessions":"unavailable"#),
            "{fault}: {body}"
        );

        // Redis back: the pages and the listener's seeds with them.
        if fault == "paused" {
            assert!(redis.signal("-CONT"));
        } else {
            let port = redis.port;
            redis = Redis::start_on(port);
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while server.get("/readyz").0 != 200 {
            assert!(
                std::time::Instant::now() < deadline,
                "{fault}: not ready again"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let page = timed(&server, "GET", "/", &[("Cookie", with_cookie.as_str())], "");
        assert_eq!(page.status, 200, "{fault}: {}", page.body);
        if fault == "paused" {
            assert_eq!(
                seeds(&server, &cookie),
                [id.as_str()],
                "kept through the pause"
            );
        }
    }
}

/// A raw GET (no decompression by the client): status, headers, body bytes.
async fn raw_get(
    port: u16,
    path: &str,
    accept: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = reqwest::Client::new().get(format!("http://127.0.0.1:{port}{path}"));
    if !accept.is_empty() {
        req = req.header("accept-encoding", accept);
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(
        &mut brotli_decompressor::Decompressor::new(bytes, 4096),
        &mut out,
    )
    .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bundle_and_pages_go_out_compressed_as_the_browser_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cmd = serve_model(dir.path(), port, &fitted_model());
    // The precompressed copies scripts/build.sh writes, with bodies told apart.
    let pkg = dir.path().join("site").join("pkg");
    let wasm: Vec<u8> = (0..20_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    std::fs::write(pkg.join("frontend_bg.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("frontend_bg.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(pkg.join("frontend_bg.wasm.gz"), b"gzip copy").unwrap();
    // A release build's names, after their content (they win over the plain ones).
    let (js, wasm_name, css) = (
        "frontend-0123456789abcdef.js",
        "frontend-0123456789abcdef_bg.wasm",
        "main-fedcba98765432.css",
    );
    for f in [js, wasm_name, css] {
        std::fs::write(pkg.join(f), b"/* hashed */").unwrap();
    }
    let server = tokio::task::spawn_blocking(move || Server::start(cmd, port))
        .await
        .unwrap();

    // The bundle: the best copy the browser takes, else the file itself; always Vary.
    for (accept, encoding, body) in [
        (
            "gzip, deflate, br, zstd",
            Some("br"),
            b"brotli copy".to_vec(),
        ),
        ("gzip", Some("gzip"), b"gzip copy".to_vec()),
        ("", None, wasm.clone()),
        ("identity", None, wasm.clone()),
    ] {
        let (status, h, got) = raw_get(port, "/pkg/frontend_bg.wasm", accept).await;
        assert_eq!(status, 200, "{accept}");
        assert_eq!(
            h.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(got, body, "{accept}");
        assert_eq!(h["vary"], "accept-encoding", "{accept}");
        assert_eq!(h["cache-control"], "no-cache", "{accept}");
        assert_eq!(h["content-type"], "application/wasm", "{accept}");
    }
    // A file without copies goes out as it is, with the same headers.
    let (status, h, got) = raw_get(port, "/pkg/main.css", "br, gzip").await;
    assert_eq!((status, got.as_slice()), (200, b"/* test */".as_slice()));
    assert!(h.get("content-encoding").is_none());
    assert_eq!(h["cache-control"], "no-cache");

    // Pages and API answers: compressed on the fly, the same text once decoded.
    let (_, _, plain) = raw_get(port, "/", "").await;
    let plain = String::from_utf8(plain).unwrap();
    assert!(plain.contains("</html>"), "{plain}");

    // Pages link the hashed names, which browsers may keep for a year; a name no build wrote
    // is a 404 nobody keeps.
    for f in [js, wasm_name, css] {
        assert!(
            plain.contains(&format!("/pkg/{f}")),
            "{f} not linked: {plain}"
        );
        let (status, h, _) = raw_get(port, &format!("/pkg/{f}"), "").await;
        assert_eq!(status, 200, "{f}");
        assert_eq!(
            h["cache-control"], "public, max-age=31536000, immutable",
            "{f}"
        );
    }
    assert!(!plain.contains("/pkg/main.css") && !plain.contains("/pkg/frontend.js"));
    let (status, h, _) = raw_get(port, "/pkg/frontend-00000000deadbeef.js", "").await;
    assert_eq!(status, 404);
    assert!(h.get("cache-control").is_none());
    for (accept, encoding) in [("br", "br"), ("gzip", "gzip")] {
        let (status, h, got) = raw_get(port, "/", accept).await;
        assert_eq!(status, 200);
        assert_eq!(h["content-encoding"], encoding);
        assert!(h["vary"].to_str().unwrap().contains("accept-encoding"));
        let text = String::from_utf8(if encoding == "br" {
            unbrotli(&got)
        } else {
            gunzip(&got)
        })
        .unwrap();
        assert!(
            got.len() * 2 < text.len(),
            "{encoding} did not shrink the page"
        );
        assert!(text.starts_with("<!DOCTYPE html>"), "{text}");
        assert!(text.contains("</html>"), "{text}");
    }
    let (status, h, got) = raw_get(port, "/api/openapi.json", "gzip").await;
    assert_eq!(
        (status, h["content-encoding"].to_str().unwrap()),
        (200, "gzip")
    );
    let spec: serde_json::Value = serde_json::from_slice(&gunzip(&got)).unwrap();
    assert!(spec["paths"].is_object());
    // Small answers stay plain: compressing them costs more than it saves.
    let (status, h, got) = raw_get(port, "/healthz", "gzip").await;
    assert_eq!(status, 200);
    assert!(got.len() < 1024);
    assert!(h.get("content-encoding").is_none(), "{got:?}");
    drop(server);
}
