//! Scatter plots.

use serde::{Deserialize, Serialize};

use crate::axis::nice_ticks;
use crate::svg::{x_axis, y_axis, Area, Scale, Svg};
use crate::PALETTE;

/// Points on two numeric axes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scatter {
    /// Title above the chart.
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// The points (x, y); non-finite ones are skipped.
    pub points: Vec<(f64, f64)>,
}

/// Draws a scatter plot as an SVG document. Points are small and translucent, so that dense
/// regions read darker.
pub fn scatter(s: &Scatter) -> String {
    let mut svg = Svg::new(&s.title);
    let area = Area::standard();
    let finite: Vec<(f64, f64)> = s
        .points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let range = |f: fn(&(f64, f64)) -> f64| {
        finite
            .iter()
            .map(f)
            .fold(None, |acc: Option<(f64, f64)>, v| {
                Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
            })
    };
    let (xl, xh) = range(|p| p.0).unwrap_or((0.0, 1.0));
    let (yl, yh) = range(|p| p.1).unwrap_or((0.0, 1.0));
    let (xt, yt) = (nice_ticks(xl, xh, 6), nice_ticks(yl, yh, 5));
    let x = Scale {
        lo: xt[0],
        hi: *xt.last().expect("ticks"),
        from: area.left,
        to: area.right,
    };
    let y = Scale {
        lo: yt[0],
        hi: *yt.last().expect("ticks"),
        from: area.bottom,
        to: area.top,
    };
    y_axis(&mut svg, area, y, &yt, &s.y_label);
    x_axis(&mut svg, area, x, &xt, &s.x_label);
    svg.raw(&format!(
        "<g fill=\"{}\" fill-opacity=\"0.25\">",
        PALETTE[0]
    ));
    for (px, py) in finite {
        svg.raw(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\"/>",
            x.at(px),
            y.at(py)
        ));
    }
    svg.raw("</g>");
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_points_inside_the_axes() {
        let s = Scatter {
            title: "Energy vs danceability".into(),
            x_label: "energy".into(),
            y_label: "danceability".into(),
            points: vec![(0.0, 0.0), (1.0, 1.0), (f64::NAN, 0.5)],
        };
        let svg = scatter(&s);
        assert_eq!(svg.matches("<circle").count(), 2);
        // (0, 0) at the bottom-left corner of the plotting area, (1, 1) at the top right.
        assert!(svg.contains("<circle cx=\"64.0\" cy=\"304.0\""), "{svg}");
        assert!(svg.contains("<circle cx=\"624.0\" cy=\"40.0\""), "{svg}");
    }
}
