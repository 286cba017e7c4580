//! Round tick values for an axis.

/// About `target` evenly spaced round values (steps of 1, 2 or 5 times a power of ten) that
/// cover `lo..=hi`: the first tick is at or below `lo`, the last at or above `hi`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() {
        return vec![0.0, 1.0];
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let raw = span / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).floor() as i64;
    let mut last = (hi / step).ceil() as i64;
    if last == first {
        last += 1;
    }
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A tick label with as many decimals as the step between ticks needs.
pub(crate) fn format_tick(v: f64, ticks: &[f64]) -> String {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => 1.0,
    };
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil() as usize
    };
    let s = format!("{v:.decimals$}");
    // "-0" reads oddly.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 1.0, 5),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(
            nice_ticks(1957.0, 2020.0, 6),
            [1940.0, 1960.0, 1980.0, 2000.0, 2020.0]
        );
        assert_eq!(nice_ticks(0.0, 0.0, 5), [0.0, 0.2]);
        assert_eq!(nice_ticks(3.0, 3.0, 4), [3.0, 4.0]);
    }

    #[test]
    fn labels_have_the_step_decimals() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(format_tick(t[3], &t), "0.6");
        assert_eq!(format_tick(2000.0, &[1990.0, 2000.0]), "2000");
        assert_eq!(format_tick(-0.0001, &[0.0, 0.05]), "0.00");
        assert_eq!(format_tick(0.005, &[0.0, 0.005]), "0.005");
    }
}
