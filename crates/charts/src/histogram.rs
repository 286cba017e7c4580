//! Histograms: counts per numeric bin or per category.

use serde::{Deserialize, Serialize};

use crate::axis::nice_ticks;
use crate::svg::{x_axis, y_axis, Area, Scale, Svg};
use crate::PALETTE;

/// One bar of a histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Label under the bar (a category); empty for numeric bins, which get a value axis.
    pub label: String,
    /// Lower edge (numeric bins).
    pub lo: f64,
    /// Upper edge (numeric bins).
    pub hi: f64,
    /// How many items fall in it.
    pub count: u64,
}

/// A histogram: numeric bins (equal or not) on a value axis, or categories side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Title above the chart.
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// The bars, in order.
    pub bins: Vec<Bin>,
}

impl Histogram {
    /// Counts `values` into `bins` equal bins spanning `lo..hi` (values outside are clamped into
    /// the first or last bin; non-finite values are skipped).
    pub fn from_values(
        title: &str,
        x_label: &str,
        values: impl IntoIterator<Item = f64>,
        lo: f64,
        hi: f64,
        bins: usize,
    ) -> Histogram {
        let n = bins.max(1);
        let width = (hi - lo) / n as f64;
        let mut counts = vec![0u64; n];
        for v in values.into_iter().filter(|v| v.is_finite()) {
            let i = if width > 0.0 {
                ((v - lo) / width).floor().clamp(0.0, (n - 1) as f64) as usize
            } else {
                0
            };
            counts[i] += 1;
        }
        Histogram {
            title: title.into(),
            x_label: x_label.into(),
            bins: counts
                .into_iter()
                .enumerate()
                .map(|(i, count)| Bin {
                    label: String::new(),
                    lo: lo + width * i as f64,
                    hi: lo + width * (i + 1) as f64,
                    count,
                })
                .collect(),
        }
    }

    /// One bar per category, in the order given.
    pub fn from_counts(title: &str, x_label: &str, counts: &[(String, u64)]) -> Histogram {
        Histogram {
            title: title.into(),
            x_label: x_label.into(),
            bins: counts
                .iter()
                .enumerate()
                .map(|(i, (label, count))| Bin {
                    label: label.clone(),
                    lo: i as f64,
                    hi: i as f64 + 1.0,
                    count: *count,
                })
                .collect(),
        }
    }
}

/// Draws a histogram as an SVG document.
pub fn histogram(h: &Histogram) -> String {
    let mut svg = Svg::new(&h.title);
    let area = Area::standard();
    let max = h.bins.iter().map(|b| b.count).max().unwrap_or(0) as f64;
    let ticks = nice_ticks(0.0, max, 5);
    let y = Scale {
        lo: 0.0,
        hi: *ticks.last().expect("at least two ticks"),
        from: area.bottom,
        to: area.top,
    };
    y_axis(&mut svg, area, y, &ticks, "tracks");
    let categorical = h.bins.iter().any(|b| !b.label.is_empty());
    let (lo, hi) = match (h.bins.first(), h.bins.last()) {
        (Some(f), Some(l)) => (f.lo, l.hi),
        _ => (0.0, 1.0),
    };
    let x = Scale {
        lo,
        hi,
        from: area.left,
        to: area.right,
    };
    for b in &h.bins {
        let (x0, x1) = (x.at(b.lo), x.at(b.hi));
        let top = y.at(b.count as f64);
        let what = if categorical {
            b.label.clone()
        } else {
            format!("{}..{}", trim(b.lo), trim(b.hi))
        };
        let gap = if categorical { (x1 - x0) * 0.1 } else { 0.5 };
        svg.rect(
            x0 + gap,
            top,
            (x1 - x0 - 2.0 * gap).max(0.5),
            area.bottom - top,
            PALETTE[0],
            &format!("{what}: {}", b.count),
        );
        if categorical {
            svg.text((x0 + x1) / 2.0, area.bottom + 17.0, "middle", &b.label);
        }
    }
    if categorical {
        svg.line(area.left, area.bottom, area.right, area.bottom, "#333");
        svg.text(
            (area.left + area.right) / 2.0,
            crate::svg::HEIGHT - 12.0,
            "middle",
            &h.x_label,
        );
    } else {
        let ticks = nice_ticks(lo, hi, 8);
        let inside: Vec<f64> = ticks
            .iter()
            .copied()
            .filter(|t| *t >= lo - 1e-9 && *t <= hi + 1e-9)
            .collect();
        x_axis(&mut svg, area, x, &inside, &h.x_label);
    }
    svg.finish()
}

/// A bin edge without trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_and_clamp() {
        let h = Histogram::from_values(
            "t",
            "x",
            [0.0, 0.4, 0.5, 0.99, 1.0, 7.0, -1.0, f64::NAN],
            0.0,
            1.0,
            2,
        );
        let counts: Vec<u64> = h.bins.iter().map(|b| b.count).collect();
        // [0, 0.5): 0, 0.4 and -1 (clamped); [0.5, 1]: 0.5, 0.99, 1 and 7 (clamped).
        assert_eq!(counts, [3, 4]);
        assert_eq!((h.bins[1].lo, h.bins[1].hi), (0.5, 1.0));
    }

    #[test]
    fn draws_categories_with_labels() {
        let h = Histogram::from_counts("Genres", "genre", &[("pop".into(), 10), ("r&b".into(), 5)]);
        let svg = histogram(&h);
        assert!(svg.contains("<title>r&amp;b: 5</title>"));
        assert!(svg.contains(">pop</text>"));
        assert_eq!(svg.matches("<rect x=").count(), 2);
    }

    #[test]
    fn numeric_bins_get_a_value_axis() {
        let h =
            Histogram::from_values("Years", "year", [1960.0, 2019.0, 2019.5], 1950.0, 2020.0, 7);
        let svg = histogram(&h);
        assert!(svg.contains("<title>2010..2020: 2</title>"), "{svg}");
        assert!(svg.contains(">1960</text>"));
    }
}
