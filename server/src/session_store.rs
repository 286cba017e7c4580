//! Where the web app's sessions live: Redis when `REDIS_URL` is set (several server instances
//! can share it), otherwise the process' memory. The browser holds only the session id, in an
//! HttpOnly, SameSite=Lax cookie (Secure when the public URL is https).
//!
//! The Redis store is a small [`SessionStore`] over the `redis` crate: one key per session
//! (`selecta:session:<id>`) holding the JSON record, expiring with the session (`EXAT`). Every
//! call is bounded in time ([`REDIS_RESPONSE_TIMEOUT`], [`REDIS_CONNECT_TIMEOUT`],
//! [`REDIS_CALL_DEADLINE`]) and the store's state is kept in a [`StoreHealth`] (by the calls
//! and a background ping), which `/readyz` and the web guard read without waiting.
//!
//! The memory store ([`MemoryStore`]) forgets expired sessions and holds at most a set number:
//! a flood of cookie-less requests, each of which makes a session, cannot grow it without
//! bound.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tower_sessions::cookie::time::{Duration, OffsetDateTime};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "selecta_session";
/// A session unused for this long is forgotten.
pub const INACTIVITY_DAYS: i64 = 14;

/// How long one Redis command may wait for its answer: a paused Redis (`kill -STOP`) accepts
/// connections but never answers, and a page must not wait for it.
pub const REDIS_RESPONSE_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);
/// How long one (re)connection attempt may take.
pub const REDIS_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);
/// The most one session call may take in all: a call made while the connection manager is
/// reconnecting waits for the reconnection, which the two timeouts above do not bound.
pub const REDIS_CALL_DEADLINE: std::time::Duration = std::time::Duration::from_millis(1500);
/// How often the store's state is checked when no request does it.
const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether the session store answers, as last seen (by a call or the background ping). Cheap
/// to clone and to read: nothing waits on Redis to learn it.
#[derive(Clone)]
pub struct StoreHealth {
    inner: Arc<HealthInner>,
}

struct HealthInner {
    /// `redis` or `memory`, for `/readyz`.
    kind: &'static str,
    up: AtomicBool,
    /// What went wrong last (no URL, so no password).
    problem: Mutex<String>,
}

impl fmt::Debug for StoreHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreHealth")
            .field("kind", &self.inner.kind)
            .field("up", &self.available())
            .finish()
    }
}

impl StoreHealth {
    /// A store taken to be up until a call fails.
    pub fn new(kind: &'static str) -> Self {
        StoreHealth {
            inner: Arc::new(HealthInner {
                kind,
                up: AtomicBool::new(true),
                problem: Mutex::new(String::new()),
            }),
        }
    }

    /// Whether the last call or ping succeeded.
    pub fn available(&self) -> bool {
        self.inner.up.load(Ordering::SeqCst)
    }

    /// Notes a Redis call's outcome.
    pub(crate) fn record<T>(&self, result: &Result<T, redis::RedisError>) {
        match result {
            Ok(_) => {
                if !self.inner.up.swap(true, Ordering::SeqCst) {
                    tracing::info!(store = self.inner.kind, "the session store answers again");
                }
            }
            // A refused or dropped connection, or no answer in time: the store is down. A
            // command error (a wrong type...) says nothing about availability.
            Err(e) if is_outage(e) => {
                let problem = if e.is_timeout() {
                    "redis does not answer in time".to_string()
                } else {
                    format!("redis: {e}")
                };
                if self.inner.up.swap(false, Ordering::SeqCst) {
                    tracing::error!(store = self.inner.kind, problem = %problem, "the session store is unavailable");
                }
                if let Ok(mut p) = self.inner.problem.lock() {
                    *p = problem;
                }
            }
            Err(_) => {}
        }
    }
}

/// Whether an error means Redis cannot be reached or does not answer.
fn is_outage(e: &redis::RedisError) -> bool {
    e.is_timeout()
        || e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_unrecoverable_error()
}

impl selecta_api::ops::Dependency for StoreHealth {
    fn name(&self) -> &str {
        "sessions"
    }

    fn state(&self) -> Result<String, String> {
        if self.available() {
            Ok(self.inner.kind.to_string())
        } else {
            Err(self
                .inner
                .problem
                .lock()
                .map(|p| p.clone())
                .unwrap_or_else(|_| "redis does not answer".into()))
        }
    }
}

/// Sessions in Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    health: StoreHealth,
}

impl fmt::Debug for RedisStore {
    // The connection holds the URL, which may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// `redis://user:secret@host` -> `redis://user:***@host`, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
            } else {
                format!("{}***{}", &url[..scheme + 3], &url[at..])
            }
        }
        _ => url.to_string(),
    }
}

/// The connection manager's settings: bounded answers and (re)connections, and reconnection
/// attempts close together so that Redis coming back is noticed within a second or two.
pub fn redis_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_response_timeout(Some(REDIS_RESPONSE_TIMEOUT))
        .set_connection_timeout(Some(REDIS_CONNECT_TIMEOUT))
        .set_number_of_retries(1)
        .set_max_delay(std::time::Duration::from_millis(500))
}

impl RedisStore {
    /// Connects (and reconnects on its own later); fails now when Redis cannot be reached,
    /// naming the URL without its password.
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let shown = redact_url(url);
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL {shown} is not a Redis URL: {e}"))?;
        let conn = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            ConnectionManager::new_with_config(client, redis_config()),
        )
        .await
        .map_err(|_| anyhow::anyhow!("cannot reach Redis at {shown} (REDIS_URL): timed out"))?
        .map_err(|e| anyhow::anyhow!("cannot reach Redis at {shown} (REDIS_URL): {e}"))?;
        Ok(RedisStore {
            conn,
            prefix: prefix.to_string(),
            health: StoreHealth::new("redis"),
        })
    }

    /// The store's state, as its calls and [`RedisStore::watch`] see it.
    pub fn health(&self) -> StoreHealth {
        self.health.clone()
    }

    /// Pings Redis every [`PING_EVERY`] for as long as the process runs, so that the state
    /// follows Redis going away and coming back even when no listener calls.
    pub fn watch(&self) {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PING_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let _: Result<String, _> = store.call(&mut redis::cmd("PING")).await;
            }
        });
    }

    fn key(&self, id: &Id) -> String {
        format!("{}{id}", self.prefix)
    }

    /// Runs one command within [`REDIS_CALL_DEADLINE`], noting the outcome in the health.
    async fn call<T: redis::FromRedisValue>(&self, cmd: &mut redis::Cmd) -> redis::RedisResult<T> {
        let result = match tokio::time::timeout(
            REDIS_CALL_DEADLINE,
            cmd.query_async(&mut self.conn.clone()),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer in time",
            ))),
        };
        self.health.record(&result);
        result
    }
}

fn backend(e: redis::RedisError) -> session_store::Error {
    session_store::Error::Backend(format!("redis: {e}"))
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id must not take over another session: SET NX, drawing again on a collision.
        loop {
            let reply: Option<String> = self
                .call(
                    redis::cmd("SET")
                        .arg(self.key(&record.id))
                        .arg(encode(record)?)
                        .arg("NX")
                        .arg("EXAT")
                        .arg(record.expiry_date.unix_timestamp()),
                )
                .await
                .map_err(backend)?;
            if reply.is_some() {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let _: () = self
            .call(
                redis::cmd("SET")
                    .arg(self.key(&record.id))
                    .arg(encode(record)?)
                    .arg("EXAT")
                    .arg(record.expiry_date.unix_timestamp()),
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let body: Option<String> = self
            .call(redis::cmd("GET").arg(self.key(id)))
            .await
            .map_err(backend)?;
        body.map(|b| {
            serde_json::from_str(&b).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let _: () = self
            .call(redis::cmd("DEL").arg(self.key(id)))
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Sessions in this process' memory, at most `max` of them: expired ones are dropped as new
/// ones come, and when it is full the one unused longest (the soonest to expire, as expiry
/// follows the last use) makes room. tower-sessions' own `MemoryStore` keeps every session
/// forever, expired or not.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<Sessions>>,
    max: usize,
}

impl fmt::Debug for MemoryStore {
    // Records hold Spotify tokens: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("sessions", &self.len())
            .field("max", &self.max)
            .finish()
    }
}

/// The records and an index by expiry (then id) to find the expired and the oldest at once.
#[derive(Default)]
struct Sessions {
    records: HashMap<Id, Record>,
    by_expiry: BTreeSet<(OffsetDateTime, i128)>,
}

impl Sessions {
    fn remove(&mut self, id: &Id) -> Option<Record> {
        let old = self.records.remove(id)?;
        self.by_expiry.remove(&(old.expiry_date, id.0));
        Some(old)
    }

    /// Stores `record`, after dropping the expired sessions and, when `max` are held, the
    /// soonest to expire.
    fn put(&mut self, record: Record, max: usize) {
        self.remove(&record.id);
        let now = OffsetDateTime::now_utc();
        while let Some(&(expiry, id)) = self.by_expiry.first() {
            if expiry > now && self.records.len() < max {
                break;
            }
            self.remove(&Id(id));
        }
        self.by_expiry.insert((record.expiry_date, record.id.0));
        self.records.insert(record.id, record);
    }
}

impl MemoryStore {
    /// A store holding at most `max` sessions (at least 1).
    pub fn new(max: usize) -> Self {
        MemoryStore {
            inner: Arc::default(),
            max: max.max(1),
        }
    }

    /// Sessions held now (expired ones included until a write drops them).
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters (each step keeps records and index in step), so a poisoned lock is used on.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut sessions = self.lock();
        // A new id must not take over another session.
        while sessions.records.contains_key(&record.id) {
            record.id = Id::default();
        }
        sessions.put(record.clone(), self.max);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.lock().put(record.clone(), self.max);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut sessions = self.lock();
        match sessions.records.get(id) {
            Some(r) if r.expiry_date > OffsetDateTime::now_utc() => Ok(Some(r.clone())),
            Some(_) => {
                sessions.remove(id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.lock().remove(id);
        Ok(())
    }
}

/// The session layer over a store: an opaque id in an HttpOnly, SameSite=Lax cookie, Secure
/// when the site is served over https, forgotten after [`INACTIVITY_DAYS`] unused.
pub fn layer<S: SessionStore + Clone>(store: S, secure: bool) -> SessionManagerLayer<S> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(Duration::days(INACTIVITY_DAYS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::cookie::time::OffsetDateTime;

    /// The machine's Redis (CI starts it); `REDIS_URL` overrides.
    fn redis_url() -> String {
        std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    }

    fn record(value: &str) -> Record {
        let mut data = std::collections::HashMap::new();
        data.insert(
            "picker".to_string(),
            serde_json::json!({ "seeds": [value] }),
        );
        Record {
            id: Id::default(),
            data,
            expiry_date: OffsetDateTime::now_utc() + Duration::minutes(5),
        }
    }

    #[tokio::test]
    async fn redis_round_trip_save_collision_and_delete() {
        let prefix = format!("selecta-test:{}:", Id::default());
        let store = RedisStore::connect(&redis_url(), &prefix)
            .await
            .expect("the tests need Redis at 127.0.0.1:6379 (or REDIS_URL)");

        let mut a = record("t1");
        store.create(&mut a).await.unwrap();
        assert_eq!(store.load(&a.id).await.unwrap(), Some(a.clone()));

        // The store holds the record under the prefixed id, with the session's expiry.
        let mut conn = store.conn.clone();
        let ttl: i64 = redis::cmd("TTL")
            .arg(store.key(&a.id))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!((1..=300).contains(&ttl), "ttl {ttl}");

        // Creating with a taken id draws another and leaves the first session alone.
        let mut b = record("t2");
        b.id = a.id;
        store.create(&mut b).await.unwrap();
        assert_ne!(b.id, a.id);
        assert_eq!(store.load(&a.id).await.unwrap(), Some(a.clone()));
        assert_eq!(store.load(&b.id).await.unwrap(), Some(b.clone()));

        // Save replaces.
        a.data.insert("generated".into(), serde_json::json!(42));
        store.save(&a).await.unwrap();
        assert_eq!(store.load(&a.id).await.unwrap(), Some(a.clone()));

        store.delete(&a.id).await.unwrap();
        store.delete(&b.id).await.unwrap();
        assert_eq!(store.load(&a.id).await.unwrap(), None);
        assert_eq!(store.load(&b.id).await.unwrap(), None);

        // A record Redis holds but cannot decode is an error, not an empty session.
        let _: () = redis::cmd("SET")
            .arg(store.key(&a.id))
            .arg("not json")
            .arg("EX")
            .arg(60)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(matches!(
            store.load(&a.id).await,
            Err(session_store::Error::Decode(_))
        ));
        store.delete(&a.id).await.unwrap();
    }

    #[tokio::test]
    async fn unreachable_redis_is_named_without_its_password() {
        // Port 1 on loopback: nothing listens there.
        let err = RedisStore::connect("redis://user:hunter2@127.0.0.1:1", "x:")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("REDIS_URL"), "{err}");
        assert!(err.contains("redis://user:***@127.0.0.1:1"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    fn record_expiring(in_secs: i64) -> Record {
        Record {
            expiry_date: OffsetDateTime::now_utc() + Duration::seconds(in_secs),
            ..record("t")
        }
    }

    #[tokio::test]
    async fn the_memory_store_is_capped_dropping_the_longest_unused() {
        let store = MemoryStore::new(3);
        let mut ids = Vec::new();
        for i in 0..3 {
            let mut r = record_expiring(100 + i);
            store.create(&mut r).await.unwrap();
            ids.push(r.id);
        }
        assert_eq!(store.len(), 3);
        // The first session is used again: its expiry moves past the others'.
        let mut first = store.load(&ids[0]).await.unwrap().unwrap();
        first.expiry_date = OffsetDateTime::now_utc() + Duration::seconds(500);
        store.save(&first).await.unwrap();
        assert_eq!(store.len(), 3, "saving a held session takes no room");

        // A fourth session makes room by dropping the one unused longest (the second).
        let mut fourth = record_expiring(400);
        store.create(&mut fourth).await.unwrap();
        assert_eq!(store.len(), 3);
        assert_eq!(store.load(&ids[1]).await.unwrap(), None);
        for id in [ids[0], ids[2], fourth.id] {
            assert!(store.load(&id).await.unwrap().is_some());
        }

        // Many more: never above the cap, and the newest are the ones kept.
        let mut last = Vec::new();
        for i in 0..1000 {
            let mut r = record_expiring(1000 + i);
            store.create(&mut r).await.unwrap();
            last.push(r.id);
            assert!(store.len() <= 3);
        }
        for id in &last[997..] {
            assert!(store.load(id).await.unwrap().is_some());
        }
        store.delete(&last[999]).await.unwrap();
        assert_eq!(store.load(&last[999]).await.unwrap(), None);
        assert_eq!(store.len(), 2);
    }

    #[tokio::test]
    async fn the_memory_store_forgets_expired_sessions() {
        let store = MemoryStore::new(100);
        let mut stale = record_expiring(-1);
        store.create(&mut stale).await.unwrap();
        assert_eq!(store.len(), 1);
        // An expired session is not loaded, and loading it drops it.
        assert_eq!(store.load(&stale.id).await.unwrap(), None);
        assert_eq!(store.len(), 0);
        let mut other_stale = record_expiring(-5);
        store.create(&mut other_stale).await.unwrap();
        assert_eq!(store.len(), 1);
        // Any write drops the expired ones, far below the cap too.
        let mut fresh = record_expiring(60);
        store.create(&mut fresh).await.unwrap();
        assert_eq!(store.len(), 1);
        assert_eq!(store.load(&fresh.id).await.unwrap(), Some(fresh.clone()));
        // A taken id is never reused by create.
        let mut same = record_expiring(60);
        same.id = fresh.id;
        store.create(&mut same).await.unwrap();
        assert_ne!(same.id, fresh.id);
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(redact_url("redis://:pw@h:1/0"), "redis://:***@h:1/0");
        assert_eq!(redact_url("rediss://tok@h"), "rediss://***@h");
    }
}
