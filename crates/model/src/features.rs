//! The feature pipeline in the style of linfa's preprocessing: unfitted [`FeatureParams`] are
//! fitted on tracks into a [`FittedFeatures`] value that transforms any track into a model
//! vector (encode → standardise/weight → PCA). The fitted value holds everything it needs and
//! is serialised into the model artifact.
//!
//! The pipeline's public types are gathered here: its parameters (defined with the others in
//! the bottom layer), the fitted encoder and PCA, and the columns a track is encoded into.

use ndarray::{Array1, Array2, Axis, Slice};
use selecta_types::Track;
use serde::{Deserialize, Serialize};

use crate::error::FitError;
use crate::pca::CovarianceAccumulator;
use crate::progress::{FitProgress, FitStage};

pub use crate::encoding::{ColumnStats, FittedEncoder};
pub use crate::params::{EncoderParams, FeatureParams, FeatureWeights, NumericColumn, PcaParams};
pub use crate::pca::FittedPca;
/// Rows encoded at a time: big enough for the matrix kernels, small enough to stay in cache.
const CHUNK: usize = 4096;

/// Fitted feature pipeline: encoder then PCA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedFeatures {
    /// Imputation means, standard deviations, vocabularies and weights.
    pub encoder: FittedEncoder,
    /// The principal components.
    pub pca: FittedPca,
}

impl FeatureParams {
    /// Fits the pipeline on the tracks.
    pub fn fit(&self, tracks: &[Track]) -> Result<FittedFeatures, FitError> {
        self.fit_with_progress(tracks, &mut crate::progress::no_progress)
    }

    /// Fits the pipeline, reporting the statistics and covariance stages.
    pub fn fit_with_progress(
        &self,
        tracks: &[Track],
        progress: &mut dyn FnMut(FitProgress),
    ) -> Result<FittedFeatures, FitError> {
        progress(FitProgress {
            stage: FitStage::Statistics,
            fraction: 0.0,
        });
        let encoder = self.encoder.fit(tracks)?;
        progress(FitProgress {
            stage: FitStage::Statistics,
            fraction: 1.0,
        });
        let dim = encoder.dim();
        let mut acc = CovarianceAccumulator::new(dim);
        let mut chunk = Array2::<f64>::zeros((CHUNK, dim));
        for (c, rows) in tracks.chunks(CHUNK).enumerate() {
            for (t, mut row) in rows.iter().zip(chunk.rows_mut()) {
                encoder.encode_into(t, row.as_slice_mut().expect("standard layout"));
            }
            acc.add(chunk.slice_axis(Axis(0), Slice::from(..rows.len())));
            progress(FitProgress {
                stage: FitStage::Covariance,
                fraction: ((c + 1) * CHUNK).min(tracks.len()) as f32 / tracks.len() as f32,
            });
        }
        let (mean, cov) = acc.finish();
        let pca = self.pca.fit_covariance(mean.view(), cov.view())?;
        tracing::debug!(
            input_dim = dim,
            components = pca.n_components(),
            explained = pca.explained_variance_ratio.iter().sum::<f64>(),
            "fitted feature pipeline"
        );
        Ok(FittedFeatures { encoder, pca })
    }

    /// Fits the pipeline and transforms the same tracks, with progress.
    pub fn fit_transform(
        &self,
        tracks: &[Track],
        progress: &mut dyn FnMut(FitProgress),
    ) -> Result<(FittedFeatures, Array2<f32>), FitError> {
        let fitted = self.fit_with_progress(tracks, progress)?;
        let vectors = fitted.transform_all_with_progress(tracks, progress);
        Ok((fitted, vectors))
    }
}

impl FittedFeatures {
    /// Length of a model vector (the number of principal components kept).
    pub fn dim(&self) -> usize {
        self.pca.n_components()
    }

    /// The model vector of a track.
    pub fn transform(&self, track: &Track) -> Array1<f32> {
        let raw = self.encoder.encode(track);
        let mut out = Array1::zeros(self.dim());
        self.pca
            .transform_row(&raw, out.as_slice_mut().expect("standard layout"));
        out
    }

    /// The model vectors of many tracks (one row each).
    pub fn transform_all(&self, tracks: &[Track]) -> Array2<f32> {
        self.transform_all_with_progress(tracks, &mut crate::progress::no_progress)
    }

    /// The model vectors of many tracks, reporting the projection stage.
    pub fn transform_all_with_progress(
        &self,
        tracks: &[Track],
        progress: &mut dyn FnMut(FitProgress),
    ) -> Array2<f32> {
        let (d_in, d_out) = (self.encoder.dim(), self.dim());
        let mut out = Array2::<f32>::zeros((tracks.len(), d_out));
        let components_t = self.pca.components_matrix().reversed_axes();
        let mut chunk = Array2::<f64>::zeros((CHUNK, d_in));
        for (c, rows) in tracks.chunks(CHUNK).enumerate() {
            let start = c * CHUNK;
            for (t, mut row) in rows.iter().zip(chunk.rows_mut()) {
                self.encoder
                    .encode_into(t, row.as_slice_mut().expect("standard layout"));
            }
            let mut x = chunk
                .slice_axis(Axis(0), Slice::from(..rows.len()))
                .to_owned();
            let y = self.pca.transform_chunk(&mut x, &components_t);
            out.slice_axis_mut(Axis(0), Slice::from(start..start + rows.len()))
                .zip_mut_with(&y, |o, &v| *o = v as f32);
            progress(FitProgress {
                stage: FitStage::Projection,
                fraction: (start + rows.len()) as f32 / tracks.len() as f32,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;

    fn track(energy: f32, danceability: f32, genre: &str) -> Track {
        Track {
            features: AudioFeatures {
                energy: Some(energy).into(),
                danceability: Some(danceability).into(),
                ..AudioFeatures::default()
            },
            genres: vec![genre.into()],
            ..Track::default()
        }
    }

    #[test]
    fn batch_and_single_transforms_agree_and_progress_is_reported() {
        let tracks: Vec<Track> = (0..10_000)
            .map(|i| {
                let x = (i % 97) as f32 / 97.0;
                track(x, 1.0 - x * x, if i % 3 == 0 { "rock" } else { "pop" })
            })
            .collect();
        let mut stages = Vec::new();
        let (fitted, vectors) = FeatureParams::default()
            .fit_transform(&tracks, &mut |p| stages.push(p))
            .unwrap();
        assert_eq!(vectors.nrows(), tracks.len());
        for i in [0, 1, 4095, 4096, 9999] {
            let single = fitted.transform(&tracks[i]);
            for (a, b) in single.iter().zip(vectors.row(i)) {
                assert!((a - b).abs() < 1e-5, "row {i}: {a} vs {b}");
            }
        }
        // Three chunks of covariance and of projection, each ending at 1.
        let last = |s| {
            stages
                .iter()
                .filter(|p| p.stage == s)
                .map(|p| p.fraction)
                .collect::<Vec<_>>()
        };
        assert_eq!(last(FitStage::Covariance).len(), 3);
        assert_eq!(last(FitStage::Projection).last(), Some(&1.0));
        // Energy, danceability (a function of energy) and one genre: the data has few
        // real dimensions, so PCA keeps at most three of them.
        assert!(fitted.dim() <= 3, "kept {}", fitted.dim());
    }
}
