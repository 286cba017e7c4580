//! A stand-in on a random port and a raw-HTTP OAuth client (no Selecta code), so the
//! stand-in is checked on its own.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use base64::Engine;
use selecta_catalog::Catalog;
use selecta_spotify_standin::{Standin, StandinConfig};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const ID: &str = "standin-test";
pub const SECRET: &str = "standin-test-secret";
pub const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";
pub const ALL_SCOPES: &str = "user-read-private user-library-read user-top-read \
    user-read-recently-played playlist-read-private playlist-modify-private playlist-modify-public";

pub fn catalog() -> Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            Catalog::load(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/spotify_songs.csv.gz"),
            )
            .expect("the bundled catalog")
        })
        .clone()
}

pub struct Env {
    pub base: String,
    pub http: reqwest::Client,
    pub examples: selecta_spotify_standin::world::Examples,
}

pub async fn start_with(tweak: impl FnOnce(&mut StandinConfig)) -> Env {
    let mut config = StandinConfig::new(ID, SECRET, REDIRECT);
    tweak(&mut config);
    let standin = Standin::new(config, catalog()).unwrap();
    let examples = standin.world().examples();
    let addr = standin.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    Env {
        examples,
        base: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

pub async fn start() -> Env {
    start_with(|_| {}).await
}

pub fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub const VERIFIER: &str = "a-verifier-of-at-least-43-characters-0123456789";

impl Env {
    /// The world's examples of tracks and artists outside the catalog.
    pub fn examples(&self) -> selecta_spotify_standin::world::Examples {
        self.examples.clone()
    }

    /// The authorization request's parameters for `scopes`.
    pub fn authorize_params(&self, scopes: &str) -> Vec<(String, String)> {
        [
            ("client_id", ID.to_string()),
            ("response_type", "code".into()),
            ("redirect_uri", REDIRECT.into()),
            ("state", "st4te".into()),
            ("scope", scopes.into()),
            ("code_challenge", s256(VERIFIER)),
            ("code_challenge_method", "S256".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Approves on the consent page (posting the form directly); returns the redirect's query.
    pub async fn approve(
        &self,
        params: &[(String, String)],
        user: &str,
    ) -> HashMap<String, String> {
        let mut form = params.to_vec();
        form.push(("user".into(), user.into()));
        form.push(("decision".into(), "approve".into()));
        let r = self
            .http
            .post(format!("{}/authorize", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        location.query_pairs().into_owned().collect()
    }

    /// `POST /api/token` with the client secret in a Basic header.
    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/api/token", self.base))
            .basic_auth(ID, Some(SECRET))
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Signs `user` in with `scopes`: (access token, refresh token).
    pub async fn sign_in(&self, user: &str, scopes: &str) -> (String, String) {
        let q = self.approve(&self.authorize_params(scopes), user).await;
        let (status, body) = self
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &q["code"]),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ])
            .await;
        assert_eq!(status, 200, "{body}");
        (
            body["access_token"].as_str().unwrap().into(),
            body["refresh_token"].as_str().unwrap().into(),
        )
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/v1/{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn control(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}/_standin/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}
