//! The model cache: written atomically, and used only for the source it records.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use selecta_catalog::{write_csv, Layout};
use selecta_engine::provenance::{self, CacheSource};
use selecta_engine::runtime::{load_model, read_model, save_model};
use selecta_engine::ModelSource;
use selecta_model::Model;

use super::{model, tracks};

/// Writes a catalog of `n` tracks as CSV at `path`.
fn write_catalog(path: &Path, n: usize) {
    let file = std::fs::File::create(path).unwrap();
    write_csv(&tracks(n), Layout::ByColumnName, file).unwrap();
}

/// The file's inode: a new one means the file was written again (renamed into place).
fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().ino()
}

fn source(model: Option<&Path>, cache: &Path, catalog: &Path) -> ModelSource {
    ModelSource::new(
        model.map(|m| m.to_string_lossy().into_owned()),
        cache.to_path_buf(),
        catalog.to_path_buf(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_start_fits_rather_than_serve_the_copy_of_another_model() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, catalog, other) = (
        dir.path().join("model.selecta"),
        dir.path().join("songs.csv"),
        dir.path().join("other.selecta"),
    );
    write_catalog(&catalog, 30);
    save_model(&model(36), &other).unwrap();

    // A run with --model keeps its copy at the cache, recorded as that model's.
    let with_model = source(Some(&other), &cache, &catalog);
    assert_eq!(load_model(&with_model).await.unwrap().len(), 36);
    assert_eq!(
        provenance::recorded_source(&cache),
        Some(CacheSource::Model {
            url: std::fs::canonicalize(&other).unwrap().display().to_string()
        })
    );

    // A plain start does not take it for the catalog's model: it fits, and records that.
    let plain = source(None, &cache, &catalog);
    assert_eq!(load_model(&plain).await.unwrap().len(), 30);
    let Some(CacheSource::Catalog { path, sha256 }) = provenance::recorded_source(&cache) else {
        panic!("the fit is recorded as the catalog's");
    };
    assert_eq!(Path::new(&path), std::fs::canonicalize(&catalog).unwrap());
    assert_eq!(sha256.len(), 64);

    // The next plain start uses the copy as it is (not written again), the same catalog
    // named another way included.
    let fitted = inode(&cache);
    assert_eq!(load_model(&plain).await.unwrap().len(), 30);
    let dotted = dir.path().join(".").join("songs.csv");
    assert_eq!(
        load_model(&source(None, &cache, &dotted))
            .await
            .unwrap()
            .len(),
        30
    );
    assert_eq!(
        inode(&cache),
        fitted,
        "the saved model was used, not refitted"
    );

    // A changed catalog is fitted again.
    write_catalog(&catalog, 33);
    assert_eq!(load_model(&plain).await.unwrap().len(), 33);
    assert_ne!(inode(&cache), fitted);

    // The --model run, its model gone, refuses the catalog's copy rather than serve it.
    std::fs::remove_file(&other).unwrap();
    let err = format!("{:#}", load_model(&with_model).await.unwrap_err());
    assert!(err.contains("other.selecta"), "{err}");
    assert!(err.contains("is not a copy of it"), "{err}");
    assert!(err.contains("made from the catalog"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_without_a_record_or_of_another_catalog_is_fitted_again() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, a, b) = (
        dir.path().join("model.selecta"),
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
    );
    write_catalog(&a, 30);
    write_catalog(&b, 30);
    // Left by an older version: a model, no record.
    save_model(&model(24), &cache).unwrap();
    assert_eq!(
        load_model(&source(None, &cache, &a)).await.unwrap().len(),
        30
    );

    // Same bytes, another catalog file: a different source, fitted again.
    let fitted = inode(&cache);
    assert_eq!(
        load_model(&source(None, &cache, &b)).await.unwrap().len(),
        30
    );
    assert_ne!(inode(&cache), fitted);

    // The catalog gone: the model fitted from it earlier still serves; another catalog's
    // model is not taken for it.
    std::fs::remove_file(&b).unwrap();
    assert_eq!(
        load_model(&source(None, &cache, &b)).await.unwrap().len(),
        30
    );
    std::fs::remove_file(&a).unwrap();
    let err = format!(
        "{:#}",
        load_model(&source(None, &cache, &a)).await.unwrap_err()
    );
    assert!(err.contains("cannot read the catalog"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_local_model_writes_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, other) = (
        dir.path().join("model.selecta"),
        dir.path().join("o.selecta"),
    );
    save_model(&model(36), &other).unwrap();
    let read = source(Some(&other), &cache, &dir.path().join("none.csv"));
    assert_eq!(read_model(&read).await.unwrap().len(), 36);
    assert!(!cache.exists() && !provenance::record_path(&cache).exists());
}

#[test]
fn readers_never_see_half_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("model.selecta");
    let (small, big) = (model(30), model(300));
    save_model(&small, &path).unwrap();
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            for i in 0..20 {
                save_model(if i % 2 == 0 { &big } else { &small }, &path).unwrap();
            }
        });
        while !writer.is_finished() {
            let n = Model::load(&path).expect("a whole model").len();
            assert!(n == 30 || n == 300, "{n}");
        }
    });
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["model.selecta"], "no temporary file left behind");
}

#[test]
fn a_failed_save_leaves_the_previous_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.selecta");
    save_model(&model(30), &path).unwrap();
    // A directory where the file should go: the rename into place fails.
    let blocked = dir.path().join("blocked.selecta");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"x").unwrap();
    let err = save_model(&model(36), &blocked).unwrap_err().to_string();
    assert!(err.contains("blocked.selecta"), "{err}");
    // Under a file instead of a folder: nothing can be created.
    let err = save_model(&model(36), &path.join("x.selecta"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.selecta"), "{err}");
    assert_eq!(Model::load(&path).unwrap().len(), 30);
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["blocked.selecta", "model.selecta"],
        "no temporary file left"
    );
}
