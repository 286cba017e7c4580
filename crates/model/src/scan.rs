//! Exact nearest neighbours by a pruned, blocked scan over quantised vectors: the fast path
//! for serving.
//!
//! Measured on the real catalog, petal-neighbors' ball tree computes 1.2 to 2 Manhattan
//! distances per catalog track for one query (k = 10..70, 12..33 dimensions): the k-th
//! neighbour sits at 0.3 to 0.5 of the typical distance between two tracks, so its balls
//! (mean centre, L1 radius) can hardly be ruled out, and its node visits cost more than a
//! scan. This structure keeps what works:
//!
//! - rows are ordered by a k-d split (median of the widest dimension) into leaves of at most
//!   [`LEAF`] rows, and each leaf keeps its bounding box: for L1 the box gives a lower bound
//!   (the sum over dimensions of the query's distance to the box) tighter than a ball's. On
//!   the real catalog it rules out few leaves; on a million tracks a query scans about a
//!   quarter of them;
//! - a query first takes the k rows of its best leaves nearest by code distance and re-ranks
//!   them: their largest exact distance caps the k-th distance from the start. It scans
//!   those leaves (1/64 of all), then only the leaves whose bound does not exceed the current
//!   k-th distance, all queries of a playlist leaf by leaf while the leaf is in cache;
//! - the scan reads 16-bit codes, not the f32 vectors: every coordinate is quantised on one
//!   grid (step `s`, chosen so that a whole distance fits in 16 bits), and a leaf's codes are
//!   stored dimension by dimension ([`LEAF`] per dimension), so the compiler turns the inner
//!   loop into SIMD over rows (AVX2 where the CPU has it, chosen at run time through
//!   `fearless_simd`). That halves the bytes read and the instructions per row. A leaf is
//!   abandoned as soon as partial sums show that none of its rows can enter the top k;
//! - a row that may enter is re-ranked by its exact f32 distance. The f32 rows are stored in
//!   leaf order, so the rows re-ranked from one leaf are read from one place.
//!
//! Exactness: a code is off by at most half a step (rounding, done in f64), so the code
//! distance `A` of a row and the real distance `R` satisfy `A ≤ R / s + dim` (a query outside
//! the grid is clamped onto it, which only shrinks `A`). A row is skipped only when
//! `A > kth · (1 + 10⁻⁴) / s + 1.001 · dim`, which proves `R` (and its f32 sum, within 10⁻⁶ of
//! it) above the k-th distance. Leaf boxes hold the lowest and highest code of each
//! dimension, so a row's code distance is at least its leaf's box distance and a leaf is
//! skipped only when that already exceeds the limit.
//! Exact distances are added in dimension order like [`manhattan`], so they are bit-identical
//! to the brute force and the ball tree; ties resolve by index.

use std::collections::BinaryHeap;
use std::sync::OnceLock;

use fearless_simd::{dispatch, Level};
use ndarray::Array2;

use crate::knn::Neighbour;
use crate::metric::manhattan;

/// Most rows per leaf, and the codes stored side by side per dimension (four AVX registers).
pub(crate) const LEAF: usize = 64;
/// The share (1/n) of the leaves each query scans first, best bounds first.
const FIRST_SHARE: usize = 64;
/// Dimensions added between two checks for abandoning a leaf.
const CHECK_EVERY: usize = 2;
/// The sum of the largest codes of all dimensions: the grid step is the sum of the
/// dimensions' ranges divided by this, so that no distance between two rows saturates 16 bits.
const CODE_BUDGET: f64 = 60_000.0;
/// Relative margin on the k-th distance covering the f32 rounding of exact distances.
const KTH_SLACK: f64 = 1.0e-4;
/// Code units per dimension that rounding may add to a code distance (half a step for the
/// row, half for the query, plus far more than the f64 error of computing them).
const CODE_SLACK: f64 = 1.001;

/// The grid the codes are on.
#[derive(Debug, Clone)]
struct Grid {
    /// Lowest value of each dimension (code 0).
    lo: Vec<f64>,
    /// Largest code of each dimension.
    max_code: Vec<u16>,
    /// Inverse of the step (codes per unit of distance).
    inv_step: f64,
}

impl Grid {
    fn fit(flat: &[f32], dim: usize) -> Grid {
        let mut lo = vec![f64::INFINITY; dim];
        let mut hi = vec![f64::NEG_INFINITY; dim];
        for row in flat.chunks_exact(dim) {
            for (d, &x) in row.iter().enumerate() {
                lo[d] = lo[d].min(f64::from(x));
                hi[d] = hi[d].max(f64::from(x));
            }
        }
        let total: f64 = lo.iter().zip(&hi).map(|(l, h)| h - l).sum();
        // All rows equal: any step gives code 0 everywhere.
        let step = if total > 0.0 {
            total / CODE_BUDGET
        } else {
            1.0
        };
        let inv_step = 1.0 / step;
        let max_code = lo
            .iter()
            .zip(&hi)
            .map(|(l, h)| ((h - l) * inv_step).round() as u16)
            .collect();
        Grid {
            lo,
            max_code,
            inv_step,
        }
    }

    /// The code of value `x` in dimension `d`, clamped onto the grid.
    #[inline]
    fn code(&self, d: usize, x: f32) -> u16 {
        let v = ((f64::from(x) - self.lo[d]) * self.inv_step).round();
        // `as` saturates (and maps NaN to 0); the clamp keeps outside queries on the grid.
        (v as u16).min(self.max_code[d])
    }

    /// The largest code distance a row within `kth` (f32 distance) of the query can have.
    #[inline]
    fn limit(&self, kth: f32, dim: usize) -> u16 {
        if !kth.is_finite() {
            return u16::MAX;
        }
        let t = f64::from(kth) * (1.0 + KTH_SLACK) * self.inv_step + CODE_SLACK * dim as f64;
        if t >= f64::from(u16::MAX) {
            u16::MAX
        } else {
            t as u16
        }
    }
}

/// The vectors in k-d ordered leaves: 16-bit codes for scanning, f32 rows for exact
/// distances, each leaf's bounding box.
#[derive(Debug, Clone)]
pub(crate) struct BlockScan {
    dim: usize,
    rows: usize,
    /// Exact vectors, row-major, in leaf order.
    exact: Vec<f32>,
    /// Original row of each position of `exact`.
    order: Vec<u32>,
    /// Position in `exact` of each original row.
    pos: Vec<u32>,
    /// First position of each leaf, then the end of the last.
    leaf_start: Vec<u32>,
    /// Codes, `dim × LEAF` per leaf, dimension-major inside a leaf; padding lanes hold 0.
    codes: Vec<u16>,
    grid: Grid,
    /// Number of leaves.
    leaves: usize,
    /// Lowest code of each dimension per leaf, in groups of [`BOX_GROUP`] leaves stored
    /// dimension-major (`groups × dim × BOX_GROUP`), so bounds are computed 16 at a time.
    lo: Vec<u16>,
    /// Highest code of each dimension per leaf, laid out like `lo`.
    hi: Vec<u16>,
}

/// Leaves whose bounds are computed together.
const BOX_GROUP: usize = 16;

/// The best SIMD instruction set of this CPU, detected once.
fn simd_level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(Level::new)
}

/// A (distance, index) pair ordered by distance, then index.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry(f32, u32);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

/// The running top k of one query.
struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
    /// A known upper bound of the final k-th distance (k rows are known to be this close).
    cap: f32,
}

impl TopK {
    /// Distances above this cannot enter: the cap until k are held, then the k-th so far.
    fn bound(&self) -> f32 {
        if self.heap.len() < self.k {
            self.cap
        } else {
            self.heap.peek().map_or(self.cap, |e| e.0.min(self.cap))
        }
    }

    /// Offers an entry; true when the bound may have changed.
    fn offer(&mut self, e: Entry) -> bool {
        if self.heap.len() < self.k {
            self.heap.push(e);
            return self.heap.len() == self.k;
        }
        if let Some(mut top) = self.heap.peek_mut() {
            // Replacing the top in place costs one sift instead of a pop and a push.
            if e < *top {
                *top = e;
                return true;
            }
        }
        false
    }
}

/// Rows sampled per node to find its widest dimension: enough to tell, cheap at the top of a
/// million-row tree.
const SPREAD_SAMPLE: usize = 512;

/// Orders `idx` (rows of the row-major `v`, `dim` values each) so that every run of at most
/// `LEAF` rows is compact: split at the median of the dimension with the widest range (over a
/// sample of the rows), recursively. Pushes the end of each leaf to `leaves`.
fn kd_order(v: &[f32], dim: usize, idx: &mut [u32], offset: usize, leaves: &mut Vec<usize>) {
    if idx.len() <= LEAF {
        leaves.push(offset + idx.len());
        return;
    }
    let step = idx.len().div_ceil(SPREAD_SAMPLE);
    let mut lo = vec![f32::INFINITY; dim];
    let mut hi = vec![f32::NEG_INFINITY; dim];
    for &r in idx.iter().step_by(step) {
        let row = &v[r as usize * dim..(r as usize + 1) * dim];
        for d in 0..dim {
            lo[d] = lo[d].min(row[d]);
            hi[d] = hi[d].max(row[d]);
        }
    }
    let mut d = 0;
    for j in 1..dim {
        if hi[j] - lo[j] > hi[d] - lo[d] {
            d = j;
        }
    }
    let mid = idx.len() / 2;
    let key = |r: u32| v[r as usize * dim + d];
    idx.select_nth_unstable_by(mid, |&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    let (left, right) = idx.split_at_mut(mid);
    kd_order(v, dim, left, offset, leaves);
    kd_order(v, dim, right, offset + mid, leaves);
}

/// The smallest of a leaf's sums.
#[inline(always)]
fn min_lane(acc: &[u16; LEAF]) -> u16 {
    acc.iter().fold(u16::MAX, |m, &a| m.min(a))
}

/// Puts the rows of `flat` (`dim` values each) in the given order, in place: row `p`
/// becomes the old row `order[p]`. Follows each cycle of the permutation with one row of
/// temporary storage.
fn permute_rows(flat: &mut [f32], dim: usize, order: &[u32]) {
    if dim == 0 {
        return;
    }
    let mut done = vec![false; order.len()];
    let mut held = vec![0.0f32; dim];
    for start in 0..order.len() {
        if done[start] {
            continue;
        }
        held.copy_from_slice(&flat[start * dim..(start + 1) * dim]);
        let mut p = start;
        loop {
            done[p] = true;
            let from = order[p] as usize;
            if from == start {
                flat[p * dim..(p + 1) * dim].copy_from_slice(&held);
                break;
            }
            flat.copy_within(from * dim..(from + 1) * dim, p * dim);
            p = from;
        }
    }
}

/// Adds dimension `d` of a leaf's codes (`block`) to the code distances `acc` of its rows
/// from the query code `qd`: one saturating SIMD add over the leaf.
#[inline(always)]
fn add_dimension(acc: &mut [u16; LEAF], block: &[u16], d: usize, qd: u16) {
    let col: &[u16; LEAF] = block[d * LEAF..(d + 1) * LEAF]
        .try_into()
        .expect("LEAF values");
    for l in 0..LEAF {
        acc[l] = acc[l].saturating_add(col[l].abs_diff(qd));
    }
}

/// Per-call buffers.
#[derive(Default)]
struct Scratch {
    bounds: Vec<u16>,
    scanned: Vec<bool>,
    best: Vec<(u16, u32)>,
    codes: Vec<u16>,
}

impl BlockScan {
    /// Orders the rows of `vectors` into leaves, quantises them and keeps them (the f32 rows in
    /// leaf order).
    pub fn new(vectors: Array2<f32>) -> Self {
        let (rows, dim) = vectors.dim();
        assert!(
            u32::try_from(rows).is_ok(),
            "the scan indexes fewer than 2³² rows"
        );
        // Take the buffer without a copy when it holds exactly the rows (a million rows are
        // 90 MB): the f32 rows are then put in leaf order in place.
        let mut flat: Vec<f32> = if vectors.is_standard_layout() {
            match vectors.into_raw_vec_and_offset() {
                (v, Some(0)) if v.len() == rows * dim => v,
                (v, offset) => {
                    let at = offset.unwrap_or(0);
                    v[at..at + rows * dim].to_vec()
                }
            }
        } else {
            vectors.iter().copied().collect()
        };
        let mut order: Vec<u32> = (0..rows as u32).collect();
        let mut ends = Vec::with_capacity(rows / (LEAF / 2) + 1);
        if dim > 0 {
            kd_order(&flat, dim, &mut order, 0, &mut ends);
        } else if rows > 0 {
            ends.extend((LEAF..rows).step_by(LEAF).chain([rows]));
        }
        let grid = Grid::fit(&flat, dim.max(1));
        let leaves = ends.len();
        let groups = leaves.div_ceil(BOX_GROUP);
        let mut codes = vec![0u16; leaves * dim * LEAF];
        // Padding leaves of the last group get a box at the far end of every dimension.
        let mut lo = vec![u16::MAX; groups * dim * BOX_GROUP];
        let mut hi = vec![u16::MAX; groups * dim * BOX_GROUP];
        let mut leaf_start = Vec::with_capacity(leaves + 1);
        let mut start = 0;
        for (leaf, end) in ends.into_iter().enumerate() {
            leaf_start.push(start as u32);
            let block = &mut codes[leaf * dim * LEAF..(leaf + 1) * dim * LEAF];
            let (g, lane) = (leaf / BOX_GROUP, leaf % BOX_GROUP);
            let at = |d: usize| (g * dim + d) * BOX_GROUP + lane;
            for d in 0..dim {
                hi[at(d)] = 0;
            }
            for (slot, &r) in order[start..end].iter().enumerate() {
                for (d, &x) in flat[r as usize * dim..(r as usize + 1) * dim]
                    .iter()
                    .enumerate()
                {
                    let c = grid.code(d, x);
                    block[d * LEAF + slot] = c;
                    lo[at(d)] = lo[at(d)].min(c);
                    hi[at(d)] = hi[at(d)].max(c);
                }
            }
            start = end;
        }
        leaf_start.push(rows as u32);
        let mut pos = vec![0u32; rows];
        for (p, &r) in order.iter().enumerate() {
            pos[r as usize] = p as u32;
        }
        permute_rows(&mut flat, dim, &order);
        BlockScan {
            dim,
            rows,
            exact: flat,
            order,
            pos,
            leaf_start,
            codes,
            grid,
            leaves,
            lo,
            hi,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Vector length.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The vector of an (original) row.
    pub fn vector(&self, row: usize) -> &[f32] {
        let p = self.pos[row] as usize;
        &self.exact[p * self.dim..(p + 1) * self.dim]
    }

    /// The rows in leaf order: neighbouring rows of this order are near each other, so
    /// queries taken in this order share the leaves they scan.
    pub fn leaf_order(&self) -> &[u32] {
        &self.order
    }

    /// A copy of the vectors, one row each, in the original row order.
    pub fn vectors(&self) -> Array2<f32> {
        let mut flat = Vec::with_capacity(self.rows * self.dim);
        for row in 0..self.rows {
            flat.extend_from_slice(self.vector(row));
        }
        Array2::from_shape_vec((self.rows, self.dim), flat).expect("rows × dim values")
    }

    /// A lower bound of the code distance from the query (codes `qc`) to any row of each
    /// leaf, appended to `out`: the code distance from `qc` to the leaf's box of codes.
    #[inline(always)]
    fn leaf_bounds(&self, qc: &[u16], out: &mut Vec<u16>) {
        let dim = self.dim;
        if dim == 0 {
            out.extend(std::iter::repeat_n(0, self.leaves));
            return;
        }
        let first = out.len();
        for (lo, hi) in self
            .lo
            .chunks_exact(dim * BOX_GROUP)
            .zip(self.hi.chunks_exact(dim * BOX_GROUP))
        {
            let mut acc = [0u16; BOX_GROUP];
            for (d, &qd) in qc.iter().enumerate() {
                let (l, h) = (
                    &lo[d * BOX_GROUP..(d + 1) * BOX_GROUP],
                    &hi[d * BOX_GROUP..(d + 1) * BOX_GROUP],
                );
                for j in 0..BOX_GROUP {
                    // At most one of the two gaps is non-zero.
                    let gap = l[j].saturating_sub(qd) | qd.saturating_sub(h[j]);
                    acc[j] = acc[j].saturating_add(gap);
                }
            }
            out.extend_from_slice(&acc);
        }
        out.truncate(first + self.leaves);
    }

    /// Offers every row of a leaf that may enter the top k, by its exact distance.
    #[inline(always)]
    fn scan_leaf(&self, leaf: usize, q: &[f32], qc: &[u16], top: &mut TopK) {
        let dim = self.dim;
        let block = &self.codes[leaf * dim * LEAF..(leaf + 1) * dim * LEAF];
        let start = self.leaf_start[leaf] as usize;
        let count = self.leaf_start[leaf + 1] as usize - start;
        let mut limit = self.grid.limit(top.bound(), dim);
        let mut acc = [0u16; LEAF];
        // Padding lanes start saturated: they never keep a leaf open.
        for a in &mut acc[count..] {
            *a = u16::MAX;
        }
        for (d, &qd) in qc.iter().enumerate() {
            add_dimension(&mut acc, block, d, qd);
            // Partial sums are lower bounds: leave once no row can get under the limit.
            // (A minimum rather than `all` keeps the test branch-free and vectorised.)
            if d % CHECK_EVERY == CHECK_EVERY - 1
                && d + 1 < dim
                && limit < u16::MAX
                && min_lane(&acc) > limit
            {
                return;
            }
        }
        if min_lane(&acc) > limit {
            return;
        }
        for (l, &a) in acc[..count].iter().enumerate() {
            if a <= limit {
                let p = start + l;
                let distance = manhattan(q, &self.exact[p * dim..(p + 1) * dim]);
                if top.offer(Entry(distance, self.order[p])) {
                    limit = self.grid.limit(top.bound(), dim);
                }
            }
        }
    }

    /// An upper bound of the k-th distance from `q`: the largest exact distance among the k
    /// rows of `leaves` nearest by code distance (infinite when they hold fewer than k rows).
    /// Re-ranking k rows chosen by codes is cheaper than re-ranking every row until k are
    /// held, and the bound is nearly tight from the start.
    #[inline(always)]
    fn initial_cap(
        &self,
        leaves: &[(u16, u32)],
        q: &[f32],
        qc: &[u16],
        k: usize,
        s: &mut Vec<(u16, u32)>,
    ) -> f32 {
        let dim = self.dim;
        s.clear();
        for &(_, leaf) in leaves {
            let leaf = leaf as usize;
            let block = &self.codes[leaf * dim * LEAF..(leaf + 1) * dim * LEAF];
            let start = self.leaf_start[leaf] as usize;
            let count = self.leaf_start[leaf + 1] as usize - start;
            let mut acc = [0u16; LEAF];
            for (d, &qd) in qc.iter().enumerate() {
                add_dimension(&mut acc, block, d, qd);
            }
            s.extend(
                acc[..count]
                    .iter()
                    .enumerate()
                    .map(|(l, &a)| (a, (start + l) as u32)),
            );
        }
        if s.len() < k {
            return f32::INFINITY;
        }
        if s.len() > k {
            s.select_nth_unstable(k - 1);
        }
        s[..k]
            .iter()
            .map(|&(_, p)| {
                let p = p as usize;
                manhattan(q, &self.exact[p * dim..(p + 1) * dim])
            })
            .fold(0.0f32, f32::max)
    }

    /// The `k` nearest rows of one query, nearest first (ties by index).
    pub fn nearest(&self, q: &[f32], k: usize) -> Vec<Neighbour> {
        self.nearest_many(&[q], k).pop().unwrap_or_default()
    }

    /// The `k` nearest rows of each query, nearest first (ties by index).
    pub fn nearest_many(&self, queries: &[&[f32]], k: usize) -> Vec<Vec<Neighbour>> {
        for q in queries {
            assert_eq!(q.len(), self.dim, "query has the wrong dimension");
        }
        // Compiles the plain loops below once per instruction set (AVX2, SSE4.2, NEON...) and
        // runs the best this CPU has: the compiler vectorises them without `unsafe` here.
        dispatch!(simd_level(), _simd => self.nearest_many_inner(queries, k))
    }

    #[inline(always)]
    fn nearest_many_inner(&self, queries: &[&[f32]], k: usize) -> Vec<Vec<Neighbour>> {
        let k = k.min(self.rows);
        if k == 0 {
            return vec![Vec::new(); queries.len()];
        }
        let (n, leaves, dim) = (queries.len(), self.leaves, self.dim);
        let mut tops: Vec<TopK> = queries
            .iter()
            .map(|_| TopK {
                k,
                heap: BinaryHeap::with_capacity(k + 1),
                cap: f32::INFINITY,
            })
            .collect();
        let mut s = Scratch::default();
        s.bounds.reserve(n * leaves);
        s.codes.reserve(n * dim);
        for (i, q) in queries.iter().enumerate() {
            s.codes
                .extend(q.iter().enumerate().map(|(d, &x)| self.grid.code(d, x)));
            self.leaf_bounds(&s.codes[i * dim..(i + 1) * dim], &mut s.bounds);
        }
        s.scanned.resize(n * leaves, false);
        // Each query first scans its most promising leaves (enough to hold about 2k rows, and
        // at least 1/64 of the leaves), so that its k-th distance is nearly final before the
        // other bounds are tested against it: on a million tracks that leaves a third fewer
        // leaves to scan than starting from the 2k rows alone.
        let first = ((2 * k).div_ceil(LEAF * 3 / 4).max(leaves / FIRST_SHARE)).clamp(1, leaves);
        let mut coded = Vec::new();
        let by_bound = |a: &(u16, u32), b: &(u16, u32)| a.cmp(b);
        for (i, q) in queries.iter().enumerate() {
            let bounds = &s.bounds[i * leaves..(i + 1) * leaves];
            s.best.clear();
            s.best
                .extend(bounds.iter().enumerate().map(|(leaf, &b)| (b, leaf as u32)));
            if first < s.best.len() {
                s.best.select_nth_unstable_by(first - 1, by_bound);
            }
            s.best.truncate(first);
            s.best.sort_unstable_by(by_bound);
            let qc = &s.codes[i * dim..(i + 1) * dim];
            tops[i].cap = self.initial_cap(&s.best, q, qc, k, &mut coded);
            for &(_, leaf) in &s.best {
                self.scan_leaf(leaf as usize, q, qc, &mut tops[i]);
                s.scanned[i * leaves + leaf as usize] = true;
            }
        }
        // Then every leaf that may still hold a better row, for all queries while its data
        // is in cache: nearby seeds share most leaves.
        for leaf in 0..leaves {
            for (i, q) in queries.iter().enumerate() {
                let at = i * leaves + leaf;
                if !s.scanned[at] && s.bounds[at] <= self.grid.limit(tops[i].bound(), dim) {
                    let qc = &s.codes[i * dim..(i + 1) * dim];
                    self.scan_leaf(leaf, q, qc, &mut tops[i]);
                }
            }
        }
        tops.into_iter()
            .map(|t| {
                t.heap
                    .into_sorted_vec()
                    .into_iter()
                    .map(|Entry(distance, index)| Neighbour {
                        index: index as usize,
                        distance,
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The k nearest by sorting every row: the reference.
    fn brute(v: &Array2<f32>, q: &[f32], k: usize) -> Vec<(f32, usize)> {
        let mut all: Vec<(f32, usize)> = v
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, r)| (manhattan(q, r.as_slice().unwrap()), i))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.truncate(k);
        all
    }

    fn check(v: &Array2<f32>, queries: &[Vec<f32>], ks: &[usize]) {
        let scan = BlockScan::new(v.clone());
        let refs: Vec<&[f32]> = queries.iter().map(Vec::as_slice).collect();
        for &k in ks {
            let got = scan.nearest_many(&refs, k);
            for (q, got) in queries.iter().zip(got) {
                let got: Vec<(f32, usize)> = got.iter().map(|n| (n.distance, n.index)).collect();
                assert_eq!(got, brute(v, q, k), "k = {k}");
            }
        }
    }

    #[test]
    fn matches_a_plain_scan_bit_for_bit() {
        // 21 dimensions, 1003 rows (partly filled leaves).
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let v = Array2::from_shape_fn((1003, 21), |_| rng.random_range(-2.0f32..2.0));
        let queries: Vec<Vec<f32>> = (0..7)
            .map(|_| (0..21).map(|_| rng.random_range(-2.0f32..2.0)).collect())
            .collect();
        check(&v, &queries, &[1, 5, 100, 1003, 2000]);
    }

    #[test]
    fn exact_with_uneven_ranges_outside_queries_and_duplicates() {
        // Dimensions whose spreads differ 1000-fold (like principal components), a few
        // far outliers, copies of rows (ties), and queries far outside the data's range,
        // where the codes are clamped.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let dim = 13;
        let mut v = Array2::from_shape_fn((3000, dim), |(_, d)| {
            rng.random_range(-1.0f32..1.0) * 4.0 / (1.0 + d as f32).powi(3)
        });
        for r in 0..10 {
            v[[r * 7, r % dim]] = 50.0 * if r % 2 == 0 { 1.0 } else { -1.0 };
        }
        for r in 0..200 {
            let row = v.row(r * 3).to_owned();
            v.row_mut(2000 + r).assign(&row);
        }
        let mut queries: Vec<Vec<f32>> = (0..6).map(|r| v.row(r * 500).to_vec()).collect();
        queries.push(vec![100.0; dim]);
        queries.push((0..dim).map(|d| -3.0 * d as f32).collect());
        queries.push(v.row(2000).iter().map(|x| x + 1e-6).collect());
        check(&v, &queries, &[1, 2, 15, 64, 65, 300]);
    }

    #[test]
    fn permutes_rows_in_place() {
        // Old rows 0..5 (two values each) put in the order 3, 0, 4, 1, 2.
        let mut flat: Vec<f32> = (0..10).map(|x| x as f32).collect();
        permute_rows(&mut flat, 2, &[3, 0, 4, 1, 2]);
        assert_eq!(flat, [6.0, 7.0, 0.0, 1.0, 8.0, 9.0, 2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn hand_computed_with_ties() {
        let v = ndarray::array![[0.0f32, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]];
        let scan = BlockScan::new(v.clone());
        // From the origin: row 0 at 0, rows 1 and 2 tied at 1 (lower index first), row 3 at 10.
        let got: Vec<(usize, f32)> = scan
            .nearest(&[0.0, 0.0], 3)
            .iter()
            .map(|n| (n.index, n.distance))
            .collect();
        assert_eq!(got, [(0, 0.0), (1, 1.0), (2, 1.0)]);
        assert_eq!(scan.nearest(&[0.0, 0.0], 2).len(), 2);
        assert!(scan.nearest(&[0.0, 0.0], 0).is_empty());
        assert_eq!(scan.vectors(), v);
        assert_eq!(scan.vector(3), [5.0, 5.0]);
        // The grid: ranges 5 and 5 share 60000 steps; (5, 5) is at the top of both.
        assert_eq!(scan.grid.max_code, [30_000, 30_000]);
        assert_eq!(scan.grid.code(0, 2.5), 15_000);
        assert_eq!(scan.grid.code(1, -1.0), 0);
        assert_eq!(scan.grid.code(1, 9.0), 30_000);
        // Within 1.0 a row may differ by 1.0 / step = 6000 codes, plus the rounding slack.
        assert_eq!(scan.grid.limit(1.0, 2), 6002);
        assert_eq!(scan.grid.limit(f32::INFINITY, 2), u16::MAX);
        assert_eq!(scan.grid.limit(1.0e6, 2), u16::MAX);
    }
}
