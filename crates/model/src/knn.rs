//! Exact k-nearest-neighbour search under the Manhattan metric: the index the model serves
//! from, searched by a pruned blocked scan (`crate::scan`) or read from a precomputed table.
//!
//! Two reference searches that agree with it bit for bit, petal-neighbors' ball tree and a
//! plain brute force, are behind the `reference` feature (`crate::reference`): the tests and
//! benches check and time the scan against them; serving never needs them.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use ndarray::Array2;

use crate::error::IndexError;
use crate::scan::BlockScan;

/// Indexes of at least this many rows search a batch of points on all cores (below it,
/// starting threads costs more than it saves).
const PARALLEL_MIN_ROWS: usize = 100_000;

/// One neighbour: a row of the index and its distance to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// Row (catalog index).
    pub index: usize,
    /// Manhattan distance to the query.
    pub distance: f32,
}

/// The vectors of a catalog and the structures that search them.
///
/// The vectors are held once, by the blocked scan (in its leaf order). With the `reference`
/// feature, the ball tree is built on first use only: on this data it does not beat the
/// blocked scan (see `crate::scan`), and at a million tracks its nodes would take more memory
/// than the vectors themselves.
pub struct NeighbourIndex {
    scan: BlockScan,
    #[cfg(any(test, feature = "reference"))]
    pub(crate) tree: OnceLock<crate::reference::Tree>,
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
            .field("table_k", &self.table.get().map(|t| t.k))
            .finish()
    }
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
            #[cfg(any(test, feature = "reference"))]
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
        self.precompute_until(k, &AtomicBool::new(false));
    }

    /// [`precompute`](NeighbourIndex::precompute) that gives up once `stop` is set: each
    /// worker checks it between batches of [`LEAF`](crate::scan::LEAF) rows, so a stop takes
    /// effect within one batch's search. Returns true when a table is in place afterwards
    /// (computed now or already there); a stopped computation installs nothing and returns
    /// false, leaving requests to search.
    pub fn precompute_until(&self, k: usize, stop: &AtomicBool) -> bool {
        let k = k.clamp(1, self.len());
        if self.table.get().is_some() {
            return true;
        }
        let order = self.scan.leaf_order();
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let batch = crate::scan::LEAF;
        let per_thread = order.len().div_ceil(threads).div_ceil(batch) * batch;
        // One worker's rows with their neighbours; `None` once it was stopped.
        type Part = Option<Vec<(u32, Vec<Neighbour>)>>;
        let parts: Option<Vec<_>> = std::thread::scope(|s| {
            let workers: Vec<_> = order
                .chunks(per_thread.max(1))
                .map(|part| {
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(part.len());
                        for rows in part.chunks(batch) {
                            // Relaxed: the flag carries no data, only "give up".
                            if stop.load(Ordering::Relaxed) {
                                return None;
                            }
                            let points: Vec<&[f32]> =
                                rows.iter().map(|&r| self.vector(r as usize)).collect();
                            // The scan itself: the rows are already split over the cores.
                            let found = self.scan.nearest_many(&points, k);
                            out.extend(rows.iter().copied().zip(found));
                        }
                        Some(out)
                    })
                })
                .collect();
            // Join every worker before deciding, so none outlives the scope's borrow.
            let joined: Vec<Part> = workers
                .into_iter()
                .map(|w| w.join().expect("a neighbour-table worker panicked"))
                .collect();
            joined.into_iter().collect()
        });
        let Some(parts) = parts else {
            return false;
        };
        let mut neighbours = vec![(0u32, 0.0f32); self.len() * k];
        for (row, list) in parts.into_iter().flatten() {
            let at = row as usize * k;
            for (slot, n) in neighbours[at..at + k].iter_mut().zip(list) {
                *slot = (n.index as u32, n.distance);
            }
        }
        // A concurrent call may have set one first: both are the same table.
        let _ = self.table.set(NeighbourTable { k, neighbours });
        true
    }

    /// The neighbours per row of the precomputed table (`None`: no table).
    pub fn table_k(&self) -> Option<usize> {
        self.table.get().map(|t| t.k)
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
