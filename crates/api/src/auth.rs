//! Access to the API: optional bearer API keys and a per-key / per-IP rate limit (GCRA, from
//! the `governor` crate) answering 429 with `Retry-After`. The rate limiter and the client
//! key ([`RateLimit`], [`client_key`]) are also the web app's (the `selecta` binary's).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
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

/// A per-client request rate (GCRA): `per_minute` after a burst of `burst`. Its memory stays
/// bounded: clients idle long enough to be back at a full burst are forgotten every
/// [`CLEANUP_EVERY`] checks.
pub struct RateLimit {
    limiter: Limiter,
    checks: AtomicU64,
}

impl RateLimit {
    /// `None` when `per_minute` is 0 (no limit); a `burst` of 0 counts as 1.
    pub fn new(per_minute: u32, burst: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Some(RateLimit {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            checks: AtomicU64::new(0),
        })
    }

    /// Counts one request of `client`; over the rate, the whole seconds to wait (at least 1).
    pub fn check(&self, client: &str) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % CLEANUP_EVERY == CLEANUP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&client.to_string())
            .map_err(|not_until| {
                retry_after_secs(not_until.wait_time_from(DefaultClock::default().now()))
            })
    }
}

/// The API's gate: keys and rate limit.
pub struct Guard {
    keys: Vec<String>,
    limit: Option<RateLimit>,
    trusted_proxies: usize,
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
        Guard {
            keys,
            limit: RateLimit::new(config.rate_limit, config.rate_burst),
            trusted_proxies: config.trusted_proxies,
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
        let Some(limit) = &self.limit else {
            return Ok(());
        };
        let client = match key {
            Some(k) => format!("key:{k}"),
            None => client_key(headers, peer, self.trusted_proxies),
        };
        limit.check(&client).map_err(|wait| {
            metrics::counter!("selecta_rate_limited_total").increment(1);
            ApiError::too_many_requests(wait)
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

/// The client's IP. Behind `trusted_proxies` reverse proxies that each append the address they
/// were reached from to `X-Forwarded-For`, the client is the right-most address no trusted
/// proxy wrote: the `trusted_proxies`-th from the right (the left-most when the header holds
/// fewer, as after a shorter chain). Addresses left of it are whatever the client sent, so
/// they are never used. With no trusted proxy, or no usable address there, the peer address.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trusted_proxies: usize,
) -> Option<IpAddr> {
    let forwarded = if trusted_proxies == 0 {
        None
    } else {
        // Several headers count as one list, in order (RFC 9110, 5.3).
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        hops.len()
            .checked_sub(trusted_proxies)
            .map_or(hops.first(), |i| hops.get(i))
            .and_then(|h| parse_hop(h))
    };
    forwarded.or(peer).map(|ip| ip.to_canonical())
}

/// An `X-Forwarded-For` entry: an IP, maybe with a port (`203.0.113.7:4711`, `[2001:db8::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The rate limit's key for a client without an API key: `ip:<IPv4>`, or `ip:<prefix>/64` for
/// IPv6, where one subscriber usually holds a whole /64 and could otherwise take a fresh
/// budget with every address of it; `ip:unknown` without any address.
pub fn client_key(headers: &HeaderMap, peer: Option<IpAddr>, trusted_proxies: usize) -> String {
    match client_ip(headers, peer, trusted_proxies) {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let prefix = u128::from(v6) & !u128::from(u64::MAX);
            format!("ip:{}/64", Ipv6Addr::from(prefix))
        }
        None => "ip:unknown".into(),
    }
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
    fn client_ip_is_the_rightmost_untrusted_hop() {
        let peer = Some("127.0.0.1".parse().unwrap());
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // The client forged the first entry; our one proxy appended the real address.
        let h = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7")]);
        assert_eq!(client_ip(&h, peer, 0), peer, "no proxy trusted: the peer");
        assert_eq!(client_ip(&h, peer, 1), ip("203.0.113.7"));
        assert_eq!(client_ip(&h, peer, 2), ip("198.51.100.1"));
        // Fewer hops than proxies: the left-most, which a trusted proxy wrote.
        assert_eq!(client_ip(&h, peer, 5), ip("198.51.100.1"));
        // Two headers are one list; ports are dropped.
        let mut two = headers(&[("x-forwarded-for", "192.0.2.9")]);
        two.append(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::5]:443, 203.0.113.8:4711"),
        );
        assert_eq!(client_ip(&two, peer, 1), ip("203.0.113.8"));
        assert_eq!(client_ip(&two, peer, 2), ip("2001:db8::5"));
        assert_eq!(client_ip(&two, peer, 3), ip("192.0.2.9"));
        // An unusable entry where the client should be: the peer.
        let junk = headers(&[("x-forwarded-for", "not an ip")]);
        assert_eq!(client_ip(&junk, peer, 1), peer);
        assert_eq!(client_ip(&HeaderMap::new(), peer, 1), peer);
        assert_eq!(client_ip(&HeaderMap::new(), None, 1), None);
        // An IPv4 client seen over IPv6 is that IPv4 client.
        assert_eq!(
            client_ip(&HeaderMap::new(), ip("::ffff:192.0.2.1"), 0),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let key = |s: &str| client_key(&HeaderMap::new(), Some(s.parse().unwrap()), 0);
        assert_eq!(key("192.0.2.1"), "ip:192.0.2.1");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::9"), "ip:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:3::1"), "ip:2001:db8:1:3::/64");
        assert_eq!(client_key(&HeaderMap::new(), None, 0), "ip:unknown");
        let h = headers(&[("x-forwarded-for", "2001:db8:9:9:1::1")]);
        assert_eq!(client_key(&h, None, 1), "ip:2001:db8:9:9::/64");
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
        // Behind one trusted proxy, forged left-hand entries do not buy a fresh budget.
        let behind = Guard::new(&ApiConfig {
            trusted_proxies: 1,
            ..config(&[], 1, 1)
        });
        let proxy = ip("10.0.0.1");
        let forged =
            |first: &str| headers(&[("x-forwarded-for", &format!("{first}, 203.0.113.7"))]);
        behind.check(&forged("198.51.100.1"), proxy).unwrap();
        assert_eq!(
            behind
                .check(&forged("198.51.100.2"), proxy)
                .unwrap_err()
                .status,
            429
        );

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
