//! Principal component analysis by the symmetric eigendecomposition of the covariance matrix
//! (nalgebra, pure Rust).
//!
//! The covariance is accumulated chunk by chunk ([`CovarianceAccumulator`]) so that a catalog of
//! a million tracks never has to be held as one f64 matrix.

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{linalg::general_mat_mul, Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::FitError;
use crate::params::PcaParams;

/// Sums needed for a covariance matrix, fed chunk by chunk.
#[derive(Debug, Clone)]
pub(crate) struct CovarianceAccumulator {
    n: usize,
    sum: Array1<f64>,
    sxx: Array2<f64>,
}

impl CovarianceAccumulator {
    /// An empty accumulator for vectors of `dim` values.
    pub fn new(dim: usize) -> Self {
        CovarianceAccumulator {
            n: 0,
            sum: Array1::zeros(dim),
            sxx: Array2::zeros((dim, dim)),
        }
    }

    /// Adds the rows of `chunk` (rows × dim).
    pub fn add(&mut self, chunk: ArrayView2<f64>) {
        self.n += chunk.nrows();
        self.sum += &chunk.sum_axis(ndarray::Axis(0));
        // Xᵀ·X through matrixmultiply's blocked kernel: much faster than a per-row rank-1 update.
        general_mat_mul(1.0, &chunk.t(), &chunk, 1.0, &mut self.sxx);
    }

    /// The mean and the sample covariance (divisor n - 1) of the rows added.
    pub fn finish(&self) -> (Array1<f64>, Array2<f64>) {
        let n = self.n.max(1) as f64;
        let mean = &self.sum / n;
        let mut cov = self.sxx.clone();
        let d = mean.len();
        for i in 0..d {
            for j in 0..d {
                cov[[i, j]] -= n * mean[i] * mean[j];
            }
        }
        cov /= (n - 1.0).max(1.0);
        (mean, cov)
    }
}

/// A fitted PCA: the centring mean and the kept components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPca {
    /// Mean of the input columns.
    pub mean: Vec<f64>,
    /// Number of input columns.
    pub input_dim: usize,
    /// Kept components, row-major (`n_components` rows of `input_dim` values), unit length,
    /// by decreasing variance, each with its largest entry positive (a deterministic sign).
    pub components: Vec<f64>,
    /// Variance along each kept component.
    pub explained_variance: Vec<f64>,
    /// Share of the total variance along each kept component.
    pub explained_variance_ratio: Vec<f64>,
}

impl PcaParams {
    /// Fits on the rows of `x` (samples × columns).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedPca, FitError> {
        if x.nrows() == 0 {
            return Err(FitError::EmptyCatalog);
        }
        let mut acc = CovarianceAccumulator::new(x.ncols());
        acc.add(x);
        let (mean, cov) = acc.finish();
        self.fit_covariance(mean.view(), cov.view())
    }

    /// Fits from a mean and a covariance matrix.
    pub fn fit_covariance(
        &self,
        mean: ArrayView1<f64>,
        cov: ArrayView2<f64>,
    ) -> Result<FittedPca, FitError> {
        self.check()?;
        let d = mean.len();
        if d == 0 || cov.dim() != (d, d) {
            return Err(FitError::invalid(
                "pca input",
                format!("covariance must be {d}x{d}, got {:?}", cov.dim()),
            ));
        }
        let m = DMatrix::from_fn(d, d, |i, j| cov[[i, j]]);
        let eig = SymmetricEigen::new(m);
        let mut order: Vec<usize> = (0..d).collect();
        // Descending variance; index breaks ties so that the order is deterministic.
        order.sort_by(|&a, &b| {
            eig.eigenvalues[b]
                .total_cmp(&eig.eigenvalues[a])
                .then(a.cmp(&b))
        });
        // Rounding can leave tiny negative eigenvalues on a positive semi-definite matrix.
        let variances: Vec<f64> = order.iter().map(|&i| eig.eigenvalues[i].max(0.0)).collect();
        let total: f64 = variances.iter().sum();
        let mut k = if total > 0.0 {
            let mut cum = 0.0;
            let mut k = d;
            for (i, v) in variances.iter().enumerate() {
                cum += v;
                if cum / total >= self.variance_ratio - 1e-12 {
                    k = i + 1;
                    break;
                }
            }
            k
        } else {
            1
        };
        if let Some(max) = self.max_components {
            k = k.min(max);
        }
        let mut components = Vec::with_capacity(k * d);
        for &i in &order[..k] {
            let col = eig.eigenvectors.column(i);
            let (mut big, mut sign) = (0.0f64, 1.0f64);
            for &v in col.iter() {
                if v.abs() > big + 1e-12 {
                    big = v.abs();
                    sign = v.signum();
                }
            }
            components.extend(col.iter().map(|&v| v * sign));
        }
        Ok(FittedPca {
            mean: mean.to_vec(),
            input_dim: d,
            components,
            explained_variance: variances[..k].to_vec(),
            explained_variance_ratio: variances[..k]
                .iter()
                .map(|v| if total > 0.0 { v / total } else { 0.0 })
                .collect(),
        })
    }
}

impl FittedPca {
    /// Number of kept components (the output dimension).
    pub fn n_components(&self) -> usize {
        self.explained_variance.len()
    }

    /// The components as a matrix (components × input columns).
    pub fn components_matrix(&self) -> Array2<f64> {
        Array2::from_shape_vec(
            (self.n_components(), self.input_dim),
            self.components.clone(),
        )
        .expect("components hold n_components × input_dim values")
    }

    /// Projects one row.
    pub fn transform_row(&self, x: &[f64], out: &mut [f32]) {
        assert_eq!(x.len(), self.input_dim, "input has the wrong length");
        assert_eq!(
            out.len(),
            self.n_components(),
            "output has the wrong length"
        );
        for (o, comp) in out
            .iter_mut()
            .zip(self.components.chunks_exact(self.input_dim))
        {
            let dot: f64 = comp
                .iter()
                .zip(x.iter().zip(&self.mean))
                .map(|(c, (v, m))| c * (v - m))
                .sum();
            *o = dot as f32;
        }
    }

    /// Projects the rows of `x` (rows × input columns), centring them in place.
    pub fn transform_chunk(&self, x: &mut Array2<f64>, components_t: &Array2<f64>) -> Array2<f64> {
        let mean = ArrayView1::from(&self.mean[..]);
        *x -= &mean;
        x.dot(components_t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn points_on_a_diagonal_line_have_one_component() {
        // (1,1) (2,2) (3,3): all the variance lies along (1,1)/sqrt(2); variance 2 (n - 1).
        let x = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let pca = PcaParams::default().fit(x.view()).unwrap();
        assert_eq!(pca.n_components(), 1);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((pca.components[0] - h).abs() < 1e-12);
        assert!((pca.components[1] - h).abs() < 1e-12);
        assert!((pca.explained_variance[0] - 2.0).abs() < 1e-12);
        assert!((pca.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        assert_eq!(pca.mean, vec![2.0, 2.0]);
        let mut out = [0.0f32];
        pca.transform_row(&[3.0, 3.0], &mut out);
        assert!((out[0] - 2.0f32.sqrt()).abs() < 1e-6);
    }

    #[test]
    fn axis_aligned_variances_are_sorted() {
        // Column 0 varies by ±1, column 1 by ±3: the first component is the y axis, with
        // variance 18/3 = 6 against 2/3 (divisor n - 1); the ratio is 6 / (6 + 2/3) = 0.9.
        let x = array![[1.0, 0.0], [-1.0, 0.0], [0.0, 3.0], [0.0, -3.0]];
        let full = PcaParams {
            variance_ratio: 1.0,
            max_components: None,
        }
        .fit(x.view())
        .unwrap();
        assert_eq!(full.n_components(), 2);
        assert!((full.explained_variance[0] - 6.0).abs() < 1e-12);
        assert!((full.explained_variance[1] - 2.0 / 3.0).abs() < 1e-12);
        assert!((full.explained_variance_ratio[0] - 0.9).abs() < 1e-12);
        assert!((full.components[0]).abs() < 1e-12 && (full.components[1] - 1.0).abs() < 1e-12);
        // 0.9 is enough for one component; 0.95 needs two; max_components caps it.
        let p = |r, m| PcaParams {
            variance_ratio: r,
            max_components: m,
        };
        assert_eq!(p(0.9, None).fit(x.view()).unwrap().n_components(), 1);
        assert_eq!(p(0.95, None).fit(x.view()).unwrap().n_components(), 2);
        assert_eq!(p(0.95, Some(1)).fit(x.view()).unwrap().n_components(), 1);
    }

    #[test]
    fn chunked_covariance_equals_one_pass() {
        let x = array![[1.0, 2.0], [0.5, -1.0], [3.0, 0.0], [2.0, 2.5], [-1.0, 1.0]];
        let mut one = CovarianceAccumulator::new(2);
        one.add(x.view());
        let mut two = CovarianceAccumulator::new(2);
        two.add(x.slice_axis(ndarray::Axis(0), ndarray::Slice::from(..2)));
        two.add(x.slice_axis(ndarray::Axis(0), ndarray::Slice::from(2..)));
        let (m1, c1) = one.finish();
        let (m2, c2) = two.finish();
        assert!((&m1 - &m2).iter().all(|v| v.abs() < 1e-12));
        assert!((&c1 - &c2).iter().all(|v| v.abs() < 1e-12));
        // Hand-computed: mean x = 1.1, var x = ((-.1)²+(-.6)²+1.9²+.9²+(-2.1)²)/4 = 9.2/4.
        assert!((m1[0] - 1.1).abs() < 1e-12);
        assert!((c1[[0, 0]] - 2.3).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_params_by_name() {
        let x = array![[1.0], [2.0]];
        let err = PcaParams {
            variance_ratio: 0.0,
            max_components: None,
        }
        .fit(x.view())
        .unwrap_err()
        .to_string();
        assert!(err.contains("pca.variance_ratio"), "{err}");
        let err = PcaParams {
            variance_ratio: 0.9,
            max_components: Some(0),
        }
        .fit(x.view())
        .unwrap_err()
        .to_string();
        assert!(err.contains("pca.max_components"), "{err}");
    }
}
