//! The model artifact: one self-checking file holding everything needed to serve.
//!
//! Layout (integers little-endian):
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `SELECTA\x1a` |
//! | 4 | format version (u32) |
//! | 8 | payload length N (u64) |
//! | 32 | SHA-256 of the payload |
//! | N | payload: postcard-encoded parameters, fitted features, attribute stats, vectors (f32), tracks, playlists and affinity lists |
//!
//! The search structures are not stored: the blocked scan is rebuilt from the vectors in tens
//! of milliseconds on the real catalog (see the `fit` bench), the ball tree on first use, and
//! the neighbour table by `Model::prepare_for_serving`; this keeps the format independent of
//! petal-neighbors' internals and the file small.
//!
//! This crate only turns a model into bytes and back ([`Model::to_bytes`], [`Model::from_bytes`],
//! [`Model::load`]); files are written by `selecta_store::write_atomic` (temporary file,
//! fsync, rename, fsync of the folder), which `selecta fit` and the engine's model cache use.

use std::fs;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use selecta_catalog::{Catalog, PlaylistInfo};
use selecta_types::Track;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::affinity::Affinity;
use crate::attributes::AttributeStats;
use crate::features::{FeatureParams, FittedFeatures};
use crate::knn::NeighbourIndex;
use crate::learn::Learned;
use crate::model::Model;
use crate::params::{LearnParams, ModelParams, RankerParams, ScoringParams, SimilarParams};

/// First bytes of every artifact (the `\x1a` stops `type`/`cat` on some systems, like PNG's).
pub const MAGIC: [u8; 8] = *b"SELECTA\x1a";
/// The format version this build writes and reads.
/// Version 2 added the affinity lists (artists, albums, playlist co-occurrence) and the
/// signal weights of the scoring parameters; version 3 the group-size discount of the scoring
/// parameters (`group_size_power`); version 6 the weights learned for proxy seeds
/// (`Learned::proxy`) and `LearnParams::proxies`; version 7 the learned ranker
/// (`Learned::ranker`) and its parameters (`ModelParams::ranker`); version 8 the ranker's
/// trees laid out complete to its depth (`rank::forest`); version 9 the era signal and the
/// ranker read release dates to the month (`release`), and the ranker the gaps between a
/// candidate's date and the seeds' (26 features): weights and trees learned before mean
/// something else; version 10 the ranker's 27th feature, a candidate's popularity against
/// the seeds' mean (`popularity_gap`); version 11 the label signal counted against the
/// request's best-held label, and proxies placed by the lookup's popularity, length and year:
/// the label weight and trees learned before mean something else.
pub const FORMAT_VERSION: u32 = 11;
/// Length of the header before the payload.
pub const HEADER_LEN: usize = 8 + 4 + 8 + 32;

/// Why an artifact could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The bytes do not start with the magic.
    #[error("not a Selecta model artifact (bad magic bytes)")]
    BadMagic,
    /// Written by another format version.
    #[error("format version {found}, this build reads {supported}")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// Fewer bytes than the header announces.
    #[error("truncated: expected {expected} bytes, got {got}")]
    Truncated {
        /// Bytes the header announces (or the header length).
        expected: u64,
        /// Bytes present.
        got: u64,
    },
    /// More bytes than the header announces.
    #[error("trailing data: expected {expected} bytes, got {got}")]
    TrailingData {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        got: u64,
    },
    /// The payload does not match its checksum.
    #[error("checksum mismatch: the payload is corrupt")]
    ChecksumMismatch,
    /// The payload does not decode.
    #[error("cannot decode the payload: {0}")]
    Decode(#[from] postcard::Error),
    /// The payload decodes but is inconsistent.
    #[error("invalid artifact: {0}")]
    Invalid(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The parameters as stored: [`ModelParams`] with how the weights were learned in between,
/// where format 4 has always had it (the field order is the encoding: postcard writes no
/// names), borrowed for writing.
#[derive(Serialize)]
struct StoredParamsRef<'a> {
    features: &'a FeatureParams,
    scoring: &'a ScoringParams,
    learn: &'a Option<LearnParams>,
    similar: &'a SimilarParams,
    ranker: &'a RankerParams,
}

/// The stored parameters, owned for reading (same field order as [`StoredParamsRef`]).
#[derive(Deserialize)]
struct StoredParams {
    features: FeatureParams,
    scoring: ScoringParams,
    learn: Option<LearnParams>,
    #[serde(default)]
    similar: SimilarParams,
    ranker: RankerParams,
}

/// What the payload holds, borrowed for writing.
#[derive(Serialize)]
struct PayloadRef<'a> {
    params: StoredParamsRef<'a>,
    features: &'a FittedFeatures,
    stats: &'a AttributeStats,
    rows: u64,
    dim: u32,
    vectors: &'a [f32],
    tracks: &'a [Track],
    playlists: &'a [PlaylistInfo],
    affinity: &'a Affinity,
    learned: &'a Option<Learned>,
}

/// What the payload holds, owned for reading (same field order as [`PayloadRef`]).
#[derive(Deserialize)]
struct Payload {
    params: StoredParams,
    features: FittedFeatures,
    stats: AttributeStats,
    rows: u64,
    dim: u32,
    #[serde(deserialize_with = "exact_vec")]
    vectors: Vec<f32>,
    #[serde(deserialize_with = "exact_vec")]
    tracks: Vec<Track>,
    playlists: Vec<PlaylistInfo>,
    affinity: Affinity,
    learned: Option<Learned>,
}

/// Most bytes [`exact_vec`] reserves before reading the elements (a length in a checksummed
/// file is still only a claim; beyond this the vector grows as it reads).
const PREALLOC_MAX_BYTES: usize = 1 << 30;

/// A vector read at the length the payload announces. serde's own `Vec` reserves at most
/// 1 MiB ahead and then doubles: at a million tracks that copies the tracks several times and
/// holds twice their size at the last copy, which was the load's peak memory.
fn exact_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Exact<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Exact<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a sequence")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let most = PREALLOC_MAX_BYTES / std::mem::size_of::<T>().max(1);
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(most));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_seq(Exact(std::marker::PhantomData))
}

impl Model {
    /// The model as artifact bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let vectors = self.index.vectors();
        let payload = PayloadRef {
            params: StoredParamsRef {
                features: &self.params.features,
                scoring: &self.params.scoring,
                learn: &self.learn,
                similar: &self.params.similar,
                ranker: &self.params.ranker,
            },
            features: &self.features,
            stats: &self.stats,
            rows: vectors.nrows() as u64,
            dim: vectors.ncols() as u32,
            vectors: vectors.as_slice().expect("standard layout"),
            tracks: self.catalog.tracks(),
            playlists: self.catalog.playlists(),
            affinity: &self.affinity,
            learned: &self.learned,
        };
        let mut out = postcard::to_extend(&payload, vec![0u8; HEADER_LEN])
            .expect("serialising to memory cannot fail");
        let payload_len = (out.len() - HEADER_LEN) as u64;
        let digest = Sha256::digest(&out[HEADER_LEN..]);
        out[..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[12..20].copy_from_slice(&payload_len.to_le_bytes());
        out[20..52].copy_from_slice(&digest);
        out
    }

    /// Reads a model from artifact bytes, checking magic, version, length and checksum, and
    /// rebuilds the neighbour index.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ArtifactError> {
        let got = bytes.len() as u64;
        if bytes.len() < 8 || bytes[..8] != MAGIC {
            // A prefix of the magic is a cut file, anything else is not ours.
            return Err(if bytes.len() < 8 && MAGIC.starts_with(bytes) {
                ArtifactError::Truncated {
                    expected: HEADER_LEN as u64,
                    got,
                }
            } else {
                ArtifactError::BadMagic
            });
        }
        if bytes.len() >= 12 {
            let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
            if version != FORMAT_VERSION {
                return Err(ArtifactError::UnsupportedVersion {
                    found: version,
                    supported: FORMAT_VERSION,
                });
            }
        }
        if bytes.len() < HEADER_LEN {
            return Err(ArtifactError::Truncated {
                expected: HEADER_LEN as u64,
                got,
            });
        }
        let payload_len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let expected = (HEADER_LEN as u64).saturating_add(payload_len);
        if got < expected {
            return Err(ArtifactError::Truncated { expected, got });
        }
        if got > expected {
            return Err(ArtifactError::TrailingData { expected, got });
        }
        let payload = &bytes[HEADER_LEN..];
        if Sha256::digest(payload).as_slice() != &bytes[20..52] {
            return Err(ArtifactError::ChecksumMismatch);
        }
        let p: Payload = postcard::from_bytes(payload)?;
        Model::from_payload(p)
    }

    fn from_payload(p: Payload) -> Result<Model, ArtifactError> {
        let (rows, dim) = (p.rows as usize, p.dim as usize);
        if p.tracks.len() != rows {
            return Err(ArtifactError::Invalid(format!(
                "{rows} vectors for {} tracks",
                p.tracks.len()
            )));
        }
        if dim != p.features.dim() {
            return Err(ArtifactError::Invalid(format!(
                "vectors of dimension {dim}, the features produce {}",
                p.features.dim()
            )));
        }
        p.affinity.check(rows).map_err(ArtifactError::Invalid)?;
        if let Some(ranker) = p.learned.as_ref().and_then(|l| l.ranker.as_ref()) {
            ranker
                .check(crate::pool::rerank::RANK_FEATURES)
                .map_err(ArtifactError::Invalid)?;
        }
        let vectors = Array2::from_shape_vec((rows, dim), p.vectors)
            .map_err(|e| ArtifactError::Invalid(format!("vectors: {e}")))?;
        let index =
            NeighbourIndex::build(vectors).map_err(|e| ArtifactError::Invalid(e.to_string()))?;
        let catalog = Catalog::from_tracks(p.tracks, p.playlists);
        if catalog.len() != rows {
            return Err(ArtifactError::Invalid(
                "the tracks repeat an id, so vectors would not line up with them".into(),
            ));
        }
        let StoredParams {
            features: feature_params,
            scoring,
            learn,
            similar,
            ranker,
        } = p.params;
        Ok(Model {
            params: ModelParams {
                features: feature_params,
                scoring,
                similar,
                ranker,
            },
            features: p.features,
            stats: p.stats,
            index,
            labels: crate::labels::TrackLabels::new(catalog.tracks()),
            catalog,
            affinity: p.affinity,
            learned: p.learned,
            learn,
        })
    }

    /// Reads the artifact at `path` (see [`Model::from_bytes`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Model, ArtifactError> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|source| ArtifactError::Io {
            path: path.to_owned(),
            source,
        })?;
        Model::from_bytes(&bytes)
    }
}
