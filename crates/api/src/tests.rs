//! The API router in process (tower `oneshot`), on the small fitted catalog.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::testing::{small_handle, tid};
use super::ApiConfig;
use selecta_engine::view::artist_id;
use selecta_engine::Views;
use selecta_spotify::{CacheSettings, LookupCache, SpotifyLookup};

/// The router on the small catalog with these settings.
fn app(config: ApiConfig) -> Router {
    let lookup = SpotifyLookup::new(None, LookupCache::memory(None, CacheSettings::default()))
        .expect("lookups without Spotify");
    super::router(Arc::new(Views::new(small_handle())), lookup, &config)
}

/// The settings the binary has without flags.
fn defaults() -> ApiConfig {
    ApiConfig::default()
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(
        app,
        Request::get(uri)
            .header("host", "selecta.test")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn post(app: &Router, uri: &str, body: Value) -> Answer {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, req).await
}

#[tokio::test]
async fn recommendations_take_spotify_shape_and_report_what_is_not_applied() {
    let app = app(defaults());
    let a = get(
        &app,
        &format!(
            "/v1/recommendations?seed_tracks={}&seed_artists={}&seed_genres=rock&limit=7&market=US&min_time_signature=4&target_energy=0.5",
            tid(10),
            artist_id("Artist B")
        ),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let v = a.json();
    assert_eq!(v["tracks"].as_array().unwrap().len(), 7);
    let types: Vec<&str> = v["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["TRACK", "ARTIST", "GENRE"]);
    assert_eq!(
        v["seeds"][0]["href"],
        format!("http://selecta.test/v1/tracks/{}", tid(10))
    );
    assert!(v["seeds"][1].get("href").is_none());
    assert_eq!(v["tracks"][0]["type"], "track");
    assert_eq!(v["not_applied"][0]["param"], "min_time_signature");
    assert_eq!(a.headers["selecta-not-applied"], "min_time_signature");

    // Errors in Spotify's shape, naming the parameter.
    let a = get(&app, "/v1/recommendations?seed_tracks=nope").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["error"]["status"], 400);
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("seed_tracks: unknown track id 'nope'"));
    let a = get(
        &app,
        &format!("/v1/recommendations?seed_tracks={}&limit=500", tid(1)),
    )
    .await;
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("limit:"));
}

#[tokio::test]
async fn the_seed_limit_is_a_server_option() {
    let many = (0..8).map(tid).collect::<Vec<_>>().join(",");
    let uri = format!("/v1/recommendations?seed_tracks={many}");
    assert_eq!(get(&app(defaults()), &uri).await.status, 400);
    assert_eq!(
        get(
            &app(ApiConfig {
                max_seeds: 8,
                ..defaults()
            }),
            &uri
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn genres_audio_features_and_tracks() {
    let app = app(defaults());
    let v = get(&app, "/v1/recommendations/available-genre-seeds")
        .await
        .json();
    assert_eq!(
        v["genres"],
        json!([
            "dance-pop",
            "hard-rock",
            "new-jack-swing",
            "pop",
            "r-n-b",
            "rock"
        ])
    );

    let a = get(
        &app,
        &format!(
            "/v1/audio-features?ids={},unknown0000000000000000,{}",
            tid(3),
            tid(4)
        ),
    )
    .await;
    assert_eq!(a.status, 200);
    let list = a.json()["audio_features"].as_array().unwrap().clone();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["id"], tid(3));
    assert_eq!(
        list[1],
        Value::Null,
        "unknown ids are null in place, as at Spotify"
    );
    assert_eq!(list[2]["tempo"], json!(84.0));
    assert_eq!(list[2]["missing"], json!(["time_signature"]));

    let a = get(&app, "/v1/audio-features").await;
    assert_eq!(a.status, 400);
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("ids: required"));

    let v = get(&app, &format!("/v1/audio-features/{}", tid(5)))
        .await
        .json();
    assert_eq!(v["energy"].as_f64().unwrap() as f32, 5.5f32 / 60.0);
    let a = get(&app, "/v1/audio-features/nope").await;
    assert_eq!(a.status, 404);
    assert_eq!(
        a.json()["error"]["message"],
        "id: no track 'nope' in Selecta's catalog"
    );

    let v = get(&app, &format!("/v1/tracks/{}", tid(9))).await.json();
    assert_eq!(v["artists"][1]["name"], "Guest Star");
    assert_eq!(v["album"]["total_tracks"], 4);

    let a = get(&app, "/v1/me/top/tracks").await;
    assert_eq!(a.status, 404);
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Service not found"));
}

#[tokio::test]
async fn selecta_generate_search_describe_export() {
    let app = app(defaults());
    let a = post(
        &app,
        "/api/generate",
        json!({"seeds": [tid(20)], "length": 6, "order": "flow", "max_per_artist": null,
               "attributes": {"energy": {"min": 0.2}}}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let playlist = a.json();
    assert_eq!(playlist["entries"].as_array().unwrap().len(), 6);
    assert_eq!(playlist["seeds"][0]["id"], tid(20));

    let a = post(
        &app,
        "/api/generate?format=m3u8",
        json!({"seeds": [tid(20)], "length": 3}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(a.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("audio/x-mpegurl"));
    assert!(a.text().starts_with("#EXTM3U\n"));
    assert_eq!(a.text().matches("#EXTINF").count(), 3);

    let a = post(
        &app,
        "/api/generate",
        json!({"seeds": [tid(20)], "length": 0}),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json()["error"]["message"],
        "length must be 1..=100, got 0"
    );
    let a = post(
        &app,
        "/api/generate",
        json!({"seeds": [tid(20)], "attributes": {"energy": {"min": 0.999}}}),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text());

    let a = post(&app, "/api/export?format=csv", playlist.clone()).await;
    assert_eq!(a.status, 200);
    assert!(a.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\""));
    assert_eq!(a.text().lines().count(), 7, "header and six rows");
    let a = post(&app, "/api/export", playlist.clone()).await;
    assert_eq!(
        a.json()["error"]["message"],
        "format: required: m3u8, xspf, jspf or csv"
    );

    // A cross-site form can post text/plain without a preflight: only JSON is taken.
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut req = Request::post("/api/export?format=m3u8");
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let a = send(&app, req.body(Body::from(playlist.to_string())).unwrap()).await;
        assert_eq!(
            a.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert!(a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Content-Type: must be application/json, got "));
    }
    let req = Request::post("/api/export?format=m3u8")
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(playlist.to_string()))
        .unwrap();
    assert_eq!(send(&app, req).await.status, 200);

    // An id holding lines of its own never reaches the file.
    let mut injected = playlist.clone();
    injected["entries"][0]["track"]["id"] = json!(format!(
        "{}\n#EXTINF:1,injected\nfile:///etc/passwd",
        tid(1)
    ));
    for format in ["m3u8", "xspf", "jspf", "csv"] {
        let a = post(
            &app,
            &format!("/api/export?format={format}"),
            injected.clone(),
        )
        .await;
        assert_eq!(a.status, 400, "{format}");
        let message = a.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(
            message.starts_with("body.entries[0].track.id: must be a Spotify track id"),
            "{message}"
        );
        assert!(!a.text().contains("passwd"), "{}", a.text());
    }

    let v = get(&app, "/api/search?q=song%2012&limit=3").await.json();
    assert_eq!(v["tracks"][0]["id"], tid(12));
    let a = get(&app, "/api/search").await;
    assert_eq!(
        a.json()["error"]["message"],
        "q: required: the text to search for"
    );

    let v = get(&app, &format!("/api/tracks/{}?neighbours=4", tid(30)))
        .await
        .json();
    assert_eq!(v["track"]["name"], "Song 30");
    assert_eq!(v["neighbours"].as_array().unwrap().len(), 4);
    let a = get(&app, &format!("/api/tracks/{}?neighbours=x", tid(30))).await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn keys_rate_limit_and_cors() {
    let app = app(ApiConfig {
        keys: vec!["secret".into()],
        rate_limit: 1,
        rate_burst: 2,
        ..defaults()
    });
    let uri = "/v1/recommendations/available-genre-seeds";
    let a = get(&app, uri).await;
    assert_eq!(a.status, 401);
    assert!(a.headers.contains_key(header::WWW_AUTHENTICATE));
    let authed = || {
        Request::get(uri)
            .header(header::AUTHORIZATION, "Bearer secret")
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, authed()).await.status, 200);
    assert_eq!(send(&app, authed()).await.status, 200);
    let a = send(&app, authed()).await;
    assert_eq!(a.status, 429);
    let wait: u64 = a.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // Health, docs and metrics stay open.
    for open in [
        "/healthz",
        "/readyz",
        "/api/openapi.json",
        "/api/docs",
        "/metrics",
    ] {
        assert_eq!(get(&app, open).await.status, 200, "{open}");
    }

    let app = self::app(ApiConfig {
        cors_origins: vec!["https://web.example".into()],
        ..defaults()
    });
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/v1/recommendations")
        .header(header::ORIGIN, "https://web.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .unwrap();
    let a = send(&app, preflight).await;
    assert_eq!(
        a.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://web.example"
    );
    let other = Request::get("/healthz")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert!(!send(&app, other)
        .await
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test]
async fn health_readiness_metrics_and_docs() {
    let app = app(defaults());
    assert_eq!(get(&app, "/healthz").await.text(), "ok\n");
    assert_eq!(
        get(&app, "/readyz").await.json(),
        json!({"status": "ready", "tracks": 60,
               "model": {"state": "ok", "tracks": 60},
               "spotify": {"configured": false,
                           "lookups": "off: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set; only cached answers"}})
    );
    get(&app, &format!("/v1/audio-features/{}", tid(1))).await;
    // An invented method is counted, under one label for every such method.
    let brew = Request::builder()
        .method("BREW")
        .uri("/healthz")
        .body(Body::empty())
        .unwrap();
    send(&app, brew).await;
    let text = get(&app, "/metrics").await.text();
    assert!(
        text.contains("route=\"/healthz\",method=\"other\""),
        "{text}"
    );
    assert!(!text.contains("BREW"), "{text}");
    assert!(text.contains("selecta_model_tracks 60"), "{text}");
    assert!(
        text.contains("selecta_http_requests_total{route=\"/v1/audio-features/{id}\",method=\"GET\",status=\"200\"}"),
        "{text}"
    );
    assert!(
        text.contains("selecta_http_request_duration_seconds_bucket"),
        "{text}"
    );
    let doc = get(&app, "/api/openapi.json").await.json();
    assert_eq!(doc["info"]["title"], "Selecta API");
    let page = get(&app, "/api/docs").await.text();
    assert!(page.contains("/v1/audio-features/{id}"));
}

/// Selecta's own OpenAPI document describes what the server really answers.
#[tokio::test]
async fn answers_validate_against_our_own_openapi_schemas() {
    let app = app(defaults());
    let doc = super::openapi::document().clone();
    let check = |schema: &str, value: &Value| {
        let root = json!({"$ref": format!("#/components/schemas/{schema}"), "components": doc["components"]});
        let validator = jsonschema::validator_for(&root).expect("a valid schema");
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{schema}: {errors:?}");
    };
    let rec = get(
        &app,
        &format!(
            "/v1/recommendations?seed_tracks={}&min_time_signature=3",
            tid(2)
        ),
    )
    .await
    .json();
    check("RecommendationsObject", &rec);
    let many = get(&app, &format!("/v1/audio-features?ids={},x", tid(2)))
        .await
        .json();
    check("ManyAudioFeatures", &many);
    let playlist = post(
        &app,
        "/api/generate",
        json!({"seeds": [tid(2)], "length": 5}),
    )
    .await
    .json();
    check("Playlist", &playlist);
    let track = get(&app, &format!("/api/tracks/{}", tid(2))).await.json();
    check("TrackResponse", &track);
    let err = get(&app, "/v1/recommendations").await.json();
    assert!(err["error"]["request_id"].is_string(), "{err}");
    check("ErrorResponse", &err);
    let ready = get(&app, "/readyz").await.json();
    check("Readiness", &ready);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn query() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("seed_tracks".to_string()),
            Just("seed_artists".to_string()),
            Just("seed_genres".to_string()),
            Just("limit".to_string()),
            Just("market".to_string()),
            "(min|max|target)_(energy|tempo|key|mode|time_signature|popularity|duration_ms|x)",
            "[a-z_%]{0,10}",
        ];
        let value = prop_oneof![
            (0usize..70).prop_map(tid),
            (0usize..70, 0usize..70).prop_map(|(a, b)| format!("{},{}", tid(a), tid(b))),
            Just(artist_id("Artist C")),
            prop_oneof![Just("rock"), Just("r-n-b"), Just("polka")].prop_map(String::from),
            "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
            "[ -~]{0,20}",
        ];
        proptest::collection::vec((name, value), 0..8).prop_map(|pairs| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Whatever the query, the endpoint answers 200 or a Spotify-shaped 4xx, never 500.
        #[test]
        fn no_query_is_a_server_error(q in query(), raw_tail in "[ -~]{0,12}") {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let app = shared_app();
            for uri in [format!("/v1/recommendations?{q}"), format!("/v1/audio-features?{q}&ids={raw_tail}")] {
                // A few generated characters are not valid in a URI at all: skip those.
                let Ok(req) = Request::get(&uri).body(Body::empty()) else { continue };
                let a = rt.block_on(send(&app, req));
                prop_assert!(a.status == 200 || a.status.is_client_error(), "{uri}: {}", a.status);
                let v = a.json();
                if a.status != 200 {
                    prop_assert_eq!(v["error"]["status"].as_u64(), Some(u64::from(a.status.as_u16())));
                }
            }
        }
    }

    fn shared_app() -> Router {
        static APP: std::sync::OnceLock<Router> = std::sync::OnceLock::new();
        APP.get_or_init(|| {
            super::app(ApiConfig {
                rate_limit: 0,
                ..defaults()
            })
        })
        .clone()
    }
}

/// A dependency whose state the test sets.
struct Switch(std::sync::atomic::AtomicBool);

impl super::ops::Dependency for Switch {
    fn name(&self) -> &str {
        "sessions"
    }
    fn state(&self) -> Result<String, String> {
        if self.0.load(std::sync::atomic::Ordering::SeqCst) {
            Ok("redis".into())
        } else {
            Err("redis does not answer".into())
        }
    }
}

#[tokio::test]
async fn readiness_reports_the_registered_dependencies() {
    let switch = Arc::new(Switch(true.into()));
    let lookup = selecta_spotify::SpotifyLookup::new(
        None,
        selecta_spotify::LookupCache::memory(None, Default::default()),
    )
    .unwrap();
    let app = super::router_with(
        Arc::new(Views::new(small_handle())),
        lookup,
        &defaults(),
        Arc::new([switch.clone() as Arc<dyn super::ops::Dependency>]),
    );
    let a = get(&app, "/readyz").await;
    assert_eq!(a.status, 200);
    let ready = a.json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["model"], json!({"state": "ok", "tracks": 60}));
    assert_eq!(ready["dependencies"], json!({"sessions": "ok: redis"}));
    switch.0.store(false, std::sync::atomic::Ordering::SeqCst);
    let a = get(&app, "/readyz").await;
    assert_eq!(a.status, 503);
    let ready = a.json();
    assert_eq!(ready["status"], "not ready");
    // The model is fine; what is not is named on its own.
    assert_eq!(ready["model"], json!({"state": "ok", "tracks": 60}));
    assert_eq!(
        ready["dependencies"],
        json!({"sessions": "unavailable: redis does not answer"})
    );
    // The API itself keeps answering.
    assert_eq!(get(&app, "/healthz").await.status, 200);
}

/// Spotify's configuration is reported without deciding readiness, and without its secret.
#[tokio::test]
async fn readiness_reports_spotify_configuration_without_secrets() {
    let mut config = selecta_spotify::SpotifyConfig::new("the-client-id", "the-client-secret");
    // Nothing listens there: /readyz must answer without calling Spotify.
    config.accounts_url = "http://127.0.0.1:1".into();
    config.api_url = "http://127.0.0.1:1/v1".into();
    let lookup = SpotifyLookup::new(
        Some(&config),
        LookupCache::memory(None, CacheSettings::default()),
    )
    .unwrap();
    let app = super::router(Arc::new(Views::new(small_handle())), lookup, &defaults());
    let a = get(&app, "/readyz").await;
    assert_eq!(a.status, 200);
    let ready = a.json();
    assert_eq!(
        ready["spotify"],
        json!({"configured": true, "lookups": "ok: with the app's credentials"})
    );
    assert!(!a.text().contains("the-client-secret"), "{}", a.text());
}

/// Every answer carries an `x-request-id`, a new one per request, and an error's body names
/// it; a client's own id is dropped unless a trusted proxy may have set it, and then only a
/// plain, short one is kept.
#[tokio::test]
async fn request_ids_are_returned_and_named_in_errors() {
    let with_id = |uri: &str, id: Option<&str>| {
        let mut req = Request::get(uri);
        if let Some(id) = id {
            req = req.header("x-request-id", id);
        }
        req.body(Body::empty()).unwrap()
    };
    let id_of = |a: &Answer| a.headers["x-request-id"].to_str().unwrap().to_string();

    let direct = app(defaults());
    let err = send(&direct, with_id("/v1/recommendations", None)).await;
    assert_eq!(err.status, 400);
    let id = id_of(&err);
    assert!(!id.is_empty());
    assert_eq!(err.json()["error"]["request_id"], id.as_str());
    let ok = send(&direct, with_id("/healthz", None)).await;
    assert_ne!(id_of(&ok), id, "each request has its own id");
    // No proxy: a client's id is replaced, never echoed.
    let forged = send(&direct, with_id("/v1/tracks/nope", Some("client-made-1"))).await;
    assert_eq!(forged.status, 404);
    assert_ne!(id_of(&forged), "client-made-1");
    assert_eq!(
        forged.json()["error"]["request_id"],
        id_of(&forged).as_str()
    );

    let proxied = app(ApiConfig {
        trusted_proxies: 1,
        ..defaults()
    });
    let kept = send(&proxied, with_id("/v1/tracks/nope", Some("edge-42.a:b"))).await;
    assert_eq!(id_of(&kept), "edge-42.a:b");
    assert_eq!(kept.json()["error"]["request_id"], "edge-42.a:b");
    for odd in ["x".repeat(129), "has space".into(), "<script>".into()] {
        let a = send(&proxied, with_id("/healthz", Some(&odd))).await;
        assert_ne!(id_of(&a), odd, "kept {odd:?}");
    }
}

/// What a handler logs inside a request's span carries the request's id and route template,
/// and a request that logs nothing itself adds no line at `INFO`.
#[tokio::test]
async fn log_lines_of_a_request_carry_its_id() {
    use axum::routing::get;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    let lines = Lines::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(lines.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let router = super::ops::observe(
        Router::new()
            .route(
                "/odd/{what}",
                get(|| async {
                    tracing::warn!("something odd");
                    "ok"
                }),
            )
            .route("/quiet", get(|| async { "ok" })),
        0,
    );
    // Registers the span's and the event's call sites before the subscriber comes: tracing
    // caches each call site's interest globally, and a registration another test's thread had
    // in flight while the subscriber was installed could otherwise keep "never" for them.
    let warm = send(
        &router,
        Request::get("/odd/warm").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(warm.status, 200);
    // This test's thread only (a current-thread runtime): other tests log elsewhere.
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let quiet = send(&router, Request::get("/quiet").body(Body::empty()).unwrap()).await;
    assert_eq!(quiet.status, 200);
    let a = send(
        &router,
        Request::get("/odd/thing?code=secret-code")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let id = a.headers["x-request-id"].to_str().unwrap().to_string();
    let logs = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let logged: Vec<&str> = logs.lines().collect();
    assert_eq!(logged.len(), 1, "{logs}");
    assert!(logged[0].contains("WARN"), "{logs}");
    assert!(
        logged[0].contains(&format!(
            "request{{id={id} method=GET route=/odd/{{what}}}}"
        )),
        "{logs}"
    );
    assert!(logged[0].contains("something odd"), "{logs}");
    // The raw path and its query (an OAuth code, say) stay out of the span.
    assert!(!logs.contains("secret-code"), "{logs}");
}
