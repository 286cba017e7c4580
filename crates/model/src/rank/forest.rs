//! The fitted trees as the ranker keeps and walks them: each one laid out *complete* to the
//! ranker's depth bound, breadth first (node `i`'s children are `2i + 1` and `2i + 2`), so that
//! a walk is `depth` steps of arithmetic with no child pointers to load and no branch to
//! mispredict. A leaf the growth reached early is padded down to the last level by splits that
//! always go left (threshold +∞, which no value and no NaN exceeds) and carry its value, so
//! the output and the path attribution are those of the grown tree. Rows are walked a block at
//! a time, each step for every row of the block, so that the walks' load chains overlap.

use serde::{Deserialize, Serialize};

use super::tree::Tree;

/// Rows walked together (independent chains of loads for the CPU to overlap).
const BLOCK: usize = 8;

/// A split node: rows with `!(x[feature] > threshold)` go left. Both in one place, so that a
/// step of a walk reads one cache line.
#[derive(Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Split {
    threshold: f32,
    feature: u32,
}

/// Trees of one depth, stored end to end.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Forest {
    depth: usize,
    /// The split nodes, `2^depth − 1` per tree.
    splits: Vec<Split>,
    /// Output of each node had it been a leaf: `2^(depth+1) − 1` per tree, the splits' then
    /// the `2^depth` leaves'.
    values: Vec<f32>,
}

impl Forest {
    /// An empty forest of trees at most `depth` deep.
    pub fn new(depth: usize) -> Self {
        Forest {
            depth,
            splits: Vec::new(),
            values: Vec::new(),
        }
    }

    fn splits(&self) -> usize {
        (1 << self.depth) - 1
    }

    fn nodes(&self) -> usize {
        (2 << self.depth) - 1
    }

    /// Trees held.
    pub fn len(&self) -> usize {
        self.values.len() / self.nodes()
    }

    /// Adds a grown tree (at most `depth` deep).
    pub fn push(&mut self, tree: &Tree) {
        let (splits, nodes) = (self.splits(), self.nodes());
        let at = self.splits.len();
        let always_left = Split {
            threshold: f32::INFINITY,
            feature: 0,
        };
        self.splits.resize(at + splits, always_left);
        let vat = self.values.len();
        self.values.resize(vat + nodes, 0.0);
        // (grown node, complete position): the grown tree's nodes go to their places; a leaf
        // above the last level fills its whole subtree (its splits stay "always left").
        let mut stack = vec![(0usize, 0usize)];
        while let Some((grown, pos)) = stack.pop() {
            let n = &tree.nodes[grown];
            self.values[vat + pos] = n.value;
            if pos >= splits {
                continue;
            }
            if n.left == 0 {
                stack.push((grown, 2 * pos + 1));
                stack.push((grown, 2 * pos + 2));
            } else {
                self.splits[at + pos] = Split {
                    threshold: n.threshold,
                    feature: u32::from(n.feature),
                };
                stack.push((n.left as usize, 2 * pos + 1));
                stack.push((n.right as usize, 2 * pos + 2));
            }
        }
    }

    /// Whether the forest is whole, for rows of `features` values: its depth within the
    /// parameters' bounds, whole trees, and every split on a feature a row has. An artifact
    /// whose ranker fails this is refused at load time rather than failing a request.
    pub fn check(&self, features: usize) -> Result<(), String> {
        if !(1..=10).contains(&self.depth) {
            return Err(format!("ranker depth {} is not within 1..=10", self.depth));
        }
        let trees = self.values.len() / self.nodes();
        if self.values.len() != trees * self.nodes() || self.splits.len() != trees * self.splits() {
            return Err(format!(
                "ranker of {} split nodes and {} values is not whole trees of depth {}",
                self.splits.len(),
                self.values.len(),
                self.depth
            ));
        }
        match self.splits.iter().find(|s| s.feature as usize >= features) {
            Some(s) => Err(format!(
                "ranker splits on feature {} of rows of {features}",
                s.feature
            )),
            None => Ok(()),
        }
    }

    /// Tree `t`'s output for row `x`.
    pub fn tree_score(&self, t: usize, x: &[f32]) -> f32 {
        let splits = self.tree_splits(t);
        let mut i = 0;
        for _ in 0..self.depth {
            let s = splits[i];
            i = 2 * i + 1 + usize::from(x[s.feature as usize] > s.threshold);
        }
        self.values[t * self.nodes() + i]
    }

    fn tree_splits(&self, t: usize) -> &[Split] {
        let s = self.splits();
        &self.splits[t * s..(t + 1) * s]
    }

    /// The sum of the trees' outputs for each row.
    pub fn score_rows<R: AsRef<[f32]>>(&self, rows: &[R]) -> Vec<f32> {
        let mut out = vec![0.0f32; rows.len()];
        let nodes = self.nodes();
        for (block, sums) in rows.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
            let xs: Vec<&[f32]> = block.iter().map(AsRef::as_ref).collect();
            for t in 0..self.len() {
                let splits = self.tree_splits(t);
                let values = &self.values[t * nodes..(t + 1) * nodes];
                let mut at = [0usize; BLOCK];
                for _ in 0..self.depth {
                    for (i, x) in at.iter_mut().zip(&xs) {
                        let s = splits[*i];
                        *i = 2 * *i + 1 + usize::from(x[s.feature as usize] > s.threshold);
                    }
                }
                for (s, &i) in sums.iter_mut().zip(&at) {
                    *s += values[i];
                }
            }
        }
        out
    }

    /// Adds to `out[f]` how much each split on feature `f` along the row's paths moved the
    /// output (Saabas' path attribution) and returns the roots' values: the two add up to the
    /// score. A padded split moves nothing.
    pub fn attribute(&self, x: &[f32], out: &mut [f32]) -> f32 {
        let nodes = self.nodes();
        let mut roots = 0.0;
        for t in 0..self.len() {
            let splits = self.tree_splits(t);
            let values = &self.values[t * nodes..(t + 1) * nodes];
            let mut i = 0;
            for _ in 0..self.depth {
                let Split { threshold, feature } = splits[i];
                let f = feature as usize;
                let next = 2 * i + 1 + usize::from(x[f] > threshold);
                out[f] += values[next] - values[i];
                i = next;
            }
            roots += values[0];
        }
        roots
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::Node;
    use super::*;

    fn node(feature: u16, threshold: f32, left: u32, right: u32, value: f32) -> Node {
        Node {
            feature,
            threshold,
            left,
            right,
            value,
        }
    }

    /// Root on feature 0 at 0.5; its left child a leaf (1.0) above the last level, its right
    /// child a split on feature 1 at 2.0 into leaves 3.0 and 4.0.
    fn uneven() -> Tree {
        Tree {
            nodes: vec![
                node(0, 0.5, 1, 2, 0.0),
                node(0, 0.0, 0, 0, 1.0),
                node(1, 2.0, 3, 4, 2.0),
                node(0, 0.0, 0, 0, 3.0),
                node(0, 0.0, 0, 0, 4.0),
            ],
        }
    }

    #[test]
    fn a_padded_tree_scores_and_attributes_as_grown() {
        let mut forest = Forest::new(3);
        forest.push(&uneven());
        forest.push(&uneven());
        assert_eq!(forest.len(), 2);
        let rows = [
            [0.2, 9.0],
            [0.7, 1.0],
            [0.7, 3.0],
            [f32::NAN, 3.0],
            [0.7, f32::NAN],
        ];
        let expected = [1.0, 3.0, 4.0, 1.0, 3.0];
        for (x, e) in rows.iter().zip(expected) {
            assert_eq!(forest.tree_score(0, x), e, "{x:?}");
        }
        let doubled: Vec<f32> = expected.iter().map(|e| 2.0 * e).collect();
        assert_eq!(forest.score_rows(&rows), doubled);
        // More rows than a block: the same values, in order.
        let many: Vec<[f32; 2]> = rows.iter().cycle().take(19).copied().collect();
        let want: Vec<f32> = doubled.iter().cycle().take(19).copied().collect();
        assert_eq!(forest.score_rows(&many), want);
        // Row [0.7, 3.0]: feature 0 moved 0 → 2, feature 1 moved 2 → 4, in each tree.
        let mut parts = [0.0; 2];
        let roots = forest.attribute(&[0.7, 3.0], &mut parts);
        assert_eq!((roots, parts), (0.0, [4.0, 4.0]));
        // Whole, for rows of 2 features; not for rows of 1.
        assert_eq!(forest.check(2), Ok(()));
        assert!(forest
            .check(1)
            .unwrap_err()
            .contains("feature 1 of rows of 1"));
        let mut cut = forest.clone();
        cut.values.pop();
        assert!(cut.check(2).unwrap_err().contains("not whole trees"));
        // Row [0.2, 9.0] stops at the early leaf: only feature 0 moved it.
        let mut parts = [0.0; 2];
        forest.attribute(&[0.2, 9.0], &mut parts);
        assert_eq!(parts, [2.0, 0.0]);
    }
}
