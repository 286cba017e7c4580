//! Server-side lookups against the stand-in over real HTTP: the app token, tracks and artists
//! the catalog lacks, ISRC search, 429 waited out, and the caches (memory + file, Redis) that
//! make a repeated seed cost no Spotify call.

mod common;

use std::time::{Duration, Instant};

use common::*;
use selecta_spotify::{
    Acting, CacheSettings, LookupCache, SpotifyError, SpotifyLookup, TrackSearch,
};
use serde_json::json;

fn lookup(env: &Env, cache: LookupCache) -> SpotifyLookup {
    SpotifyLookup::new(Some(env.spotify.config()), cache).expect("lookup")
}

fn memory() -> LookupCache {
    LookupCache::memory(None, CacheSettings::default())
}

fn base62(id: &str) -> bool {
    id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// API requests whose path starts with `prefix`.
async fn count(env: &Env, prefix: &str) -> usize {
    env.requests()
        .await
        .iter()
        .filter(|r| r.starts_with(prefix))
        .count()
}

#[tokio::test]
async fn the_app_token_finds_what_the_catalog_lacks() {
    let env = start().await;
    let l = lookup(&env, memory());
    let e = &env.examples;

    // The example: Blinding Lights on After Hours, the catalog holding the single.
    let (other, original) = &e.other_release[0];
    let t = l.track(Acting::App, other).await.unwrap();
    assert_eq!(t.name, "Blinding Lights");
    assert_eq!(t.album, "After Hours");
    assert_eq!(t.artists, ["The Weeknd"]);
    assert_eq!(t.artist_ids, ["1Xyo4u8uXC1ZmMpatF05PJ"]);
    assert_eq!(t.year, Some(2020));
    assert_eq!(t.explicit, Some(false));
    let single = l.track(Acting::App, original).await.unwrap();
    assert!(t.isrc.is_some());
    assert_eq!(t.isrc, single.isrc);
    assert!(t.duration_ms.unwrap().abs_diff(single.duration_ms.unwrap()) <= 2000);

    // A real Spotify artist id.
    let queen = l
        .artist(Acting::App, "1dfeR4HaWDbWqFHLkxsg1d")
        .await
        .unwrap();
    assert_eq!(queen.name, "Queen");
    assert!(!queen.genres.is_empty());
    let (id, name) = &e.unknown_artists[0];
    let unknown = l.artist(Acting::App, id).await.unwrap();
    assert_eq!(&unknown.name, name);

    // Same recording by ISRC: both ids, and by title and artist.
    let by_isrc = l
        .search_tracks(
            Acting::App,
            &TrackSearch {
                isrc: t.isrc.clone(),
                ..TrackSearch::default()
            },
            10,
        )
        .await
        .unwrap();
    let ids: Vec<&str> = by_isrc.iter().map(|t| t.id.as_str()).collect();
    assert!(
        ids.contains(&other.as_str()) && ids.contains(&original.as_str()),
        "{ids:?}"
    );
    let by_name = l
        .search_tracks(
            Acting::App,
            &TrackSearch {
                track: Some("Blinding Lights".into()),
                artist: Some("The Weeknd".into()),
                isrc: None,
            },
            5,
        )
        .await
        .unwrap();
    assert!(by_name.iter().all(|t| t.artists[0] == "The Weeknd"));
    assert!(matches!(
        l.search_tracks(Acting::App, &TrackSearch::default(), 5)
            .await,
        Err(SpotifyError::InvalidInput { .. })
    ));
    assert!(matches!(
        l.search_tracks(
            Acting::App,
            &TrackSearch {
                track: Some("x".into()),
                ..TrackSearch::default()
            },
            11
        )
        .await,
        Err(SpotifyError::InvalidInput {
            parameter: "limit",
            ..
        })
    ));

    // Tracks of every kind, artist ids real-shaped.
    for id in [&e.same_artist[0], &e.unknown_artist[0]] {
        let t = l.track(Acting::App, id).await.unwrap();
        assert!(!t.artist_ids.is_empty() && t.artist_ids.iter().all(|a| base62(a)));
        assert!(t.album_id.as_deref().is_some_and(base62));
    }
}

#[tokio::test]
async fn many_tracks_cost_one_call_per_unknown_id_and_repeats_cost_none() {
    let env = start().await;
    let l = lookup(&env, memory());
    let e = &env.examples;
    let missing = "0000000000000000000000".to_string();
    let ids = vec![
        e.other_release[1].0.clone(),
        e.same_artist[1].clone(),
        e.unknown_artist[1].clone(),
        e.same_artist[1].clone(),
        missing.clone(),
    ];
    let found = l.tracks(Acting::App, &ids).await;
    assert_eq!(found.len(), 5);
    for (id, r) in ids.iter().zip(&found).take(4) {
        assert_eq!(&r.as_ref().unwrap().id, id);
    }
    assert!(matches!(found[4], Err(SpotifyError::NotFound { .. })));
    assert_eq!(
        count(&env, "GET /v1/tracks/").await,
        4,
        "one call per unique id"
    );

    // Again, the 404 included: answered from the cache.
    let again = l.tracks(Acting::App, &ids).await;
    assert_eq!(
        again.iter().map(|r| r.is_ok()).collect::<Vec<_>>(),
        found.iter().map(|r| r.is_ok()).collect::<Vec<_>>()
    );
    l.artist(Acting::App, "1dfeR4HaWDbWqFHLkxsg1d")
        .await
        .unwrap();
    l.artist(Acting::App, "1dfeR4HaWDbWqFHLkxsg1d")
        .await
        .unwrap();
    assert_eq!(count(&env, "GET /v1/tracks/").await, 4);
    assert_eq!(count(&env, "GET /v1/artists/").await, 1);

    // A cached lookup is well under a millisecond.
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        l.track(Acting::App, &ids[0]).await.unwrap();
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!("cached lookup (memory): median {median:?}");
    assert!(median < Duration::from_millis(1), "{median:?}");
}

#[tokio::test]
async fn rate_limits_are_waited_out_and_expired_app_tokens_renewed() {
    let env = start().await;
    let l = lookup(&env, memory());
    let id = env.examples.unknown_artist[2].clone();
    env.control("rate-limit", json!({"requests": 1, "retry_after": 1}))
        .await;
    let start = Instant::now();
    l.track(Acting::App, &id).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(count(&env, "GET /v1/tracks/").await, 2);

    // The stand-in forgets the app token's lifetime: one new token and one retry.
    env.control("expire-tokens", json!({})).await;
    l.track(Acting::App, &env.examples.unknown_artist[3])
        .await
        .unwrap();
    assert_eq!(count(&env, "GET /v1/tracks/").await, 4);
}

#[tokio::test]
async fn a_signed_in_listener_looks_up_with_their_own_token() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("bob").await);
    // No app credentials at all: the listener's token is enough.
    let l = SpotifyLookup::new(None, memory()).unwrap();
    assert!(!l.has_app_credentials());
    let id = &env.examples.same_artist[3];
    assert_eq!(
        &l.track(Acting::Listener(&client), id).await.unwrap().id,
        id
    );
    assert!(matches!(
        l.track(Acting::App, &env.examples.same_artist[4]).await,
        Err(SpotifyError::NotConfigured { .. })
    ));
    // An expired listener token is refreshed once.
    env.control("expire-tokens", json!({})).await;
    l.artist(Acting::Listener(&client), "1dfeR4HaWDbWqFHLkxsg1d")
        .await
        .unwrap();
    assert!(client_refreshed(&client));
}

fn client_refreshed(client: &selecta_spotify::SpotifyClient) -> bool {
    use selecta_spotify::SpotifyApi;
    client.refreshed_tokens().is_some()
}

#[tokio::test]
async fn the_memory_cache_file_serves_a_new_process() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spotify-lookups.json");
    let id = env.examples.other_release[2].0.clone();
    let first = lookup(
        &env,
        LookupCache::memory(Some(path.clone()), CacheSettings::default()),
    );
    let t = first.track(Acting::App, &id).await.unwrap();
    first.cache().flush().await.unwrap();
    drop(first);
    assert_eq!(count(&env, "GET /v1/tracks/").await, 1);

    // As after a restart: a new cache read from the file, a new lookup.
    let second = lookup(
        &env,
        LookupCache::memory(Some(path.clone()), CacheSettings::default()),
    );
    assert_eq!(second.track(Acting::App, &id).await.unwrap(), t);
    assert_eq!(count(&env, "GET /v1/tracks/").await, 1);
    assert_eq!(second.cache().tracks().await, vec![t]);

    // New entries are saved on their own shortly after.
    let settings = CacheSettings {
        save_delay: Duration::from_millis(50),
        ..CacheSettings::default()
    };
    let third = lookup(&env, LookupCache::memory(Some(path.clone()), settings));
    let other = env.examples.unknown_artist[4].clone();
    third.track(Acting::App, &other).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&other) && text.contains(&id));
}

#[tokio::test]
async fn redis_shares_lookups_between_replicas() {
    let env = start().await;
    let url = "redis://127.0.0.1:6379";
    let prefix = format!(
        "selecta:test:lookup:{}:{}:",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let replica = |cache| lookup(&env, cache);
    let a = replica(
        LookupCache::redis(url, &prefix, CacheSettings::default())
            .await
            .unwrap(),
    );
    let b = replica(
        LookupCache::redis(url, &prefix, CacheSettings::default())
            .await
            .unwrap(),
    );
    let id = env.examples.same_artist[5].clone();
    let t = a.track(Acting::App, &id).await.unwrap();
    assert_eq!(b.track(Acting::App, &id).await.unwrap(), t);
    let missing = "0000000000000000000001";
    assert!(a.track(Acting::App, missing).await.is_err());
    assert!(matches!(
        b.track(Acting::App, missing).await,
        Err(SpotifyError::NotFound { .. })
    ));
    assert_eq!(count(&env, "GET /v1/tracks/").await, 2);

    // Keys are prefixed, JSON, with a TTL; the 404's is the shorter.
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let body: String = redis::cmd("GET")
        .arg(format!("{prefix}track:{id}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok());
    let ttl = |key: String| {
        let mut conn = conn.clone();
        async move {
            redis::cmd("TTL")
                .arg(key)
                .query_async::<i64>(&mut conn)
                .await
                .unwrap()
        }
    };
    let found_ttl = ttl(format!("{prefix}track:{id}")).await;
    let missing_ttl = ttl(format!("{prefix}track:{missing}")).await;
    assert!(found_ttl > 24 * 3600, "{found_ttl}");
    assert!(missing_ttl > 0 && missing_ttl < found_ttl, "{missing_ttl}");

    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        b.track(Acting::App, &id).await.unwrap();
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!("cached lookup (redis): median {:?}", times[times.len() / 2]);
    assert_eq!(a.cache().tracks().await, vec![t]);

    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 2);
    let _: () = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_albums_tracks_are_read_in_pages_capped_and_cached() {
    let env = start().await;
    let l = lookup(&env, memory());
    let id = env.examples.mixed_albums[0].clone();
    let album = l.album_tracks(Acting::App, &id, 50).await.unwrap();
    assert_eq!(album.kind, selecta_spotify::ListKind::Album);
    let name = album.name.clone().unwrap();
    let total = album.total.unwrap() as usize;
    assert_eq!(album.tracks.len(), total.min(50));
    assert!(!album.more && album.skipped == 0);
    for t in &album.tracks {
        assert_eq!(t.album, name);
        assert_eq!(t.album_id.as_deref(), Some(id.as_str()));
        assert!(t.year.is_some() && !t.artists.is_empty() && base62(&t.id));
    }
    // The album's one call; a second read is the cache's.
    assert_eq!(count(&env, "GET /v1/albums/").await, 1);
    assert_eq!(l.album_tracks(Acting::App, &id, 50).await.unwrap(), album);
    assert_eq!(count(&env, "GET /v1/albums/").await, 1);

    // A smaller cap reads less and says more are left.
    let two = l.album_tracks(Acting::App, &id, 2).await.unwrap();
    assert_eq!(two.tracks, album.tracks[..2]);
    assert!(two.more);

    // An unknown album is a 404, cached too; a bad id never reaches Spotify.
    let missing = l
        .album_tracks(Acting::App, "0000000000000000000000", 50)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, SpotifyError::NotFound { .. }),
        "{missing}"
    );
    assert!(matches!(
        l.album_tracks(Acting::App, "../me", 50).await,
        Err(SpotifyError::InvalidInput {
            parameter: "album_id",
            ..
        })
    ));
    // A rate limit is waited out as for any lookup.
    env.control("rate-limit", json!({"requests": 1, "retry_after": 1}))
        .await;
    let other = l
        .album_tracks(Acting::App, &env.examples.unknown_albums[0], 50)
        .await;
    assert!(other.is_ok(), "{other:?}");
}

#[tokio::test]
async fn a_playlists_tracks_need_the_listener_and_their_own_playlist() {
    let env = start().await;
    let l = lookup(&env, memory());
    let client = env.spotify.client(env.sign_in("alice").await);
    let alice = env.user("alice").await;
    let own = alice["playlists"][0].as_str().unwrap().to_string();
    let list = l.playlist_tracks(&client, &own, 50).await.unwrap();
    let stored = ids(&env.inspect(&format!("playlists/{own}")).await["uris"]);
    let want: Vec<String> = stored
        .iter()
        .map(|u| u.trim_start_matches("spotify:track:").to_string())
        .take(50)
        .collect();
    let got: Vec<String> = list.tracks.iter().map(|t| t.id.clone()).collect();
    let mut unique = want.clone();
    unique.dedup();
    assert_eq!(got, unique[..got.len()]);
    assert_eq!(list.total, Some(stored.len() as u32));
    assert_eq!(list.more, stored.len() > 50);
    assert!(list.tracks.iter().all(|t| t.isrc.is_some()));

    // Bob's playlist, which Alice follows: Spotify refuses its items.
    let bob = env.user("bob").await;
    let bobs = bob["playlists"][0].as_str().unwrap();
    let e = l.playlist_tracks(&client, bobs, 50).await.unwrap_err();
    assert_eq!(e, SpotifyError::PlaylistNotReadable);
    assert!(
        e.to_string()
            .contains("your own and collaborative playlists"),
        "{e}"
    );
    let e = l
        .playlist_tracks(&client, "0000000000000000000000", 50)
        .await
        .unwrap_err();
    assert!(matches!(e, SpotifyError::NotFound { .. }), "{e}");
}
