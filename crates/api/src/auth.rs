//! Access to the API: optional bearer API keys and a per-key / per-IP rate limit (GCRA, from
//! the `governor` crate) answering 429 with `Retry-After`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::errors::ApiError;
use super::ApiConfig;

type Limiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// Forget idle clients every this many checks, so the limiter's memory stays bounded.
const CLEANUP_EVERY: u64 = 10_000;

/// The API's gate: keys and rate limit.
pub struct Guard {
    keys: Vec<String>,
    limiter: Option<Limiter>,
    trust_forwarded_for: bool,
    checks: AtomicU64,
}

impl Guard {
    /// From the API's settings; `rate_limit` 0 turns the limit off.
    pub fn new(config: &ApiConfig) -> Self {
        let keys = config
            .keys
            .iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
        let limiter = NonZeroU32::new(config.rate_limit).map(|per_minute| {
            let burst = NonZeroU32::new(config.rate_burst).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
        });
        Guard {
            keys,
            limiter,
            trust_forwarded_for: config.trust_forwarded_for,
            checks: AtomicU64::new(0),
        }
    }

    /// Checks the key (when keys are configured), then the rate of the key or client IP.
    pub fn check(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Result<(), ApiError> {
        let key = if self.keys.is_empty() {
            None
        } else {
            let given = bearer(headers).ok_or_else(|| {
                ApiError::unauthorized("No token provided: send Authorization: Bearer <API key>")
            })?;
            if !self
                .keys
                .iter()
                .any(|k| constant_time_eq(k.as_bytes(), given.as_bytes()))
            {
                return Err(ApiError::unauthorized(
                    "Invalid access token: unknown API key",
                ));
            }
            Some(given)
        };
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % CLEANUP_EVERY == CLEANUP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let client = match key {
            Some(k) => format!("key:{k}"),
            None => format!("ip:{}", client_ip(headers, peer, self.trust_forwarded_for)),
        };
        limiter.check_key(&client).map_err(|not_until| {
            metrics::counter!("selecta_rate_limited_total").increment(1);
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::too_many_requests(retry_after_secs(wait))
        })
    }
}

/// The middleware around the protected routes.
pub async fn guard(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match g.check(req.headers(), peer) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The client's IP: the first `X-Forwarded-For` address when trusted and valid, else the
/// peer address, else `unknown`.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    forwarded
        .or(peer)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whole seconds to wait, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Compares without an early exit, so response times do not reveal how much of a key matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    /// Settings with these keys and rate (the rest as the binary's defaults).
    fn config(keys: &[&str], rate_limit: u32, rate_burst: u32) -> ApiConfig {
        ApiConfig {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            rate_limit,
            rate_burst,
            ..ApiConfig::default()
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn bearer_tokens_are_read_leniently() {
        assert_eq!(
            bearer(&headers(&[("authorization", "Bearer abc")])),
            Some("abc")
        );
        assert_eq!(
            bearer(&headers(&[("authorization", "bearer  abc ")])),
            Some("abc")
        );
        assert_eq!(bearer(&headers(&[("authorization", "Basic abc")])), None);
        assert_eq!(bearer(&headers(&[("authorization", "Bearer ")])), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn client_ip_trusts_forwarded_for_only_when_told() {
        let h = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.1")]);
        let peer = Some("127.0.0.1".parse().unwrap());
        assert_eq!(client_ip(&h, peer, true), "203.0.113.7");
        assert_eq!(client_ip(&h, peer, false), "127.0.0.1");
        let junk = headers(&[("x-forwarded-for", "not an ip")]);
        assert_eq!(client_ip(&junk, peer, true), "127.0.0.1");
        assert_eq!(client_ip(&HeaderMap::new(), None, true), "unknown");
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1000)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }

    #[test]
    fn keys_are_required_when_configured() {
        let g = Guard::new(&config(&["k1", "k2"], 0, 60));
        let e = g.check(&HeaderMap::new(), None).unwrap_err();
        assert_eq!(e.status, 401);
        assert!(e.message.starts_with("No token provided"));
        let e = g
            .check(&headers(&[("authorization", "Bearer k3")]), None)
            .unwrap_err();
        assert!(e.message.starts_with("Invalid access token"));
        g.check(&headers(&[("authorization", "Bearer k2")]), None)
            .unwrap();
        // No keys configured: open, whatever the header says.
        let open = Guard::new(&config(&[], 0, 60));
        open.check(&headers(&[("authorization", "Bearer anything")]), None)
            .unwrap();
    }

    #[test]
    fn the_rate_limit_is_per_key_and_per_ip() {
        let g = Guard::new(&config(&[], 1, 2));
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let none = HeaderMap::new();
        g.check(&none, ip("192.0.2.1")).unwrap();
        g.check(&none, ip("192.0.2.1")).unwrap();
        let e = g.check(&none, ip("192.0.2.1")).unwrap_err();
        assert_eq!(e.status, 429);
        // One per minute: the next slot is about 60 s away.
        let wait = e.retry_after.unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        g.check(&none, ip("192.0.2.2"))
            .expect("another IP has its own budget");

        let keyed = Guard::new(&config(&["a", "b"], 1, 1));
        let a = headers(&[("authorization", "Bearer a")]);
        let b = headers(&[("authorization", "Bearer b")]);
        keyed.check(&a, ip("192.0.2.1")).unwrap();
        assert_eq!(
            keyed.check(&a, ip("192.0.2.9")).unwrap_err().status,
            429,
            "same key, other IP"
        );
        keyed
            .check(&b, ip("192.0.2.1"))
            .expect("another key has its own budget");
    }
}
