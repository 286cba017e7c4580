//! Signing in with Spotify: OAuth 2.0 authorization code with PKCE (S256) and a checked
//! `state`, code exchange and refresh, on the `oauth2` crate.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenResponse};
use oauth2::{
    AsyncHttpClient, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RefreshToken, RequestTokenError, Scope, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{SpotifyConfig, SpotifyError, Tokens, SCOPES};

type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Lifetime assumed when the accounts service does not say (Spotify says 3600 s).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// What a sign-in remembers between sending the listener to Spotify and their return: keep
/// it in the server-side session, never in the browser.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    state: String,
    #[serde(with = "crate::tokens::secret")]
    pkce_verifier: SecretString,
}

impl PendingSignIn {
    /// The `state` sent to Spotify (not secret: it travels in the URL).
    pub fn state(&self) -> &str {
        &self.state
    }
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("state", &self.state)
            .field("pkce_verifier", &"[redacted]")
            .finish()
    }
}

/// The query of the redirect back from Spotify (`?code=...&state=...` or
/// `?error=access_denied&state=...`); deserialises from the query string as it comes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<String>,
    /// The state the sign-in started with.
    pub state: Option<String>,
    /// Spotify's error, e.g. `access_denied`.
    pub error: Option<String>,
}

/// The sign-in half of the client: one per app (cheap to clone).
#[derive(Clone)]
pub struct SpotifyAuth {
    oauth: OAuthClient,
    http: AccountsHttp,
}

impl fmt::Debug for SpotifyAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpotifyAuth")
            .field("client_id", self.oauth.client_id())
            .finish_non_exhaustive()
    }
}

impl SpotifyAuth {
    /// Checks the configuration and prepares the OAuth client.
    pub fn new(config: &SpotifyConfig) -> Result<Self, SpotifyError> {
        config.validate()?;
        let bad = |field: &'static str| {
            move |e: url::ParseError| SpotifyError::Config {
                field,
                problem: e.to_string(),
            }
        };
        let oauth = BasicClient::new(ClientId::new(config.client_id.trim().to_string()))
            .set_client_secret(ClientSecret::new(
                config.client_secret.expose_secret().trim().to_string(),
            ))
            .set_auth_uri(
                AuthUrl::new(config.accounts_endpoint("authorize")).map_err(bad("accounts_url"))?,
            )
            .set_token_uri(
                oauth2::TokenUrl::new(config.accounts_endpoint("api/token"))
                    .map_err(bad("accounts_url"))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(config.redirect_uri.trim().to_string())
                    .map_err(bad("redirect_uri"))?,
            );
        Ok(SpotifyAuth {
            oauth,
            http: AccountsHttp::new(config.timeout)?,
        })
    }

    /// Starts a sign-in: the URL of Spotify's consent page to redirect the listener to, and
    /// what to remember until they come back.
    pub fn start_sign_in(&self) -> (Url, PendingSignIn) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            .add_scopes(SCOPES.iter().map(|s| Scope::new(s.to_string())))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingSignIn {
            state: state.secret().clone(),
            pkce_verifier: SecretString::from(verifier.secret().clone()),
        };
        (url, pending)
    }

    /// Finishes a sign-in from the redirect's query: checks the state, then exchanges the
    /// code (with the PKCE verifier and the client secret) for tokens.
    pub async fn finish_sign_in(
        &self,
        pending: &PendingSignIn,
        callback: &CallbackParams,
    ) -> Result<Tokens, SpotifyError> {
        // The state is checked first: an answer that is not ours says nothing else we trust.
        match callback.state.as_deref() {
            Some(state) if constant_time_eq(state.as_bytes(), pending.state.as_bytes()) => {}
            _ => return Err(SpotifyError::StateMismatch),
        }
        if let Some(reason) = &callback.error {
            return Err(SpotifyError::AuthorizationDenied {
                reason: reason.chars().take(100).collect(),
            });
        }
        let code = match callback.code.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => code.to_string(),
            _ => return Err(SpotifyError::MissingCode),
        };
        let response = self
            .oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(
                pending.pkce_verifier.expose_secret().to_string(),
            ))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        tracing::info!("signed in with Spotify");
        Ok(tokens_from(&response))
    }

    /// Gets a new access token with the refresh token. A refused refresh token means the
    /// listener has to sign in again ([`SpotifyError::SignInAgain`]).
    pub async fn refresh(&self, tokens: &Tokens) -> Result<Tokens, SpotifyError> {
        let Some(refresh) = tokens.refresh_token() else {
            return Err(SpotifyError::SignInAgain);
        };
        let response = self
            .oauth
            .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match token_error(e) {
                SpotifyError::TokenRejected { error, .. } if error == "invalid_grant" => {
                    SpotifyError::SignInAgain
                }
                other => other,
            })?;
        tracing::debug!("refreshed the Spotify access token");
        Ok(tokens_from(&response).refreshed(tokens))
    }
}

impl SpotifyAuth {
    /// An app token by the client credentials grant (the app's own id and secret, no
    /// listener): for catalog lookups. Refused credentials are a configuration error naming
    /// the settings.
    pub(crate) async fn app_token(&self) -> Result<Tokens, SpotifyError> {
        let response = self
            .oauth
            .exchange_client_credentials()
            .request_async(&self.http)
            .await
            .map_err(|e| match token_error(e) {
                SpotifyError::TokenRejected { error, description } => SpotifyError::Config {
                    field: "client_secret",
                    problem: format!(
                        "was refused by Spotify's accounts service ({error}{}); check \
                         SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET",
                        description.map(|d| format!(": {d}")).unwrap_or_default()
                    ),
                },
                other => other,
            })?;
        tracing::debug!("got a Spotify app token (client credentials)");
        Ok(tokens_from(&response))
    }
}

fn tokens_from(response: &BasicTokenResponse) -> Tokens {
    let lifetime = response.expires_in().unwrap_or(DEFAULT_LIFETIME);
    Tokens::new(
        response.access_token().secret().clone(),
        response.refresh_token().map(|r| r.secret().clone()),
        SystemTime::now() + lifetime,
        response
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
    )
}

fn token_error(e: RequestTokenError<TransportError, BasicErrorResponse>) -> SpotifyError {
    match e {
        RequestTokenError::ServerResponse(r) => SpotifyError::TokenRejected {
            error: r.error().to_string(),
            description: r.error_description().cloned(),
        },
        RequestTokenError::Request(TransportError(e)) => e,
        RequestTokenError::Parse(e, _) => {
            SpotifyError::Protocol(format!("the accounts service's answer: {}", e.path()))
        }
        RequestTokenError::Other(m) => SpotifyError::Protocol(m),
    }
}

/// Compares without an early exit, so the time taken says nothing about the expected state.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The accounts service's transport failures, already typed (5xx, 429, network).
#[derive(Debug)]
struct TransportError(SpotifyError);

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportError {}

/// reqwest for the token endpoint: no redirects followed (the OAuth spec's advice), and the
/// answers OAuth does not describe (5xx, 429) turned into typed errors.
#[derive(Clone)]
struct AccountsHttp {
    client: reqwest::Client,
}

impl AccountsHttp {
    fn new(timeout: Duration) -> Result<Self, SpotifyError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| SpotifyError::Network(e.to_string()))?;
        Ok(AccountsHttp { client })
    }
}

impl<'c> AsyncHttpClient<'c> for AccountsHttp {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = self
                .client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| TransportError(crate::retry::network_error(&e)))?;
            let status = response.status();
            if status.as_u16() == 429 {
                let retry_after = crate::retry::retry_after(response.headers());
                return Err(TransportError(SpotifyError::RateLimited { retry_after }));
            }
            if status.is_server_error() {
                return Err(TransportError(SpotifyError::Unavailable {
                    status: status.as_u16(),
                }));
            }
            let mut builder = oauth2::http::Response::builder().status(status);
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| TransportError(crate::retry::network_error(&e)))?;
            builder
                .body(bytes.to_vec())
                .map_err(|e| TransportError(SpotifyError::Protocol(e.to_string())))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> SpotifyAuth {
        let mut c = SpotifyConfig::new("client-1", "secret-1");
        c.accounts_url = "http://127.0.0.1:9/".into();
        SpotifyAuth::new(&c).unwrap()
    }

    #[test]
    fn the_authorize_url_asks_for_exactly_the_scopes_with_pkce_s256() {
        let (url, pending) = auth().start_sign_in();
        assert_eq!(
            url.as_str().split('?').next(),
            Some("http://127.0.0.1:9/authorize")
        );
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "client-1");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:3000/auth/callback");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], pending.state());
        let scopes: Vec<&str> = q["scope"].split(' ').collect();
        assert_eq!(scopes, SCOPES);
        // The challenge is the S256 of the verifier we keep.
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(pending.pkce_verifier.expose_secret().as_bytes());
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        assert_eq!(q["code_challenge"], expected);
        assert!(!url.as_str().contains("secret-1"));
    }

    #[test]
    fn every_sign_in_has_its_own_state_and_verifier() {
        let a = auth();
        let (_, p1) = a.start_sign_in();
        let (_, p2) = a.start_sign_in();
        assert_ne!(p1.state(), p2.state());
        assert_ne!(
            p1.pkce_verifier.expose_secret(),
            p2.pkce_verifier.expose_secret()
        );
        assert!(!format!("{p1:?}").contains(p1.pkce_verifier.expose_secret()));
    }

    #[tokio::test]
    async fn callbacks_are_checked_before_any_exchange() {
        // The accounts URL is unreachable: every case below must fail before calling it.
        let a = auth();
        let (_, pending) = a.start_sign_in();
        let state = Some(pending.state().to_string());
        let cases = [
            (
                CallbackParams {
                    code: Some("c".into()),
                    state: Some("forged".into()),
                    error: None,
                },
                SpotifyError::StateMismatch,
            ),
            (
                CallbackParams {
                    code: Some("c".into()),
                    state: None,
                    error: None,
                },
                SpotifyError::StateMismatch,
            ),
            (
                CallbackParams {
                    code: None,
                    state: state.clone(),
                    error: Some("access_denied".into()),
                },
                SpotifyError::AuthorizationDenied {
                    reason: "access_denied".into(),
                },
            ),
            (
                CallbackParams {
                    code: Some(" ".into()),
                    state,
                    error: None,
                },
                SpotifyError::MissingCode,
            ),
        ];
        for (callback, expected) in cases {
            assert_eq!(
                a.finish_sign_in(&pending, &callback).await.unwrap_err(),
                expected
            );
        }
    }

    #[tokio::test]
    async fn refresh_without_a_refresh_token_asks_to_sign_in() {
        let t = Tokens::new("a", None, SystemTime::now(), vec![]);
        assert_eq!(
            auth().refresh(&t).await.unwrap_err(),
            SpotifyError::SignInAgain
        );
    }

    #[test]
    fn pending_sign_ins_survive_the_session_store() {
        let (_, p) = auth().start_sign_in();
        let back: PendingSignIn =
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back.state(), p.state());
        assert_eq!(
            back.pkce_verifier.expose_secret(),
            p.pkce_verifier.expose_secret()
        );
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
