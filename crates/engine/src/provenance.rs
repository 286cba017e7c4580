//! What the model cache was made from, recorded beside it.
//!
//! `--model-cache` holds either the last good download of a `--model` location or a model
//! fitted from a `--catalog`, and commands with other settings (`selecta describe --model
//! s3://…`) may have left it there. The record, `<cache>.source.json`, names the source (the
//! model's URL or path, or the catalog's path and SHA-256) and the checksum of the artifact it
//! describes, so that `serve` and `bot` start from the cache only when it is what their own
//! settings would give, and otherwise fit or fetch anew.

use std::fmt;
use std::path::{Path, PathBuf};

use selecta_model::artifact::HEADER_LEN;
use selecta_store::{write_atomic, Location, StoreError};
use serde::{Deserialize, Serialize};

/// The version of the record's layout.
const RECORD_VERSION: u32 = 1;

/// Where a cached model came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CacheSource {
    /// Downloaded (or copied) from a model location: `s3://bucket/key` or an absolute path.
    Model {
        /// The location, as [`source_name`] spells it.
        url: String,
    },
    /// Fitted, with default parameters, from a catalog.
    Catalog {
        /// The catalog, as [`source_name`] spells it.
        path: String,
        /// SHA-256 (hex) of the catalog's bytes (see `runtime::RawCatalog::checksum`).
        sha256: String,
    },
}

impl fmt::Display for CacheSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheSource::Model { url } => write!(f, "the model at {url}"),
            CacheSource::Catalog { path, sha256 } => {
                write!(
                    f,
                    "the catalog {path} (SHA-256 {})",
                    &sha256[..sha256.len().min(12)]
                )
            }
        }
    }
}

/// The record beside a cache.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    version: u32,
    /// The SHA-256 of the artifact's payload, as its header holds it (hex).
    artifact_sha256: String,
    source: CacheSource,
}

/// Why a cache cannot stand for what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// There is no cache file.
    NoCache,
    /// The cache has no readable record of its source (written by an older version, or by
    /// hand).
    NoRecord(String),
    /// The record describes another artifact than the one at the cache path.
    OtherArtifact,
    /// The cache was made from something else.
    OtherSource(CacheSource),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::NoCache => write!(f, "there is no saved model"),
            Mismatch::NoRecord(why) => {
                write!(
                    f,
                    "nothing records what the saved model was made from ({why})"
                )
            }
            Mismatch::OtherArtifact => write!(
                f,
                "the record beside the saved model describes another artifact"
            ),
            Mismatch::OtherSource(source) => write!(f, "the saved model was made from {source}"),
        }
    }
}

/// The record's path: `<cache>.source.json` beside the cache.
pub fn record_path(cache: &Path) -> PathBuf {
    let mut name = cache.as_os_str().to_owned();
    name.push(".source.json");
    PathBuf::from(name)
}

/// A location as records spell it: an S3 URL as written, a local path made absolute (and
/// free of symlinks when it exists), so that `data/x.csv` and `./data/x.csv` are one source.
pub fn source_name(location: &Location) -> String {
    match location {
        Location::Local(path) => std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
        Location::S3 { .. } => location.to_string(),
    }
}

/// Writes the artifact `bytes` (a whole, validated artifact) to `cache` and then the record of `source` beside it, each
/// with [`write_atomic`]. A crash between the two leaves a record naming the previous
/// artifact's checksum, which [`check`] then refuses: never a record vouching for a model it
/// does not describe.
pub fn write_cache(cache: &Path, bytes: &[u8], source: &CacheSource) -> Result<(), StoreError> {
    write_atomic(cache, bytes)?;
    let record = Record {
        version: RECORD_VERSION,
        // An empty checksum (bytes too short for a header) never matches a header.
        artifact_sha256: bytes.get(20..HEADER_LEN).map(hex).unwrap_or_default(),
        source: source.clone(),
    };
    let json = serde_json::to_vec_pretty(&record).expect("a record serialises");
    write_atomic(&record_path(cache), &json)
}

/// Whether the cache at `cache` was made from `wanted`, by its record. Cheap: reads the
/// record and the artifact's header, not the model (whose own checksum is checked on load).
pub fn check(cache: &Path, wanted: &CacheSource) -> Result<(), Mismatch> {
    let header = match read_header(cache) {
        Ok(h) => h,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Mismatch::NoCache),
        Err(e) => return Err(Mismatch::NoRecord(format!("cannot read the cache: {e}"))),
    };
    let record = record_of(cache)?;
    if record.artifact_sha256 != hex(&header[20..HEADER_LEN]) {
        return Err(Mismatch::OtherArtifact);
    }
    if &record.source != wanted {
        return Err(Mismatch::OtherSource(record.source));
    }
    Ok(())
}

/// What the record beside `cache` says the cache was made from, if it says anything.
pub fn recorded_source(cache: &Path) -> Option<CacheSource> {
    record_of(cache).ok().map(|r| r.source)
}

fn record_of(cache: &Path) -> Result<Record, Mismatch> {
    let path = record_path(cache);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Mismatch::NoRecord(format!("no {}", path.display())),
        _ => Mismatch::NoRecord(format!("{}: {e}", path.display())),
    })?;
    let record: Record = serde_json::from_slice(&bytes)
        .map_err(|e| Mismatch::NoRecord(format!("{}: {e}", path.display())))?;
    if record.version != RECORD_VERSION {
        return Err(Mismatch::NoRecord(format!(
            "{}: record version {}, this build reads {RECORD_VERSION}",
            path.display(),
            record.version
        )));
    }
    Ok(record)
}

/// The first [`HEADER_LEN`] bytes of the artifact (shorter files are not artifacts).
fn read_header(cache: &Path) -> std::io::Result<[u8; HEADER_LEN]> {
    use std::io::Read;
    let mut header = [0u8; HEADER_LEN];
    std::fs::File::open(cache)?.read_exact(&mut header)?;
    Ok(header)
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(payload_sum: u8) -> Vec<u8> {
        let mut bytes = vec![0u8; HEADER_LEN + 4];
        bytes[..8].copy_from_slice(&selecta_model::artifact::MAGIC);
        bytes[20..HEADER_LEN].fill(payload_sum);
        bytes
    }

    #[test]
    fn a_cache_counts_only_for_the_source_it_records() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("model.selecta");
        let s3 = CacheSource::Model {
            url: "s3://models/a.selecta".into(),
        };
        let catalog = CacheSource::Catalog {
            path: "/data/c.csv".into(),
            sha256: "ab".repeat(32),
        };
        assert_eq!(check(&cache, &s3), Err(Mismatch::NoCache));

        std::fs::write(&cache, artifact(1)).unwrap();
        let err = check(&cache, &s3).unwrap_err();
        assert!(matches!(err, Mismatch::NoRecord(_)), "{err}");
        assert!(
            err.to_string().contains("model.selecta.source.json"),
            "{err}"
        );

        write_cache(&cache, &artifact(2), &s3).unwrap();
        assert_eq!(check(&cache, &s3), Ok(()));
        assert_eq!(
            check(&cache, &catalog),
            Err(Mismatch::OtherSource(s3.clone()))
        );
        let said = check(&cache, &catalog).unwrap_err().to_string();
        assert_eq!(
            said,
            "the saved model was made from the model at s3://models/a.selecta"
        );
        assert_eq!(recorded_source(&cache), Some(s3.clone()));

        // Another artifact put in its place (by hand, or by a crash before the record was
        // rewritten) is not vouched for by the old record.
        write_atomic(&cache, &artifact(3)).unwrap();
        assert_eq!(check(&cache, &s3), Err(Mismatch::OtherArtifact));

        // A record that does not parse is no record.
        write_cache(&cache, &artifact(4), &catalog).unwrap();
        assert_eq!(check(&cache, &catalog), Ok(()));
        std::fs::write(record_path(&cache), b"{ not json").unwrap();
        assert!(matches!(
            check(&cache, &catalog),
            Err(Mismatch::NoRecord(_))
        ));
    }

    #[test]
    fn local_paths_are_named_absolutely() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.csv");
        std::fs::write(&file, "x").unwrap();
        let dotted = dir.path().join(".").join("c.csv");
        assert_eq!(
            source_name(&Location::Local(dotted)),
            source_name(&Location::Local(file.clone()))
        );
        assert!(Path::new(&source_name(&Location::Local(file))).is_absolute());
        let s3: Location = "s3://b/k/c.csv".parse().unwrap();
        assert_eq!(source_name(&s3), "s3://b/k/c.csv");
    }
}
