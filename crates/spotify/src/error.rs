//! Everything that can go wrong between Selecta and Spotify, in words fit for a listener.

use std::time::Duration;

/// An error of the Spotify client. `Display` is written for the listener; no variant ever
/// carries a token or the client secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpotifyError {
    /// The configuration is unusable (at start-up).
    #[error("Spotify configuration: {field} {problem}")]
    Config {
        /// The field (`client_id`, `redirect_uri`, ...).
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A caller passed a value Spotify would refuse.
    #[error("invalid {parameter}: {problem}")]
    InvalidInput {
        /// The parameter (`limit`, `playlist_id`, ...).
        parameter: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The listener declined at Spotify's consent page, or Spotify sent an error back.
    #[error("Spotify sign-in was not completed ({reason})")]
    AuthorizationDenied {
        /// Spotify's `error` parameter, e.g. `access_denied`.
        reason: String,
    },
    /// The callback's `state` is missing or is not the one this sign-in started with.
    #[error("the sign-in answer does not belong to this browser session (state mismatch); please sign in again")]
    StateMismatch,
    /// The callback carries neither a code nor an error.
    #[error("Spotify's answer has no authorization code; please sign in again")]
    MissingCode,
    /// The accounts service refused a code or refresh token exchange.
    #[error("Spotify refused the sign-in: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenRejected {
        /// OAuth error code, e.g. `invalid_grant`, `invalid_client`.
        error: String,
        /// Spotify's explanation, when given.
        description: Option<String>,
    },
    /// The access token is no longer accepted and could not be refreshed.
    #[error("your Spotify session has ended; please sign in with Spotify again")]
    SignInAgain,
    /// Spotify is rate-limiting; the call was not made.
    #[error("Spotify asks us to slow down; please try again in {} s", retry_after.as_secs().max(1))]
    RateLimited {
        /// How long Spotify asked to wait (its `Retry-After`).
        retry_after: Duration,
    },
    /// Spotify refused the call (403), e.g. a scope the listener did not grant.
    #[error("Spotify did not allow this: {message}")]
    Forbidden {
        /// Spotify's message.
        message: String,
    },
    /// Spotify refused to list a playlist's items (403): it lets apps read only the
    /// listener's own and collaborative playlists.
    #[error("Spotify lets Selecta read only your own and collaborative playlists, and this one is neither; copy its tracks into a playlist of yours, or paste an album or track link")]
    PlaylistNotReadable,
    /// The playlist or track does not exist (404).
    #[error("not found at Spotify: {message}")]
    NotFound {
        /// Spotify's message.
        message: String,
    },
    /// Another 4xx answer.
    #[error("Spotify rejected the request (HTTP {status}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Spotify's message.
        message: String,
    },
    /// Spotify answered with a server error (5xx).
    #[error("Spotify is having trouble right now (HTTP {status}); please try again in a minute")]
    Unavailable {
        /// HTTP status.
        status: u16,
    },
    /// Spotify could not be reached (connection refused, timeout, TLS).
    #[error("could not reach Spotify ({0}); please check the connection and try again")]
    Network(String),
    /// A lookup needs the app's own Spotify credentials, and the server has none.
    #[error("looking up {what} at Spotify needs Selecta's Spotify app: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (or --spotify-client-id and --spotify-client-secret), or sign in with Spotify")]
    NotConfigured {
        /// What was to be looked up, e.g. `track 0VjIjW4GlUZAMYd2vXMi3b`.
        what: String,
    },
    /// Spotify's answer did not have the expected shape.
    #[error("Spotify sent an answer Selecta does not understand: {0}")]
    Protocol(String),
}

impl SpotifyError {
    /// Whether signing in again is the way out.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            SpotifyError::SignInAgain
                | SpotifyError::StateMismatch
                | SpotifyError::MissingCode
                | SpotifyError::AuthorizationDenied { .. }
                | SpotifyError::TokenRejected { .. }
        )
    }

    /// Whether the same call may succeed later without anything changing on our side.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SpotifyError::RateLimited { .. }
                | SpotifyError::Unavailable { .. }
                | SpotifyError::Network(_)
        )
    }

    pub(crate) fn invalid(parameter: &'static str, problem: impl Into<String>) -> Self {
        SpotifyError::InvalidInput {
            parameter,
            problem: problem.into(),
        }
    }
}

/// Adding items stopped part-way: how far it got, so a retry can go on from there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("saved {added} of {total} tracks to the playlist, then: {error}")]
pub struct AddItemsError {
    /// Items saved before the failure (a multiple of the chunk size), in order.
    pub added: usize,
    /// Items asked for.
    pub total: usize,
    /// What stopped it.
    #[source]
    pub error: SpotifyError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_speak_to_the_listener() {
        let e = SpotifyError::RateLimited {
            retry_after: Duration::from_millis(300),
        };
        assert_eq!(
            e.to_string(),
            "Spotify asks us to slow down; please try again in 1 s"
        );
        let e = SpotifyError::TokenRejected {
            error: "invalid_grant".into(),
            description: Some("Invalid authorization code".into()),
        };
        assert_eq!(
            e.to_string(),
            "Spotify refused the sign-in: invalid_grant (Invalid authorization code)"
        );
        assert!(e.needs_sign_in());
        assert!(!e.is_transient());
        assert!(SpotifyError::Unavailable { status: 503 }.is_transient());
    }

    #[test]
    fn partial_add_says_how_far_it_got() {
        let e = AddItemsError {
            added: 200,
            total: 250,
            error: SpotifyError::Unavailable { status: 502 },
        };
        assert!(e.to_string().starts_with("saved 200 of 250 tracks"));
    }
}
