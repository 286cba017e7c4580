//! Local-path behaviour: atomic writes, listing, missing files.

mod common;

use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::seeded_bytes;
use selecta_store::{Location, Store, StoreError};

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn put_creates_directories_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::default();
    let path = dir.path().join("nested/deeper/artifact.bin");
    let at = Location::local(&path);

    let big = seeded_bytes(3 * 1024 * 1024, 1);
    store.put(&at, &big).await.unwrap();
    assert_eq!(store.get(&at).await.unwrap(), big);
    store.put(&at, b"replaced").await.unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"replaced");

    assert_eq!(names_in(path.parent().unwrap()), vec!["artifact.bin"]);
}

#[tokio::test]
async fn a_replaced_file_is_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::default();
    let at = Location::local(dir.path().join("model.selecta"));
    assert!(store.version(&at).await.unwrap_err().is_not_found());

    store.put(&at, b"first").await.unwrap();
    let (bytes, first) = store.get_versioned(&at).await.unwrap();
    assert_eq!(bytes, b"first");
    assert!(first.is_some());
    assert_eq!(store.version(&at).await.unwrap(), first, "unchanged");

    // Same length, written later: the time tells them apart.
    std::thread::sleep(std::time::Duration::from_millis(20));
    store.put(&at, b"again").await.unwrap();
    assert_ne!(store.version(&at).await.unwrap(), first);
}

#[tokio::test]
async fn failed_put_leaves_the_old_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::default();
    // The target is a directory: the rename must fail after the temporary file was written.
    let target = dir.path().join("occupied");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside.txt"), b"keep").unwrap();

    let err = store
        .put(&Location::local(&target), b"new bytes")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&target.display().to_string()) && text.contains("rename"),
        "{text}"
    );
    assert_eq!(names_in(dir.path()), vec!["occupied"]);
    assert_eq!(fs::read(target.join("inside.txt")).unwrap(), b"keep");
}

#[test]
fn readers_never_see_a_half_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("artifact.bin");
    let a = seeded_bytes(2 * 1024 * 1024, 2);
    let b = seeded_bytes(2 * 1024 * 1024 + 5, 3);
    fs::write(&path, &a).unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (path, a, b, done) = (path.clone(), a.clone(), b.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) {
                let seen = fs::read(&path).unwrap();
                assert!(
                    seen == a || seen == b,
                    "read a mixed/partial file of {} bytes",
                    seen.len()
                );
                reads += 1;
            }
            reads
        })
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store = Store::default();
    let at = Location::local(&path);
    for i in 0..20 {
        let bytes = if i % 2 == 0 { &b } else { &a };
        runtime.block_on(store.put(&at, bytes)).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let reads = reader.join().unwrap();
    eprintln!("{reads} concurrent reads saw only whole files");
    assert_eq!(names_in(dir.path()), vec!["artifact.bin"]);
}

#[tokio::test]
async fn get_of_a_missing_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-artifact.bin");
    let err = Store::default()
        .get(&Location::local(&path))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&path.display().to_string()) && text.contains("no such file"),
        "{text}"
    );
}

#[tokio::test]
async fn list_and_get_all_under_walk_a_local_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tracks");
    let files: [(&str, &[u8]); 5] = [
        ("pop/artist_a_song_1/meta.json", b"{\"id\":\"1\"}"),
        ("pop/artist_a_song_1/audio.mp3", b"mp3"),
        ("rock/artist_b_song_2/meta.json", b"{\"id\":\"2\"}"),
        ("rock/artist_b_song_2/audio.mp3", b"mp3"),
        ("README", b"top-level file"),
    ];
    for (rel, bytes) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    // A write in progress (our temporary-file prefix) is not listed.
    fs::write(root.join("pop/.selecta-tmp-meta.json-abc"), b"partial").unwrap();
    fs::create_dir(root.join("empty-dir")).unwrap();

    let store = Store::default();
    let prefix = Location::local(&root);
    assert_eq!(
        store.list(&prefix).await.unwrap(),
        vec![
            "README",
            "pop/artist_a_song_1/audio.mp3",
            "pop/artist_a_song_1/meta.json",
            "rock/artist_b_song_2/audio.mp3",
            "rock/artist_b_song_2/meta.json",
        ]
    );
    let metas = store.get_all_under(&prefix, "/meta.json").await.unwrap();
    assert_eq!(
        metas,
        vec![
            (
                "pop/artist_a_song_1/meta.json".to_string(),
                b"{\"id\":\"1\"}".to_vec()
            ),
            (
                "rock/artist_b_song_2/meta.json".to_string(),
                b"{\"id\":\"2\"}".to_vec()
            ),
        ]
    );
    assert_eq!(
        store.get(&prefix.join(&metas[0].0)).await.unwrap(),
        b"{\"id\":\"1\"}"
    );
}

#[tokio::test]
async fn listing_a_missing_directory_or_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::default();
    let missing = dir.path().join("nope");
    let err = store.list(&Location::local(&missing)).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains(&missing.display().to_string()));

    let file = dir.path().join("file.txt");
    fs::write(&file, b"x").unwrap();
    let err = store.list(&Location::local(&file)).await.unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");
}
