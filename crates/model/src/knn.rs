//! Exact k-nearest-neighbour search under the Manhattan metric, three ways that agree:
//! a blocked scan (the fast path, [`crate::scan`]), petal-neighbors' ball tree, and a plain
//! brute-force scan (the reference).

use std::fmt;
use std::sync::OnceLock;

use ndarray::{Array2, ArrayView1, CowArray};
use petal_neighbors::BallTree;

use crate::metric::{manhattan, Manhattan};
use crate::scan::BlockScan;

/// Indexes of at least this many rows search a batch of points on all cores (below it,
/// starting threads costs more than it saves).
pub const PARALLEL_MIN_ROWS: usize = 100_000;

/// One neighbour: a row of the index and its distance to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// Row (catalog index).
    pub index: usize,
    /// Manhattan distance to the query.
    pub distance: f32,
}

/// Orders neighbours by distance, then by index, so that ties resolve the same way every time.
fn by_distance_then_index(a: &Neighbour, b: &Neighbour) -> std::cmp::Ordering {
    a.distance
        .total_cmp(&b.distance)
        .then(a.index.cmp(&b.index))
}

/// The vectors of a catalog and the structures that search them.
///
/// The vectors are held once, by the blocked scan (in its leaf order). The ball tree is built
/// on first use only: on this data it does not beat the blocked scan (see [`crate::scan`]),
/// and at a million tracks its nodes would take more memory than the vectors themselves.
pub struct NeighbourIndex {
    scan: BlockScan,
    tree: OnceLock<BallTree<'static, f32, Manhattan>>,
    table: OnceLock<NeighbourTable>,
}

/// The `k` nearest rows of every row, computed once ([`NeighbourIndex::precompute`]): a
/// seed's neighbours are then read, not searched.
struct NeighbourTable {
    k: usize,
    /// Row-major: `k` (row, distance) per row, nearest first (8 bytes each, not 16).
    neighbours: Vec<(u32, f32)>,
}

impl fmt::Debug for NeighbourIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeighbourIndex")
            .field("rows", &self.len())
            .field("dim", &self.dim())
            .field("tree_built", &self.tree.get().is_some())
            .field("table_k", &self.table.get().map(|t| t.k))
            .finish()
    }
}

/// Why an index cannot be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IndexError {
    /// No vectors at all.
    #[error("cannot index an empty set of vectors")]
    Empty,
    /// Vectors of length 0.
    #[error("cannot index vectors of dimension 0")]
    ZeroDimension,
    /// NaN or infinity somewhere.
    #[error("vector {row} has a non-finite value at column {column}")]
    NotFinite {
        /// Offending row.
        row: usize,
        /// Offending column.
        column: usize,
    },
}

impl NeighbourIndex {
    /// Indexes the rows of `vectors`.
    pub fn build(vectors: Array2<f32>) -> Result<Self, IndexError> {
        if vectors.nrows() == 0 {
            return Err(IndexError::Empty);
        }
        if vectors.ncols() == 0 {
            return Err(IndexError::ZeroDimension);
        }
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return Err(IndexError::NotFinite {
                row: pos / vectors.ncols(),
                column: pos % vectors.ncols(),
            });
        }
        Ok(NeighbourIndex {
            scan: BlockScan::new(vectors),
            tree: OnceLock::new(),
            table: OnceLock::new(),
        })
    }

    /// A copy of the indexed vectors (one row per catalog track).
    pub fn vectors(&self) -> Array2<f32> {
        self.scan.vectors()
    }

    /// The vector of one row.
    pub fn vector(&self, index: usize) -> &[f32] {
        self.scan.vector(index)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scan.len()
    }

    /// Always false: an index holds at least one row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Vector length.
    pub fn dim(&self) -> usize {
        self.scan.dim()
    }

    /// The `k` nearest rows to `point`, nearest first (ties by index), by the blocked scan.
    pub fn nearest(&self, point: &[f32], k: usize) -> Vec<Neighbour> {
        self.scan.nearest(point, k)
    }

    /// The `k` nearest rows to each point, in one pass over the vectors. On large indexes
    /// ([`PARALLEL_MIN_ROWS`] rows or more) the points are split over the cores: a playlist's
    /// seed searches then take the time of the slowest share instead of their sum.
    pub fn nearest_many(&self, points: &[&[f32]], k: usize) -> Vec<Vec<Neighbour>> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        if self.len() < PARALLEL_MIN_ROWS || points.len() < 2 || threads < 2 {
            return self.scan.nearest_many(points, k);
        }
        let share = points.len().div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = points
                .chunks(share)
                .map(|part| s.spawn(move || self.scan.nearest_many(part, k)))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().expect("a neighbour search panicked"))
                .collect()
        })
    }

    /// The `k` nearest rows (the row itself included) of each of `rows`, nearest first (ties by
    /// index): read from the precomputed table when it holds `k` per row, else searched.
    /// Identical either way: the table is the search's own answer, and the first `k` of a
    /// longer list ordered by distance then index are the `k` nearest.
    pub fn nearest_rows(&self, rows: &[usize], k: usize) -> Vec<Vec<Neighbour>> {
        match self.table.get() {
            Some(t) if k <= t.k => rows
                .iter()
                .map(|&r| {
                    t.neighbours[r * t.k..r * t.k + k]
                        .iter()
                        .map(|&(index, distance)| Neighbour {
                            index: index as usize,
                            distance,
                        })
                        .collect()
                })
                .collect(),
            _ => {
                let points: Vec<&[f32]> = rows.iter().map(|&r| self.vector(r)).collect();
                self.nearest_many(&points, k)
            }
        }
    }

    /// Computes the `k` nearest rows of every row (on all cores, rows taken in leaf order so
    /// that each batch of queries shares its leaves), so that [`nearest_rows`] reads instead
    /// of searching. Worth it for catalogs of up to a few hundred thousand tracks: the table
    /// takes `8 · k` bytes per row, and the work grows with the square of the rows. Does
    /// nothing when a table is already there.
    ///
    /// [`nearest_rows`]: NeighbourIndex::nearest_rows
    pub fn precompute(&self, k: usize) {
        let k = k.clamp(1, self.len());
        if self.table.get().is_some() {
            return;
        }
        let order = self.scan.leaf_order();
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let batch = crate::scan::LEAF;
        let per_thread = order.len().div_ceil(threads).div_ceil(batch) * batch;
        let parts: Vec<Vec<(u32, Vec<Neighbour>)>> = std::thread::scope(|s| {
            let workers: Vec<_> = order
                .chunks(per_thread.max(1))
                .map(|part| {
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(part.len());
                        for rows in part.chunks(batch) {
                            let points: Vec<&[f32]> =
                                rows.iter().map(|&r| self.vector(r as usize)).collect();
                            // The scan itself: the rows are already split over the cores.
                            let found = self.scan.nearest_many(&points, k);
                            out.extend(rows.iter().copied().zip(found));
                        }
                        out
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("a neighbour-table worker panicked"))
                .collect()
        });
        let mut neighbours = vec![(0u32, 0.0f32); self.len() * k];
        for (row, list) in parts.into_iter().flatten() {
            let at = row as usize * k;
            for (slot, n) in neighbours[at..at + k].iter_mut().zip(list) {
                *slot = (n.index as u32, n.distance);
            }
        }
        // A concurrent call may have set one first: both are the same table.
        let _ = self.table.set(NeighbourTable { k, neighbours });
    }

    /// The neighbours per row of the precomputed table (`None`: no table).
    pub fn table_k(&self) -> Option<usize> {
        self.table.get().map(|t| t.k)
    }

    /// The ball tree over the vectors, built (from a copy of them) on first call.
    pub fn tree(&self) -> &BallTree<'static, f32, Manhattan> {
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
    use ndarray::array;

    #[test]
    fn finds_hand_computed_neighbours() {
        let v = array![
            [0.0f32, 0.0],
            [1.0, 1.0],
            [3.0, 0.0],
            [0.0, -1.5],
            [10.0, 10.0]
        ];
        let index = NeighbourIndex::build(v).unwrap();
        // From (0.5, 0): row 0 at 0.5, row 1 at 1.5, row 3 at 2.0, row 2 at 2.5, row 4 at 19.5.
        let expect = [(0, 0.5), (1, 1.5), (3, 2.0), (2, 2.5), (4, 19.5)];
        for k in 1..=5 {
            for got in [
                index.nearest(&[0.5, 0.0], k),
                index.nearest_tree(&[0.5, 0.0], k),
                index.nearest_brute_force(&[0.5, 0.0], k),
            ] {
                let got: Vec<(usize, f32)> = got.iter().map(|n| (n.index, n.distance)).collect();
                assert_eq!(got, expect[..k]);
            }
        }
        assert!(index.nearest(&[0.5, 0.0], 0).is_empty());
        assert_eq!(index.nearest(&[0.5, 0.0], 99).len(), 5);
    }

    #[test]
    fn ties_resolve_by_index() {
        // Rows 0, 1 and 2 tie at distance 1 from the query; the lowest indices win.
        let v = array![[1.0f32], [-1.0], [1.0], [0.0]];
        let index = NeighbourIndex::build(v).unwrap();
        let got: Vec<usize> = index
            .nearest_tree(&[0.0], 3)
            .iter()
            .map(|n| n.index)
            .collect();
        assert_eq!(got, [3, 0, 1]);
        let got: Vec<usize> = index
            .nearest_brute_force(&[0.0], 3)
            .iter()
            .map(|n| n.index)
            .collect();
        assert_eq!(got, [3, 0, 1]);
    }

    #[test]
    fn refuses_bad_vectors() {
        assert_eq!(
            NeighbourIndex::build(Array2::zeros((0, 3))).unwrap_err(),
            IndexError::Empty
        );
        assert_eq!(
            NeighbourIndex::build(Array2::zeros((3, 0))).unwrap_err(),
            IndexError::ZeroDimension
        );
        let v = array![[0.0f32, 1.0], [f32::NAN, 0.0]];
        assert_eq!(
            NeighbourIndex::build(v).unwrap_err(),
            IndexError::NotFinite { row: 1, column: 0 }
        );
    }
}
