//! Every answer of the stand-in the app relies on validates against Spotify's OpenAPI
//! document (`server/tests/fixtures/spotify-open-api.yml`, a copy of `../shared/spotify/`).

mod common;

use common::*;
use serde_json::{json, Value};

/// Objects whose every property the stand-in must send (Spotify sends them all), except these.
const STRICT: [(&str, &[&str]); 11] = [
    ("TrackObject", &["linked_from", "restrictions"]),
    ("SimplifiedTrackObject", &["linked_from", "restrictions"]),
    ("CopyrightObject", &[]),
    ("ArtistObject", &[]),
    // Spotify sends `isrc`; `ean` and `upc` belong to albums.
    ("ExternalIdObject", &["ean", "upc"]),
    ("SimplifiedArtistObject", &[]),
    ("SimplifiedPlaylistObject", &[]),
    ("PlaylistObject", &[]),
    ("PlaylistTrackObject", &[]),
    ("SavedTrackObject", &[]),
    (
        "PrivateUserObject",
        &[
            "country",
            "email",
            "explicit_content",
            "followers",
            "product",
        ],
    ),
];

/// OpenAPI 3.0's `nullable: true` is not JSON Schema: turn it into a `null` type.
fn convert(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                convert(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get("type").cloned() {
                    Some(Value::String(t)) => {
                        map.insert("type".into(), json!([t, "null"]));
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(map));
                        map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(convert),
        _ => {}
    }
}

fn components() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../server/tests/fixtures/spotify-open-api.yml");
    let text = std::fs::read_to_string(&path).expect("the OpenAPI fixture");
    let mut doc: Value = serde_norway::from_str(&text).expect("valid YAML");
    let mut components = doc["components"].take();
    convert(&mut components);
    for (name, optional) in STRICT {
        let schema = &mut components["schemas"][name];
        let required: Vec<String> = schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has properties"))
            .keys()
            .filter(|k| !optional.contains(&k.as_str()))
            .cloned()
            .collect();
        schema["required"] = json!(required);
    }
    components
}

struct Checker {
    components: Value,
    checked: usize,
}

impl Checker {
    fn new() -> Self {
        Checker {
            components: components(),
            checked: 0,
        }
    }

    /// A checker for albums: their `external_ids` carry a UPC (and EAN), not the ISRC that
    /// [`STRICT`] requires of tracks.
    fn for_albums() -> Self {
        let mut c = Checker::new();
        let ids = &mut c.components["schemas"]["ExternalIdObject"];
        ids["required"] = json!(["upc"]);
        c
    }

    /// Validates `body` against the named response of the document.
    fn response(&mut self, name: &str, body: &Value) {
        let pointer = format!("#/components/responses/{name}/content/application~1json/schema");
        let root = json!({"$ref": pointer, "components": self.components});
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{body:#}");
        self.checked += 1;
    }
}

async fn expect(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status, "{}", r.url());
    r.json().await.unwrap()
}

#[tokio::test]
async fn every_answer_the_app_uses_fits_the_spec() {
    let env = start().await;
    let mut check = Checker::new();
    let (token, _) = env.sign_in("alice", ALL_SCOPES).await;

    check.response(
        "OnePrivateUser",
        &expect(env.get(&token, "me").await, 200).await,
    );
    let saved = expect(env.get(&token, "me/tracks?limit=50&offset=10").await, 200).await;
    assert_eq!(saved["items"].as_array().unwrap().len(), 50);
    check.response("PagingSavedTrackObject", &saved);
    for range in ["short_term", "medium_term", "long_term"] {
        let top = expect(
            env.get(
                &token,
                &format!("me/top/tracks?time_range={range}&limit=50"),
            )
            .await,
            200,
        )
        .await;
        check.response("PagingTrackObject", &top);
    }
    let recent = expect(
        env.get(&token, "me/player/recently-played?limit=10").await,
        200,
    )
    .await;
    check.response("CursorPagedPlayHistory", &recent);
    let before = recent["cursors"]["before"].as_str().unwrap().to_string();
    let older = expect(
        env.get(
            &token,
            &format!("me/player/recently-played?limit=50&before={before}"),
        )
        .await,
        200,
    )
    .await;
    check.response("CursorPagedPlayHistory", &older);
    assert!(!older["items"].as_array().unwrap().is_empty());

    let lists = expect(env.get(&token, "me/playlists?limit=50").await, 200).await;
    check.response("PagedPlaylists", &lists);
    let own = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["owner"]["id"] == "alice")
        .unwrap();
    let items = expect(
        env.get(
            &token,
            &format!("playlists/{}/items?limit=20", own["id"].as_str().unwrap()),
        )
        .await,
        200,
    )
    .await;
    check.response("PagingPlaylistTrackObject", &items);

    let created = expect(
        env.post(
            &token,
            "me/playlists",
            json!({"name": "Schema", "description": "d", "public": false}),
        )
        .await,
        201,
    )
    .await;
    check.response("OnePlaylist", &created);
    let id = created["id"].as_str().unwrap();
    let track_id = items["items"][0]["item"]["id"].as_str().unwrap();
    let added = expect(
        env.post(
            &token,
            &format!("playlists/{id}/items"),
            json!({"uris": [format!("spotify:track:{track_id}")]}),
        )
        .await,
        201,
    )
    .await;
    check.response("PlaylistSnapshotId", &added);

    let search = expect(
        env.get(&token, "search?q=queen&type=track&limit=10").await,
        200,
    )
    .await;
    assert_eq!(search["tracks"]["items"].as_array().unwrap().len(), 10);
    check.response("SearchItems", &search);
    let both = expect(
        env.get(&token, "search?q=queen&type=track,album&limit=3&offset=3")
            .await,
        200,
    )
    .await;
    check.response("SearchItems", &both);
    check.response(
        "OneTrack",
        &expect(env.get(&token, &format!("tracks/{track_id}")).await, 200).await,
    );

    // Errors have Spotify's error object.
    check.response(
        "Unauthorized",
        &expect(env.get("nope", "me").await, 401).await,
    );
    check.response(
        "NotFound",
        &expect(env.get(&token, "tracks/0000000000000000000000").await, 404).await,
    );
    check.response(
        "BadRequest",
        &expect(env.get(&token, "me/tracks?limit=51").await, 400).await,
    );
    let (narrow, _) = env.sign_in("bob", "user-read-private").await;
    check.response(
        "Forbidden",
        &expect(env.get(&narrow, "me/tracks").await, 403).await,
    );
    env.control("rate-limit", json!({"requests": 1, "retry_after": 7}))
        .await;
    let limited = env.get(&token, "me").await;
    assert_eq!(limited.headers()["retry-after"], "7");
    check.response("TooManyRequests", &expect(limited, 429).await);

    assert_eq!(check.checked, 19);
}

/// The lookups' endpoints with an app token (client credentials), on tracks the catalog
/// lacks, and their errors.
#[tokio::test]
async fn catalog_lookups_with_an_app_token_fit_the_spec() {
    let env = start().await;
    let mut check = Checker::new();
    let (status, body) = env.token(&[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh_token").is_none());
    let app = body["access_token"].as_str().unwrap().to_string();
    let examples = env.examples();

    let (other, original) = &examples.other_release[0];
    let t = expect(env.get(&app, &format!("tracks/{other}")).await, 200).await;
    check.response("OneTrack", &t);
    let o = expect(env.get(&app, &format!("tracks/{original}")).await, 200).await;
    assert_eq!(t["external_ids"]["isrc"], o["external_ids"]["isrc"]);
    for id in [&examples.same_artist[0], &examples.unknown_artist[0]] {
        check.response(
            "OneTrack",
            &expect(env.get(&app, &format!("tracks/{id}")).await, 200).await,
        );
    }
    for (id, _) in [&examples.catalog_artists[0], &examples.unknown_artists[0]] {
        check.response(
            "OneArtist",
            &expect(env.get(&app, &format!("artists/{id}")).await, 200).await,
        );
    }
    let isrc = t["external_ids"]["isrc"].as_str().unwrap();
    let found = expect(
        env.get(&app, &format!("search?q=isrc:{isrc}&type=track&limit=10"))
            .await,
        200,
    )
    .await;
    check.response("SearchItems", &found);
    assert!(found["tracks"]["items"].as_array().unwrap().len() >= 2);
    let filtered = expect(
        env.get(
            &app,
            "search?q=track:%22Blinding%20Lights%22%20artist:%22The%20Weeknd%22&type=track",
        )
        .await,
        200,
    )
    .await;
    check.response("SearchItems", &filtered);

    check.response(
        "BadRequest",
        &expect(
            env.get(&app, "search?q=queen&type=track&limit=11").await,
            400,
        )
        .await,
    );
    check.response(
        "NotFound",
        &expect(env.get(&app, "artists/0000000000000000000000").await, 404).await,
    );
    // An app token has no listener.
    check.response(
        "Unauthorized",
        &expect(env.get(&app, "me").await, 401).await,
    );
    assert_eq!(check.checked, 10);
}

/// Albums and their track pages (the link paste reads them), with either kind of token.
#[tokio::test]
async fn albums_fit_the_spec() {
    let env = start().await;
    let mut check = Checker::for_albums();
    let (_, body) = env.token(&[("grant_type", "client_credentials")]).await;
    let app = body["access_token"].as_str().unwrap().to_string();
    let (listener, _) = env.sign_in("alice", ALL_SCOPES).await;
    let e = env.examples();
    let mut albums = vec![e.mixed_albums[0].clone(), e.unknown_albums[0].clone()];
    // The album of the example (After Hours, a copy of a catalog song on it).
    let after_hours = expect(env.get(&app, "tracks/0VjIjW4GlUZAMYd2vXMi3b").await, 200).await;
    albums.push(after_hours["album"]["id"].as_str().unwrap().to_string());
    for (k, id) in albums.iter().enumerate() {
        let token = if k % 2 == 0 { &app } else { &listener };
        let album = expect(env.get(token, &format!("albums/{id}")).await, 200).await;
        check.response("OneAlbum", &album);
        let page = expect(
            env.get(token, &format!("albums/{id}/tracks?limit=1&offset=1"))
                .await,
            200,
        )
        .await;
        check.response("PagingSimplifiedTrackObject", &page);
    }
    check.response(
        "NotFound",
        &expect(env.get(&app, "albums/0000000000000000000000").await, 404).await,
    );
    check.response(
        "BadRequest",
        &expect(
            env.get(&app, &format!("albums/{}/tracks?limit=51", albums[0]))
                .await,
            400,
        )
        .await,
    );
    assert_eq!(check.checked, 8);
}
