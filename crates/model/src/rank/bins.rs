//! Features binned once before boosting: each feature's values cut at its quantiles, so that
//! a tree's split search counts bins, not sorted values. Bin 0 holds missing values (NaN).

/// Bins per feature, the missing bin included.
pub(super) const BINS: usize = 64;

/// A row-major matrix of bins with each feature's cut points.
pub(super) struct Binned {
    features: usize,
    bins: Vec<u8>,
    /// Per feature, ascending cut points: bin `b ≥ 1` holds values in
    /// `(cuts[b - 2], cuts[b - 1]]`, the last bin everything above the last cut.
    cuts: Vec<Vec<f32>>,
}

impl Binned {
    /// Bins `values` (row-major, `features` per row), cutting each feature at up to
    /// `BINS - 2` quantiles of its known values.
    pub fn new(values: &[f32], features: usize) -> Self {
        let rows = values.len().checked_div(features).unwrap_or(0);
        let cuts: Vec<Vec<f32>> = (0..features)
            .map(|f| {
                let mut known: Vec<f32> = (0..rows)
                    .map(|r| values[r * features + f])
                    .filter(|v| !v.is_nan())
                    .collect();
                known.sort_unstable_by(f32::total_cmp);
                let mut cuts: Vec<f32> = (1..BINS - 1)
                    .filter_map(|q| known.get(q * known.len() / (BINS - 1)).copied())
                    .collect();
                cuts.dedup();
                // The largest value needs no cut: nothing lies above it.
                if cuts.last() == known.last() {
                    cuts.pop();
                }
                cuts
            })
            .collect();
        let bins = values
            .iter()
            .enumerate()
            .map(|(k, &v)| bin_of(&cuts[k % features], v))
            .collect();
        Binned {
            features,
            bins,
            cuts,
        }
    }

    pub fn rows(&self) -> usize {
        self.bins.len().checked_div(self.features).unwrap_or(0)
    }

    pub fn features(&self) -> usize {
        self.features
    }

    pub fn row(&self, r: usize) -> &[u8] {
        &self.bins[r * self.features..(r + 1) * self.features]
    }

    pub fn bin(&self, r: usize, f: usize) -> u8 {
        self.bins[r * self.features + f]
    }

    /// The raw-value threshold of a split after bin `b`: a value goes left, as its bin does,
    /// when it is not above the threshold (NaN included).
    pub fn threshold(&self, f: usize, b: usize) -> f32 {
        match b {
            0 => f32::NEG_INFINITY,
            b => self.cuts[f].get(b - 1).copied().unwrap_or(f32::INFINITY),
        }
    }
}

fn bin_of(cuts: &[f32], v: f32) -> u8 {
    if v.is_nan() {
        0
    } else {
        // Values at a cut fall in its bin: the split rule is `x <= threshold`.
        1 + cuts.partition_point(|&c| c < v) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_follow_the_quantiles_and_agree_with_the_thresholds() {
        // One feature: 0..200 and a missing value.
        let mut values: Vec<f32> = (0..200).map(|v| v as f32).collect();
        values.push(f32::NAN);
        let b = Binned::new(&values, 1);
        assert_eq!(b.rows(), 201);
        assert_eq!(b.bin(200, 0), 0, "missing values have bin 0");
        assert_eq!(b.bin(0, 0), 1);
        assert!((b.bin(199, 0) as usize) < BINS);
        // Every split's threshold sends exactly the rows of bins ≤ b left.
        for split in 0..BINS - 1 {
            let t = b.threshold(0, split);
            for (r, &v) in values.iter().enumerate() {
                assert_eq!(
                    v.is_nan() || v <= t,
                    b.bin(r, 0) as usize <= split,
                    "{v} at {split}"
                );
            }
        }
        // A constant feature has one bin of values: no split can separate them.
        let b = Binned::new(&[3.0; 10], 1);
        assert!((0..10).all(|r| b.bin(r, 0) == 1));
    }
}
