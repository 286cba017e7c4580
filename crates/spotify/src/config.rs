//! Where Selecta finds Spotify (or a stand-in) and who it is there.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::SpotifyError;

/// Spotify's defaults; every one can be replaced to point at a Spotify-compatible server.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:3000/auth/callback";
/// Spotify's accounts service (`/authorize`, `/api/token`).
pub const DEFAULT_ACCOUNTS_URL: &str = "https://accounts.spotify.com";
/// Spotify's Web API.
pub const DEFAULT_API_URL: &str = "https://api.spotify.com/v1/";

/// The scopes Selecta asks for, no more: read the library, top tracks, recent plays and
/// playlists; write playlists.
pub const SCOPES: [&str; 7] = [
    "user-read-private",
    "user-library-read",
    "user-top-read",
    "user-read-recently-played",
    "playlist-read-private",
    "playlist-modify-private",
    "playlist-modify-public",
];

/// How long to wait out Spotify's rate limit (HTTP 429) before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after a 429 for one call (0: never wait).
    pub max_retries: u32,
    /// The longest `Retry-After` waited out; a longer one is returned as
    /// [`SpotifyError::RateLimited`] at once.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // A listener is waiting for the page: a few seconds at most.
        RetryPolicy {
            max_retries: 2,
            max_wait: Duration::from_secs(5),
        }
    }
}

/// The app's registration at Spotify and the servers to talk to.
#[derive(Debug, Clone)]
pub struct SpotifyConfig {
    /// The app's client id (developer dashboard).
    pub client_id: String,
    /// The app's client secret; sent only to the accounts service's token endpoint.
    pub client_secret: SecretString,
    /// Where Spotify sends the listener back to; must be registered at Spotify exactly.
    pub redirect_uri: String,
    /// Base URL of the accounts service (`{accounts_url}/authorize`, `{accounts_url}/api/token`).
    pub accounts_url: String,
    /// Base URL of the Web API (`{api_url}me`, ...).
    pub api_url: String,
    /// Waiting out rate limits.
    pub retry: RetryPolicy,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
}

impl SpotifyConfig {
    /// A configuration for Spotify itself with the default redirect URI.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        SpotifyConfig {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            redirect_uri: DEFAULT_REDIRECT_URI.to_string(),
            accounts_url: DEFAULT_ACCOUNTS_URL.to_string(),
            api_url: DEFAULT_API_URL.to_string(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Checks every field; an error names the field and what is wrong with it.
    pub fn validate(&self) -> Result<(), SpotifyError> {
        if self.client_id.trim().is_empty() {
            return Err(config("client_id", "is empty"));
        }
        if self
            .client_id
            .chars()
            .any(|c| c.is_whitespace() || c == ':')
        {
            return Err(config(
                "client_id",
                "contains a space or a colon; copy it again from Spotify's dashboard",
            ));
        }
        if self.client_secret.expose_secret().trim().is_empty() {
            return Err(config("client_secret", "is empty"));
        }
        let redirect = http_url("redirect_uri", &self.redirect_uri)?;
        if redirect.scheme() == "http" && !is_loopback(&redirect) {
            return Err(config(
                "redirect_uri",
                "plain http is accepted only on a loopback address (127.0.0.1 or [::1]); use https",
            ));
        }
        if redirect.host_str() == Some("localhost") {
            return Err(config(
                "redirect_uri",
                "Spotify no longer accepts `localhost`; use 127.0.0.1",
            ));
        }
        if redirect.fragment().is_some() {
            return Err(config("redirect_uri", "must not contain a #fragment"));
        }
        http_url("accounts_url", &self.accounts_url)?;
        http_url("api_url", &self.api_url)?;
        if self.timeout.is_zero() {
            return Err(config("timeout", "must be longer than zero"));
        }
        Ok(())
    }

    /// The API base URL with exactly one trailing slash, so that `me/tracks` joins under it.
    pub(crate) fn api_base(&self) -> String {
        format!("{}/", self.api_url.trim_end_matches('/'))
    }

    /// `{accounts_url}/{path}` with exactly one slash between.
    pub(crate) fn accounts_endpoint(&self, path: &str) -> String {
        format!("{}/{}", self.accounts_url.trim_end_matches('/'), path)
    }
}

fn config(field: &'static str, problem: impl Into<String>) -> SpotifyError {
    SpotifyError::Config {
        field,
        problem: problem.into(),
    }
}

fn http_url(field: &'static str, text: &str) -> Result<Url, SpotifyError> {
    let url = Url::parse(text.trim())
        .map_err(|e| config(field, format!("`{text}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config(
            field,
            format!("`{text}` must start with http:// or https://"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(config(field, format!("`{text}` has no host")));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(c: &SpotifyConfig) -> &'static str {
        match c.validate() {
            Err(SpotifyError::Config { field, .. }) => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_point_at_spotify_and_validate() {
        let c = SpotifyConfig::new("abc123", "s3cret");
        c.validate().unwrap();
        assert_eq!(c.redirect_uri, "http://127.0.0.1:3000/auth/callback");
        assert_eq!(c.api_base(), "https://api.spotify.com/v1/");
        assert_eq!(
            c.accounts_endpoint("api/token"),
            "https://accounts.spotify.com/api/token"
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let ok = SpotifyConfig::new("abc123", "s3cret");
        let mut c = ok.clone();
        c.client_id = " ".into();
        assert_eq!(field_of(&c), "client_id");
        let mut c = ok.clone();
        c.client_secret = SecretString::from("");
        assert_eq!(field_of(&c), "client_secret");
        for bad in [
            "http://localhost:3000/cb",
            "http://example.com/cb",
            "ftp://127.0.0.1/cb",
            "not a url",
            "https://example.com/cb#x",
        ] {
            let mut c = ok.clone();
            c.redirect_uri = bad.into();
            assert_eq!(field_of(&c), "redirect_uri", "{bad}");
        }
        let mut c = ok.clone();
        c.api_url = "127.0.0.1:9/v1".into();
        assert_eq!(field_of(&c), "api_url");
        let mut c = ok.clone();
        c.accounts_url = "".into();
        assert_eq!(field_of(&c), "accounts_url");
    }

    #[test]
    fn https_and_ipv6_loopback_redirects_are_accepted() {
        let mut c = SpotifyConfig::new("abc123", "s3cret");
        c.redirect_uri = "https://selecta.example.org/auth/callback".into();
        c.validate().unwrap();
        c.redirect_uri = "http://[::1]:3000/auth/callback".into();
        c.validate().unwrap();
    }

    #[test]
    fn base_urls_join_with_one_slash() {
        let mut c = SpotifyConfig::new("abc123", "s3cret");
        c.api_url = "http://127.0.0.1:9/v1".into();
        c.accounts_url = "http://127.0.0.1:9/".into();
        assert_eq!(c.api_base(), "http://127.0.0.1:9/v1/");
        assert_eq!(
            c.accounts_endpoint("authorize"),
            "http://127.0.0.1:9/authorize"
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = SpotifyConfig::new("abc123", "very-secret-value");
        assert!(!format!("{c:?}").contains("very-secret-value"));
    }
}
