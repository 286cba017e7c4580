//! Every Spotify call Selecta makes, answered by a Spotify that follows the contract and no
//! more (answers generated from the OpenAPI document's schemas, see `contract/mod.rs`), over
//! real HTTP: the call works and its page shows every usable item, or, when the answer lacks
//! what the call cannot do without (a created playlist without an id), fails with a
//! listener-worded error. Items Selecta cannot use are left out and counted.
//!
//! Runs per endpoint: `SELECTA_CONTRACT_RUNS` (default 200). A failure names the endpoint
//! and the seed, which reproduces the answer.

mod contract;

use std::time::{Duration, SystemTime};

use contract::{ContractServer, Served};
use selecta_spotify::{
    Acting, CacheSettings, LookupCache, NewPlaylist, PageRequest, Spotify, SpotifyApi,
    SpotifyClient, SpotifyConfig, SpotifyError, SpotifyLookup, SpotifyPlaylist, SpotifyTrack,
    TimeRange, TrackSearch,
};
use serde_json::Value;

const ENDPOINTS: [&str; 16] = [
    "GET /me/tracks",
    "GET /me/top/tracks",
    "GET /me/player/recently-played",
    "GET /me/playlists",
    "GET /playlists/{id}/items",
    "GET /me",
    "GET /tracks/{id}",
    "GET /search",
    "POST /me/playlists",
    "POST /playlists/{id}/items",
    "lookup GET /tracks/{id}",
    "lookup GET /artists/{id}",
    "lookup GET /search",
    "lookup GET /albums/{id} (+ /tracks)",
    "lookup GET /playlists/{id}/items",
    "GET /me/top/tracks (long term)",
];

fn runs() -> u64 {
    std::env::var("SELECTA_CONTRACT_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200)
}

const PLAYLIST: &str = "3cEYpjA9oz9GiPac4AsH4n";
const TRACK: &str = "4uLU6hMCjMI75M1A2tKUQC";

/// A Spotify id as Selecta accepts one.
fn usable_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

fn has_text(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.trim().is_empty())
}

/// A track the listener can pick: an id, a name, not a local file.
fn usable_track(v: &Value) -> bool {
    v.is_object()
        && usable_id(&v["id"])
        && has_text(&v["name"])
        && v["is_local"].as_bool() != Some(true)
}

/// A `PlaylistTrackObject` that holds a usable track (not an episode, local file or gap).
fn usable_playlist_item(v: &Value) -> bool {
    if v["is_local"].as_bool() == Some(true) {
        return false;
    }
    let item = if v["item"].is_null() {
        &v["track"]
    } else {
        &v["item"]
    };
    matches!(item["type"].as_str(), Some("track") | None) && usable_track(item)
}

/// A usable album track.
fn album_item(v: &Value) -> Option<&Value> {
    usable_track(v).then_some(v)
}

/// The usable track of a `PlaylistTrackObject`.
fn playlist_track(v: &Value) -> Option<&Value> {
    usable_playlist_item(v).then(|| {
        if v["item"].is_null() {
            &v["track"]
        } else {
            &v["item"]
        }
    })
}

fn ids_of(items: &Value, keep: impl Fn(&Value) -> Option<&Value>) -> Vec<String> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(keep)
        .filter_map(|v| v["id"].as_str().map(String::from))
        .collect()
}

/// What every track Selecta hands on must be.
fn sane_track(t: &SpotifyTrack) -> Result<(), String> {
    let bad = |what: &str| Err(format!("{what} in {t:?}"));
    if !usable_id(&Value::from(t.id.as_str())) || t.name.trim().is_empty() {
        return bad("an unusable id or name");
    }
    if !t.url.starts_with("https://") || t.url.contains(char::is_whitespace) {
        return bad("a link that is not https");
    }
    if t.popularity.is_some_and(|p| p == 0 || p > 100) {
        return bad("popularity outside 1..=100");
    }
    if t.duration_ms.is_some_and(|d| d == 0 || d > 24 * 3_600_000) {
        return bad("a duration outside 1 ms..=24 h");
    }
    if t.year.is_some_and(|y| !(1850..=2100).contains(&y)) {
        return bad("a year outside 1850..=2100");
    }
    if !t.artist_ids.is_empty() && t.artist_ids.len() != t.artists.len() {
        return bad("artist ids not parallel to the names");
    }
    if t.artists.iter().any(|a| a.trim().is_empty()) {
        return bad("a blank artist");
    }
    Ok(())
}

fn sane_playlist(p: &SpotifyPlaylist) -> Result<(), String> {
    if !usable_id(&Value::from(p.id.as_str())) || p.name.trim().is_empty() {
        return Err(format!("an unusable id or name in {p:?}"));
    }
    if !p.url.starts_with("https://") {
        return Err(format!("a link that is not https in {p:?}"));
    }
    Ok(())
}

fn same(got: Vec<String>, expected: Vec<String>, what: &str) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {expected:?}"))
    }
}

fn first_answer(server: &ContractServer) -> Result<Served, String> {
    server
        .served()
        .into_iter()
        .next()
        .ok_or_else(|| "no request reached the server".to_string())
}

/// A failure that is not the listener-worded "not understood" kind.
fn worded(e: &SpotifyError) -> Result<(), String> {
    match e {
        SpotifyError::Protocol(m)
            if !m.contains("unknown variant")
                && !m.contains("invalid type")
                && !m.contains("missing field") =>
        {
            Ok(())
        }
        other => Err(format!(
            "an error not worded for the listener: {other:?} ({other})"
        )),
    }
}

async fn check(
    endpoint: &str,
    client: &SpotifyClient,
    lookup: &SpotifyLookup,
    server: &ContractServer,
) -> Result<(), String> {
    let e = |e: SpotifyError| format!("failed: {e}");
    let page = PageRequest::first(50);
    match endpoint {
        "GET /me/tracks" | "GET /me/top/tracks" | "GET /me/top/tracks (long term)" => {
            let p = match endpoint {
                "GET /me/tracks" => client.saved_tracks(page).await,
                "GET /me/top/tracks" => client.top_tracks(TimeRange::ShortTerm, page).await,
                _ => client.top_tracks(TimeRange::LongTerm, page).await,
            }
            .map_err(e)?;
            let answer = first_answer(server)?.answer;
            let saved = endpoint == "GET /me/tracks";
            let expected = ids_of(&answer["items"], |i| {
                let t = if saved { &i["track"] } else { i };
                usable_track(t).then_some(t)
            });
            p.items.iter().try_for_each(sane_track)?;
            let sent = answer["items"].as_array().map_or(0, Vec::len);
            if p.items.len() + p.skipped as usize != sent {
                return Err(format!(
                    "{} shown + {} skipped of {sent}",
                    p.items.len(),
                    p.skipped
                ));
            }
            same(
                p.items.iter().map(|t| t.id.clone()).collect(),
                expected,
                "tracks",
            )
        }
        "GET /me/player/recently-played" => {
            let p = client.recently_played(50).await.map_err(e)?;
            let answer = first_answer(server)?.answer;
            let mut expected: Vec<String> = Vec::new();
            for id in ids_of(&answer["items"], |i| {
                usable_track(&i["track"]).then_some(&i["track"])
            }) {
                if !expected.contains(&id) {
                    expected.push(id);
                }
            }
            p.items.iter().try_for_each(sane_track)?;
            let unusable = answer["items"].as_array().map_or(0, |a| {
                a.iter().filter(|i| !usable_track(&i["track"])).count()
            });
            if p.skipped as usize != unusable {
                return Err(format!("{} skipped, {unusable} unusable", p.skipped));
            }
            same(
                p.items.iter().map(|t| t.id.clone()).collect(),
                expected,
                "plays",
            )
        }
        "GET /me/playlists" => {
            let p = client.playlists(page).await.map_err(e)?;
            let answer = first_answer(server)?.answer;
            let expected = ids_of(&answer["items"], |i| {
                (usable_id(&i["id"]) && has_text(&i["name"])).then_some(i)
            });
            p.items.iter().try_for_each(sane_playlist)?;
            let sent = answer["items"].as_array().map_or(0, Vec::len);
            if p.items.len() + p.skipped as usize != sent {
                return Err(format!(
                    "{} shown + {} skipped of {sent}",
                    p.items.len(),
                    p.skipped
                ));
            }
            same(
                p.items.iter().map(|t| t.id.clone()).collect(),
                expected,
                "playlists",
            )
        }
        "GET /playlists/{id}/items" => {
            let p = client.playlist_items(PLAYLIST, page).await.map_err(e)?;
            let answer = first_answer(server)?.answer;
            let expected = ids_of(&answer["items"], |i| {
                usable_playlist_item(i).then(|| {
                    if i["item"].is_null() {
                        &i["track"]
                    } else {
                        &i["item"]
                    }
                })
            });
            p.items.iter().try_for_each(sane_track)?;
            let sent = answer["items"].as_array().map_or(0, Vec::len);
            if p.items.len() + p.skipped as usize != sent {
                return Err(format!(
                    "{} shown + {} skipped of {sent}",
                    p.items.len(),
                    p.skipped
                ));
            }
            same(
                p.items.iter().map(|t| t.id.clone()).collect(),
                expected,
                "items",
            )
        }
        "GET /search" => {
            let p = client
                .search_tracks("love", PageRequest::first(10))
                .await
                .map_err(e)?;
            let answer = first_answer(server)?.answer;
            let expected = ids_of(&answer["tracks"]["items"], |t| usable_track(t).then_some(t));
            p.items.iter().try_for_each(sane_track)?;
            same(
                p.items.iter().map(|t| t.id.clone()).collect(),
                expected,
                "found",
            )
        }
        "GET /me" => {
            let r = client.current_user().await;
            let answer = first_answer(server)?.answer;
            match (r, has_text(&answer["id"])) {
                (Ok(u), true) if Some(u.id.as_str()) == answer["id"].as_str().map(str::trim) => {
                    match u.display_name {
                        Some(n) if n.trim().is_empty() => Err("a blank display name".into()),
                        _ => Ok(()),
                    }
                }
                (Ok(u), _) => Err(format!("read {u:?} from {answer}")),
                (Err(e), false) => worded(&e),
                (Err(e), true) => Err(format!("failed: {e}")),
            }
        }
        "GET /tracks/{id}" | "lookup GET /tracks/{id}" => {
            let r = if endpoint == "GET /tracks/{id}" {
                client.track(TRACK).await
            } else {
                lookup.track(Acting::Listener(client), TRACK).await
            };
            let answer = first_answer(server)?.answer;
            match (r, usable_track(&answer)) {
                (Ok(t), true) => {
                    sane_track(&t)?;
                    same(
                        vec![t.id],
                        vec![answer["id"].as_str().unwrap().into()],
                        "track",
                    )
                }
                (Ok(t), false) => Err(format!("read {t:?} from an unusable answer")),
                (Err(e), false) => worded(&e),
                (Err(e), true) => Err(format!("failed: {e}")),
            }
        }
        "lookup GET /artists/{id}" => {
            let r = lookup.artist(Acting::Listener(client), TRACK).await;
            let answer = first_answer(server)?.answer;
            match (r, usable_id(&answer["id"]) && has_text(&answer["name"])) {
                (Ok(a), true) => {
                    if a.genres.iter().any(|g| g.trim().is_empty()) {
                        return Err(format!("a blank genre in {a:?}"));
                    }
                    Ok(())
                }
                (Ok(a), false) => Err(format!("read {a:?} from an unusable answer")),
                (Err(e), false) => worded(&e),
                (Err(e), true) => Err(format!("failed: {e}")),
            }
        }
        "lookup GET /search" => {
            let search = TrackSearch {
                track: Some("Never Gonna Give You Up".into()),
                artist: Some("Rick Astley".into()),
                isrc: None,
            };
            let found = lookup
                .search_tracks(Acting::Listener(client), &search, 10)
                .await
                .map_err(e)?;
            let answer = first_answer(server)?.answer;
            let expected = ids_of(&answer["tracks"]["items"], |t| usable_track(t).then_some(t));
            found.iter().try_for_each(sane_track)?;
            same(
                found.iter().map(|t| t.id.clone()).collect(),
                expected,
                "found",
            )
        }
        "lookup GET /albums/{id} (+ /tracks)" | "lookup GET /playlists/{id}/items" => {
            let album = endpoint.contains("albums");
            let list = if album {
                lookup
                    .album_tracks(Acting::Listener(client), TRACK, 50)
                    .await
            } else {
                lookup.playlist_tracks(client, PLAYLIST, 50).await
            }
            .map_err(e)?;
            list.tracks.iter().try_for_each(sane_track)?;
            // Every item of the pages read is either a track of the list or skipped.
            let mut expected: Vec<String> = Vec::new();
            let mut sent = 0;
            for s in server.served() {
                let items = if s.path.ends_with("tracks") || s.path.ends_with("items") {
                    s.answer["items"].clone()
                } else {
                    s.answer["tracks"]["items"].clone()
                };
                sent += items.as_array().map_or(0, Vec::len);
                let keep = if album { album_item } else { playlist_track };
                for id in ids_of(&items, keep) {
                    if !expected.contains(&id) {
                        expected.push(id);
                    }
                }
            }
            if list.tracks.len() + list.skipped > sent {
                return Err(format!(
                    "{} read + {} skipped of {sent}",
                    list.tracks.len(),
                    list.skipped
                ));
            }
            same(
                list.tracks.iter().map(|t| t.id.clone()).collect(),
                expected,
                "tracks",
            )
        }
        "POST /me/playlists" => {
            let r = client
                .create_playlist(&NewPlaylist {
                    name: "Road trip".into(),
                    description: "Made by Selecta".into(),
                    public: false,
                })
                .await;
            let answer = first_answer(server)?.answer;
            match (r, usable_id(&answer["id"])) {
                (Ok(p), true) => {
                    sane_playlist(&p)?;
                    same(
                        vec![p.id],
                        vec![answer["id"].as_str().unwrap().into()],
                        "playlist",
                    )
                }
                (Ok(p), false) => Err(format!("read {p:?} from an answer without a usable id")),
                (Err(e), false) => worded(&e),
                (Err(e), true) => Err(format!("failed: {e}")),
            }
        }
        "POST /playlists/{id}/items" => {
            let uris = vec![format!("spotify:track:{TRACK}")];
            let snapshot = client.add_items(PLAYLIST, &uris).await.map_err(e)?;
            let answer = first_answer(server)?.answer;
            let expected = answer["snapshot_id"].as_str().unwrap_or("").to_string();
            same(vec![snapshot], vec![expected], "snapshot")
        }
        other => Err(format!("no check for {other}")),
    }
}

#[tokio::test]
async fn answers_generated_from_the_contract_are_read_or_refused_in_words() {
    let server = ContractServer::start().await;
    let mut config = SpotifyConfig::new("contract-client", "contract-secret");
    config.accounts_url = server.base.clone();
    config.api_url = format!("{}/v1", server.base);
    config.timeout = Duration::from_secs(5);
    let spotify = Spotify::new(config.clone()).expect("config");
    let tokens = selecta_spotify::Tokens::new(
        "contract-access-token",
        Some("contract-refresh-token".into()),
        SystemTime::now() + Duration::from_secs(3600),
        selecta_spotify::SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    let client = spotify.client(tokens);
    let runs = runs();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for endpoint in ENDPOINTS {
        let mut failed = 0;
        for seed in 0..runs {
            let lookup = SpotifyLookup::new(
                Some(&config),
                LookupCache::memory(None, CacheSettings::default()),
            )
            .unwrap();
            server.run(seed);
            if let Err(why) = check(endpoint, &client, &lookup, &server).await {
                failed += 1;
                if failures.len() < 40 {
                    failures.push(format!("{endpoint}, seed {seed}: {why}"));
                }
            }
        }
        report.push(format!("{endpoint}: {failed} of {runs} runs failed"));
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "{}\n\nfirst failures:\n{}",
        report.join("\n"),
        failures.join("\n")
    );
}

/// The generator follows the contract: its answers validate against the document's own
/// schemas (kept in step with `spotify-standin/tests/schema.rs`, which checks the stand-in).
#[tokio::test]
async fn generated_answers_vary_as_the_contract_allows() {
    let server = ContractServer::start().await;
    let mut unknown_reason = false;
    let mut absent_name = false;
    let mut no_item = false;
    let mut episode = false;
    for seed in 0..200 {
        let page = server.generate("GET", "playlists/x/items", seed);
        for i in page["items"].as_array().unwrap() {
            let item = &i["item"];
            no_item |= item.is_null();
            episode |= item["type"] == "episode";
            absent_name |= item.is_object() && item.get("name").is_none();
            unknown_reason |= item["restrictions"]["reason"]
                .as_str()
                .is_some_and(|r| !["market", "product", "explicit"].contains(&r));
        }
    }
    assert!(unknown_reason && absent_name && no_item && episode);
}
