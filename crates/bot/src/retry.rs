//! Calling the Bot API again when it says "later" (429 with `retry_after`) or fails on its
//! side (5xx, network), and keeping the token out of error texts.

use std::time::Duration;

use teloxide::{ApiError, RequestError};

/// Attempts at one Bot API call before giving up on it.
pub const ATTEMPTS: u32 = 5;
/// Longest wait between attempts after a server or network error.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Removes the token from error texts (reqwest errors quote the URL, which holds it).
#[derive(Clone)]
pub struct Redact(pub String);

impl Redact {
    /// The error's text with the token replaced by `<token>`.
    pub fn error(&self, e: &dyn std::fmt::Display) -> String {
        let text = e.to_string();
        if self.0.is_empty() {
            text
        } else {
            text.replace(&self.0, "<token>")
        }
    }
}

/// Whether an error may pass if the call is made again: network trouble, a reply that is not
/// the Bot API's JSON (a proxy's error page), or an error the API does not describe as the
/// request's fault. The Bot API's own client errors start with `Bad Request`, `Forbidden`,
/// `Unauthorized`, `Not Found` or `Conflict`; its 5xx answers ("Internal Server Error", "Bad
/// Gateway"...) arrive as errors teloxide does not know.
pub fn transient(e: &RequestError) -> bool {
    match e {
        RequestError::Network(_) | RequestError::InvalidJson { .. } | RequestError::Io(_) => true,
        RequestError::Api(ApiError::Unknown(text)) => ![
            "Bad Request",
            "Forbidden",
            "Unauthorized",
            "Not Found",
            "Conflict",
        ]
        .iter()
        .any(|p| text.starts_with(p)),
        _ => false,
    }
}

/// Makes a Bot API call, again after a 429's `retry_after` or after a transient error
/// (1, 2, 4... s apart), [`ATTEMPTS`] times at most.
pub async fn with_retry<T, F, Fut>(
    redact: &Redact,
    method: &str,
    mut call: F,
) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 1;
    loop {
        let error = match call().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if attempt >= ATTEMPTS {
            return Err(error);
        }
        let wait = match &error {
            RequestError::RetryAfter(s) => s.duration(),
            e if transient(e) => Duration::from_secs(1 << (attempt - 1)).min(MAX_BACKOFF),
            _ => return Err(error),
        };
        tracing::warn!(
            method,
            attempt,
            wait_ms = wait.as_millis() as u64,
            error = %redact.error(&error),
            "Bot API call failed; retrying"
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_are_transient_and_request_errors_are_not() {
        let unknown = |s: &str| RequestError::Api(ApiError::Unknown(s.into()));
        assert!(transient(&unknown("Internal Server Error")));
        assert!(transient(&unknown("Bad Gateway")));
        assert!(!transient(&unknown("Bad Request: can't parse entities")));
        assert!(!transient(&unknown(
            "Forbidden: bot was blocked by the user"
        )));
        assert!(!transient(&RequestError::Api(ApiError::MessageNotModified)));
    }

    #[test]
    fn tokens_are_removed_from_errors() {
        let r = Redact("123:ABC".into());
        assert_eq!(
            r.error(&"error sending request for url (http://h/bot123:ABC/getMe)"),
            "error sending request for url (http://h/bot<token>/getMe)"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retries_follow_retry_after_then_give_up() {
        let r = Redact(String::new());
        let calls = std::cell::Cell::new(0);
        let t0 = tokio::time::Instant::now();
        let out: Result<u8, _> = with_retry(&r, "m", || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                match n {
                    1 => Err(RequestError::RetryAfter(
                        teloxide::types::Seconds::from_seconds(7),
                    )),
                    2 => Err(RequestError::Api(ApiError::Unknown("Bad Gateway".into()))),
                    _ => Ok(9),
                }
            }
        })
        .await;
        assert_eq!(out.unwrap(), 9);
        assert_eq!(calls.get(), 3);
        // 7 s asked by the 429, then 2 s of backoff after the second failure.
        assert_eq!(t0.elapsed(), Duration::from_secs(9));

        calls.set(0);
        let out: Result<u8, _> = with_retry(&r, "m", || {
            calls.set(calls.get() + 1);
            async { Err(RequestError::Api(ApiError::Unknown("Bad Gateway".into()))) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(calls.get(), ATTEMPTS as usize);

        calls.set(0);
        let out: Result<u8, _> = with_retry(&r, "m", || {
            calls.set(calls.get() + 1);
            async { Err(RequestError::Api(ApiError::BotBlocked)) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(calls.get(), 1, "a refusal is not retried");
    }
}
