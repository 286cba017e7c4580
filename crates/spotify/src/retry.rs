//! The retry rules every Web API call follows, whoever's token it carries (a listener's or
//! the app's): a 401 renews the token once and tries again; a 429 is waited out per
//! `Retry-After` within [`RetryPolicy`]; anything else is final.

use std::time::Duration;

use serde_json::Value;

use crate::{RetryPolicy, SpotifyError};

/// How one failed attempt is handled.
pub(crate) enum Failure {
    /// 401: the token is not (or no longer) accepted.
    Unauthorized,
    /// 429 with its `Retry-After`.
    RateLimited(Duration),
    /// Nothing to retry.
    Final(SpotifyError),
}

/// What the caller does before its next attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Get a new token, then try again.
    RenewToken,
    /// Try again (the wait is over).
    Retry,
}

/// The retry bookkeeping of one call. The caller's loop is
/// `loop { match attempt().await { Ok(v) => return Ok(v), Err(f) => if retries.after(f).await? == Next::RenewToken { renew().await? } } }`.
pub(crate) struct Retries {
    what: &'static str,
    policy: RetryPolicy,
    /// The error when a renewed token is refused too.
    refused_again: SpotifyError,
    renewed: bool,
    waits: u32,
}

impl Retries {
    /// Rules for the call `what` (named in logs); `refused_again` is returned on a second 401.
    pub(crate) fn new(
        what: &'static str,
        policy: RetryPolicy,
        refused_again: SpotifyError,
    ) -> Self {
        Retries {
            what,
            policy,
            refused_again,
            renewed: false,
            waits: 0,
        }
    }

    /// Decides after a failed attempt, sleeping out a rate limit first when it is retried.
    pub(crate) async fn after(&mut self, failure: Failure) -> Result<Next, SpotifyError> {
        let what = self.what;
        match failure {
            Failure::Unauthorized if !self.renewed => {
                tracing::debug!(call = what, "Spotify answered 401; renewing the token once");
                self.renewed = true;
                Ok(Next::RenewToken)
            }
            Failure::Unauthorized => Err(self.refused_again.clone()),
            Failure::RateLimited(wait)
                if self.waits < self.policy.max_retries && wait <= self.policy.max_wait =>
            {
                self.waits += 1;
                tracing::info!(
                    call = what,
                    wait_ms = wait.as_millis() as u64,
                    "Spotify rate limit; waiting"
                );
                tokio::time::sleep(wait).await;
                Ok(Next::Retry)
            }
            Failure::RateLimited(retry_after) => {
                tracing::warn!(
                    call = what,
                    retry_after_s = retry_after.as_secs(),
                    "Spotify rate limit; giving up"
                );
                Err(SpotifyError::RateLimited { retry_after })
            }
            Failure::Final(e) => {
                tracing::warn!(call = what, error = %e, "Spotify call failed");
                Err(e)
            }
        }
    }
}

/// Spotify's error body: `{"error": {"status": 403, "message": "..."}}`.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorObject,
}

#[derive(serde::Deserialize)]
struct ErrorObject {
    message: String,
}

/// Sends one attempt of a Web API call: its JSON answer (`None` when a success carries no
/// JSON body), or how it failed.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Result<Option<Value>, Failure> {
    let response = request
        .send()
        .await
        .map_err(|e| Failure::Final(network_error(&e)))?;
    if !response.status().is_success() {
        return Err(classify_response(response).await);
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| Failure::Final(network_error(&e)))?;
    Ok(serde_json::from_slice(&body).ok())
}

/// Classifies an answer that is not a success.
pub(crate) async fn classify_response(response: reqwest::Response) -> Failure {
    let status = response.status().as_u16();
    match status {
        401 => return Failure::Unauthorized,
        429 => return Failure::RateLimited(retry_after(response.headers())),
        500..=599 => return Failure::Final(SpotifyError::Unavailable { status }),
        _ => {}
    }
    let message = response
        .json::<ErrorBody>()
        .await
        .map(|b| b.error.message)
        .unwrap_or_else(|_| format!("HTTP {status}"));
    Failure::Final(match status {
        403 => SpotifyError::Forbidden { message },
        404 => SpotifyError::NotFound { message },
        _ => SpotifyError::Rejected { status, message },
    })
}

/// `Retry-After` in seconds (Spotify's form); a missing or odd one counts as 1 s.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1))
}

/// A transport failure in words, without the URL (kept for the log).
pub(crate) fn network_error(e: &reqwest::Error) -> SpotifyError {
    tracing::warn!(error = %e, "Spotify request failed");
    let what = if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "the connection failed"
    } else {
        "the request failed"
    };
    SpotifyError::Network(what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_renewal_then_the_given_error() {
        let mut r = Retries::new("t", RetryPolicy::default(), SpotifyError::SignInAgain);
        assert_eq!(r.after(Failure::Unauthorized).await, Ok(Next::RenewToken));
        assert_eq!(
            r.after(Failure::Unauthorized).await,
            Err(SpotifyError::SignInAgain)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limits_are_waited_out_within_the_policy() {
        let policy = RetryPolicy {
            max_retries: 2,
            max_wait: Duration::from_secs(5),
        };
        let mut r = Retries::new("t", policy, SpotifyError::SignInAgain);
        let start = tokio::time::Instant::now();
        let wait = Duration::from_secs(3);
        assert_eq!(r.after(Failure::RateLimited(wait)).await, Ok(Next::Retry));
        assert!(start.elapsed() >= wait);
        assert_eq!(r.after(Failure::RateLimited(wait)).await, Ok(Next::Retry));
        assert_eq!(
            r.after(Failure::RateLimited(wait)).await,
            Err(SpotifyError::RateLimited { retry_after: wait })
        );
        let mut r = Retries::new("t", policy, SpotifyError::SignInAgain);
        let long = Duration::from_secs(60);
        assert_eq!(
            r.after(Failure::RateLimited(long)).await,
            Err(SpotifyError::RateLimited { retry_after: long })
        );
    }
}
