//! The Manhattan (L1, city-block) metric, for petal-neighbors' ball tree and for brute force.
//!
//! petal-neighbors 0.19 ships Euclidean and cosine only. Its [`Metric`] trait asks for a
//! distance and a "reduced distance" (a cheaper, order-preserving surrogate, like the squared
//! Euclidean distance) with conversions both ways. For L1 the distance is already as cheap as
//! any surrogate (a sum of absolute differences, no root to skip), so the reduced distance is
//! the distance itself and both conversions are the identity, as in scikit-learn.
//!
//! The ball tree prunes a node when `d(q, centroid) - radius > current k-th distance`, with the
//! radius measured by this same metric. That bound is the triangle inequality, which L1
//! satisfies for any centre (the centroid being a mean rather than an L1 median only makes
//! balls larger, never wrong), so the tree is exact under this metric.

use ndarray::ArrayView1;
use petal_neighbors::distance::Metric;
use serde::{Deserialize, Serialize};

/// The Manhattan metric on f32 vectors.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manhattan;

impl Metric<f32> for Manhattan {
    fn distance(&self, x1: &ArrayView1<f32>, x2: &ArrayView1<f32>) -> f32 {
        match (x1.as_slice(), x2.as_slice()) {
            (Some(a), Some(b)) => manhattan(a, b),
            _ => x1.iter().zip(x2.iter()).map(|(a, b)| (a - b).abs()).sum(),
        }
    }

    fn rdistance(&self, x1: &ArrayView1<f32>, x2: &ArrayView1<f32>) -> f32 {
        self.distance(x1, x2)
    }

    fn rdistance_to_distance(&self, d: f32) -> f32 {
        d
    }

    fn distance_to_rdistance(&self, d: f32) -> f32 {
        d
    }
}

/// Sum of absolute differences of two equally long slices, added in dimension order.
///
/// Every search (blocked scan, ball tree, brute force) adds in this same order, so their
/// distances agree bit for bit and ties break the same way. The blocked scan gets its speed
/// from SIMD across tracks, not across dimensions, so the order costs it nothing.
#[inline]
pub fn manhattan(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut s = 0.0f32;
    for (x, y) in a.iter().zip(b) {
        s += (x - y).abs();
    }
    s
}

/// The Manhattan distance added in eight interleaved sums (SIMD-friendly), for scoring where
/// agreeing bit for bit with the searches does not matter.
#[inline]
pub fn manhattan_unordered(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += (x[i] - y[i]).abs();
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| (x - y).abs()).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array1};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn hand_computed_distances() {
        assert_eq!(manhattan(&[0.0, 0.0], &[3.0, -4.0]), 7.0);
        assert_eq!(manhattan(&[1.5], &[1.5]), 0.0);
        // Longer than one SIMD block: 10 coordinates each differing by 0.5.
        let a = [0.0f32; 10];
        let b = [0.5f32; 10];
        assert_eq!(manhattan(&a, &b), 5.0);
        assert_eq!(manhattan_unordered(&a, &b), 5.0);
        assert_eq!(manhattan_unordered(&[0.0, 0.0], &[3.0, -4.0]), 7.0);
        // Strided views take the generic path and agree.
        let m = ndarray::array![[1.0f32, 2.0], [4.0, 6.0]];
        let d = Manhattan.distance(&m.column(0), &m.column(1));
        assert_eq!(d, 3.0); // |1 - 2| + |4 - 6|
        assert_eq!(
            Manhattan.rdistance(&arr1(&[1.0]).view(), &arr1(&[3.0]).view()),
            2.0
        );
        assert_eq!(Manhattan.rdistance_to_distance(2.5), 2.5);
        assert_eq!(Manhattan.distance_to_rdistance(2.5), 2.5);
    }

    #[test]
    fn is_a_metric_on_random_points() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let point = |rng: &mut ChaCha8Rng| -> Array1<f32> {
            (0..13).map(|_| rng.random_range(-3.0..3.0)).collect()
        };
        for _ in 0..1000 {
            let (x, y, z) = (point(&mut rng), point(&mut rng), point(&mut rng));
            let d = |a: &Array1<f32>, b: &Array1<f32>| Manhattan.distance(&a.view(), &b.view());
            assert_eq!(d(&x, &y), d(&y, &x));
            assert_eq!(d(&x, &x), 0.0);
            // Triangle inequality, the property the ball tree's pruning relies on.
            assert!(d(&x, &z) <= d(&x, &y) + d(&y, &z) + 1e-4);
        }
    }
}
