//! A Spotify stand-in on 127.0.0.1 (random free port) and a client configured to use it,
//! plus a browser-like walk through the consent page.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use selecta_catalog::Catalog;
use selecta_spotify::{CallbackParams, PendingSignIn, Spotify, SpotifyConfig, Tokens};
use selecta_spotify_standin::{Standin, StandinConfig};
use serde_json::Value;

pub const CLIENT_ID: &str = "selecta-test-client";
pub const CLIENT_SECRET: &str = "very-secret-client-secret";
pub const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";
/// A second registered redirect URI.
pub const OTHER_REDIRECT: &str = "http://127.0.0.1:3999/other/callback";

/// The bundled catalog, loaded once per test binary.
pub fn catalog() -> Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/spotify_songs.csv.gz");
            Catalog::load(path).expect("the bundled catalog")
        })
        .clone()
}

/// A running stand-in and the Spotify client configured for it.
pub struct Env {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The stand-in world's tracks and artists outside the catalog.
    pub examples: selecta_spotify_standin::world::Examples,
    pub spotify: Spotify,
    /// A browser stand-in: keeps redirects for us to read.
    pub browser: reqwest::Client,
}

/// Starts a stand-in (`tweak` adjusts its settings) and a client with `client` adjustments.
pub async fn start_with(
    tweak: impl FnOnce(&mut StandinConfig),
    client: impl FnOnce(&mut SpotifyConfig),
) -> Env {
    let mut config = StandinConfig::new(CLIENT_ID, CLIENT_SECRET, REDIRECT);
    config.redirect_uris.push(OTHER_REDIRECT.into());
    tweak(&mut config);
    let standin = Standin::new(config, catalog()).expect("stand-in");
    let examples = standin.world().examples();
    let addr = standin
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .expect("bind");
    let base = format!("http://{addr}");
    let mut c = SpotifyConfig::new(CLIENT_ID, CLIENT_SECRET);
    c.accounts_url = base.clone();
    c.api_url = format!("{base}/v1");
    client(&mut c);
    Env {
        examples,
        spotify: Spotify::new(c).expect("client config"),
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base,
    }
}

pub async fn start() -> Env {
    start_with(|_| {}, |_| {}).await
}

/// The hidden fields of the consent form (parsed from the HTML as a browser would submit).
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|chunk| {
            let attr = |name: &str| {
                let start = chunk.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let end = start + chunk[start..].find('"').unwrap();
                unescape(&chunk[start..end])
            };
            (attr("name"), attr("value"))
        })
        .collect()
}

impl Env {
    /// Opens the consent page of `url`, picks `user` and clicks Agree (or Cancel); returns
    /// the query Spotify sends back to the redirect URI.
    pub async fn consent(&self, url: &url::Url, user: &str, approve: bool) -> CallbackParams {
        let page = self.browser.get(url.as_str()).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("id=\"user-{user}\"")), "{html}");
        let mut form = hidden_fields(&html);
        form.push(("user".into(), user.into()));
        form.push((
            "decision".into(),
            if approve { "approve" } else { "deny" }.into(),
        ));
        let back = self
            .browser
            .post(format!("{}/authorize", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(back.status().is_redirection(), "{}", back.status());
        let location = back.headers()["location"].to_str().unwrap().to_string();
        let location = url::Url::parse(&location).unwrap();
        let redirect =
            url::Url::parse(&form.iter().find(|(k, _)| k == "redirect_uri").unwrap().1).unwrap();
        assert_eq!(location.path(), redirect.path());
        let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
        CallbackParams {
            code: q.get("code").cloned(),
            state: q.get("state").cloned(),
            error: q.get("error").cloned(),
        }
    }

    /// A whole sign-in as `user`: the tokens, the pending sign-in and the callback used.
    pub async fn sign_in_full(&self, user: &str) -> (Tokens, PendingSignIn, CallbackParams) {
        let (url, pending) = self.spotify.start_sign_in();
        let callback = self.consent(&url, user, true).await;
        let tokens = self
            .spotify
            .finish_sign_in(&pending, &callback)
            .await
            .expect("sign-in");
        (tokens, pending, callback)
    }

    pub async fn sign_in(&self, user: &str) -> Tokens {
        self.sign_in_full(user).await.0
    }

    /// `POST /_standin/{path}` with a JSON body.
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let r = self
            .browser
            .post(format!("{}/_standin/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// `GET /_standin/{path}`.
    pub async fn inspect(&self, path: &str) -> Value {
        let r = self
            .browser
            .get(format!("{}/_standin/{path}", self.base))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// The API requests the stand-in saw.
    pub async fn requests(&self) -> Vec<String> {
        self.inspect("requests").await["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// A listener's library as the stand-in holds it.
    pub async fn user(&self, id: &str) -> Value {
        let users = self.inspect("users").await;
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .cloned()
            .unwrap()
    }
}

/// String ids of a JSON array.
pub fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}
