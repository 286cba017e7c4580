//! The model artifact round-trips, and damaged artifacts are refused with a clear error.

mod common;

use selecta_model::artifact::{ArtifactError, FORMAT_VERSION, HEADER_LEN, MAGIC};
use selecta_model::{generate, GenerateOptions, Model};

#[test]
fn round_trip_keeps_everything_needed_to_serve() {
    let model = common::model();
    let bytes = model.to_bytes();
    assert_eq!(&bytes[..8], &MAGIC);
    let back = Model::from_bytes(&bytes).expect("round trip");
    assert_eq!(back.tracks(), model.tracks());
    assert_eq!(back.catalog().playlists(), model.catalog().playlists());
    assert_eq!(back.features(), model.features());
    assert_eq!(back.params(), model.params());
    assert_eq!(back.stats(), model.stats());
    assert_eq!(back.index().vectors(), model.index().vectors());
    let id = &model.tracks()[1234].id;
    assert_eq!(back.catalog().index_of(id), Some(1234));
    // Same model, same playlist.
    let seeds = [10, 2000, 15_000];
    let options = GenerateOptions::default();
    assert_eq!(
        generate(&back, &seeds, &options).unwrap(),
        generate(model, &seeds, &options).unwrap()
    );
    // Serialising is deterministic.
    assert_eq!(back.to_bytes(), bytes);
}

#[test]
fn load_reads_the_bytes_and_names_the_file_it_cannot_read() {
    let model = common::model();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.selecta");
    std::fs::write(&path, model.to_bytes()).unwrap();
    let back = Model::load(&path).unwrap();
    assert_eq!(back.tracks(), model.tracks());
    let err = Model::load(dir.path().join("absent.selecta"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("absent.selecta"), "{err}");
}

#[test]
fn truncated_artifacts_are_refused_with_sizes() {
    let bytes = common::model().to_bytes();
    let total = bytes.len();
    for cut in [total - 1, total / 2, HEADER_LEN + 3] {
        let err = Model::from_bytes(&bytes[..cut]).unwrap_err();
        assert!(matches!(err, ArtifactError::Truncated { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("truncated: expected {total} bytes, got {cut}")
        );
    }
    for cut in [0, 5, 30] {
        let err = Model::from_bytes(&bytes[..cut]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("truncated: expected {HEADER_LEN} bytes, got {cut}")
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Model::from_bytes(&longer),
        Err(ArtifactError::TrailingData { .. })
    ));
}

#[test]
fn corrupt_and_foreign_artifacts_are_refused() {
    let bytes = common::model().to_bytes();
    for pos in [HEADER_LEN, HEADER_LEN + 1000, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x40;
        let err = Model::from_bytes(&bad).unwrap_err();
        assert_eq!(err.to_string(), "checksum mismatch: the payload is corrupt");
    }
    let mut other = bytes.clone();
    let next = FORMAT_VERSION + 1;
    other[8..12].copy_from_slice(&next.to_le_bytes());
    assert_eq!(
        Model::from_bytes(&other).unwrap_err().to_string(),
        format!("format version {next}, this build reads {FORMAT_VERSION}")
    );
    let mut foreign = bytes.clone();
    foreign[..8].copy_from_slice(b"PK\x03\x04zip!");
    assert!(matches!(
        Model::from_bytes(&foreign),
        Err(ArtifactError::BadMagic)
    ));
    // A payload that passes the checksum but does not decode.
    let mut forged = bytes[..HEADER_LEN].to_vec();
    let payload = vec![0xffu8; 64];
    forged[12..20].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    use sha2::Digest;
    forged[20..52].copy_from_slice(&sha2::Sha256::digest(&payload));
    forged.extend_from_slice(&payload);
    assert!(matches!(
        Model::from_bytes(&forged),
        Err(ArtifactError::Decode(_))
    ));
}
