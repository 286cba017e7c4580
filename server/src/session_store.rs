//! Where the web app's sessions live: Redis when `REDIS_URL` is set (several server instances
//! can share it), otherwise the process' memory. The browser holds only the session id, in an
//! HttpOnly, SameSite=Lax cookie (Secure when the public URL is https).
//!
//! The Redis store is a small [`SessionStore`] over the `redis` crate: one key per session
//! (`selecta:session:<id>`) holding the JSON record, expiring with the session (`EXAT`).

use std::fmt;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "selecta_session";
/// A session unused for this long is forgotten.
pub const INACTIVITY_DAYS: i64 = 14;

/// Sessions in Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
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

impl RedisStore {
    /// Connects (and reconnects on its own later); fails now when Redis cannot be reached,
    /// naming the URL without its password.
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let shown = redact_url(url);
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL {shown} is not a Redis URL: {e}"))?;
        let conn = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            ConnectionManager::new(client),
        )
        .await
        .map_err(|_| anyhow::anyhow!("cannot reach Redis at {shown} (REDIS_URL): timed out"))?
        .map_err(|e| anyhow::anyhow!("cannot reach Redis at {shown} (REDIS_URL): {e}"))?;
        Ok(RedisStore {
            conn,
            prefix: prefix.to_string(),
        })
    }

    fn key(&self, id: &Id) -> String {
        format!("{}{id}", self.prefix)
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
            let reply: Option<String> = redis::cmd("SET")
                .arg(self.key(&record.id))
                .arg(encode(record)?)
                .arg("NX")
                .arg("EXAT")
                .arg(record.expiry_date.unix_timestamp())
                .query_async(&mut self.conn.clone())
                .await
                .map_err(backend)?;
            if reply.is_some() {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let _: () = redis::cmd("SET")
            .arg(self.key(&record.id))
            .arg(encode(record)?)
            .arg("EXAT")
            .arg(record.expiry_date.unix_timestamp())
            .query_async(&mut self.conn.clone())
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let body: Option<String> = redis::cmd("GET")
            .arg(self.key(id))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(backend)?;
        body.map(|b| {
            serde_json::from_str(&b).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let _: () = redis::cmd("DEL")
            .arg(self.key(id))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(backend)?;
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
