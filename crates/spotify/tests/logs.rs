//! No secret reaches the log: the client secret, tokens, codes and the PKCE verifier stay
//! out of every line, at every level, with the filter directives the crate asks for.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use secrecy::ExposeSecret;
use selecta_spotify::{PageRequest, SpotifyApi, QUIET_LOG_DIRECTIVES};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_stay_out_of_trace_level_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    // `init` also routes the `log` crate (rspotify's logging) into tracing, as in the app.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "trace,{QUIET_LOG_DIRECTIVES}"
        )))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let env = start().await;
    let (tokens, pending, callback) = env.sign_in_full("alice").await;
    let client = env.spotify.client(tokens.clone());
    client.current_user().await.unwrap();
    env.control("expire-tokens", serde_json::json!({})).await;
    client.saved_tracks(PageRequest::first(3)).await.unwrap();
    let refreshed = client.refreshed_tokens().unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("signed in with Spotify"),
        "the log was captured"
    );
    assert!(log.contains("Spotify answered 401"), "{log}");
    let verifier = serde_json::to_value(&pending).unwrap()["pkce_verifier"]
        .as_str()
        .unwrap()
        .to_string();
    for (what, secret) in [
        ("client secret", CLIENT_SECRET.to_string()),
        (
            "access token",
            tokens.access_token().expose_secret().to_string(),
        ),
        (
            "refresh token",
            tokens.refresh_token().unwrap().expose_secret().to_string(),
        ),
        (
            "refreshed access token",
            refreshed.access_token().expose_secret().to_string(),
        ),
        ("authorization code", callback.code.clone().unwrap()),
        ("PKCE verifier", verifier),
    ] {
        assert!(!log.contains(&secret), "the {what} is in the log");
    }
}
