//! The self-contained HTML report of `selecta eval --html`: the tables and every chart inline
//! (no script, no external file).

use std::fmt::Write;

use selecta_charts::escape;

use crate::figures::Figure;
use crate::metrics::Summary;
use crate::report::Report;

fn cell(s: &Option<Summary>, decimals: usize) -> String {
    match s {
        Some(s) => format!(
            "{:.decimals$} <small>[{:.decimals$}, {:.decimals$}]</small>",
            s.mean, s.ci_low, s.ci_high
        ),
        None => "–".into(),
    }
}

/// The page: the report's tables, then `figures` (the report's and the catalog's charts).
pub fn render(report: &Report, figures: &[Figure]) -> String {
    let mut h = String::new();
    h.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Selecta evaluation</title><style>\
         body{font-family:sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}\
         table{border-collapse:collapse;margin:1rem 0}\
         th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}\
         th:first-child,td:first-child{text-align:left}\
         small{color:#666}.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1rem}\
         figure{margin:0}svg{width:100%;height:auto}\
         </style></head><body><h1>Selecta evaluation</h1>",
    );
    let c = &report.config;
    let _ = write!(
        h,
        "<p>Catalog: {} tracks, {} playlists. Means with 95% confidence intervals. \
         Seed {}, split seed {}, {} folds (seed protocol), test share {} (strict protocol), \
         cap per artist {}. Took {:.1} s.</p>",
        report.tracks,
        report.playlists,
        c.seed,
        c.split_seed,
        c.folds,
        c.test_share,
        c.max_per_artist.map_or("none".into(), |m| m.to_string()),
        report.seconds
    );
    if !report.neighbours.is_empty() {
        let _ = write!(
            h,
            "<h2>The seed's metrics</h2><p>{} recommendations for each of {} sampled tracks.</p>\
             <table><tr><th>recommender</th><th>genre share</th><th>subgenre share</th>\
             <th>album share</th><th>artist share</th><th>year diff</th><th>sound diff</th></tr>",
            c.neighbours, c.sample
        );
        for r in &report.neighbours {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.recommender),
                cell(&r.genre_share, 3),
                cell(&r.subgenre_share, 3),
                cell(&r.album_share, 3),
                cell(&r.artist_share, 3),
                cell(&r.year_diff, 2),
                cell(&r.sound_diff, 2)
            );
        }
        h.push_str("</table>");
    }
    for p in &report.continuation {
        let _ = write!(
            h,
            "<h2>Playlist continuation, {} protocol</h2><p>{} playlists scored; models learned \
             from {} playlists.</p><table><tr><th>recommender</th><th>R-precision</th>\
             <th>NDCG@R</th><th>clicks</th></tr>",
            p.protocol, p.scored, p.training
        );
        for r in &p.rows {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.recommender),
                cell(&r.r_precision, 4),
                cell(&r.ndcg, 4),
                cell(&r.clicks, 2)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<h2>Charts</h2><div class=\"figs\">");
    for f in figures {
        let _ = write!(
            h,
            "<figure aria-label=\"{}\">{}</figure>",
            escape(&f.title),
            f.svg
        );
    }
    h.push_str("</div></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EvalConfig;

    #[test]
    fn page_is_self_contained() {
        let report = Report {
            config: EvalConfig::default(),
            tracks: 3,
            playlists: 1,
            neighbours: vec![],
            learned: None,
            continuation: vec![],
            seconds: 0.5,
        };
        let figs = [Figure {
            title: "R&B".into(),
            svg: "<svg></svg>".into(),
        }];
        let page = render(&report, &figs);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<figure aria-label=\"R&amp;B\"><svg></svg></figure>"));
        assert!(!page.contains("<script") && !page.contains("href="));
    }
}
