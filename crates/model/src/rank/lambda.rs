//! LambdaMART's gradients: for every query, each pair of a relevant and an irrelevant row
//! pulls them apart in proportion to how much swapping them would change the query's
//! NDCG@cutoff (Burges, "From RankNet to LambdaRank to LambdaMART", 2010).

/// One query: rows `start..end` of the data, NDCG counted over the first `cutoff` places.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Query {
    pub start: usize,
    pub end: usize,
    pub cutoff: usize,
}

/// Writes the gradient and hessian of every row of `query` (whose `labels` are 1 for a
/// relevant row, else 0) at the current `scores`; `sigma` is the sigmoid's steepness.
pub(super) fn gradients(
    query: Query,
    labels: &[f32],
    scores: &[f32],
    sigma: f32,
    g: &mut [f32],
    h: &mut [f32],
) {
    let Query { start, end, cutoff } = query;
    let (labels, scores) = (&labels[start..end], &scores[start..end]);
    let (g, h) = (&mut g[start..end], &mut h[start..end]);
    g.fill(0.0);
    h.fill(0.0);
    let relevant = labels.iter().filter(|&&l| l > 0.0).count();
    if relevant == 0 || relevant == labels.len() {
        return;
    }
    let discount = |rank: usize| {
        if rank < cutoff {
            1.0 / ((rank + 2) as f32).log2()
        } else {
            0.0
        }
    };
    let ideal: f32 = (0..relevant.min(cutoff)).map(discount).sum();
    // Each row's place under the current scores (ties by position: deterministic).
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut rank = vec![0usize; labels.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let (pos, neg): (Vec<usize>, Vec<usize>) = (0..labels.len()).partition(|&i| labels[i] > 0.0);
    for &i in &pos {
        let di = discount(rank[i]);
        for &j in &neg {
            let dj = discount(rank[j]);
            if di == 0.0 && dj == 0.0 {
                continue;
            }
            let delta = (di - dj).abs() / ideal;
            // ρ: the probability the model orders the pair wrongly.
            let rho = 1.0 / (1.0 + (sigma * (scores[i] - scores[j])).exp());
            let lambda = sigma * delta * rho;
            let hess = (sigma * sigma * delta * rho * (1.0 - rho)).max(1e-9);
            g[i] -= lambda;
            g[j] += lambda;
            h[i] += hess;
            h[j] += hess;
        }
    }
}

/// NDCG@cutoff of binary labels under scores (for reports and tests).
pub(super) fn ndcg(query: Query, labels: &[f32], scores: &[f32]) -> f64 {
    let Query { start, end, cutoff } = query;
    let (labels, scores) = (&labels[start..end], &scores[start..end]);
    let relevant = labels.iter().filter(|&&l| l > 0.0).count();
    if relevant == 0 {
        return 0.0;
    }
    let discount = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let dcg: f64 = order
        .iter()
        .take(cutoff)
        .enumerate()
        .filter(|(_, &i)| labels[i] > 0.0)
        .map(|(r, _)| discount(r))
        .sum();
    let ideal: f64 = (0..relevant.min(cutoff)).map(discount).sum();
    dcg / ideal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misplaced_relevant_row_is_pushed_up_and_the_rest_down() {
        // Three rows, the relevant one scored last.
        let q = Query {
            start: 0,
            end: 3,
            cutoff: 3,
        };
        let labels = [0.0, 0.0, 1.0];
        let scores = [2.0, 1.0, 0.0];
        let (mut g, mut h) = ([0.0; 3], [0.0; 3]);
        gradients(q, &labels, &scores, 1.0, &mut g, &mut h);
        assert!(g[2] < 0.0, "a negative gradient raises the relevant row");
        assert!(g[0] > 0.0 && g[1] > 0.0);
        // The pair with the larger NDCG change (first place against third) pulls harder.
        assert!(g[0] > g[1]);
        assert!((g.iter().sum::<f32>()).abs() < 1e-6, "pairs balance");
        assert!(h.iter().all(|&v| v > 0.0));
        assert!(ndcg(q, &labels, &scores) < ndcg(q, &labels, &[0.0, 1.0, 2.0]));
        assert_eq!(ndcg(q, &labels, &[0.0, 1.0, 2.0]), 1.0);
        // Nothing to learn from a query whose rows are all alike.
        gradients(q, &[1.0; 3], &scores, 1.0, &mut g, &mut h);
        assert_eq!(g, [0.0; 3]);
    }
}
