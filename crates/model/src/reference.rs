//! The reference searches: petal-neighbors' ball tree and a brute-force scan, exact like the
//! serving scan (`crate::scan`) and agreeing with it bit for bit. Only the tests and benches
//! use them (feature `reference`, which the crate's own tests and benches turn on through a
//! dev-dependency on the crate itself), so the serving build carries neither petal-neighbors
//! nor a second search path.
//!
//! petal-neighbors 0.19 ships Euclidean and cosine only, so [`Manhattan`] implements its
//! [`Metric`] trait: a distance and a "reduced distance" (a cheaper, order-preserving
//! surrogate, like the squared Euclidean distance) with conversions both ways. For L1 the
//! distance is already as cheap as any surrogate (a sum of absolute differences, no root to
//! skip), so the reduced distance is the distance itself and both conversions are the
//! identity, as in scikit-learn.
//!
//! The ball tree prunes a node when `d(q, centroid) - radius > current k-th distance`, with the
//! radius measured by this same metric. That bound is the triangle inequality, which L1
//! satisfies for any centre (the centroid being a mean rather than an L1 median only makes
//! balls larger, never wrong), so the tree is exact under this metric.

use ndarray::{ArrayView1, CowArray};
use petal_neighbors::distance::Metric;
use petal_neighbors::BallTree;
use serde::{Deserialize, Serialize};

use crate::knn::{Neighbour, NeighbourIndex};
use crate::metric::manhattan;

/// petal-neighbors' ball tree over an index's vectors, under [`Manhattan`].
pub type Tree = BallTree<'static, f32, Manhattan>;

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

/// Orders neighbours by distance, then by index, so that ties resolve the same way every time.
fn by_distance_then_index(a: &Neighbour, b: &Neighbour) -> std::cmp::Ordering {
    a.distance
        .total_cmp(&b.distance)
        .then(a.index.cmp(&b.index))
}

/// The reference searches, on the index they check.
impl NeighbourIndex {
    /// The ball tree over the vectors, built (from a copy of them) on first call.
    fn tree(&self) -> &Tree {
        self.tree.get_or_init(|| {
            BallTree::new(CowArray::from(self.vectors()), Manhattan)
                .expect("the vectors are not empty")
        })
    }

    /// The `k` nearest rows by the ball tree, nearest first (ties by index).
    ///
    /// The tree keeps an arbitrary one of several rows tied at the k-th distance (duplicate
    /// tracks have identical vectors), so it is asked for k + 1: if the extra row is strictly
    /// farther, the first k are the answer; if not, every row within the k-th distance is
    /// fetched by a radius query and the ties are resolved by index, like the brute force.
    pub fn nearest_tree(&self, point: &[f32], k: usize) -> Vec<Neighbour> {
        assert_eq!(point.len(), self.dim(), "query has the wrong dimension");
        let k = k.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let query = ArrayView1::from(point);
        let tree = self.tree();
        let (idx, dist) = tree.query(&query, (k + 1).min(self.len()));
        let mut out: Vec<Neighbour> = idx
            .into_iter()
            .zip(dist)
            .map(|(index, distance)| Neighbour { index, distance })
            .collect();
        out.sort_by(by_distance_then_index);
        if out.len() == k || out[k].distance > out[k - 1].distance {
            out.truncate(k);
            return out;
        }
        let kth = out[k - 1].distance;
        // `query_radius` keeps distances strictly below its radius.
        let mut within: Vec<Neighbour> = tree
            .query_radius(&query, kth.next_up())
            .into_iter()
            .map(|index| Neighbour {
                index,
                distance: manhattan(point, self.vector(index)),
            })
            .filter(|n| n.distance <= kth)
            .collect();
        within.sort_by(by_distance_then_index);
        within.truncate(k);
        within
    }

    /// The `k` nearest rows by scanning every row, nearest first (ties by index).
    pub fn nearest_brute_force(&self, point: &[f32], k: usize) -> Vec<Neighbour> {
        assert_eq!(point.len(), self.dim(), "query has the wrong dimension");
        let k = k.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let mut all: Vec<Neighbour> = (0..self.len())
            .map(|index| Neighbour {
                index,
                distance: manhattan(point, self.vector(index)),
            })
            .collect();
        if k < all.len() {
            all.select_nth_unstable_by(k - 1, by_distance_then_index);
            all.truncate(k);
        }
        all.sort_by(by_distance_then_index);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array1};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn hand_computed_distances() {
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
