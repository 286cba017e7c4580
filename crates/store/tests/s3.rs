//! get/put/list against a real moto S3 server on 127.0.0.1.

mod common;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_no_secret, seeded_bytes, Moto};
use selecta_store::{Location, S3Config, Store, StoreError};

fn loc(s: &str) -> Location {
    s.parse().expect("valid location")
}

#[tokio::test]
async fn multi_megabyte_round_trip_and_overwrite() {
    let moto = Moto::start();
    moto.create_bucket("artifacts");
    let store = moto.store();
    let at = loc("s3://artifacts/models/v1/artifact.bin");

    let big = seeded_bytes(6 * 1024 * 1024 + 17, 7);
    store.put(&at, &big).await.unwrap();
    let back = store.get(&at).await.unwrap();
    assert_eq!(back.len(), big.len());
    assert!(back == big, "downloaded bytes differ from uploaded bytes");

    let small = seeded_bytes(1000, 8);
    store.put(&at, &small).await.unwrap();
    assert_eq!(store.get(&at).await.unwrap(), small);

    // Zero-length objects are legal and must round-trip too.
    let empty = loc("s3://artifacts/empty");
    store.put(&empty, b"").await.unwrap();
    assert_eq!(store.get(&empty).await.unwrap(), Vec::<u8>::new());
}

#[tokio::test]
async fn versions_are_etags_that_follow_the_object() {
    let moto = Moto::start();
    moto.create_bucket("models");
    let store = moto.store();
    let at = loc("s3://models/model.selecta");
    assert!(store.version(&at).await.unwrap_err().is_not_found());

    store.put(&at, b"first model").await.unwrap();
    let first = store.version(&at).await.unwrap().expect("an ETag");
    let (bytes, version) = store.get_versioned(&at).await.unwrap();
    assert_eq!(bytes, b"first model");
    assert_eq!(
        version.as_ref(),
        Some(&first),
        "the GET's ETag is the HEAD's"
    );
    assert_eq!(store.version(&at).await.unwrap(), Some(first.clone()));

    store.put(&at, b"second model").await.unwrap();
    let second = store.version(&at).await.unwrap().expect("an ETag");
    assert_ne!(first, second, "a new upload is a new version");
    assert_eq!(store.get_versioned(&at).await.unwrap().1, Some(second));
}

#[tokio::test]
async fn missing_key_is_not_found_naming_the_location() {
    let moto = Moto::start();
    moto.create_bucket("bucket-one");
    let err = moto
        .store()
        .get(&loc("s3://bucket-one/no/such/key.json"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, StoreError::NotFound { .. }),
        "expected NotFound, got {err:?}"
    );
    assert!(err.is_not_found());
    assert!(
        text.contains("s3://bucket-one/no/such/key.json")
            && text.contains("no such key in bucket `bucket-one`"),
        "{text}"
    );
    assert_no_secret(&text);
    assert_no_secret(&format!("{err:?}"));
}

#[tokio::test]
async fn missing_bucket_is_named_for_get_put_and_list() {
    let moto = Moto::start();
    let store = moto.store();
    let at = loc("s3://no-such-bucket/k.bin");

    for err in [
        store.get(&at).await.unwrap_err(),
        store.put(&at, b"x").await.unwrap_err(),
        store
            .list(&loc("s3://no-such-bucket/tracks"))
            .await
            .unwrap_err(),
    ] {
        let text = err.to_string();
        assert!(
            matches!(&err, StoreError::NoSuchBucket { bucket, .. } if bucket == "no-such-bucket"),
            "expected NoSuchBucket, got {err:?}"
        );
        assert!(text.contains("no such bucket `no-such-bucket`"), "{text}");
        assert!(text.contains(&moto.endpoint()), "{text}");
        assert_no_secret(&text);
    }
}

#[tokio::test]
async fn listing_pages_past_1000_keys_with_directory_semantics() {
    let moto = Moto::start();
    moto.create_bucket("many");
    let store = Arc::new(moto.store());
    const N: usize = 1050;

    // Upload concurrently, 16 at a time, to keep the test short.
    let mut tasks = tokio::task::JoinSet::new();
    let mut expected = Vec::with_capacity(N);
    for i in 0..N {
        let key = format!("g{}/item-{i:05}.json", i % 3);
        expected.push(key.clone());
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            let at = loc(&format!("s3://many/dir/{key}"));
            store.put(&at, key.as_bytes()).await.unwrap();
        });
        if tasks.len() >= 16 {
            tasks.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    // Siblings that share the string prefix but not the directory must not be listed.
    store
        .put(&loc("s3://many/dir-other/x"), b"x")
        .await
        .unwrap();
    store.put(&loc("s3://many/dirx"), b"x").await.unwrap();

    let keys = store.list(&loc("s3://many/dir")).await.unwrap();
    expected.sort();
    assert_eq!(keys.len(), N);
    assert_eq!(keys, expected);
    // The same listing with a trailing slash.
    assert_eq!(store.list(&loc("s3://many/dir/")).await.unwrap(), expected);
    // More than 1000 keys need a second page: moto logs the continuation request.
    assert!(
        moto.log_text().contains("continuation-token="),
        "no paginated ListObjectsV2 request in moto's log"
    );
    // An empty prefix is an empty list, not an error.
    assert!(store
        .list(&loc("s3://many/nothing-here"))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn get_all_under_reads_the_seed_meta_json_tree() {
    let moto = Moto::start();
    moto.create_bucket("seed");
    let store = moto.store();
    let objects: [(&str, &[u8]); 6] = [
        ("tracks/pop/artist_a_song_1/meta.json", br#"{"id":"1"}"#),
        ("tracks/pop/artist_a_song_1/audio.mp3", b"ID3 fake mp3"),
        ("tracks/rock/artist_b_song_2/meta.json", br#"{"id":"2"}"#),
        ("tracks/rock/artist_b_song_2/audio.mp3", b"ID3 other"),
        ("tracks/rock/artist_c/meta.json.bak", b"old"),
        ("tracks-archive/pop/x/meta.json", b"not under tracks/"),
    ];
    for (key, bytes) in objects {
        store
            .put(&loc(&format!("s3://seed/{key}")), bytes)
            .await
            .unwrap();
    }

    let got = store
        .get_all_under(&loc("s3://seed/tracks"), "/meta.json")
        .await
        .unwrap();
    let expected: Vec<(String, Vec<u8>)> = vec![
        (
            "pop/artist_a_song_1/meta.json".into(),
            br#"{"id":"1"}"#.to_vec(),
        ),
        (
            "rock/artist_b_song_2/meta.json".into(),
            br#"{"id":"2"}"#.to_vec(),
        ),
    ];
    assert_eq!(got, expected);

    // The relative keys join back to the objects' locations.
    let base = loc("s3://seed/tracks");
    assert_eq!(
        store.get(&base.join(&got[1].0)).await.unwrap(),
        br#"{"id":"2"}"#
    );
    // No suffix: everything under the prefix.
    let all = store.get_all_under(&base, "").await.unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn get_all_under_fetches_many_objects_concurrently_in_order() {
    let moto = Moto::start();
    moto.create_bucket("seed");
    let store = moto.store();
    for i in 0..40 {
        let at = loc(&format!("s3://seed/t/genre{}/track{i:03}/meta.json", i % 4));
        store
            .put(&at, format!("meta {i}").as_bytes())
            .await
            .unwrap();
    }
    let got = store
        .get_all_under(&loc("s3://seed/t"), "meta.json")
        .await
        .unwrap();
    assert_eq!(got.len(), 40);
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "results are sorted by key");
    for (key, bytes) in &got {
        // track017 -> "meta 17": each body belongs to its own key.
        let i: usize = key[key.find("track").unwrap() + 5..][..3].parse().unwrap();
        assert_eq!(bytes, format!("meta {i}").as_bytes(), "{key}");
    }
}

#[tokio::test]
async fn path_style_addressing_puts_the_bucket_in_the_path() {
    let moto = Moto::start();
    moto.create_bucket("pathstyle");
    // A host name (not an IP) so that the SDK would use virtual-host style if not told otherwise.
    let store = Store::new(S3Config {
        endpoint: Some(format!("http://localhost:{}", moto.port)),
        force_path_style: true,
        ..S3Config::default()
    });
    let at = loc("s3://pathstyle/some/key.txt");
    store.put(&at, b"hello").await.unwrap();
    assert_eq!(store.get(&at).await.unwrap(), b"hello");
    let log = moto.log_text();
    assert!(
        log.contains("\"PUT /pathstyle/some/key.txt")
            && log.contains("\"GET /pathstyle/some/key.txt"),
        "moto's log shows no path-style requests:\n{log}"
    );
}

#[tokio::test]
async fn unreachable_endpoint_fails_fast_naming_it() {
    common::init_env();
    let port = common::free_port(); // nothing listens there any more
    let endpoint = format!("http://127.0.0.1:{port}");
    let store = Store::new(S3Config {
        endpoint: Some(endpoint.clone()),
        force_path_style: true,
        ..S3Config::default()
    });
    let started = Instant::now();
    let err = store.get(&loc("s3://b/k")).await.unwrap_err();
    eprintln!("unreachable endpoint failed after {:?}", started.elapsed());
    let text = err.to_string();
    assert!(err.is_unreachable(), "{err:?}");
    assert!(
        text.contains(&format!("cannot connect to endpoint {endpoint}"))
            && text.contains("s3://b/k"),
        "{text}"
    );
    assert_no_secret(&text);
}

#[tokio::test]
async fn silent_endpoint_times_out() {
    common::init_env();
    // The kernel accepts connections into the backlog, but nobody ever answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let store = Store::new(S3Config {
        endpoint: Some(endpoint.clone()),
        force_path_style: true,
        read_timeout: Duration::from_millis(500),
        max_attempts: 1,
        ..S3Config::default()
    });
    let started = Instant::now();
    let err = store.get(&loc("s3://b/k")).await.unwrap_err();
    eprintln!("silent endpoint failed after {:?}", started.elapsed());
    let text = err.to_string();
    assert!(matches!(err, StoreError::Timeout { .. }), "{err:?}");
    assert!(
        text.contains("timed out") && text.contains(&endpoint),
        "{text}"
    );
    drop(listener);
}
