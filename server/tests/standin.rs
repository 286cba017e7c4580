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
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
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
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    // Loading the catalog takes a moment; `get` needs a listening port.
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        || server.get("/_standin/users").0 != 200
    {
        assert!(server.child.try_wait().unwrap().is_none(), "exited early");
        assert!(Instant::now() < deadline, "the stand-in did not answer");
        std::thread::sleep(Duration::from_millis(200));
    }
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
