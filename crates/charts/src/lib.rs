//! Charts as SVG strings, drawn from plain data.
//!
//! One place draws every chart Selecta shows: `selecta eval --html` and the web app's "About
//! the model" page call the same functions. The SVG is written by hand (a few elements: rect,
//! line, circle, text) rather than through a plotting library, so the crate has no font files,
//! no fontconfig and no system dependency: text is left to the viewer's default sans-serif font.
//!
//! - [`bar_chart`]: grouped bars (one group per category, one bar per series), with optional
//!   confidence intervals;
//! - [`histogram`]: counts per bin or per category;
//! - [`scatter`]: points on two numeric axes;
//! - [`point_map`]: labelled points of a projection in groups (seeds and tracks), each
//!   focusable and named;
//! - [`line_chart`]: several lines along positions, with a legend.
//!
//! Every chart has a fixed `viewBox` and scales to its container's width.

mod axis;
mod bar;
mod histogram;
mod line_chart;
mod point_map;
mod scatter;
mod svg;

pub use axis::nice_ticks;
pub use bar::{bar_chart, BarChart, Series};
pub use histogram::{histogram, Bin, Histogram};
pub use line_chart::{line_chart, Line, LineChart};
pub use point_map::{point_map, LabelledPoint, PointMap};
pub use scatter::{scatter, Scatter};
pub use svg::escape;

/// Colours of the series, in order (colour-blind safe, Okabe-Ito).
pub const PALETTE: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
];
