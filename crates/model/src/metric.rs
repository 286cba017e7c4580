//! The Manhattan (L1, city-block) distance the model's space is searched and scored with.

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
pub(crate) fn manhattan_unordered(a: &[f32], b: &[f32]) -> f32 {
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
    }
}
