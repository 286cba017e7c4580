//! The feature pipeline on the real catalog.

mod common;

use selecta_model::features::NumericColumn;

#[test]
fn pca_keeps_what_the_data_supports() {
    let model = common::model();
    let f = model.features();
    let explained: f64 = f.pca.explained_variance_ratio.iter().sum();
    assert!(explained >= 0.95, "explained {explained}");
    // Fewer components than raw columns (16 numeric + 6 genres + 24 subgenres), and the
    // last one kept is needed to reach 95%.
    assert_eq!(f.encoder.dim(), 16 + 6 + 24);
    assert!(f.dim() < f.encoder.dim());
    let without_last = explained - f.pca.explained_variance_ratio.last().unwrap();
    assert!(without_last < 0.95);
    // Variances come sorted.
    assert!(f.pca.explained_variance.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn stored_vectors_are_the_transform_of_their_tracks() {
    let model = common::model();
    for i in [0, 1, 5000, 28_000] {
        let v = model.transform(&model.tracks()[i]);
        for (a, b) in v.iter().zip(model.vector(i)) {
            assert!((a - b).abs() < 1e-4, "track {i}: {a} vs {b}");
        }
    }
}

#[test]
fn imputation_uses_the_catalog_means() {
    let model = common::model();
    let enc = &model.features().encoder;
    // The data set has no time signature; tempo 0 was read as missing, so tempos seen are real.
    let ts = enc.stats(NumericColumn::TimeSignature).unwrap();
    assert_eq!(ts.observed, 0);
    let tempo = enc.stats(NumericColumn::Tempo).unwrap();
    assert!(tempo.observed > 28_000 && tempo.mean > 100.0 && tempo.mean < 140.0);
    let year = enc.stats(NumericColumn::Year).unwrap();
    assert!(year.mean > 2000.0 && year.mean < 2020.0);
    assert_eq!(enc.genres, ["edm", "latin", "pop", "r&b", "rap", "rock"]);
    assert_eq!(enc.subgenres.len(), 24);
}
