//! A per-chat rate limit: a token bucket for each chat, so that one busy chat cannot take the
//! bot's time from the others.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How many requests a chat may make: a burst, refilled at a steady rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests a quiet chat may make at once.
    pub burst: u32,
    /// Requests per minute after the burst.
    pub per_minute: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            burst: 5,
            per_minute: 20,
        }
    }
}

/// The decision about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// Too many: tell the chat once, with the wait until the next request is allowed.
    Warn(Duration),
    /// Too many, and the chat was already told: drop silently.
    Drop,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
    warned: bool,
}

/// Buckets of every chat seen recently.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: HashMap<i64, Bucket>,
}

impl RateLimiter {
    /// A limiter with this limit for every chat.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: HashMap::new(),
        }
    }

    /// Takes one request of `chat` at `now`.
    pub fn check(&mut self, chat: i64, now: Instant) -> Verdict {
        let burst = f64::from(self.limit.burst.max(1));
        let per_second = f64::from(self.limit.per_minute) / 60.0;
        if self.buckets.len() > 10_000 {
            // Forget chats whose bucket is full again: they are as good as new.
            self.buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second < burst
            });
        }
        let b = self.buckets.entry(chat).or_insert(Bucket {
            tokens: burst,
            at: now,
            warned: false,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * per_second).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            b.warned = false;
            return Verdict::Allow;
        }
        if b.warned {
            return Verdict::Drop;
        }
        b.warned = true;
        let wait = if per_second > 0.0 {
            Duration::from_secs_f64(((1.0 - b.tokens) / per_second).max(0.0))
        } else {
            Duration::MAX
        };
        Verdict::Warn(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_secs(v: Verdict) -> f64 {
        match v {
            Verdict::Warn(d) => d.as_secs_f64(),
            other => panic!("expected a warning, got {other:?}"),
        }
    }

    #[test]
    fn burst_then_refill_per_chat() {
        let mut l = RateLimiter::new(RateLimit {
            burst: 2,
            per_minute: 6,
        });
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(l.check(1, t0), Verdict::Allow);
        assert_eq!(l.check(1, t0), Verdict::Allow);
        // Empty: one token comes back every 10 s.
        assert!((wait_secs(l.check(1, t0)) - 10.0).abs() < 1e-6);
        assert_eq!(l.check(1, at(4)), Verdict::Drop);
        // Another chat is not affected.
        assert_eq!(l.check(2, t0), Verdict::Allow);
        assert_eq!(l.check(1, at(11)), Verdict::Allow);
        // After an allowed request the chat is told again; 0.1 token is left, 9 s to wait.
        assert!((wait_secs(l.check(1, at(11))) - 9.0).abs() < 1e-6);
        // A long pause refills to the burst, not beyond.
        assert_eq!(l.check(1, at(3600)), Verdict::Allow);
        assert_eq!(l.check(1, at(3600)), Verdict::Allow);
        assert!(matches!(l.check(1, at(3600)), Verdict::Warn(_)));
    }
}
