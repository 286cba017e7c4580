//! `selecta spotify-standin`: starts from flags, serves the consent page and the controls,
//! and names the flag of a bad setting.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const SECRET: &str = "a-client-secret-for-the-test";

fn standin() -> Command {
    let mut c = selecta();
    for var in [
        "SPOTIFY_CLIENT_ID",
        "SPOTIFY_CLIENT_SECRET",
        "SPOTIFY_REDIRECT_URI",
        "SELECTA_STANDIN_ADDR",
        "SELECTA_STANDIN_TOKEN_LIFETIME",
        "SELECTA_STANDIN_RATE_LIMIT_EVERY",
        "SELECTA_STANDIN_RETRY_AFTER",
        "SELECTA_STANDIN_SEED",
    ] {
        c.env_remove(var);
    }
    c.arg("spotify-standin");
    c
}

#[test]
fn serves_the_consent_page_and_controls_from_flags() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut server = start_standin(std::fs::File::create(&log).unwrap().into());
    let port = server.port;
    let (_, users) = server.get("/_standin/users");
    assert!(
        users.contains("\"alice\"") && users.contains("Alice Archer"),
        "{users}"
    );

    let query = "response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fauth%2Fcallback\
                 &scope=user-read-private&state=s";
    let (status, page) = server.get(&format!("/authorize?client_id=cli-test&{query}"));
    assert_eq!(status, 200);
    assert!(page.contains("id=\"approve\""));
    let (status, _) = server.get(&format!("/authorize?client_id=someone-else&{query}"));
    assert_eq!(status, 400);
    let (status, body) = server.get("/v1/me");
    assert_eq!(status, 401);
    assert!(body.contains("No token provided"), "{body}");

    let _ = server.child.kill();
    let _ = server.child.wait();
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(
        stderr.contains(&format!("http://127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET), "the client secret is in the log");
}

/// Starts the stand-in on the bundled catalog, its stderr to `stderr`, and waits until it
/// answers.
fn start_standin(stderr: Stdio) -> Server {
    let port = free_port();
    let child = standin()
        .arg("--catalog")
        .arg(catalog())
        .args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--client-id",
            "cli-test",
        ])
        .args(["--redirect-uri", "http://127.0.0.1:3000/auth/callback"])
        .env("SPOTIFY_CLIENT_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        || server.get("/_standin/users").0 != 200
    {
        assert!(server.child.try_wait().unwrap().is_none(), "exited early");
        assert!(Instant::now() < deadline, "the stand-in did not answer");
        std::thread::sleep(Duration::from_millis(200));
    }
    server
}

#[test]
fn recommend_looks_up_tracks_and_artists_the_catalog_lacks() {
    let mut server = start_standin(Stdio::null());
    let (dir, fresh) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let recommend = |with_spotify: bool| {
        // The lookup cache is kept beside the model cache: a fresh one without Spotify.
        let cache_dir = if with_spotify {
            dir.path()
        } else {
            fresh.path()
        };
        let mut c = selecta();
        c.arg("recommend")
            .arg("--model")
            .arg(fitted_model())
            .arg("--model-cache")
            .arg(cache_dir.join("model.selecta"))
            // Blinding Lights on After Hours (the catalog holds the single), and Queen.
            .args(["--seed", "spotify:track:0VjIjW4GlUZAMYd2vXMi3b"])
            .args([
                "--seed",
                "https://open.spotify.com/artist/1dfeR4HaWDbWqFHLkxsg1d",
            ])
            .args(["-n", "10", "--json"]);
        if with_spotify {
            let base = format!("http://127.0.0.1:{}", server.port);
            c.env("SPOTIFY_CLIENT_ID", "cli-test")
                .env("SPOTIFY_CLIENT_SECRET", SECRET)
                .env("SPOTIFY_ACCOUNTS_URL", &base)
                .env("SPOTIFY_API_URL", format!("{base}/v1"));
        }
        run(&mut c)
    };
    let o = recommend(true);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: selecta_types::Playlist = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(p.entries.len(), 10);
    assert_eq!(p.matches.len(), 2);
    assert_eq!(p.matches[0].matched_by, "same_recording");
    assert_eq!(p.matches[0].tracks, ["0sf12qNH5qcw8qpgymFOqD"]);
    let note = p.matches[0].note.as_deref().unwrap();
    assert!(note.starts_with("Blinding Lights (After Hours)"), "{note}");
    assert_eq!(p.matches[1].matched_by, "artist");
    // What was looked up is kept beside the model cache.
    assert!(dir.path().join("lookups.json").exists());

    // Without Spotify, the error names the settings.
    let o = recommend(false);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("SPOTIFY_CLIENT_ID"), "{err}");
    assert!(
        err.contains("--seed `spotify:track:0VjIjW4GlUZAMYd2vXMi3b`"),
        "{err}"
    );
    let _ = server.child.kill();
    let _ = server.child.wait();
}

#[test]
fn bad_settings_name_their_flag() {
    let bundled = catalog().display().to_string();
    for (args, expected) in [
        (vec!["--redirect-uri", "not-a-url"], "--redirect-uri"),
        (vec!["--client-secret", " "], "--client-secret"),
        (vec!["--token-lifetime", "0"], "--token-lifetime"),
        (
            vec!["--catalog", "/nonexistent/catalog.csv"],
            "/nonexistent/catalog.csv",
        ),
    ] {
        let mut cmd = standin();
        if !args.contains(&"--catalog") {
            cmd.args(["--catalog", &bundled]);
        }
        let o = run(cmd.args(["--addr", "127.0.0.1:0"]).args(&args));
        assert!(!o.status.success(), "{args:?}");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
}
