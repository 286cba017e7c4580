//! Line charts: several series along positions 1, 2, 3...

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::axis::nice_ticks;
use crate::svg::{x_axis, y_axis, Area, Scale, Svg};
use crate::PALETTE;

/// Several lines over the positions 1..=n.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    /// Title above the chart.
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// A fixed value range; `None`: round ticks around the data.
    pub y_range: Option<(f64, f64)>,
    /// The lines.
    pub series: Vec<Line>,
}

/// One line: a value per position (the first is position 1); a missing value breaks it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Name in the legend and the tooltips.
    pub name: String,
    /// The values.
    pub values: Vec<Option<f64>>,
}

/// Dash pattern per line, so that lines differ without colour.
const DASHES: [&str; 4] = ["none", "7 4", "2 3", "9 3 2 3"];

/// A marker per line: circle, square, triangle, diamond.
fn marker(i: usize, x: f64, y: f64, colour: &str) -> String {
    match i % 4 {
        0 => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\">"),
        1 => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{colour}\">",
            x - 3.5,
            y - 3.5
        ),
        2 => format!(
            "<polygon points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{colour}\">",
            y - 4.5,
            x + 4.5,
            y + 3.5,
            x - 4.5,
            y + 3.5
        ),
        _ => format!(
            "<polygon points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\" \
             fill=\"{colour}\">",
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0
        ),
    }
}

fn closing(i: usize) -> &'static str {
    match i % 4 {
        0 => "</circle>",
        1 => "</rect>",
        _ => "</polygon>",
    }
}

/// Draws the chart as an SVG document: each line in its colour, dash pattern and marker, a
/// legend above, every marker with a tooltip naming line, position and value. A missing or
/// non-finite value breaks the line; a value with no neighbour keeps its marker.
pub fn line_chart(c: &LineChart) -> String {
    let mut svg = Svg::new(&c.title);
    let area = Area {
        top: 60.0,
        ..Area::standard()
    };
    let n = c.series.iter().map(|l| l.values.len()).max().unwrap_or(0);
    let value = |v: &Option<f64>| v.filter(|v| v.is_finite());
    let yt = match c.y_range {
        Some((lo, hi)) => nice_ticks(lo, hi, 5),
        None => {
            let (lo, hi) = c
                .series
                .iter()
                .flat_map(|l| l.values.iter().filter_map(value))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            if lo.is_finite() {
                nice_ticks(lo, hi, 5)
            } else {
                vec![0.0, 1.0]
            }
        }
    };
    let y = Scale {
        lo: yt[0],
        hi: *yt.last().expect("ticks"),
        from: area.bottom,
        to: area.top,
    };
    let x = Scale {
        lo: 1.0,
        hi: n.max(1) as f64,
        from: area.left,
        to: area.right,
    };
    // At most about ten position labels.
    let step = n.div_ceil(10).max(1);
    let xt: Vec<f64> = (1..=n.max(1)).step_by(step).map(|p| p as f64).collect();
    y_axis(&mut svg, area, y, &yt, &c.y_label);
    x_axis(&mut svg, area, x, &xt, &c.x_label);

    for (i, line) in c.series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let dash = DASHES[i % DASHES.len()];
        let at = |p: usize, v: f64| (x.at((p + 1) as f64), y.at(v));
        // Runs of consecutive values: one polyline each.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, svg: &mut Svg| {
            if run.len() > 1 {
                let mut points = String::new();
                for (px, py) in run.iter() {
                    let _ = write!(points, "{px:.1},{py:.1} ");
                }
                svg.raw(&format!(
                    "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
                     stroke-dasharray=\"{dash}\" points=\"{}\"/>",
                    points.trim_end()
                ));
            }
            run.clear();
        };
        for (p, v) in line.values.iter().enumerate() {
            match value(v) {
                Some(v) => run.push(at(p, v)),
                None => flush(&mut run, &mut svg),
            }
        }
        flush(&mut run, &mut svg);
        for (p, v) in line.values.iter().enumerate() {
            if let Some(v) = value(v) {
                let (px, py) = at(p, v);
                let tip = format!("{} at {}: {v:.2}", line.name, p + 1);
                svg.raw(&marker(i, px, py, colour));
                svg.raw(&format!("<title>{}</title>", crate::escape(&tip)));
                svg.raw(closing(i));
            }
        }
    }
    legend(&mut svg, area, &c.series);
    svg.finish()
}

/// A dash sample, a marker and the name of each line, left to right above the plot.
fn legend(svg: &mut Svg, area: Area, series: &[Line]) {
    let mut x = area.left;
    let y = 44.0;
    for (i, line) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        svg.raw(&format!(
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" \
             stroke-width=\"2\" stroke-dasharray=\"{}\"/>",
            x + 24.0,
            DASHES[i % DASHES.len()]
        ));
        svg.raw(&marker(i, x + 12.0, y, colour));
        svg.raw(closing(i));
        svg.text(x + 30.0, y + 4.0, "start", &line.name);
        x += 48.0 + 7.0 * line.name.chars().count() as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: Vec<Line>) -> String {
        line_chart(&LineChart {
            title: "Flow".into(),
            x_label: "position".into(),
            y_label: "level".into(),
            y_range: Some((0.0, 1.0)),
            series,
        })
    }

    fn line(name: &str, values: &[Option<f64>]) -> Line {
        Line {
            name: name.into(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn points_sit_on_the_scales_and_a_gap_breaks_the_line() {
        // x: positions 1..=4 over 64..624, so 1 -> 64, 2 -> 64 + 560/3 = 250.7, 4 -> 624.
        // y: 0..1 over 304..60, so 0 -> 304, 1 -> 60, 0.5 -> 182.
        let svg = chart(vec![line(
            "energy",
            &[Some(0.0), Some(1.0), None, Some(0.5)],
        )]);
        assert!(
            svg.contains("points=\"64.0,304.0 250.7,60.0\""),
            "one run of two values: {svg}"
        );
        // The lone value after the gap: a marker, no line.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("<circle cx=\"624.0\" cy=\"182.0\""), "{svg}");
        assert!(svg.contains("<title>energy at 4: 0.50</title>"));
        assert!(!svg.contains("energy at 3"));
    }

    #[test]
    fn a_gap_splits_a_line_into_two_polylines() {
        // x: positions 1..=5 over 64..624, 140 apart: 1 -> 64, 2 -> 204, 4 -> 484, 5 -> 624.
        // y: 0..1 over 304..60, so 0 -> 304, 1 -> 60.
        let svg = chart(vec![line(
            "energy",
            &[Some(0.0), Some(1.0), None, Some(1.0), Some(f64::NAN)],
        )]);
        // NaN counts as missing too: the second run is the lone value at 4.
        assert_eq!(svg.matches("<polyline").count(), 1, "{svg}");
        let svg = chart(vec![line(
            "energy",
            &[Some(0.0), Some(1.0), None, Some(1.0), Some(0.0)],
        )]);
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert!(svg.contains("points=\"64.0,304.0 204.0,60.0\""), "{svg}");
        assert!(svg.contains("points=\"484.0,60.0 624.0,304.0\""), "{svg}");
        assert_eq!(svg.matches("<title>energy at").count(), 4);
    }

    #[test]
    fn lines_differ_in_dash_and_marker_and_the_legend_names_them() {
        let svg = chart(vec![
            line("energy", &[Some(0.1), Some(0.2)]),
            line("mood <valence>", &[Some(0.3), Some(0.4)]),
        ]);
        assert!(svg.contains("stroke-dasharray=\"none\" points="));
        assert!(svg.contains("stroke-dasharray=\"7 4\" points="));
        assert!(svg.contains(">energy</text>"));
        assert!(svg.contains(">mood &lt;valence&gt;</text>"));
        // Square markers for the second line (3 = its two values and the legend's).
        assert_eq!(svg.matches("width=\"7\" height=\"7\"").count(), 3);
    }

    #[test]
    fn long_playlists_get_about_ten_position_labels() {
        let values: Vec<Option<f64>> = (0..30).map(|i| Some(f64::from(i) / 30.0)).collect();
        let svg = chart(vec![line("energy", &values)]);
        // Step 3: 1, 4, ..., 28.
        for p in [">1</text>", ">4</text>", ">28</text>"] {
            assert!(svg.contains(p), "{p}");
        }
        assert!(!svg.contains(">2</text>") && !svg.contains(">30</text>"));
        // A single position sits in the middle (the scale of a flat range).
        let one = chart(vec![line("energy", &[Some(1.0)])]);
        assert!(one.contains("<circle cx=\"344.0\" cy=\"60.0\""), "{one}");
    }
}
