//! The lookups' cache: in Redis when a URL is given (replicas share it), else a bounded
//! in-memory LRU kept in a JSON file. Values are JSON; "not found" answers are cached too,
//! for a shorter time. A failing cache never fails a lookup: it is logged and missed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionManager;
use selecta_types::{SpotifyArtist, SpotifyTrack};
use serde::{Deserialize, Serialize};

/// What a lookup found, as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Cached {
    /// `GET /tracks/{id}`.
    Track(SpotifyTrack),
    /// `GET /artists/{id}`.
    Artist(SpotifyArtist),
    /// A search's tracks.
    Tracks(Vec<SpotifyTrack>),
    /// The tracks read from an album.
    List(crate::TrackList),
    /// Spotify answered 404.
    NotFound,
}

/// How long entries live and how many the memory cache holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSettings {
    /// Lifetime of a found track, artist or search.
    pub ttl: Duration,
    /// Lifetime of a "not found" (short: the id may be new at Spotify).
    pub negative_ttl: Duration,
    /// Entries of the memory cache (the least recently used go first).
    pub capacity: usize,
    /// How long after a new entry the memory cache is written to its file.
    pub save_delay: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            ttl: Duration::from_secs(7 * 24 * 3600),
            negative_ttl: Duration::from_secs(3600),
            capacity: 20_000,
            save_delay: Duration::from_secs(2),
        }
    }
}

/// Why a cache could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The Redis URL is unusable or Redis cannot be reached (the URL is shown without its
    /// password).
    #[error("cannot use Redis at {url} (REDIS_URL) for the Spotify lookup cache: {problem}")]
    Redis {
        /// The URL, password removed.
        url: String,
        /// What went wrong.
        problem: String,
    },
}

/// The lookups' cache (cheap to clone: clones share it).
#[derive(Clone)]
pub struct LookupCache {
    backend: Backend,
    settings: CacheSettings,
}

impl std::fmt::Debug for LookupCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.backend {
            Backend::Redis { prefix, .. } => format!("redis ({prefix})"),
            Backend::Memory(_) => "memory".to_string(),
        };
        f.debug_struct("LookupCache")
            .field("backend", &kind)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
enum Backend {
    Redis {
        conn: ConnectionManager,
        prefix: String,
    },
    Memory(Arc<Memory>),
}

/// One entry as kept in memory and in the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: String,
    /// Unix seconds.
    expires_at: u64,
    #[serde(flatten)]
    value: Cached,
}

#[derive(Serialize, Deserialize)]
struct FileBody {
    version: u32,
    /// Least recently used first, so that loading keeps the order.
    entries: Vec<Entry>,
}

struct Memory {
    lru: Mutex<lru::LruCache<String, Entry>>,
    file: Option<PathBuf>,
    dirty: AtomicBool,
    save_scheduled: AtomicBool,
    save_delay: Duration,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Redis URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unparsable URL)".into(),
    }
}

impl LookupCache {
    /// A cache in Redis, keys `{prefix}track:{id}`, `{prefix}artist:{id}`,
    /// `{prefix}search:{query}` (e.g. prefix `selecta:lookup:`). Fails now when Redis cannot
    /// be reached.
    pub async fn redis(
        url: &str,
        prefix: &str,
        settings: CacheSettings,
    ) -> Result<LookupCache, CacheError> {
        let error = |problem: String| CacheError::Redis {
            url: redact(url),
            problem,
        };
        let client = redis::Client::open(url).map_err(|e| error(e.to_string()))?;
        // Bounded answers and reconnections: a paused or stopped Redis must cost a lookup
        // half a second (then it goes to Spotify), never a hang.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = tokio::time::timeout(
            Duration::from_secs(10),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| error("timed out".into()))?
        .map_err(|e| error(e.to_string()))?;
        Ok(LookupCache {
            backend: Backend::Redis {
                conn,
                prefix: prefix.to_string(),
            },
            settings,
        })
    }

    /// A bounded in-memory cache, kept in `file` when given (loaded now: a missing file is
    /// an empty cache, an unreadable one is logged and replaced).
    pub fn memory(file: Option<PathBuf>, settings: CacheSettings) -> LookupCache {
        let capacity = std::num::NonZeroUsize::new(settings.capacity.max(1)).expect("max(1)");
        let mut lru = lru::LruCache::new(capacity);
        if let Some(path) = &file {
            for e in load(path) {
                if e.expires_at > now() {
                    lru.put(e.key.clone(), e);
                }
            }
        }
        LookupCache {
            backend: Backend::Memory(Arc::new(Memory {
                lru: Mutex::new(lru),
                file,
                dirty: AtomicBool::new(false),
                save_scheduled: AtomicBool::new(false),
                save_delay: settings.save_delay,
            })),
            settings,
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> CacheSettings {
        self.settings
    }

    /// The cached answer for `key` (`track:{id}`, ...), if it has not expired.
    pub async fn get(&self, key: &str) -> Option<Cached> {
        match &self.backend {
            Backend::Memory(m) => {
                let mut lru = m.lock();
                match lru.get(key) {
                    Some(e) if e.expires_at > now() => Some(e.value.clone()),
                    Some(_) => {
                        lru.pop(key);
                        None
                    }
                    None => None,
                }
            }
            Backend::Redis { conn, prefix } => {
                let body: Result<Option<String>, _> = deadline(
                    redis::cmd("GET")
                        .arg(format!("{prefix}{key}"))
                        .query_async(&mut conn.clone()),
                )
                .await;
                match body {
                    Ok(Some(b)) => serde_json::from_str(&b)
                        .map_err(|e| tracing::warn!(key, error = %e, "unreadable cache entry"))
                        .ok(),
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(error = %e, "the lookup cache (Redis) failed; looking up");
                        None
                    }
                }
            }
        }
    }

    /// Stores an answer (a [`Cached::NotFound`] for the shorter lifetime).
    pub async fn put(&self, key: &str, value: Cached) {
        let ttl = if value == Cached::NotFound {
            self.settings.negative_ttl
        } else {
            self.settings.ttl
        };
        match &self.backend {
            Backend::Memory(m) => {
                let entry = Entry {
                    key: key.to_string(),
                    expires_at: now() + ttl.as_secs().max(1),
                    value,
                };
                m.lock().put(key.to_string(), entry);
                m.dirty.store(true, Ordering::SeqCst);
                Memory::schedule_save(m);
            }
            Backend::Redis { conn, prefix } => {
                let body = match serde_json::to_string(&value) {
                    Ok(b) => b,
                    Err(e) => return tracing::warn!(error = %e, "cannot encode a cache entry"),
                };
                let done: Result<(), _> = deadline(
                    redis::cmd("SET")
                        .arg(format!("{prefix}{key}"))
                        .arg(body)
                        .arg("EX")
                        .arg(ttl.as_secs().max(1))
                        .query_async(&mut conn.clone()),
                )
                .await;
                if let Err(e) = done {
                    tracing::warn!(error = %e, "the lookup cache (Redis) failed to store");
                }
            }
        }
    }

    /// Writes the memory cache to its file now if it changed (Redis: nothing to do).
    pub async fn flush(&self) -> std::io::Result<()> {
        match &self.backend {
            Backend::Memory(m) => {
                let m = m.clone();
                tokio::task::spawn_blocking(move || m.save())
                    .await
                    .map_err(std::io::Error::other)?
            }
            Backend::Redis { .. } => Ok(()),
        }
    }

    /// Every cached track (found by id or by a search), e.g. to fold into the next fit.
    pub async fn tracks(&self) -> Vec<SpotifyTrack> {
        let values: Vec<Cached> = match &self.backend {
            Backend::Memory(m) => m.lock().iter().map(|(_, e)| e.value.clone()).collect(),
            Backend::Redis { conn, prefix } => redis_values(conn, prefix).await,
        };
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for v in values {
            let tracks = match v {
                Cached::Track(t) => vec![t],
                Cached::Tracks(ts) => ts,
                Cached::List(l) => l.tracks,
                _ => continue,
            };
            out.extend(tracks.into_iter().filter(|t| seen.insert(t.id.clone())));
        }
        out
    }
}

/// One Redis call, bounded in all: a call made while the connection is being re-established
/// waits for that, which the response timeout does not cover.
async fn deadline<T>(
    call: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> redis::RedisResult<T> {
    tokio::time::timeout(Duration::from_millis(1500), call)
        .await
        .unwrap_or_else(|_| {
            Err(redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer in time",
            )))
        })
}

async fn redis_values(conn: &ConnectionManager, prefix: &str) -> Vec<Cached> {
    let mut conn = conn.clone();
    let mut out = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let step: Result<(u64, Vec<String>), _> = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(500)
            .query_async(&mut conn)
            .await;
        let Ok((next, keys)) = step else { break };
        for key in keys {
            let body: Result<Option<String>, _> =
                redis::cmd("GET").arg(&key).query_async(&mut conn).await;
            if let Ok(Some(b)) = body {
                out.extend(serde_json::from_str::<Cached>(&b).ok());
            }
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    out
}

impl Memory {
    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, Entry>> {
        // Every change is one call on the LRU: a panic elsewhere leaves it consistent.
        self.lru.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves `save_delay` after the first unsaved entry, so that a burst is one write.
    fn schedule_save(this: &Arc<Memory>) {
        if this.file.is_none() || this.save_scheduled.swap(true, Ordering::SeqCst) {
            return;
        }
        let weak: Weak<Memory> = Arc::downgrade(this);
        let delay = this.save_delay;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            this.save_scheduled.store(false, Ordering::SeqCst);
            return;
        };
        runtime.spawn(async move {
            tokio::time::sleep(delay).await;
            let Some(m) = weak.upgrade() else { return };
            m.save_scheduled.store(false, Ordering::SeqCst);
            let _ = tokio::task::spawn_blocking(move || m.save()).await;
        });
    }

    /// Writes the file if something changed: temp file, fsync, rename.
    fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        if !self.dirty.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        let body = {
            let lru = self.lock();
            let entries: Vec<Entry> = lru.iter().rev().map(|(_, e)| e.clone()).collect();
            serde_json::to_vec(&FileBody {
                version: 1,
                entries,
            })
            .map_err(std::io::Error::other)?
        };
        let result = write_atomically(path, &body);
        if let Err(e) = &result {
            // Try again with the next change.
            self.dirty.store(true, Ordering::SeqCst);
            tracing::warn!(path = %path.display(), error = %e, "cannot save the lookup cache");
        }
        result
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // The last clone going away (e.g. at shutdown) keeps what was learned.
        let _ = self.save();
    }
}

fn write_atomically(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "lookups".into());
    // Unique per write, so that two caches of one process never share a temp file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(body)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn load(path: &Path) -> Vec<Entry> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return vec![],
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the lookup cache; starting empty");
            return vec![];
        }
    };
    match serde_json::from_slice::<FileBody>(&bytes) {
        Ok(body) if body.version == 1 => body.entries,
        Ok(body) => {
            tracing::warn!(path = %path.display(), version = body.version, "unknown lookup cache version; starting empty");
            vec![]
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "the lookup cache file is damaged; starting empty");
            vec![]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str) -> SpotifyTrack {
        SpotifyTrack {
            id: id.into(),
            name: format!("Song {id}"),
            ..SpotifyTrack::default()
        }
    }

    #[tokio::test]
    async fn the_memory_cache_is_bounded_and_expires() {
        let settings = CacheSettings {
            capacity: 2,
            ..CacheSettings::default()
        };
        let c = LookupCache::memory(None, settings);
        c.put("track:a", Cached::Track(track("a"))).await;
        c.put("track:b", Cached::Track(track("b"))).await;
        assert!(c.get("track:a").await.is_some());
        c.put("track:c", Cached::NotFound).await;
        // `b` was least recently used.
        assert!(c.get("track:b").await.is_none());
        assert_eq!(c.get("track:c").await, Some(Cached::NotFound));
        assert_eq!(c.tracks().await, vec![track("a")]);
    }

    #[tokio::test]
    async fn the_file_survives_a_restart_and_damage_is_tolerated() {
        let dir = std::env::temp_dir().join(format!("selecta-cache-test-{}", std::process::id()));
        let path = dir.join("lookups.json");
        let _ = std::fs::remove_dir_all(&dir);
        let c = LookupCache::memory(Some(path.clone()), CacheSettings::default());
        c.put("track:a", Cached::Track(track("a"))).await;
        c.flush().await.unwrap();
        let again = LookupCache::memory(Some(path.clone()), CacheSettings::default());
        assert_eq!(again.get("track:a").await, Some(Cached::Track(track("a"))));
        std::fs::write(&path, b"{ not json").unwrap();
        let damaged = LookupCache::memory(Some(path.clone()), CacheSettings::default());
        assert_eq!(damaged.get("track:a").await, None);
        // No temp file left beside it.
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn redis_passwords_stay_out_of_messages() {
        assert_eq!(
            redact("redis://:hunter2@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
    }
}
