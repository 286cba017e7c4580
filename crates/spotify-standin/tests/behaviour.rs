//! The stand-in checks what Spotify checks: the consent page's parameters, the token
//! endpoint's client authentication and PKCE, bearer tokens, scopes, expiry, paging limits;
//! and it injects rate limits and failures on demand.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn the_consent_page_lists_users_and_scopes_and_refuses_bad_requests() {
    let env = start().await;
    let params = env.authorize_params(ALL_SCOPES);
    let page = env
        .http
        .get(format!("{}/authorize", env.base))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "id=\"user-alice\"",
        "id=\"user-bob\"",
        "id=\"user-carol\"",
        "id=\"approve\"",
        "id=\"deny\"",
        "<li>user-top-read</li>",
    ] {
        assert!(html.contains(needle), "{needle}");
    }

    // Client or redirect URI wrong: an error page, never a redirect.
    for (key, value, message) in [
        ("client_id", "someone-else", "Invalid client"),
        (
            "redirect_uri",
            "http://127.0.0.1:3000/elsewhere",
            "Invalid redirect URI",
        ),
    ] {
        let mut p = params.clone();
        p.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.into();
        let r = env
            .http
            .get(format!("{}/authorize", env.base))
            .query(&p)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains(message));
    }
    // Other problems go back to the app as `error=`.
    for (key, value, error) in [
        ("response_type", "token", "unsupported_response_type"),
        (
            "scope",
            "user-read-private launch-missiles",
            "invalid_scope",
        ),
        ("code_challenge_method", "plain", "invalid_request"),
    ] {
        let mut p = params.clone();
        p.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.into();
        let r = env
            .http
            .get(format!("{}/authorize", env.base))
            .query(&p)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{key}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(REDIRECT), "{location}");
        assert!(
            location.contains(&format!("error={error}")) && location.contains("state=st4te"),
            "{location}"
        );
    }
    // Markup in parameters is escaped.
    let mut p = params.clone();
    p.iter_mut().find(|(k, _)| k == "state").unwrap().1 = "\"><script>x</script>".into();
    let html = env
        .http
        .get(format!("{}/authorize", env.base))
        .query(&p)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>x"));

    // Cancel.
    let mut form = params.clone();
    form.push(("user".into(), "alice".into()));
    form.push(("decision".into(), "deny".into()));
    let r = env
        .http
        .post(format!("{}/authorize", env.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap();
    assert_eq!(
        location,
        format!("{REDIRECT}?error=access_denied&state=st4te")
    );
    // An unknown user.
    let mut form = params.clone();
    form.push(("user".into(), "mallory".into()));
    form.push(("decision".into(), "approve".into()));
    let r = env
        .http
        .post(format!("{}/authorize", env.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn the_token_endpoint_checks_client_code_redirect_and_verifier() {
    let env = start().await;
    let params = env.authorize_params(ALL_SCOPES);
    let code = env.approve(&params, "alice").await["code"].clone();
    let exchange = |code: String, redirect: &'static str, verifier: &'static str| {
        let env = &env;
        async move {
            env.token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ])
            .await
        }
    };
    let refused = |(status, body): (u16, Value), error: &str, description: &str| {
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body,
            json!({"error": error, "error_description": description})
        );
    };
    refused(
        exchange(code.clone(), "http://127.0.0.1:3000/x", VERIFIER).await,
        "invalid_grant",
        "Invalid redirect URI",
    );
    refused(
        exchange(
            code.clone(),
            REDIRECT,
            "wrong-verifier-wrong-verifier-wrong-verifier",
        )
        .await,
        "invalid_grant",
        "code_verifier was incorrect",
    );
    refused(
        exchange("AC-unknown".into(), REDIRECT, VERIFIER).await,
        "invalid_grant",
        "Invalid authorization code",
    );

    // A wrong secret, in the Basic header or in the body.
    let r = env
        .http
        .post(format!("{}/api/token", env.base))
        .basic_auth(ID, Some("not-the-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    refused(
        (r.status().as_u16(), r.json().await.unwrap()),
        "invalid_client",
        "Invalid client secret",
    );
    let r = env
        .http
        .post(format!("{}/api/token", env.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", ID),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    refused(
        (r.status().as_u16(), r.json().await.unwrap()),
        "invalid_client",
        "Invalid client secret",
    );

    // Right at last; then the code is spent.
    let (status, body) = exchange(code.clone(), REDIRECT, VERIFIER).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], ALL_SCOPES);
    let access = body["access_token"].as_str().unwrap().to_string();
    refused(
        exchange(code.clone(), REDIRECT, VERIFIER).await,
        "invalid_grant",
        "Authorization code already used",
    );
    // A replayed code revokes what it issued.
    assert_eq!(env.get(&access, "me").await.status(), 401);

    // A public client (PKCE, no secret) may sign in too.
    let code = env.approve(&params, "bob").await["code"].clone();
    let r = env
        .http
        .post(format!("{}/api/token", env.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", ID),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (status, body) = env.token(&[("grant_type", "password")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn refresh_tokens_issue_new_access_tokens() {
    let env = start().await;
    let (access, refresh) = env.sign_in("alice", ALL_SCOPES).await;
    let (status, body) = env
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["access_token"].as_str().unwrap();
    assert_ne!(fresh, access);
    assert!(
        body.get("refresh_token").is_none(),
        "the old refresh token stays valid"
    );
    assert_eq!(env.get(fresh, "me").await.status(), 200);
    let (status, body) = env
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "RT-forged"),
        ])
        .await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some("Invalid refresh token"))
    );
}

async fn error_message(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["status"], status);
    (
        status,
        body["error"]["message"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn tokens_scopes_and_expiry_are_checked() {
    let env = start_with(|c| c.token_lifetime = Duration::from_secs(1)).await;
    let r = env
        .http
        .get(format!("{}/v1/me", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(error_message(r).await, (401, "No token provided".into()));
    assert_eq!(
        error_message(env.get("forged", "me").await).await,
        (401, "Invalid access token".into())
    );

    let (narrow, _) = env
        .sign_in("alice", "user-read-private playlist-modify-private")
        .await;
    assert_eq!(env.get(&narrow, "me").await.status(), 200);
    for path in [
        "me/tracks",
        "me/top/tracks",
        "me/player/recently-played",
        "me/playlists",
    ] {
        assert_eq!(
            error_message(env.get(&narrow, path).await).await,
            (403, "Insufficient client scope".into()),
            "{path}"
        );
    }
    // A private playlist may be created with playlist-modify-private, a public one may not.
    assert_eq!(
        env.post(
            &narrow,
            "me/playlists",
            json!({"name": "p", "public": false})
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        env.post(&narrow, "me/playlists", json!({"name": "p"}))
            .await
            .status(),
        403
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        error_message(env.get(&narrow, "me").await).await,
        (401, "The access token expired".into())
    );
}

#[tokio::test]
async fn paging_limits_and_bad_bodies_are_refused_with_a_message() {
    let env = start().await;
    let (token, _) = env.sign_in("alice", ALL_SCOPES).await;
    for (path, message) in [
        ("me/tracks?limit=0", "Invalid limit"),
        ("me/tracks?limit=abc", "Invalid limit"),
        ("me/top/tracks?time_range=weekly", "Invalid time range"),
        ("search?q=x&type=track&limit=11", "Invalid limit"),
        ("search?type=track", "No search query"),
        ("search?q=x&type=song", "Bad search type field"),
        ("tracks/not-an-id", "Invalid base62 id"),
        (
            "me/player/recently-played?before=1&after=2",
            "Only one of before and after",
        ),
    ] {
        let (status, m) = error_message(env.get(&token, path).await).await;
        assert_eq!(status, 400, "{path}");
        assert!(m.starts_with(message), "{path}: {m}");
    }
    let (status, m) = error_message(
        env.post(&token, "me/playlists", json!({"description": "x"}))
            .await,
    )
    .await;
    assert_eq!((status, m.as_str()), (400, "Missing required field: name"));
    let created: Value = env
        .post(&token, "me/playlists", json!({"name": "n"}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let too_many: Vec<String> = (0..101)
        .map(|_| "spotify:track:0000000000000000000000".into())
        .collect();
    let (status, m) = error_message(
        env.post(
            &token,
            &format!("playlists/{id}/items"),
            json!({"uris": too_many}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(m.starts_with("Too many ids requested"), "{m}");
    let (_, m) = error_message(
        env.post(
            &token,
            &format!("playlists/{id}/items"),
            json!({"uris": ["spotify:track:0000000000000000000000"]}),
        )
        .await,
    )
    .await;
    assert!(m.starts_with("Payload contains a non-existing ID"), "{m}");
    let (_, m) = error_message(
        env.post(
            &token,
            &format!("playlists/{id}/items"),
            json!({"uris": ["spotify:episode:x"]}),
        )
        .await,
    )
    .await;
    assert!(m.starts_with("Invalid track uri"), "{m}");

    // Another listener cannot add to it.
    let (bob, _) = env.sign_in("bob", ALL_SCOPES).await;
    let alice_saved: Value = env
        .get(&token, "me/tracks?limit=1")
        .await
        .json()
        .await
        .unwrap();
    let uri = alice_saved["items"][0]["track"]["uri"].clone();
    assert_eq!(
        env.post(
            &bob,
            &format!("playlists/{id}/items"),
            json!({"uris": [uri]})
        )
        .await
        .status(),
        403
    );
    // Removed endpoints are not there.
    for path in [
        "audio-features/0000000000000000000000",
        "recommendations?seed_tracks=x",
        &format!("playlists/{id}/tracks"),
    ] {
        assert_eq!(env.get(&token, path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn rate_limits_and_failures_on_demand() {
    let env = start_with(|c| c.rate_limit_every = Some(3)).await;
    let (token, _) = env.sign_in("alice", ALL_SCOPES).await;
    let statuses = {
        let mut s = vec![];
        for _ in 0..6 {
            let r = env.get(&token, "me").await;
            if r.status() == 429 {
                assert_eq!(r.headers()["retry-after"], "1");
            }
            s.push(r.status().as_u16());
        }
        s
    };
    assert_eq!(statuses, [200, 200, 429, 200, 200, 429]);

    let env = start().await;
    let (token, _) = env.sign_in("alice", ALL_SCOPES).await;
    assert_eq!(
        env.control("fail", json!({"requests": 2, "status": 502, "after": 1}))
            .await
            .status(),
        200
    );
    let mut statuses = vec![];
    for _ in 0..4 {
        statuses.push(env.get(&token, "me").await.status().as_u16());
    }
    assert_eq!(statuses, [200, 502, 502, 200]);
    assert_eq!(
        env.control("fail", json!({"requests": 1, "status": 404}))
            .await
            .status(),
        400
    );
    assert_eq!(
        env.control("rate-limit", json!({"requests": 1, "retry_after": 0}))
            .await
            .status(),
        400
    );
    assert_eq!(
        env.control("rate-limit", json!({"requests": 1, "bogus": 1}))
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn worlds_are_seeded_and_hold_tracks_outside_the_catalog() {
    let a = selecta_spotify_standin::Standin::new(
        selecta_spotify_standin::StandinConfig::new(ID, SECRET, REDIRECT),
        catalog(),
    )
    .unwrap();
    let b = selecta_spotify_standin::Standin::new(
        selecta_spotify_standin::StandinConfig::new(ID, SECRET, REDIRECT),
        catalog(),
    )
    .unwrap();
    let alice =
        |s: &selecta_spotify_standin::Standin| s.world().user("alice").unwrap().saved.clone();
    assert_eq!(alice(&a), alice(&b));
    let w = a.world();
    let saved = &w.user("alice").unwrap().saved;
    let outside = saved.iter().filter(|&&i| !w.tracks[i].in_catalog()).count();
    assert!(
        outside > 0 && outside < saved.len() / 2,
        "{outside} of {}",
        saved.len()
    );
    let cat = catalog();
    for &i in saved {
        assert_eq!(cat.get(&w.tracks[i].id).is_some(), w.tracks[i].in_catalog());
    }
    let mut config = selecta_spotify_standin::StandinConfig::new(ID, SECRET, REDIRECT);
    config.seed = 7;
    let c = selecta_spotify_standin::Standin::new(config, catalog()).unwrap();
    assert_ne!(alice(&a), alice(&c));
}

#[tokio::test]
async fn the_world_holds_every_kind_of_track_the_catalog_lacks() {
    let s = selecta_spotify_standin::Standin::new(
        selecta_spotify_standin::StandinConfig::new(ID, SECRET, REDIRECT),
        catalog(),
    )
    .unwrap();
    let w = s.world();
    let e = w.examples();
    assert!(e.other_release.len() > 10 && e.same_artist.len() > 10);
    assert!(e.unknown_artist.len() > 10 && !e.unknown_artists.is_empty());
    assert_eq!(
        e.other_release[0],
        (
            "0VjIjW4GlUZAMYd2vXMi3b".to_string(),
            "0sf12qNH5qcw8qpgymFOqD".to_string()
        )
    );
    let cat = catalog();
    let base62 = |id: &str| id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric());
    for (new, old) in &e.other_release {
        let (n, o) = (
            &w.tracks[w.track_index(new).unwrap()],
            &w.tracks[w.track_index(old).unwrap()],
        );
        assert!(cat.get(new).is_none() && cat.get(old).is_some());
        assert_eq!(n.isrc, o.isrc);
        assert!(n.name.starts_with(&o.name), "{} / {}", n.name, o.name);
        assert_eq!(n.artists[0], o.artists[0]);
        assert!(n.duration_ms.abs_diff(o.duration_ms) <= 2000);
    }
    let catalog_artists: std::collections::HashSet<&str> = cat
        .tracks()
        .iter()
        .flat_map(|t| t.artists.iter().map(|a| a.as_str()))
        .collect();
    for id in &e.same_artist {
        let t = &w.tracks[w.track_index(id).unwrap()];
        assert!(cat.get(id).is_none() && catalog_artists.contains(t.artists[0].1.as_str()));
    }
    for id in &e.unknown_artist {
        let t = &w.tracks[w.track_index(id).unwrap()];
        assert!(!catalog_artists.contains(t.artists[0].1.as_str()));
    }
    for a in &w.artists {
        assert!(base62(&a.id), "{a:?}");
        assert_eq!(w.artist(&a.id), Some(a));
    }
    let queen = w.artist("1dfeR4HaWDbWqFHLkxsg1d").unwrap();
    assert_eq!(queen.name, "Queen");
    assert!(queen.in_catalog && !queen.genres.is_empty());
    // Alice's library holds every kind.
    let saved = &w.user("alice").unwrap().saved;
    for kind in [&e.same_artist, &e.unknown_artist] {
        assert!(saved.iter().any(|&i| kind.contains(&w.tracks[i].id)));
    }
    assert!(saved
        .iter()
        .any(|&i| e.other_release.iter().any(|(n, _)| *n == w.tracks[i].id)));
}

#[tokio::test]
async fn app_tokens_need_the_secret_and_read_only_the_catalog() {
    let env = start().await;
    let r = env
        .http
        .post(format!("{}/api/token", env.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", ID)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
    let (status, body) = env.token(&[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200);
    let app = body["access_token"].as_str().unwrap();
    for path in ["me", "me/tracks", "me/playlists"] {
        assert_eq!(env.get(app, path).await.status(), 401, "{path}");
    }
    let r = env.post(app, "me/playlists", json!({"name": "x"})).await;
    assert_eq!(r.status(), 401);
    // Filters: an artist the catalog lacks, a title and an artist, a quoted phrase.
    let e = env.examples();
    let (_, name) = &e.unknown_artists[0];
    let q = format!("artist:\"{name}\"");
    let r = env
        .http
        .get(format!("{}/v1/search", env.base))
        .bearer_auth(app)
        .query(&[("q", q.as_str()), ("type", "track"), ("limit", "10")])
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let items = body["tracks"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|t| t["artists"][0]["name"] == name.as_str()));
    let r = env
        .http
        .get(format!("{}/v1/search", env.base))
        .bearer_auth(app)
        .query(&[
            ("q", "track:\"Blinding Lights\" artist:weeknd"),
            ("type", "track"),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let ids: Vec<&str> = body["tracks"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"0sf12qNH5qcw8qpgymFOqD") && ids.contains(&"0VjIjW4GlUZAMYd2vXMi3b"),
        "{ids:?}"
    );
}

#[tokio::test]
async fn albums_list_their_tracks_in_pages_with_either_token() {
    let env = start().await;
    let (status, body) = env.token(&[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200);
    let app = body["access_token"].as_str().unwrap().to_string();
    let (listener, _) = env.sign_in("bob", "user-read-private").await;
    let e = env.examples();
    let id = &e.mixed_albums[0];

    let album: Value = env
        .get(&app, &format!("albums/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(album["id"], id.as_str());
    let total = album["total_tracks"].as_u64().unwrap() as usize;
    assert!(total >= 2, "{album:#}");
    assert_eq!(album["tracks"]["total"], total);
    let first: Vec<&str> = album["tracks"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(first.len(), total.min(50));

    // Pages of one track, with a listener's token: the same tracks, numbered in order.
    let mut paged = Vec::new();
    for offset in 0..total {
        let page: Value = env
            .get(
                &listener,
                &format!("albums/{id}/tracks?limit=1&offset={offset}"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], total);
        assert_eq!(page["next"].is_null(), offset + 1 == total);
        let t = &page["items"][0];
        assert_eq!(t["track_number"], offset + 1);
        assert!(t.get("album").is_none(), "simplified tracks carry no album");
        paged.push(t["id"].as_str().unwrap().to_string());
    }
    assert_eq!(paged, first);
    // A full track says where it sits on the album.
    let full: Value = env
        .get(&app, &format!("tracks/{}", paged[1]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["album"]["id"], id.as_str());
    assert_eq!(full["album"]["total_tracks"], total);
    assert_eq!(full["track_number"], 2);
    // Past the end: an empty page.
    let past: Value = env
        .get(&app, &format!("albums/{id}/tracks?offset={}", total + 5))
        .await
        .json()
        .await
        .unwrap();
    assert!(past["items"].as_array().unwrap().is_empty());

    // The album holds catalog tracks and tracks the catalog lacks by the same artists.
    let cat = catalog();
    assert!(paged.iter().any(|t| cat.get(t).is_some()));
    assert!(paged
        .iter()
        .any(|t| cat.get(t).is_none() && e.same_artist.contains(t)));

    for (path, status) in [
        ("albums/0000000000000000000000".to_string(), 404),
        ("albums/0000000000000000000000/tracks".to_string(), 404),
        ("albums/not-an-id".to_string(), 400),
        (format!("albums/{id}/tracks?limit=51"), 400),
        (format!("albums/{id}/tracks?limit=0"), 400),
    ] {
        let (got, message) = error_message(env.get(&app, &path).await).await;
        assert_eq!(got, status, "{path}: {message}");
    }
    assert_eq!(env.get("nope", &format!("albums/{id}")).await.status(), 401);
}

#[tokio::test]
async fn playlist_items_are_for_owners_only() {
    let env = start().await;
    let (alice, _) = env.sign_in("alice", ALL_SCOPES).await;
    let users: Value = env
        .http
        .get(format!("{}/_standin/users", env.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let playlists_of = |user: &str| -> Vec<String> {
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == user)
            .unwrap()["playlists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    };
    let own = &playlists_of("alice")[0];
    let r = env
        .get(&alice, &format!("playlists/{own}/items?limit=50"))
        .await;
    assert_eq!(r.status(), 200);
    // Bob's mix, which Alice follows: Spotify answers 403 to anyone but its owner.
    let bobs = &playlists_of("bob")[0];
    let (status, message) =
        error_message(env.get(&alice, &format!("playlists/{bobs}/items")).await).await;
    assert_eq!((status, message.as_str()), (403, "Forbidden"));
    // An app token has no listener.
    let (_, body) = env.token(&[("grant_type", "client_credentials")]).await;
    let app = body["access_token"].as_str().unwrap();
    assert_eq!(
        env.get(app, &format!("playlists/{own}/items"))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn examples_are_served_for_tests_of_the_binary() {
    let env = start().await;
    let e: Value = env
        .http
        .get(format!("{}/_standin/examples", env.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let want = env.examples();
    assert_eq!(e["mixed_albums"][0], want.mixed_albums[0].as_str());
    assert_eq!(e["other_release"][0][0], "0VjIjW4GlUZAMYd2vXMi3b");
    assert!(!want.unknown_albums.is_empty());
}
