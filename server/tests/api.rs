//! The JSON API of a real `selecta serve` on the bundled catalog: Spotify's schemas, a real
//! Spotify client library, the Leptos app beside it, the rate limit over TCP.

// rspotify marks the audio-features and recommendations calls deprecated: Spotify withdrew
// them, which is why Selecta serves them.
#![allow(deprecated)]

mod common;

use std::collections::BTreeMap;

use common::*;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_model::{Attribute, Model};
use serde_json::{json, Value};

/// Starts `selecta serve` on the fitted bundled catalog with extra flags.
fn serve(dir: &std::path::Path, extra: &[&str]) -> Server {
    let port = free_port();
    let mut cmd = serve_model(dir, port, &fitted_model());
    cmd.args(extra);
    Server::start(cmd, port)
}

fn base(server: &Server) -> String {
    format!("http://127.0.0.1:{}", server.port)
}

/// Spotify's OpenAPI document (a copy in fixtures/), turned into one JSON Schema document.
mod spotify_schema {
    use super::*;

    /// Objects whose every property Selecta must send (Spotify sent them all), except these.
    const STRICT: [(&str, &[&str]); 5] = [
        (
            "TrackObject",
            &["is_playable", "linked_from", "restrictions"],
        ),
        ("AudioFeaturesObject", &[]),
        ("RecommendationSeedObject", &["href"]),
        ("SimplifiedArtistObject", &["href"]),
        ("AlbumBase", &["restrictions"]),
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
                            if let Some(Value::Array(e)) = map.get_mut("enum") {
                                e.push(Value::Null);
                            }
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

    pub fn components() -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/spotify-open-api.yml");
        let text = std::fs::read_to_string(&path).expect("the OpenAPI fixture");
        let mut doc: Value = serde_norway::from_str(&text).expect("valid YAML");
        let mut components = doc["components"].take();
        convert(&mut components);
        for (name, optional) in STRICT {
            let schema = &mut components["schemas"][name];
            let required: Vec<&String> = schema["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{name} has properties"))
                .keys()
                .filter(|k| !optional.contains(&k.as_str()))
                .collect();
            schema["required"] = json!(required);
        }
        components
    }

    /// A validator for a JSON pointer into the components, e.g.
    /// `/schemas/AudioFeaturesObject`.
    pub fn validator(components: &Value, pointer: &str) -> jsonschema::Validator {
        let root = json!({"$ref": format!("#/components{pointer}"), "components": components});
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("{pointer}: {e}"))
    }

    /// The response schema of a named response of the document.
    pub fn response(name: &str) -> String {
        format!("/responses/{name}/content/application~1json/schema")
    }
}

struct Checker {
    validators: BTreeMap<&'static str, jsonschema::Validator>,
    checked: usize,
}

impl Checker {
    fn new() -> Self {
        let c = spotify_schema::components();
        let mut validators = BTreeMap::new();
        for (name, pointer) in [
            (
                "recommendations",
                spotify_schema::response("OneRecommendations"),
            ),
            (
                "several features",
                spotify_schema::response("ManyAudioFeatures"),
            ),
            ("features", spotify_schema::response("OneAudioFeatures")),
            ("genres", spotify_schema::response("ManyGenres")),
            ("track", "/schemas/TrackObject".to_string()),
            ("bad request", spotify_schema::response("BadRequest")),
            ("not found", spotify_schema::response("NotFound")),
        ] {
            validators.insert(name, spotify_schema::validator(&c, &pointer));
        }
        Checker {
            validators,
            checked: 0,
        }
    }

    fn check(&mut self, what: &str, url: &str, body: &Value) {
        let v = &self.validators[what];
        let errors: Vec<String> = v
            .iter_errors(body)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{url} does not fit Spotify's {what} schema: {errors:#?}"
        );
        self.checked += 1;
    }

    /// True when the schema refuses the value (to show the checks can fail).
    fn refuses(&self, what: &str, body: &Value) -> bool {
        !self.validators[what].is_valid(body)
    }
}

async fn get_json(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let res = client.get(url).send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"));
    (status, body)
}

/// A random valid bound set: up to three attributes with min <= target <= max in range.
fn random_bounds(rng: &mut ChaCha8Rng) -> Vec<(String, f32)> {
    let attrs = [
        Attribute::Acousticness,
        Attribute::Danceability,
        Attribute::Energy,
        Attribute::Instrumentalness,
        Attribute::Liveness,
        Attribute::Speechiness,
        Attribute::Valence,
        Attribute::Tempo,
        Attribute::Popularity,
        Attribute::DurationMs,
        Attribute::Key,
        Attribute::Mode,
        Attribute::Loudness,
        Attribute::TimeSignature,
    ];
    let mut out = Vec::new();
    let n = rng.random_range(0..=3);
    let chosen: Vec<Attribute> = attrs.choose_multiple(rng, n).copied().collect();
    for a in chosen {
        let (lo, hi) = match a {
            Attribute::Tempo => (60.0, 200.0),
            Attribute::Loudness => (-20.0, 0.0),
            Attribute::DurationMs => (120_000.0, 360_000.0),
            Attribute::TimeSignature => (3.0, 7.0),
            other => other.domain(),
        };
        let mut xs = [
            rng.random_range(lo..=hi),
            rng.random_range(lo..=hi),
            rng.random_range(lo..=hi),
        ];
        xs.sort_by(f32::total_cmp);
        let name = a.name();
        match rng.random_range(0..4) {
            0 => out.push((format!("min_{name}"), xs[0])),
            1 => out.push((format!("max_{name}"), xs[2])),
            2 => out.push((format!("target_{name}"), xs[1])),
            _ => {
                out.push((format!("min_{name}"), xs[0]));
                out.push((format!("target_{name}"), xs[1]));
                out.push((format!("max_{name}"), xs[2]));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_answers_fit_spotify_schemas_for_many_random_requests() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &["--api-rate-limit", "0"]);
    let base = base(&server);
    let model = Model::load(fitted_model()).expect("the fitted model");
    let tracks = model.tracks();
    let client = reqwest::Client::new();
    let mut checker = Checker::new();
    let mut rng = ChaCha8Rng::seed_from_u64(2024);

    let url = format!("{base}/v1/recommendations/available-genre-seeds");
    let (status, genres) = get_json(&client, &url).await;
    assert_eq!(status, 200);
    checker.check("genres", &url, &genres);
    let genres: Vec<String> = genres["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect();
    assert_eq!(genres.len(), 30, "6 genres and 24 subgenres: {genres:?}");
    assert!(genres.contains(&"r-n-b".to_string()) && genres.contains(&"dance-pop".to_string()));

    let mut full = 0;
    let mut refusal_checked = false;
    for round in 0..150 {
        let mut seeds: Vec<(&str, String)> = Vec::new();
        for _ in 0..rng.random_range(1..=5) {
            let t = &tracks[rng.random_range(0..tracks.len())];
            match rng.random_range(0..3) {
                0 => seeds.push(("seed_tracks", t.id.to_string())),
                1 if !t.artists.is_empty() => {
                    // An artist id as a client finds it: in a track object.
                    let url = format!("{base}/v1/tracks/{}", t.id);
                    let (status, obj) = get_json(&client, &url).await;
                    assert_eq!(status, 200, "{url}");
                    checker.check("track", &url, &obj);
                    seeds.push((
                        "seed_artists",
                        obj["artists"][0]["id"].as_str().unwrap().into(),
                    ));
                }
                _ => seeds.push(("seed_genres", genres.choose(&mut rng).unwrap().clone())),
            }
        }
        let limit = if round % 5 == 0 {
            None
        } else {
            Some(rng.random_range(1..=100))
        };
        let bounds = random_bounds(&mut rng);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for kind in ["seed_tracks", "seed_artists", "seed_genres"] {
            let list: Vec<&str> = seeds
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, v)| v.as_str())
                .collect();
            if !list.is_empty() {
                pairs.push((kind.into(), list.join(",")));
            }
        }
        if let Some(l) = limit {
            pairs.push(("limit".into(), l.to_string()));
        }
        if rng.random_bool(0.3) {
            pairs.push((
                "market".into(),
                ["US", "GB", "from_token"]
                    .choose(&mut rng)
                    .unwrap()
                    .to_string(),
            ));
        }
        pairs.extend(bounds.iter().map(|(k, v)| (k.clone(), v.to_string())));
        pairs.shuffle(&mut rng);
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let url = format!("{base}/v1/recommendations?{query}");
        let (status, body) = get_json(&client, &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        checker.check("recommendations", &url, &body);
        if !refusal_checked && !body["tracks"].as_array().unwrap().is_empty() {
            refusal_checked = true;
            // The schemas do bite: a track without an album id, or a text pool size, fails.
            let mut broken = body.clone();
            broken["tracks"][0]["album"]
                .as_object_mut()
                .unwrap()
                .remove("id");
            assert!(checker.refuses("recommendations", &broken));
            let mut broken = body.clone();
            broken["seeds"][0]["initialPoolSize"] = json!("many");
            assert!(checker.refuses("recommendations", &broken));
            let mut broken = body.clone();
            broken["tracks"][0]["type"] = json!("song");
            assert!(checker.refuses("recommendations", &broken));
        }

        // What the answer says, checked against the catalog.
        let got = body["tracks"].as_array().unwrap();
        assert!(got.len() <= limit.unwrap_or(20), "{url}");
        if got.len() == limit.unwrap_or(20) {
            full += 1;
        }
        assert_eq!(
            body["seeds"].as_array().unwrap().len(),
            seeds.len(),
            "{url}"
        );
        for t in got {
            let track = model
                .catalog()
                .get(t["id"].as_str().unwrap())
                .expect("a catalog track");
            for (param, v) in &bounds {
                let (kind, name) = param.split_once('_').unwrap();
                let a: Attribute = name.parse().unwrap();
                if a == Attribute::TimeSignature || kind == "target" {
                    continue;
                }
                let value = a.value(track).expect("filtered tracks have the value");
                assert!(
                    if kind == "min" {
                        value >= *v
                    } else {
                        value <= *v
                    },
                    "{url}: {} has {name} {value}, outside {param}={v}",
                    track.id
                );
            }
        }
        let time_signature: Vec<&String> = bounds
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.ends_with("time_signature"))
            .collect();
        let reported: Vec<&str> = body["not_applied"]
            .as_array()
            .map(|a| a.iter().map(|n| n["param"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(reported.len(), time_signature.len(), "{url}: {reported:?}");
    }
    assert!(
        full >= 100,
        "most random requests get a full list, got {full} of 150"
    );
    assert!(refusal_checked);

    for _ in 0..60 {
        let n = rng.random_range(1..=100);
        let mut ids: Vec<String> = (0..n)
            .map(|_| tracks[rng.random_range(0..tracks.len())].id.to_string())
            .collect();
        ids.dedup();
        let url = format!("{base}/v1/audio-features?ids={}", ids.join(","));
        let (status, body) = get_json(&client, &url).await;
        assert_eq!(status, 200, "{url}");
        checker.check("several features", &url, &body);
        let list = body["audio_features"].as_array().unwrap();
        assert_eq!(list.len(), ids.len());
        for (id, f) in ids.iter().zip(list) {
            assert_eq!(f["id"], id.as_str());
            let t = model.catalog().get(id).unwrap();
            if let Some(e) = t.features.energy.get() {
                assert_eq!(f["energy"].as_f64().unwrap() as f32, e, "{id}");
            }
        }
    }
    for _ in 0..40 {
        let t = &tracks[rng.random_range(0..tracks.len())];
        let url = format!("{base}/v1/audio-features/{}", t.id);
        let (status, body) = get_json(&client, &url).await;
        assert_eq!(status, 200);
        checker.check("features", &url, &body);
        assert_eq!(
            body["missing"][0], "time_signature",
            "the bundled catalog has none"
        );
    }

    // Errors fit Spotify's error responses and name the parameter.
    let known = &tracks[0].id;
    for (query, param) in [
        (
            "limit=5".to_string(),
            "seed_tracks, seed_artists, seed_genres",
        ),
        (format!("seed_tracks={known}&limit=101"), "limit"),
        (format!("seed_tracks={known}&min_energy=2"), "min_energy"),
        (
            format!("seed_tracks={known}&min_danceability=0.9&max_danceability=0.1"),
            "min_danceability",
        ),
        (format!("seed_tracks={known}&market=Narnia"), "market"),
        (
            "seed_tracks=0000000000000000000000".to_string(),
            "seed_tracks",
        ),
        ("seed_artists=Nobody%20At%20All".to_string(), "seed_artists"),
        ("seed_genres=polka".to_string(), "seed_genres"),
        (
            format!("seed_tracks={known}&seed_genres=pop,rock,edm,latin,r-n-b"),
            "seed_tracks, seed_artists, seed_genres",
        ),
    ] {
        let url = format!("{base}/v1/recommendations?{query}");
        let (status, body) = get_json(&client, &url).await;
        assert_eq!(status, 400, "{url}: {body}");
        checker.check("bad request", &url, &body);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{param}:")),
            "{url}: {message}"
        );
    }
    let url = format!("{base}/v1/audio-features/0000000000000000000000");
    let (status, body) = get_json(&client, &url).await;
    assert_eq!(status, 404);
    checker.check("not found", &url, &body);
    eprintln!(
        "{} answers validated against Spotify's schemas",
        checker.checked
    );
    assert!(checker.checked > 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmodified_rspotify_client_gets_recommendations_and_audio_features() {
    use rspotify::model::{ArtistId, Country, Market, Modality, RecommendationsAttribute, TrackId};
    use rspotify::prelude::*;
    use rspotify::{ClientCredsSpotify, Config, Credentials, Token};

    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        dir.path(),
        &[
            "--api-keys",
            "client-key,other-key",
            "--api-rate-limit",
            "0",
        ],
    );
    let config = Config {
        api_base_url: format!("{}/v1/", base(&server)),
        token_refreshing: false,
        ..Config::default()
    };
    let spotify = ClientCredsSpotify::with_config(Credentials::new("id", "secret"), config);
    *spotify.token.lock().await.unwrap() = Some(Token {
        access_token: "client-key".into(),
        expires_in: chrono::TimeDelta::hours(1),
        expires_at: Some(chrono::Utc::now() + chrono::TimeDelta::hours(1)),
        ..Token::default()
    });

    // Ed Sheeran - Shape of You, and Queen as an artist id taken from a track object.
    let shape_of_you = TrackId::from_id("7qiZfU4dY1lWllzX7mPBI3").unwrap();
    let full = spotify
        .track(shape_of_you.clone(), None)
        .await
        .expect("GET /v1/tracks/{id}");
    assert_eq!(full.name, "Shape of You");
    assert_eq!(full.artists[0].name, "Ed Sheeran");
    let bohemian = spotify
        .track(TrackId::from_id("7tFiyTwD0nx5a1eklYtX2J").unwrap(), None)
        .await
        .expect("a Queen track");
    let queen = bohemian.artists[0].id.clone().expect("artist ids are sent");
    assert_eq!(bohemian.artists[0].name, "Queen");

    let recs = spotify
        .recommendations(
            [
                RecommendationsAttribute::MinEnergy(0.4),
                RecommendationsAttribute::TargetTempo(120.0),
                RecommendationsAttribute::MinTimeSignature(3),
            ],
            Some([ArtistId::from_id(queen.id()).unwrap()]),
            Some(["dance-pop"]),
            Some([shape_of_you.clone()]),
            Some(Market::Country(Country::UnitedStates)),
            Some(12),
        )
        .await
        .expect("recommendations");
    assert_eq!(recs.tracks.len(), 12);
    assert_eq!(recs.seeds.len(), 3);
    assert!(recs
        .seeds
        .iter()
        .all(|s| s.initial_pool_size >= s.after_filtering_size));
    let ids: Vec<TrackId> = recs
        .tracks
        .iter()
        .map(|t| t.id.clone().expect("track ids"))
        .collect();
    assert!(!ids.contains(&shape_of_you), "a seed is never recommended");

    let features = spotify
        .tracks_features(ids.iter().cloned())
        .await
        .expect("audio features")
        .expect("a list");
    assert_eq!(features.len(), 12);
    for (f, t) in features.iter().zip(&recs.tracks) {
        assert!(f.energy >= 0.4, "{} energy {}", f.id, f.energy);
        assert_eq!(Some(&f.id), t.id.as_ref());
        assert_eq!(f.duration, t.duration);
    }
    let one = spotify
        .track_features(shape_of_you)
        .await
        .expect("one track's features");
    // Values of the bundled data set for Shape of You.
    assert_eq!(one.key, 1);
    assert_eq!(one.mode, Modality::Minor);
    assert!((one.tempo - 95.977).abs() < 0.01, "{}", one.tempo);
    assert!((one.danceability - 0.825).abs() < 1e-6);

    // Without the right key: Spotify's 401.
    *spotify.token.lock().await.unwrap() = Some(Token {
        access_token: "wrong".into(),
        ..Token::default()
    });
    let err = spotify
        .track_features(TrackId::from_id("7qiZfU4dY1lWllzX7mPBI3").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leptos_app_and_its_server_functions_live_beside_the_api() {
    use leptos::server_fn::ServerFn;

    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        dir.path(),
        &["--api-rate-limit", "1", "--api-rate-burst", "3"],
    );
    let base = base(&server);
    let client = reqwest::Client::new();

    let page = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("28,356 tracks"));

    // Leptos' server function, at /api/search_tracks<hash>, next to Selecta's /api/search.
    let path = <app::api::SearchTracks as ServerFn>::PATH;
    assert!(path.starts_with("/api/search_tracks"), "{path}");
    let res = client
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=bohemian%20rhapsody&page=1")
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let hits: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(hits["tracks"][0]["artists"][0], "Queen", "{hits}");
    assert_eq!(hits["page"], 1, "{hits}");

    let (status, hits) = get_json(
        &client,
        &format!("{base}/api/search?q=bohemian%20rhapsody&limit=3"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(hits["tracks"][0]["artists"][0], "Queen");

    // The rate limit (3 at once, then 1 a minute per IP) over real TCP connections; the
    // server function and the pages are not limited.
    let url = format!("{base}/v1/recommendations/available-genre-seeds");
    let (s2, _) = get_json(&client, &url).await;
    let (s3, _) = get_json(&client, &url).await;
    assert_eq!(
        (s2, s3),
        (200, 200),
        "the search above used one of the three"
    );
    let res = client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["status"], 429);
    assert_eq!(
        client
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, ready) = get_json(&client, &format!("{base}/readyz")).await;
    assert_eq!((status, ready["tracks"].as_u64()), (200, Some(28_356)));
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("selecta_rate_limited_total 1"),
        "{metrics}"
    );
    assert!(metrics.contains("selecta_model_tracks 28356"), "{metrics}");
}

/// The inputs that once cost quadratic time or answered 500, at 10x and 100x the sizes that
/// were measured then, against a real server: each is refused with a 4xx naming the field,
/// quickly, echoing little of itself, while `/healthz` keeps answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_are_refused_quickly_while_healthz_answers() {
    use leptos::server_fn::ServerFn;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &["--api-rate-limit", "0"]);
    let base = base(&server);
    let client = reqwest::Client::new();

    // /healthz polled all along; the slowest answer is kept.
    let done = Arc::new(AtomicBool::new(false));
    let slowest = Arc::new(AtomicU64::new(0));
    let poller = {
        let (done, slowest, client, url) = (
            done.clone(),
            slowest.clone(),
            client.clone(),
            format!("{base}/healthz"),
        );
        tokio::spawn(async move {
            let mut polls = 0;
            while !done.load(Ordering::SeqCst) {
                let started = Instant::now();
                let res = client.get(&url).send().await.unwrap();
                assert_eq!(res.status(), 200);
                slowest.fetch_max(started.elapsed().as_millis() as u64, Ordering::SeqCst);
                polls += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            polls
        })
    };

    let post = |path: String, content_type: &'static str, body: String| {
        let client = client.clone();
        async move {
            let started = Instant::now();
            let big = body.len() > 2 << 20;
            let res = client
                .post(path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await;
            let res = match res {
                Ok(res) => res,
                // Over the body limit, the server may answer and close before the client has
                // written it all: refused all the same.
                Err(e) if big && e.is_request() => return (413, String::new(), started.elapsed()),
                Err(e) => panic!("{e}"),
            };
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            (status, text, started.elapsed())
        }
    };
    let check = |case: &str, (status, text, took): (u16, String, Duration), field: &str| {
        assert!((400..500).contains(&status), "{case}: {status} {text}");
        assert!(text.contains(field), "{case}: {text}");
        assert!(text.len() < 1_000, "{case}: echoes {} bytes", text.len());
        assert!(took < Duration::from_secs(1), "{case}: took {took:?}");
    };

    for scale in [10usize, 100] {
        // One free-text seed of 8,000 words, scaled (100x is over the 2 MB body limit: 413).
        let words = "word ".repeat(8_000 * scale);
        let body = json!({ "seeds": [words] }).to_string();
        let answer = post(format!("{base}/api/generate"), "application/json", body).await;
        let field = if scale == 10 { "seeds[0]" } else { "" };
        check(&format!("seed of {scale}x words"), answer, field);

        // The web form's blocked artists: 20,000, scaled.
        let artists = (0..20_000 * scale)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("options[blocked_artists]", &artists)
            .finish();
        let path = <app::api::GeneratePlaylist as ServerFn>::PATH;
        let answer = post(
            format!("{base}{path}"),
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
        let field = if scale == 10 { "blocked_artists" } else { "" };
        check(&format!("{scale}x blocked artists"), answer, field);

        // A seed id as long as the body allows, added in the picker.
        let id = "x".repeat(100_000 * scale / 10);
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("id", &id)
            .finish();
        let path = <app::api::AddSeed as ServerFn>::PATH;
        let answer = post(
            format!("{base}{path}"),
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
        check(&format!("{scale}x seed id"), answer, "id");
    }

    // An export of a real playlist whose track id holds playlist lines of its own: refused
    // as a cross-site form would send it (text/plain), and as JSON; never written.
    let (status, playlist, _) = post(
        format!("{base}/api/generate"),
        "application/json",
        json!({"seeds": ["queen - bohemian rhapsody"], "length": 5}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{playlist}");
    let mut injected: Value = serde_json::from_str(&playlist).unwrap();
    injected["entries"][0]["track"]["id"] = json!("\n#EXTINF:1,injected\nfile:///etc/passwd");
    for (content_type, want) in [("text/plain", 415), ("application/json", 400)] {
        let (status, text, _) = post(
            format!("{base}/api/export?format=m3u8"),
            content_type,
            injected.to_string(),
        )
        .await;
        assert_eq!(status, want, "{content_type}: {text}");
        assert!(!text.contains("#EXTM3U"), "{text}");
        if want == 400 {
            assert!(text.contains("entries[0].track.id"), "{text}");
        }
    }

    done.store(true, Ordering::SeqCst);
    let polls = poller.await.unwrap();
    let slowest = slowest.load(Ordering::SeqCst);
    assert!(polls > 5, "{polls} polls");
    assert!(slowest < 500, "/healthz took up to {slowest} ms");
}

/// Operators' view of a real server: every route is counted under its template (web pages,
/// server functions, static files, the API, sign-in), never under the raw path, however many
/// paths clients invent; every answer carries an `x-request-id`, which error pages and JSON
/// errors repeat; `/readyz` reports the model, the sessions and Spotify apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_cover_every_route_with_bounded_labels_and_answers_carry_request_ids() {
    use leptos::server_fn::ServerFn;

    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        dir.path(),
        &["--api-rate-limit", "0", "--web-rate-limit", "0"],
    );
    let base = base(&server);
    let client = reqwest::Client::new();
    let id_of = |res: &reqwest::Response| {
        res.headers()
            .get("x-request-id")
            .unwrap_or_else(|| panic!("no x-request-id from {}", res.url()))
            .to_str()
            .unwrap()
            .to_string()
    };

    // One request to each kind of route.
    let page = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page_id = id_of(&page);
    let css = client
        .get(format!("{base}/pkg/main.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    let search = <app::api::SearchTracks as ServerFn>::PATH;
    let res = client
        .post(format!("{base}{search}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=queen&page=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_ne!(id_of(&res), page_id, "each request has its own id");

    // The web app's error page (sign-in without Spotify configured) names the request's id.
    let res = client
        .get(format!("{base}/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let id = id_of(&res);
    let body = res.text().await.unwrap();
    assert!(
        body.contains(&format!("Request id: <code>{id}</code>")),
        "{body}"
    );
    // So does a JSON error of the API, and a client's own id is not taken (no trusted proxy).
    let res = client
        .get(format!("{base}/v1/tracks/0000000000000000000000"))
        .header("x-request-id", "made-up-by-the-client")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let id = id_of(&res);
    assert_ne!(id, "made-up-by-the-client");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str(), "{body}");

    // 200 paths no one has seen, under every prefix the router knows.
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let mut invented = Vec::new();
    for i in 0..200 {
        let token: String = (0..12)
            .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
            .collect();
        let prefix = ["", "pkg/", "v1/", "api/", "auth/", "playlist/export/"][i % 6];
        invented.push(token.clone());
        let res = client
            .get(format!("{base}/{prefix}{token}"))
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_client_error(),
            "/{prefix}{token}: {}",
            res.status()
        );
        assert!(res.headers().contains_key("x-request-id"));
    }

    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let routes: std::collections::BTreeSet<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("selecta_http_requests_total{"))
        .filter_map(|l| l.split("route=\"").nth(1)?.split('"').next())
        .collect();
    for expected in [
        "/",
        search,
        "static",
        "unmatched",
        "/auth/login",
        "/v1/tracks/{id}",
        "/v1/{*rest}",
        "/playlist/export/{format}",
    ] {
        assert!(routes.contains(expected), "{expected} not in {routes:?}");
    }
    assert!(routes.len() <= 20, "too many route labels: {routes:?}");
    for token in &invented {
        assert!(!metrics.contains(token.as_str()), "{token} became a label");
    }

    // Readiness: the model, the sessions and Spotify, each on its own.
    let (status, ready) = get_json(&client, &format!("{base}/readyz")).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["model"], json!({"state": "ok", "tracks": 28_356}));
    assert_eq!(ready["dependencies"], json!({"sessions": "ok: memory"}));
    assert_eq!(ready["spotify"]["configured"], false);
    assert!(
        ready["spotify"]["lookups"]
            .as_str()
            .unwrap()
            .starts_with("off: "),
        "{ready}"
    );
}
