//! The Web API calls against the stand-in over real HTTP: paging, refresh on expiry and on
//! 401, rate limits, failures, creating a playlist and adding items in chunks.

mod common;

use std::time::{Duration, Instant};

use common::*;
use selecta_spotify::{NewPlaylist, PageRequest, RetryPolicy, SpotifyApi, SpotifyError, TimeRange};
use serde_json::json;

/// Every page of a paged call, checking the page bookkeeping on the way.
async fn all_pages<F, Fut>(limit: u32, mut fetch: F) -> Vec<String>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<
        Output = Result<selecta_spotify::SpotifyPage<selecta_spotify::SpotifyTrack>, SpotifyError>,
    >,
{
    let mut ids = vec![];
    let mut page = PageRequest::first(limit);
    loop {
        let p = fetch(page).await.unwrap();
        assert_eq!(p.offset, page.offset);
        assert!(p.items.len() <= limit as usize);
        ids.extend(p.items.iter().map(|t| t.id.clone()));
        match p.next_offset() {
            Some(next) => page.offset = next,
            None => {
                assert_eq!(p.total, Some(ids.len() as u32));
                return ids;
            }
        }
    }
}

#[tokio::test]
async fn library_lists_page_through_the_whole_library() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("alice").await);
    let alice = env.user("alice").await;

    let saved = all_pages(50, |p| client.saved_tracks(p)).await;
    assert_eq!(saved, ids(&alice["saved"]));
    assert_eq!(saved.len(), 120);
    // Three pages of 50, 50, 20.
    let log = env.requests().await;
    let pages: Vec<&String> = log
        .iter()
        .filter(|r| r.starts_with("GET /v1/me/tracks"))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");

    for (range, key) in [
        (TimeRange::ShortTerm, "top_short_term"),
        (TimeRange::MediumTerm, "top_medium_term"),
        (TimeRange::LongTerm, "top_long_term"),
    ] {
        let top = all_pages(20, |p| client.top_tracks(range, p)).await;
        assert_eq!(top, ids(&alice[key]), "{key}");
    }

    // Recent plays repeat tracks; the list shows each once, newest first.
    let recent = client.recently_played(50).await.unwrap();
    let plays = ids(&alice["recently_played"]);
    let mut expected: Vec<String> = vec![];
    for id in &plays {
        if !expected.contains(id) {
            expected.push(id.clone());
        }
    }
    assert!(expected.len() < plays.len(), "the stand-in repeats plays");
    assert_eq!(
        recent
            .items
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>(),
        expected
    );

    // Tracks carry what matching to the catalog needs.
    let first = client
        .saved_tracks(PageRequest::first(1))
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(first.id.len(), 22);
    assert!(!first.name.is_empty() && !first.artists.is_empty() && !first.album.is_empty());
    assert!(first.year.is_some() && first.duration_ms.is_some());
    assert_eq!(
        first.url,
        format!("https://open.spotify.com/track/{}", first.id)
    );
}

#[tokio::test]
async fn playlists_and_their_items() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("alice").await);
    let lists = client.playlists(PageRequest::first(50)).await.unwrap();
    assert_eq!(lists.total, Some(3));
    let names: Vec<&str> = lists.items.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"Morning run") && names.contains(&"Bob's mix"),
        "{names:?}"
    );

    let run = lists
        .items
        .iter()
        .find(|p| p.name == "Morning run")
        .unwrap();
    assert_eq!(run.owner, "Alice Archer");
    let items = all_pages(50, |p| client.playlist_items(&run.id, p)).await;
    assert_eq!(items.len() as u32, run.total);
    let stored = env.inspect(&format!("playlists/{}", run.id)).await;
    let stored: Vec<String> = ids(&stored["uris"])
        .iter()
        .map(|u| u["spotify:track:".len()..].to_string())
        .collect();
    assert_eq!(items, stored);

    // Spotify shows only the items of playlists the listener owns.
    let bobs = lists.items.iter().find(|p| p.name == "Bob's mix").unwrap();
    let e = client
        .playlist_items(&bobs.id, PageRequest::first(10))
        .await
        .unwrap_err();
    assert!(matches!(e, SpotifyError::Forbidden { .. }), "{e:?}");

    let missing = client
        .playlist_items("0000000000000000000000", PageRequest::first(10))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, SpotifyError::NotFound { .. }),
        "{missing:?}"
    );
}

#[tokio::test]
async fn search_and_single_tracks() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("bob").await);
    let first = client
        .search_tracks("love", PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    assert!(first.has_more);
    let second = client
        .search_tracks(
            "love",
            PageRequest {
                offset: 10,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(first
        .items
        .iter()
        .all(|a| second.items.iter().all(|b| a.id != b.id)));
    // The catalog's search ignores case and punctuation ("L.O.V.E" matches).
    let letters = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    for t in &first.items {
        assert!(
            letters(&format!("{} {}", t.label(), t.album)).contains("love"),
            "{t:?}"
        );
    }

    let one = client.track(&first.items[0].id).await.unwrap();
    assert_eq!(one, first.items[0]);
    let e = client.track("0000000000000000000000").await.unwrap_err();
    assert!(matches!(e, SpotifyError::NotFound { .. }), "{e:?}");

    // Bad input is refused before any request, naming the parameter.
    let before = env.requests().await.len();
    for (e, parameter) in [
        (
            client
                .search_tracks("love", PageRequest::first(11))
                .await
                .unwrap_err(),
            "limit",
        ),
        (
            client
                .search_tracks("  ", PageRequest::first(5))
                .await
                .unwrap_err(),
            "query",
        ),
        (client.track("../me").await.unwrap_err(), "track_id"),
        (
            client
                .saved_tracks(PageRequest::first(0))
                .await
                .unwrap_err(),
            "limit",
        ),
        (
            client
                .playlist_items("a/b", PageRequest::first(5))
                .await
                .unwrap_err(),
            "playlist_id",
        ),
    ] {
        assert!(
            matches!(&e, SpotifyError::InvalidInput { parameter: p, .. } if *p == parameter),
            "{e:?}"
        );
    }
    assert_eq!(env.requests().await.len(), before);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_after_a_401_and_the_caller_gets_it() {
    let env = start().await;
    let tokens = env.sign_in("alice").await;
    let client = env.spotify.client(tokens.clone());
    client.current_user().await.unwrap();
    assert!(client.refreshed_tokens().is_none());

    // The stand-in expires the token early: the client sees a 401, refreshes, retries.
    env.control("expire-tokens", json!({})).await;
    assert_eq!(client.current_user().await.unwrap().id, "alice");
    let refreshed = client.refreshed_tokens().expect("tokens were refreshed");
    use secrecy::ExposeSecret;
    assert_ne!(
        refreshed.access_token().expose_secret(),
        tokens.access_token().expose_secret()
    );
    let me_calls = env
        .requests()
        .await
        .iter()
        .filter(|r| *r == "GET /v1/me/" || *r == "GET /v1/me")
        .count();
    assert_eq!(me_calls, 3, "one call, then a 401 and its retry");

    // Access and refresh revoked: one refresh attempt, then sign in again.
    env.control("revoke", json!({})).await;
    let e = client.current_user().await.unwrap_err();
    assert_eq!(e, SpotifyError::SignInAgain);
    assert!(e.needs_sign_in());
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_the_call() {
    // Tokens live 5 s: inside the client's margin, so it refreshes before calling.
    let env = start_with(|c| c.token_lifetime = Duration::from_secs(5), |_| {}).await;
    let client = env.spotify.client(env.sign_in("alice").await);
    client.current_user().await.unwrap();
    assert!(client.refreshed_tokens().is_some());
    let me_calls = env
        .requests()
        .await
        .iter()
        .filter(|r| *r == "GET /v1/me/" || *r == "GET /v1/me")
        .count();
    assert_eq!(me_calls, 1, "no 401 round trip");
}

#[tokio::test]
async fn rate_limits_are_waited_out_within_the_policy() {
    let env = start_with(
        |_| {},
        |c| {
            c.retry = RetryPolicy {
                max_retries: 2,
                max_wait: Duration::from_secs(3),
            }
        },
    )
    .await;
    let client = env.spotify.client(env.sign_in("alice").await);

    env.control("rate-limit", json!({"requests": 1, "retry_after": 1}))
        .await;
    let started = Instant::now();
    client.saved_tracks(PageRequest::first(5)).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );

    // More 429s than retries: a typed error saying when to try again.
    env.control("rate-limit", json!({"requests": 5, "retry_after": 1}))
        .await;
    let e = client
        .saved_tracks(PageRequest::first(5))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SpotifyError::RateLimited {
            retry_after: Duration::from_secs(1)
        }
    );
    assert!(e.to_string().contains("try again in 1 s"));

    // A Retry-After longer than the policy allows is not waited for at all.
    env.control("rate-limit", json!({"requests": 1, "retry_after": 30}))
        .await;
    let started = Instant::now();
    let e = client
        .saved_tracks(PageRequest::first(5))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SpotifyError::RateLimited {
            retry_after: Duration::from_secs(30)
        }
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn server_errors_and_unreachable_servers_are_typed() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("alice").await);
    env.control("fail", json!({"requests": 1, "status": 502}))
        .await;
    let e = client.current_user().await.unwrap_err();
    assert_eq!(e, SpotifyError::Unavailable { status: 502 });
    assert!(e.is_transient());
    client.current_user().await.unwrap();

    let down = start_with(|_| {}, |c| c.api_url = "http://127.0.0.1:9/v1".into()).await;
    let tokens = env.sign_in("alice").await;
    let e = down
        .spotify
        .client(tokens)
        .current_user()
        .await
        .unwrap_err();
    assert!(matches!(e, SpotifyError::Network(_)), "{e:?}");
}

#[tokio::test]
async fn a_new_playlist_gets_250_items_in_chunks_of_100_in_order() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("alice").await);
    let created = client
        .create_playlist(&NewPlaylist {
            name: "Selecta test".into(),
            description: "Made by a test".into(),
            public: false,
        })
        .await
        .unwrap();
    assert_eq!((created.total, created.public), (0, Some(false)));

    let hits = client
        .search_tracks("a", PageRequest::first(1))
        .await
        .unwrap();
    assert!(hits.total.unwrap() > 250);
    let mut uris = vec![];
    let mut page = PageRequest::first(10);
    while uris.len() < 250 {
        let p = client.search_tracks("a", page).await.unwrap();
        uris.extend(p.items.iter().map(|t| t.uri()));
        page.offset += 10;
    }
    let added = client.add_all_items(&created.id, &uris).await.unwrap();
    assert_eq!(added, 250);
    let stored = env.inspect(&format!("playlists/{}", created.id)).await;
    assert_eq!(ids(&stored["uris"]), uris);
    let posts = env
        .requests()
        .await
        .iter()
        .filter(|r| *r == &format!("POST /v1/playlists/{}/items", created.id))
        .count();
    assert_eq!(posts, 3);
    assert!(client
        .playlists(PageRequest::first(50))
        .await
        .unwrap()
        .items
        .iter()
        .any(|p| p.id == created.id && p.total == 250));
}

#[tokio::test]
async fn a_failure_half_way_says_what_was_saved_and_a_retry_completes_it() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("alice").await);
    let created = client
        .create_playlist(&NewPlaylist {
            name: "Half way".into(),
            description: String::new(),
            public: true,
        })
        .await
        .unwrap();
    let alice = env.user("alice").await;
    let uris: Vec<String> = ids(&alice["saved"])
        .iter()
        .take(120)
        .map(|id| format!("spotify:track:{id}"))
        .collect();
    env.control("fail", json!({"requests": 1, "status": 503, "after": 1}))
        .await;
    let e = client.add_all_items(&created.id, &uris).await.unwrap_err();
    assert_eq!((e.added, e.total), (100, 120));
    assert_eq!(e.error, SpotifyError::Unavailable { status: 503 });
    let stored = env.inspect(&format!("playlists/{}", created.id)).await;
    assert_eq!(ids(&stored["uris"]), uris[..100]);

    assert_eq!(
        client
            .add_all_items(&created.id, &uris[e.added..])
            .await
            .unwrap(),
        20
    );
    let stored = env.inspect(&format!("playlists/{}", created.id)).await;
    assert_eq!(ids(&stored["uris"]), uris);

    // Input Spotify would refuse is refused here, naming the field.
    let bad = client
        .add_items(
            &created.id,
            &["spotify:episode:0000000000000000000000".into()],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            bad,
            SpotifyError::InvalidInput {
                parameter: "uris",
                ..
            }
        ),
        "{bad:?}"
    );
    let too_many = client
        .add_items(&created.id, &uris[..101])
        .await
        .unwrap_err();
    assert!(matches!(
        too_many,
        SpotifyError::InvalidInput {
            parameter: "uris",
            ..
        }
    ));
    let unnamed = client
        .create_playlist(&NewPlaylist {
            name: " ".into(),
            description: String::new(),
            public: true,
        })
        .await
        .unwrap_err();
    assert!(matches!(
        unnamed,
        SpotifyError::InvalidInput {
            parameter: "name",
            ..
        }
    ));
}

#[tokio::test]
async fn the_client_uses_no_endpoint_spotify_removed() {
    let env = start().await;
    let client = env.spotify.client(env.sign_in("alice").await);
    client.current_user().await.unwrap();
    client.saved_tracks(PageRequest::first(5)).await.unwrap();
    client
        .top_tracks(TimeRange::LongTerm, PageRequest::first(5))
        .await
        .unwrap();
    client.recently_played(5).await.unwrap();
    let lists = client.playlists(PageRequest::first(5)).await.unwrap();
    let own = lists
        .items
        .iter()
        .find(|p| p.owner == "Alice Archer")
        .unwrap();
    let items = client
        .playlist_items(&own.id, PageRequest::first(5))
        .await
        .unwrap();
    client
        .search_tracks("queen", PageRequest::first(5))
        .await
        .unwrap();
    client.track(&items.items[0].id).await.unwrap();
    let p = client
        .create_playlist(&NewPlaylist {
            name: "x".into(),
            description: String::new(),
            public: true,
        })
        .await
        .unwrap();
    client
        .add_items(&p.id, &[items.items[0].uri()])
        .await
        .unwrap();

    let log = env.requests().await;
    assert_eq!(log.len(), 10, "{log:#?}");
    for r in &log {
        let path = r.split(' ').nth(1).unwrap();
        let removed = [
            "/v1/audio-features",
            "/v1/audio-analysis",
            "/v1/recommendations",
            "/v1/users/",
            "/v1/tracks?",
        ];
        assert!(!removed.iter().any(|p| path.starts_with(p)), "{r}");
        assert!(
            !(path.starts_with("/v1/playlists/") && path.contains("/tracks")),
            "{r}"
        );
    }
    assert!(
        log.contains(&"POST /v1/me/playlists".to_string()),
        "{log:#?}"
    );
}
