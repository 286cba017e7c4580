//! Regression trees on binned features: grown depth first on gradient statistics, each node
//! split where the second-order gain is largest (XGBoost's formula). The ranker keeps and
//! walks them in [`super::forest`]'s layout.

use super::bins::{Binned, BINS};

/// One node. A leaf has `left == 0` (the root is node 0, so no child is).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    /// The feature split on.
    pub feature: u16,
    /// Rows with `!(x > threshold)` go left: smaller values and missing ones (NaN).
    pub threshold: f32,
    pub left: u32,
    pub right: u32,
    /// The node's output had it been a leaf (already times the learning rate): a leaf's score,
    /// and the base of the path attribution.
    pub value: f32,
}

/// A grown tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tree {
    pub nodes: Vec<Node>,
}

/// How trees grow.
#[derive(Debug, Clone, Copy)]
pub(super) struct Growth {
    pub max_depth: usize,
    pub min_leaf_rows: usize,
    pub min_leaf_hessian: f64,
    pub l2: f64,
    pub learning_rate: f64,
}

/// Gradient sum, hessian sum and row count per bin of every feature.
type Histogram = Vec<[f64; 3]>;

/// Grows one tree on the gradients `g` and hessians `h` of the rows; adds each split's gain
/// to `gains[feature]`.
pub(super) fn grow(
    data: &Binned,
    g: &[f32],
    h: &[f32],
    growth: &Growth,
    gains: &mut [f64],
) -> Tree {
    let mut rows: Vec<u32> = (0..data.rows() as u32).collect();
    let hist = histogram(data, &rows, g, h);
    let (gs, hs) = totals(&hist, data.features());
    let mut grower = Grower {
        data,
        g,
        h,
        growth,
        nodes: Vec::new(),
        gains,
    };
    grower.node(&mut rows, hist, gs, hs, 0);
    Tree {
        nodes: grower.nodes,
    }
}

struct Grower<'a> {
    data: &'a Binned,
    g: &'a [f32],
    h: &'a [f32],
    growth: &'a Growth,
    nodes: Vec<Node>,
    gains: &'a mut [f64],
}

impl Grower<'_> {
    fn leaf_value(&self, g: f64, h: f64) -> f32 {
        (-g / (h + self.growth.l2) * self.growth.learning_rate) as f32
    }

    /// Grows the node holding `rows` (whose histogram and sums are given); returns its index.
    fn node(&mut self, rows: &mut [u32], hist: Histogram, g: f64, h: f64, depth: usize) -> u32 {
        let at = self.nodes.len();
        self.nodes.push(Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: self.leaf_value(g, h),
        });
        if depth >= self.growth.max_depth || rows.len() < 2 * self.growth.min_leaf_rows {
            return at as u32;
        }
        let Some(split) = self.best_split(&hist, rows.len(), g, h) else {
            return at as u32;
        };
        self.gains[split.feature] += split.gain;
        // Partition in place: rows whose bin is at most the split's go first.
        let features = self.data.features();
        let mut mid = 0;
        for i in 0..rows.len() {
            if self.data.bin(rows[i] as usize, split.feature) as usize <= split.bin {
                rows.swap(i, mid);
                mid += 1;
            }
        }
        let (left_rows, right_rows) = rows.split_at_mut(mid);
        // Only the smaller child is counted; the larger one's histogram is the difference.
        let (small, small_is_left) = if left_rows.len() <= right_rows.len() {
            (&*left_rows, true)
        } else {
            (&*right_rows, false)
        };
        let small_hist = histogram(self.data, small, self.g, self.h);
        let large_hist: Histogram = hist
            .iter()
            .zip(&small_hist)
            .map(|(p, s)| [p[0] - s[0], p[1] - s[1], p[2] - s[2]])
            .collect();
        let (left_hist, right_hist) = if small_is_left {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        let (lg, lh) = totals(&left_hist, features);
        let left = self.node(left_rows, left_hist, lg, lh, depth + 1);
        let right = self.node(right_rows, right_hist, g - lg, h - lh, depth + 1);
        let node = &mut self.nodes[at];
        node.feature = split.feature as u16;
        node.threshold = self.data.threshold(split.feature, split.bin);
        node.left = left;
        node.right = right;
        at as u32
    }

    fn best_split(&self, hist: &Histogram, rows: usize, g: f64, h: f64) -> Option<Split> {
        let gr = self.growth;
        let score = |g: f64, h: f64| g * g / (h + gr.l2);
        let parent = score(g, h);
        let min_rows = gr.min_leaf_rows as f64;
        let mut best: Option<Split> = None;
        for f in 0..self.data.features() {
            let bins = &hist[f * BINS..(f + 1) * BINS];
            let (mut lg, mut lh, mut ln) = (0.0, 0.0, 0.0);
            for (b, &[bg, bh, bn]) in bins.iter().enumerate().take(BINS - 1) {
                lg += bg;
                lh += bh;
                ln += bn;
                let (rg, rh, rn) = (g - lg, h - lh, rows as f64 - ln);
                if ln < min_rows || rn < min_rows {
                    continue;
                }
                if lh < gr.min_leaf_hessian || rh < gr.min_leaf_hessian {
                    continue;
                }
                let gain = score(lg, lh) + score(rg, rh) - parent;
                if gain > 1e-9 && best.as_ref().is_none_or(|s| gain > s.gain) {
                    best = Some(Split {
                        feature: f,
                        bin: b,
                        gain,
                    });
                }
            }
        }
        best
    }
}

struct Split {
    feature: usize,
    bin: usize,
    gain: f64,
}

/// Rows above which a histogram is counted in [`PARTS`] threads (below, threads cost more
/// than they save).
const PARALLEL_ROWS: usize = 16_384;
/// Parts of a large histogram: fixed, not the machine's core count, so that the sums (and so
/// the trees) are the same on every machine.
const PARTS: usize = 4;

fn histogram(data: &Binned, rows: &[u32], g: &[f32], h: &[f32]) -> Histogram {
    if rows.len() < PARALLEL_ROWS {
        return count(data, rows, g, h);
    }
    let parts: Vec<Histogram> = std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks(rows.len().div_ceil(PARTS))
            .map(|part| scope.spawn(move || count(data, part, g, h)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a histogram worker panicked"))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut hist = parts.next().unwrap_or_default();
    for part in parts {
        for (a, b) in hist.iter_mut().zip(part) {
            a[0] += b[0];
            a[1] += b[1];
            a[2] += b[2];
        }
    }
    hist
}

fn count(data: &Binned, rows: &[u32], g: &[f32], h: &[f32]) -> Histogram {
    let features = data.features();
    let mut hist = vec![[0.0f64; 3]; features * BINS];
    for &r in rows {
        let r = r as usize;
        let (gr, hr) = (g[r] as f64, h[r] as f64);
        for (f, &b) in data.row(r).iter().enumerate() {
            let cell = &mut hist[f * BINS + b as usize];
            cell[0] += gr;
            cell[1] += hr;
            cell[2] += 1.0;
        }
    }
    hist
}

/// The node's gradient and hessian sums (those of any one feature's bins).
fn totals(hist: &Histogram, features: usize) -> (f64, f64) {
    if features == 0 {
        return (0.0, 0.0);
    }
    hist[..BINS]
        .iter()
        .fold((0.0, 0.0), |(g, h), c| (g + c[0], h + c[1]))
}
