//! Maps of labelled points whose axes carry no unit (a projection): each point names what
//! it stands for when hovered or focused.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::svg::{escape, Svg, HEIGHT, WIDTH};
use crate::PALETTE;

/// Labelled points in groups (tracks and seeds, say), each group with its own marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointMap {
    /// Title above the map.
    pub title: String,
    /// What the map shows, for screen readers (`<desc>`).
    pub description: String,
    /// Legend name of each group, by group number.
    pub groups: Vec<String>,
    /// The points; non-finite ones are skipped.
    pub points: Vec<LabelledPoint>,
}

/// One point of a [`PointMap`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledPoint {
    /// Horizontal position (any unit: the map keeps only proportions).
    pub x: f64,
    /// Vertical position, up being larger.
    pub y: f64,
    /// What the point stands for.
    pub label: String,
    /// Its group (index into [`PointMap::groups`]).
    pub group: usize,
}

/// The box the points fill: inside a frame below the title and legend, with a margin so
/// that markers never touch the frame.
const FRAME: (f64, f64, f64, f64) = (24.0, 56.0, WIDTH - 24.0, HEIGHT - 16.0);
const MARGIN: f64 = 16.0;

/// Marker shape and colour per group: shape as well as colour, so that seeds stand out
/// without relying on colour.
fn marker(group: usize, x: f64, y: f64) -> String {
    match group % 4 {
        0 => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{}\" fill-opacity=\"0.85\"/>",
            PALETTE[0]
        ),
        1 => format!(
            "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{}\" \
             stroke=\"#222\" stroke-width=\"1.5\"/>",
            x,
            y - 8.0,
            x + 8.0,
            y,
            x,
            y + 8.0,
            x - 8.0,
            y,
            PALETTE[5]
        ),
        2 => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/>",
            x - 5.0,
            y - 5.0,
            PALETTE[2]
        ),
        _ => format!(
            "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{}\"/>",
            x,
            y - 6.0,
            x + 6.0,
            y + 5.0,
            x - 6.0,
            y + 5.0,
            PALETTE[3]
        ),
    }
}

/// Draws the map as an SVG document. One scale for both axes (distances keep their
/// proportions), the points centred in the frame; a lone point (or identical ones) sits in
/// the middle. Each point is a focusable group named by its label, with a tooltip and a text
/// (class `point-label`) that the page may show on hover and focus. Later groups are drawn
/// on top.
pub fn point_map(m: &PointMap) -> String {
    let mut svg = Svg::new_group(&m.title, &m.description);
    let (left, top, right, bottom) = FRAME;
    svg.raw(&format!(
        "<rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ddd\"/>",
        right - left,
        bottom - top
    ));
    legend(&mut svg, &m.groups);

    let points: Vec<&LabelledPoint> = m
        .points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    let bounds = |f: fn(&LabelledPoint) -> f64| {
        points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(f(p)), hi.max(f(p)))
            })
    };
    let (x_lo, x_hi) = bounds(|p| p.x);
    let (y_lo, y_hi) = bounds(|p| p.y);
    let (width, height) = (right - left - 2.0 * MARGIN, bottom - top - 2.0 * MARGIN);
    let scale = [(x_hi - x_lo, width), (y_hi - y_lo, height)]
        .into_iter()
        .filter(|(span, _)| *span > 0.0)
        .map(|(span, room)| room / span)
        .fold(f64::INFINITY, f64::min);
    let scale = if scale.is_finite() { scale } else { 0.0 };
    let (cx, cy) = ((left + right) / 2.0, (top + bottom) / 2.0);
    let (x_mid, y_mid) = ((x_lo + x_hi) / 2.0, (y_lo + y_hi) / 2.0);

    let mut order: Vec<&LabelledPoint> = points;
    order.sort_by_key(|p| p.group);
    for p in order {
        let x = cx + (p.x - x_mid) * scale;
        let y = cy - (p.y - y_mid) * scale;
        let label = escape(&p.label);
        // Right of the point, or left of it in the right half, so the text stays inside.
        let (tx, anchor) = if x > cx {
            (x - 10.0, "end")
        } else {
            (x + 10.0, "start")
        };
        let mut g = String::new();
        let _ = write!(
            g,
            "<g class=\"point\" tabindex=\"0\" role=\"img\" aria-label=\"{label}\">\
             <title>{label}</title>{}\
             <text class=\"point-label\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" \
             paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">{label}</text></g>",
            marker(p.group, x, y),
            y + 4.0
        );
        svg.raw(&g);
    }
    svg.finish()
}

/// A marker and the name of each group, left to right above the frame.
fn legend(svg: &mut Svg, groups: &[String]) {
    let mut x = FRAME.0 + 8.0;
    svg.raw("<g class=\"legend\" aria-hidden=\"true\">");
    for (i, name) in groups.iter().enumerate() {
        svg.raw(&marker(i, x, 42.0));
        svg.text(x + 12.0, 46.0, "start", name);
        // Roughly the width of the name at 12 px: enough room before the next entry.
        x += 36.0 + 7.0 * name.chars().count() as f64;
    }
    svg.raw("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f64, y: f64, label: &str, group: usize) -> LabelledPoint {
        LabelledPoint {
            x,
            y,
            label: label.into(),
            group,
        }
    }

    fn map(points: Vec<LabelledPoint>) -> String {
        point_map(&PointMap {
            title: "Sound map".into(),
            description: "Seeds and tracks".into(),
            groups: vec!["track".into(), "seed".into()],
            points,
        })
    }

    #[test]
    fn one_scale_for_both_axes_centred_in_the_frame() {
        // Frame 24..616 × 56..344, margin 16: room 560 × 256, centre (320, 200). Spans 2 and
        // 1: scale min(560/2, 256/1) = 256. Mid (1, 0.5): (0, 0) -> (320 - 256, 200 + 128)
        // = (64, 328); (2, 1) -> (576, 72); (1, 0.5) -> the centre.
        let svg = map(vec![
            point(0.0, 0.0, "a", 0),
            point(2.0, 1.0, "b", 0),
            point(1.0, 0.5, "c", 1),
            point(f64::NAN, 0.0, "lost", 0),
        ]);
        assert!(svg.contains("<circle cx=\"64.0\" cy=\"328.0\""), "{svg}");
        assert!(svg.contains("<circle cx=\"576.0\" cy=\"72.0\""), "{svg}");
        // The seed's diamond: corners 8 px around (320, 200).
        assert!(
            svg.contains("points=\"320.0,192.0 328.0,200.0 320.0,208.0 312.0,200.0\""),
            "{svg}"
        );
        assert!(!svg.contains("lost"));
        assert_eq!(svg.matches("class=\"point\" tabindex=\"0\"").count(), 3);
        // Left half: label after the point; right half: before it, anchored at its end.
        assert!(
            svg.contains("x=\"74.0\" y=\"332.0\" text-anchor=\"start\""),
            "{svg}"
        );
        assert!(
            svg.contains("x=\"566.0\" y=\"76.0\" text-anchor=\"end\""),
            "{svg}"
        );
        // Seeds are drawn last, on top.
        assert!(svg.find("aria-label=\"c\"").unwrap() > svg.find("aria-label=\"b\"").unwrap());
    }

    #[test]
    fn a_lone_point_sits_in_the_middle_and_labels_are_escaped() {
        let svg = map(vec![point(5.0, -3.0, "AC/DC <live> & \"more\"", 0)]);
        assert!(svg.contains("<circle cx=\"320.0\" cy=\"200.0\""), "{svg}");
        assert!(svg.contains("aria-label=\"AC/DC &lt;live&gt; &amp; &quot;more&quot;\""));
        assert!(!svg.contains("<live>"));
    }

    #[test]
    fn a_focusable_group_with_a_legend_of_both_shapes() {
        let svg = map(vec![point(0.0, 0.0, "a", 0), point(0.0, 1.0, "b", 1)]);
        assert!(svg.starts_with("<svg") && svg.contains("role=\"group\""));
        assert!(!svg[..svg.find('>').unwrap()].contains("role=\"img\""));
        assert!(svg.contains("<desc>Seeds and tracks</desc>"));
        let legend = &svg[svg.find("class=\"legend\"").unwrap()..];
        assert!(legend.contains(">track</text>") && legend.contains(">seed</text>"));
        assert!(legend.contains("<circle") && legend.contains("<polygon"));
        // One span is zero: the other sets the scale (room 256 over 1): (0, 0) -> (320, 328).
        assert!(svg.contains("<circle cx=\"320.0\" cy=\"328.0\""), "{svg}");
    }
}
