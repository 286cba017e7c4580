//! The charts of an evaluation and of a catalog, as SVG strings (drawn by `selecta-charts`):
//! what `selecta eval --html` embeds and the web app's "About the model" page shows.

use selecta_catalog::Catalog;
use selecta_charts::{bar_chart, histogram, scatter, BarChart, Histogram, Scatter, Series};
use serde::{Deserialize, Serialize};

use crate::metrics::Summary;
use crate::report::{NeighbourRow, Report};

/// A drawn chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Its title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

fn figure_bar(chart: BarChart) -> Figure {
    Figure {
        title: chart.title.clone(),
        svg: bar_chart(&chart),
    }
}

fn value(s: &Option<Summary>) -> Option<f64> {
    s.map(|s| s.mean)
}

fn interval(s: &Option<Summary>) -> Option<(f64, f64)> {
    s.map(|s| (s.ci_low, s.ci_high))
}

/// The seed's bar charts (each metric, model vs baselines) and the continuation scores per
/// protocol, with 95% confidence intervals.
pub fn report_figures(report: &Report) -> Vec<Figure> {
    type Pick = fn(&NeighbourRow) -> &Option<Summary>;
    let seed_metrics: [(&str, &str, Pick); 6] = [
        ("CorrectGenreShare", "share of pairs", |r| &r.genre_share),
        ("CorrectSubgenreShare", "share of pairs", |r| {
            &r.subgenre_share
        }),
        ("CorrectAlbumShare", "share of pairs", |r| &r.album_share),
        ("CorrectArtistShare", "share of pairs", |r| &r.artist_share),
        ("YearMeanDiff (lower is better)", "years", |r| &r.year_diff),
        ("SoundParametersDiff (lower is better)", "L2 norm", |r| {
            &r.sound_diff
        }),
    ];
    let mut out = Vec::new();
    for (title, y_label, pick) in seed_metrics {
        if report.neighbours.is_empty() {
            break;
        }
        out.push(figure_bar(BarChart {
            title: title.into(),
            y_label: y_label.into(),
            categories: vec![format!("{} neighbours per track", report.config.neighbours)],
            series: report
                .neighbours
                .iter()
                .map(|r| Series {
                    name: r.recommender.clone(),
                    values: vec![value(pick(r))],
                    intervals: vec![interval(pick(r))],
                })
                .collect(),
        }));
    }
    type PickC = fn(&crate::report::ContinuationRow) -> &Option<Summary>;
    let continuation: [(&str, &str, PickC); 3] = [
        (
            "Playlist continuation: R-precision",
            "mean over playlists",
            |r| &r.r_precision,
        ),
        (
            "Playlist continuation: NDCG@R",
            "mean over playlists",
            |r| &r.ndcg,
        ),
        (
            "Playlist continuation: clicks (lower is better)",
            "pages of 10",
            |r| &r.clicks,
        ),
    ];
    if let Some(first) = report.continuation.first() {
        for (title, y_label, pick) in continuation {
            let categories = report
                .continuation
                .iter()
                .map(|p| format!("{} protocol", p.protocol))
                .collect();
            let series = first
                .rows
                .iter()
                .map(|row| {
                    let cells: Vec<Option<Summary>> = report
                        .continuation
                        .iter()
                        .map(|p| p.row(&row.recommender).and_then(|r| *pick(r)))
                        .collect();
                    Series {
                        name: row.recommender.clone(),
                        values: cells.iter().map(value).collect(),
                        intervals: cells.iter().map(interval).collect(),
                    }
                })
                .collect();
            out.push(figure_bar(BarChart {
                title: title.into(),
                y_label: y_label.into(),
                categories,
                series,
            }));
        }
    }
    out
}

/// The catalog's distributions, as the seed project showed them: tracks per genre, release
/// years, durations, and energy against danceability.
pub fn catalog_figures(catalog: &Catalog) -> Vec<Figure> {
    let tracks = catalog.tracks();
    let mut genres: Vec<(String, u64)> = Vec::new();
    for t in tracks {
        for g in &t.genres {
            match genres.iter_mut().find(|(name, _)| name == g) {
                Some(e) => e.1 += 1,
                None => genres.push((g.to_string(), 1)),
            }
        }
    }
    genres.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let years: Vec<f64> = tracks
        .iter()
        .filter_map(|t| t.year)
        .map(f64::from)
        .collect();
    let (y_lo, y_hi) = years
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &y| {
            (l.min(y), h.max(y))
        });
    let (y_lo, y_hi) = if y_lo <= y_hi {
        ((y_lo / 5.0).floor() * 5.0, (y_hi / 5.0).floor() * 5.0 + 5.0)
    } else {
        (1950.0, 2025.0)
    };
    let year_bins = ((y_hi - y_lo) / 5.0).round().max(1.0) as usize;
    let minutes = tracks
        .iter()
        .filter_map(|t| t.duration_ms)
        .map(|ms| f64::from(ms) / 60_000.0);
    let points = tracks
        .iter()
        .filter_map(|t| {
            Some((
                f64::from(t.features.energy.get()?),
                f64::from(t.features.danceability.get()?),
            ))
        })
        .collect();
    let hist = |h: Histogram| Figure {
        title: h.title.clone(),
        svg: histogram(&h),
    };
    vec![
        hist(Histogram::from_counts(
            "Tracks per genre",
            "genre (a track can have several)",
            &genres,
        )),
        hist(Histogram::from_values(
            "Release years",
            "year (5-year bins)",
            years,
            y_lo,
            y_hi,
            year_bins,
        )),
        hist(Histogram::from_values(
            "Durations",
            "minutes (10 and over in the last bin)",
            minutes,
            0.0,
            10.0,
            40,
        )),
        Figure {
            title: "Energy vs danceability".into(),
            svg: scatter(&Scatter {
                title: "Energy vs danceability".into(),
                x_label: "energy".into(),
                y_label: "danceability".into(),
                points,
            }),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::{AudioFeatures, Track};

    #[test]
    fn catalog_figures_count_every_track() {
        let t = |g: &str, year, energy| Track {
            id: format!("{g}{year}").into(),
            genres: vec![g.into()],
            year: Some(year),
            duration_ms: Some(180_000),
            features: AudioFeatures {
                energy: Some(energy).into(),
                danceability: Some(0.5).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        };
        let c = Catalog::from_tracks(
            vec![
                t("pop", 2001, 0.1),
                t("pop", 2019, 0.9),
                t("rock", 1971, 0.5),
            ],
            vec![],
        );
        let figs = catalog_figures(&c);
        assert_eq!(figs.len(), 4);
        assert!(figs[0].svg.contains("<title>pop: 2</title>"));
        assert!(
            figs[1].svg.contains("<title>1970..1975: 1</title>"),
            "{}",
            figs[1].svg
        );
        assert!(
            figs[2].svg.contains("<title>3..3.25: 3</title>"),
            "{}",
            figs[2].svg
        );
        assert_eq!(figs[3].svg.matches("<circle").count(), 3);
    }
}
