//! A minimal SVG writer: the frame of a chart and text escaping.

use std::fmt::Write;

/// Width of every chart's `viewBox`.
pub(crate) const WIDTH: f64 = 640.0;
/// Height of every chart's `viewBox`.
pub(crate) const HEIGHT: f64 = 360.0;

/// Escapes text for SVG/XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An SVG document under construction.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Opens a document with a title (shown as a heading and kept for screen readers).
    pub fn new(title: &str) -> Svg {
        let t = escape(title);
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
             role=\"img\" aria-label=\"{t}\" font-family=\"sans-serif\" font-size=\"12\">\
             <title>{t}</title>\
             <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#fff\"/>\
             <text x=\"{x}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" \
             font-weight=\"bold\">{t}</text>",
            x = WIDTH / 2.0
        );
        Svg { out }
    }

    /// Opens a document whose parts can be focused (points naming their track): a group
    /// with a title and a description, not an image, so that its children stay reachable.
    pub fn new_group(title: &str, description: &str) -> Svg {
        let (t, d) = (escape(title), escape(description));
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
             role=\"group\" aria-label=\"{t}\" font-family=\"sans-serif\" font-size=\"12\">\
             <title>{t}</title><desc>{d}</desc>\
             <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#fff\"/>\
             <text x=\"{x}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" \
             font-weight=\"bold\" aria-hidden=\"true\">{t}</text>",
            x = WIDTH / 2.0
        );
        Svg { out }
    }

    /// Appends raw markup.
    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A text element; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, anchor: &str, s: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
            escape(s)
        );
    }

    /// Text rotated a quarter turn anticlockwise (a vertical axis label).
    pub fn vertical_text(&mut self, x: f64, y: f64, s: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 {x:.1} {y:.1})\">{}</text>",
            escape(s)
        );
    }

    /// A line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
        let _ = write!(
            self.out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\"/>"
        );
    }

    /// A filled rectangle with a tooltip.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) {
        let _ = write!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\">\
             <title>{}</title></rect>",
            escape(tip)
        );
    }

    /// Closes the document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// The plotting area inside the margins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Area {
    /// The default area, leaving room for the title, axes and labels.
    pub fn standard() -> Area {
        Area {
            left: 64.0,
            top: 40.0,
            right: WIDTH - 16.0,
            bottom: HEIGHT - 56.0,
        }
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }
}

/// Maps a value range onto a pixel range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
}

impl Scale {
    pub fn at(&self, v: f64) -> f64 {
        let span = self.hi - self.lo;
        let t = if span > 0.0 {
            (v - self.lo) / span
        } else {
            0.5
        };
        self.from + t * (self.to - self.from)
    }
}

/// Draws a vertical value axis with gridlines at the ticks.
pub(crate) fn y_axis(svg: &mut Svg, area: Area, scale: Scale, ticks: &[f64], label: &str) {
    for &t in ticks {
        let y = scale.at(t);
        svg.line(area.left, y, area.right, y, "#e5e5e5");
        svg.text(
            area.left - 6.0,
            y + 4.0,
            "end",
            &crate::axis::format_tick(t, ticks),
        );
    }
    svg.line(area.left, area.top, area.left, area.bottom, "#333");
    if !label.is_empty() {
        svg.vertical_text(16.0, (area.top + area.bottom) / 2.0, label);
    }
}

/// Draws a horizontal value axis with ticks.
pub(crate) fn x_axis(svg: &mut Svg, area: Area, scale: Scale, ticks: &[f64], label: &str) {
    svg.line(area.left, area.bottom, area.right, area.bottom, "#333");
    for &t in ticks {
        let x = scale.at(t);
        svg.line(x, area.bottom, x, area.bottom + 4.0, "#333");
        svg.text(
            x,
            area.bottom + 17.0,
            "middle",
            &crate::axis::format_tick(t, ticks),
        );
    }
    if !label.is_empty() {
        svg.text(
            (area.left + area.right) / 2.0,
            HEIGHT - 12.0,
            "middle",
            label,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("r&b <\"x\">"), "r&amp;b &lt;&quot;x&quot;&gt;");
    }

    #[test]
    fn scale_maps_ends_and_flat_ranges() {
        let s = Scale {
            lo: 0.0,
            hi: 10.0,
            from: 300.0,
            to: 100.0,
        };
        assert_eq!(s.at(0.0), 300.0);
        assert_eq!(s.at(5.0), 200.0);
        let flat = Scale {
            lo: 1.0,
            hi: 1.0,
            ..s
        };
        assert_eq!(flat.at(1.0), 200.0);
    }
}
