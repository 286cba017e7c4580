//! The last-good cache against a real moto S3 server: served when S3 is unreachable or serves
//! corrupt bytes, refreshed when S3 serves good bytes.

mod common;

use std::path::Path;
use std::time::Instant;

use common::{assert_no_secret, Moto};
use selecta_store::{Location, Origin, S3Config, SourceFailure, Store};

const MAGIC: &str = "SELECTA-ARTIFACT v1\n";

/// A stand-in artifact format: a magic header, then a UTF-8 payload.
fn validate(bytes: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    text.strip_prefix(MAGIC)
        .map(str::to_owned)
        .ok_or_else(|| format!("missing the `{}` header", MAGIC.trim()))
}

fn artifact(payload: &str) -> Vec<u8> {
    format!("{MAGIC}{payload}").into_bytes()
}

fn unreachable_store() -> (Store, String) {
    common::init_env();
    let endpoint = format!("http://127.0.0.1:{}", common::free_port());
    let store = Store::new(S3Config {
        endpoint: Some(endpoint.clone()),
        force_path_style: true,
        ..S3Config::default()
    });
    (store, endpoint)
}

fn cache_reason(origin: Origin) -> String {
    match origin {
        Origin::Cache { reason } => reason,
        Origin::Remote => panic!("expected the cached copy to be served"),
    }
}

#[tokio::test]
async fn cache_is_filled_from_s3_then_served_when_s3_fails() {
    let moto = Moto::start();
    moto.create_bucket("models");
    let store = moto.store();
    let at: Location = "s3://models/prod/artifact.bin".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache").join("artifact.bin");

    // 1. First load comes from S3 and fills the cache (creating its directory).
    store.put(&at, &artifact("model one")).await.unwrap();
    let (value, origin) = store.load_with_cache(&at, &cache, validate).await.unwrap();
    assert_eq!((value.as_str(), origin), ("model one", Origin::Remote));
    assert_eq!(std::fs::read(&cache).unwrap(), artifact("model one"));

    // 2. A newer good object replaces the cached copy.
    store.put(&at, &artifact("model two")).await.unwrap();
    let (value, origin) = store.load_with_cache(&at, &cache, validate).await.unwrap();
    assert_eq!((value.as_str(), origin), ("model two", Origin::Remote));
    assert_eq!(std::fs::read(&cache).unwrap(), artifact("model two"));

    // 3. Endpoint unreachable (closed port): the cached copy is served, with the reason.
    let (down, endpoint) = unreachable_store();
    let started = Instant::now();
    let (value, origin) = down.load_with_cache(&at, &cache, validate).await.unwrap();
    eprintln!(
        "fallback on an unreachable endpoint took {:?}",
        started.elapsed()
    );
    assert_eq!(value, "model two");
    let reason = cache_reason(origin);
    assert!(
        reason.contains(&format!("cannot connect to endpoint {endpoint}")),
        "{reason}"
    );
    assert_no_secret(&reason);

    // 4. A corrupt object on S3 is refused by the validator; the cached copy is served and
    //    not overwritten by the bad bytes.
    store.put(&at, b"\x00\x01garbage").await.unwrap();
    let (value, origin) = store.load_with_cache(&at, &cache, validate).await.unwrap();
    assert_eq!(value, "model two");
    let reason = cache_reason(origin);
    assert!(
        reason.contains("refused by validation")
            && reason.contains("missing the `SELECTA-ARTIFACT v1` header"),
        "{reason}"
    );
    assert_eq!(std::fs::read(&cache).unwrap(), artifact("model two"));

    // 5. The object deleted (missing key): the cached copy is served.
    let gone: Location = "s3://models/prod/missing.bin".parse().unwrap();
    let (value, origin) = store
        .load_with_cache(&gone, &cache, validate)
        .await
        .unwrap();
    assert_eq!(value, "model two");
    assert!(cache_reason(origin).contains("not found"));

    // The atomic cache writes left no temporary files behind.
    let names: Vec<_> = std::fs::read_dir(cache.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["artifact.bin".to_string()]);
}

#[tokio::test]
async fn unreachable_endpoint_without_cache_names_both_failures() {
    let (down, endpoint) = unreachable_store();
    let at: Location = "s3://models/prod/artifact.bin".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("never-written.bin");

    let err = down
        .load_with_cache(&at, &cache, validate)
        .await
        .unwrap_err();
    assert!(
        matches!(&err.remote, SourceFailure::Read(e) if e.is_unreachable()),
        "{err:?}"
    );
    assert!(
        matches!(&err.cache, SourceFailure::Read(e) if e.is_not_found()),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("cannot load s3://models/prod/artifact.bin")
            && text.contains(&format!("cannot connect to endpoint {endpoint}"))
            && text.contains(&format!("no usable last-good copy at {}", cache.display()))
            && text.contains("not found"),
        "{text}"
    );
    assert_no_secret(&text);
    assert!(!cache.exists());
}

#[tokio::test]
async fn corrupt_object_and_corrupt_cache_names_both_validation_errors() {
    let moto = Moto::start();
    moto.create_bucket("models");
    let store = moto.store();
    let at: Location = "s3://models/artifact.bin".parse().unwrap();
    store.put(&at, b"not an artifact").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("artifact.bin");
    std::fs::write(&cache, [0xff, 0xfe, 0x00]).unwrap();

    let err = store
        .load_with_cache(&at, &cache, validate)
        .await
        .unwrap_err();
    assert!(matches!(err.remote, SourceFailure::Invalid(_)));
    assert!(matches!(err.cache, SourceFailure::Invalid(_)));
    let text = err.to_string();
    assert!(
        text.contains("refused by validation: missing the `SELECTA-ARTIFACT v1` header")
            && text.contains("refused by validation: not UTF-8"),
        "{text}"
    );
    // The bad cache is left as it was: only validated bytes are ever written there.
    assert_eq!(std::fs::read(&cache).unwrap(), [0xff, 0xfe, 0x00]);
}

#[tokio::test]
async fn local_location_falls_back_to_cache_too() {
    let dir = tempfile::tempdir().unwrap();
    let primary = dir.path().join("primary.bin");
    let cache = dir.path().join("last-good.bin");
    let store = Store::default();
    let at = Location::local(&primary);

    std::fs::write(&primary, artifact("local model")).unwrap();
    let (value, origin) = store.load_with_cache(&at, &cache, validate).await.unwrap();
    assert_eq!((value.as_str(), origin), ("local model", Origin::Remote));
    assert!(Path::new(&cache).exists());

    std::fs::remove_file(&primary).unwrap();
    let (value, origin) = store.load_with_cache(&at, &cache, validate).await.unwrap();
    assert_eq!(value, "local model");
    let reason = cache_reason(origin);
    assert!(
        reason.contains(&primary.display().to_string()) && reason.contains("not found"),
        "{reason}"
    );
}
