//! Grouped bar charts: one group per category, one bar per series.

use serde::{Deserialize, Serialize};

use crate::axis::nice_ticks;
use crate::svg::{y_axis, Area, Scale, Svg};
use crate::PALETTE;

/// One series of a bar chart (e.g. one recommender), a value per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// One value per category (`None`: no bar).
    pub values: Vec<Option<f64>>,
    /// Optional interval per category (low, high), drawn as an error bar.
    pub intervals: Vec<Option<(f64, f64)>>,
}

/// A grouped bar chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    /// Title above the chart.
    pub title: String,
    /// Label of the value axis.
    pub y_label: String,
    /// Category names along the horizontal axis.
    pub categories: Vec<String>,
    /// The series, drawn side by side in each category.
    pub series: Vec<Series>,
}

/// Draws a grouped bar chart as an SVG document. The value axis starts at zero (or below it,
/// for negative values) so that bar lengths compare honestly.
pub fn bar_chart(chart: &BarChart) -> String {
    let mut svg = Svg::new(&chart.title);
    let mut area = Area::standard();
    // Room for the legend on the right.
    area.right -= 120.0;
    let values = chart.series.iter().flat_map(|s| {
        let bars = s.values.iter().flatten().copied();
        let ends = s.intervals.iter().flatten().flat_map(|&(lo, hi)| [lo, hi]);
        bars.chain(ends)
    });
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let ticks = nice_ticks(lo, hi, 5);
    let scale = Scale {
        lo: ticks[0],
        hi: *ticks.last().expect("at least two ticks"),
        from: area.bottom,
        to: area.top,
    };
    y_axis(&mut svg, area, scale, &ticks, &chart.y_label);
    let groups = chart.categories.len().max(1) as f64;
    let group_w = area.width() / groups;
    let n = chart.series.len().max(1) as f64;
    let bar_w = group_w * 0.8 / n;
    let zero = scale.at(0.0);
    for (c, name) in chart.categories.iter().enumerate() {
        let x0 = area.left + group_w * c as f64 + group_w * 0.1;
        for (s, series) in chart.series.iter().enumerate() {
            let x = x0 + bar_w * s as f64;
            let colour = PALETTE[s % PALETTE.len()];
            if let Some(v) = series
                .values
                .get(c)
                .copied()
                .flatten()
                .filter(|v| v.is_finite())
            {
                let y = scale.at(v);
                let tip = format!("{}, {name}: {}", series.name, short(v));
                svg.rect(x, y.min(zero), bar_w * 0.92, (zero - y).abs(), colour, &tip);
            }
            if let Some((l, h)) = series.intervals.get(c).copied().flatten() {
                let mid = x + bar_w * 0.46;
                let (yl, yh) = (scale.at(l), scale.at(h));
                svg.line(mid, yl, mid, yh, "#222");
                svg.line(mid - 3.0, yl, mid + 3.0, yl, "#222");
                svg.line(mid - 3.0, yh, mid + 3.0, yh, "#222");
            }
        }
        svg.text(x0 + group_w * 0.4, area.bottom + 17.0, "middle", name);
    }
    svg.line(area.left, zero, area.right, zero, "#333");
    for (s, series) in chart.series.iter().enumerate() {
        let y = area.top + 8.0 + 20.0 * s as f64;
        let x = area.right + 16.0;
        svg.rect(
            x,
            y - 9.0,
            12.0,
            12.0,
            PALETTE[s % PALETTE.len()],
            &series.name,
        );
        svg.text(x + 18.0, y + 1.0, "start", &series.name);
    }
    svg.finish()
}

/// A value with three significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            title: "R-precision".into(),
            y_label: "mean".into(),
            categories: vec!["seed".into(), "strict".into()],
            series: vec![
                Series {
                    name: "Selecta".into(),
                    values: vec![Some(0.3), Some(0.25)],
                    intervals: vec![Some((0.28, 0.32)), None],
                },
                Series {
                    name: "random".into(),
                    values: vec![Some(0.001), None],
                    intervals: vec![],
                },
            ],
        }
    }

    #[test]
    fn draws_a_bar_per_value_and_a_legend() {
        let svg = bar_chart(&chart());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // Three bars and two legend swatches, each a rect with a tooltip.
        assert_eq!(svg.matches("<rect x=").count(), 5);
        assert!(svg.contains("<title>Selecta, seed: 0.300</title>"));
        assert!(svg.contains("<title>random, seed: 0.00100</title>"));
        // The error bar: a vertical line and two caps.
        assert!(svg.contains(">strict</text>"));
        assert_eq!(svg.matches("stroke=\"#222\"").count(), 3);
    }

    #[test]
    fn bars_scale_from_zero() {
        // 0.3 is at the top tick (0.3 or 0.35); the 0.001 bar is almost flat.
        let svg = bar_chart(&chart());
        let heights: Vec<f64> = svg
            .split("height=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect();
        // The background, then bars in drawing order: seed/Selecta, seed/random, strict/Selecta.
        assert!(heights[1] > 200.0 * 0.8, "{heights:?}");
        assert!(heights[2] < 2.0, "{heights:?}");
        assert!(
            (heights[3] / heights[1] - 0.25 / 0.3).abs() < 0.01,
            "{heights:?}"
        );
    }
}
