//! The results of an evaluation: serialisable (the `--json` document) and printable as tables.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cold::{ColdStats, COLD};

use crate::config::EvalConfig;
use crate::metrics::Summary;
use crate::protocol::Protocol;
use selecta_model::Learned;

/// Everything an evaluation measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The settings it ran with.
    pub config: EvalConfig,
    /// Tracks in the catalog.
    pub tracks: usize,
    /// Playlists in the catalog.
    pub playlists: usize,
    /// The seed's metrics, one row per recommender.
    pub neighbours: Vec<NeighbourRow>,
    /// The weights the whole-catalog model (the seed's metrics) learned, when learning.
    pub learned: Option<LearnedSummary>,
    /// One block per protocol run.
    pub continuation: Vec<ProtocolReport>,
    /// Wall-clock time of the whole evaluation.
    pub seconds: f64,
}

/// The seed project's metrics for one recommender: `neighbours` recommendations for each
/// sampled query track, every (query, recommendation) pair scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeighbourRow {
    /// Who recommended.
    pub recommender: String,
    /// Pairs scored.
    pub pairs: usize,
    /// CorrectGenreShare: share of pairs sharing a genre.
    pub genre_share: Option<Summary>,
    /// CorrectSubgenreShare: share of pairs sharing a subgenre.
    pub subgenre_share: Option<Summary>,
    /// CorrectAlbumShare: share of pairs from the same album.
    pub album_share: Option<Summary>,
    /// CorrectArtistShare: share of pairs sharing at least one artist.
    pub artist_share: Option<Summary>,
    /// YearMeanDiff: mean absolute release-year difference (pairs with both years).
    pub year_diff: Option<Summary>,
    /// SoundParametersDiff: mean L2 norm of the relative sound-parameter differences.
    pub sound_diff: Option<Summary>,
}

/// Playlist continuation under one protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolReport {
    /// Which protocol.
    pub protocol: Protocol,
    /// Playlists scored.
    pub scored: usize,
    /// Playlists the scoring models could learn from (strict: the training playlists; seed:
    /// per fold, about (folds − 1) / folds of them).
    pub training: usize,
    /// One row per recommender.
    pub rows: Vec<ContinuationRow>,
    /// The weights each scoring model learned (one per fold or split), when learning.
    pub learned: Vec<LearnedSummary>,
    /// What the cold-seed run met (its scores are the row [`crate::cold::COLD`]).
    #[serde(default)]
    pub cold: Option<ColdStats>,
    /// Seconds spent fitting models and scoring.
    pub seconds: f64,
}

/// Continuation scores of one recommender (means over the scored playlists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuationRow {
    /// Who recommended.
    pub recommender: String,
    /// R-precision (higher is better).
    pub r_precision: Option<Summary>,
    /// NDCG@R (higher is better).
    pub ndcg: Option<Summary>,
    /// RecSys Challenge 2018 clicks (lower is better).
    pub clicks: Option<Summary>,
}

impl Report {
    /// The continuation block of a protocol.
    pub fn protocol(&self, p: Protocol) -> Option<&ProtocolReport> {
        self.continuation.iter().find(|r| r.protocol == p)
    }
}

impl ProtocolReport {
    /// The row of a recommender.
    pub fn row(&self, recommender: &str) -> Option<&ContinuationRow> {
        self.rows.iter().find(|r| r.recommender == recommender)
    }
}

/// `mean ± half width`, or `-`.
fn cell(s: &Option<Summary>, decimals: usize) -> String {
    match s {
        Some(s) => format!("{:.decimals$} ± {:.decimals$}", s.mean, s.half_width()),
        None => "-".into(),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Catalog: {} tracks, {} playlists. Means with 95% confidence intervals.",
            self.tracks, self.playlists
        )?;
        if !self.neighbours.is_empty() {
            writeln!(
                f,
                "\nThe seed's metrics ({} neighbours of {} sampled tracks, seed {}):",
                self.config.neighbours, self.config.sample, self.config.seed
            )?;
            writeln!(
                f,
                "{:<18} {:>15} {:>15} {:>15} {:>15} {:>13} {:>13}",
                "recommender",
                "genre share",
                "subgenre share",
                "album share",
                "artist share",
                "year diff",
                "sound diff"
            )?;
            for r in &self.neighbours {
                writeln!(
                    f,
                    "{:<18} {:>15} {:>15} {:>15} {:>15} {:>13} {:>13}",
                    r.recommender,
                    cell(&r.genre_share, 3),
                    cell(&r.subgenre_share, 3),
                    cell(&r.album_share, 3),
                    cell(&r.artist_share, 3),
                    cell(&r.year_diff, 2),
                    cell(&r.sound_diff, 2),
                )?;
            }
        }
        if let Some(l) = &self.learned {
            writeln!(f, "{}", learned_line("Selecta's weights", l))?;
        }
        for p in &self.continuation {
            let labels = if p.protocol == Protocol::Seed && self.config.known_labels {
                ", labels from the known playlists only"
            } else {
                ""
            };
            writeln!(
                f,
                "\nPlaylist continuation, {} protocol ({} playlists scored, {} to learn from{labels}, {:.1} s):",
                p.protocol, p.scored, p.training, p.seconds
            )?;
            writeln!(
                f,
                "{:<18} {:>17} {:>17} {:>15}",
                "recommender", "R-precision", "NDCG@R", "clicks"
            )?;
            for r in &p.rows {
                writeln!(
                    f,
                    "{:<18} {:>17} {:>17} {:>15}",
                    r.recommender,
                    cell(&r.r_precision, 4),
                    cell(&r.ndcg, 4),
                    cell(&r.clicks, 2),
                )?;
            }
            if let Some(c) = &p.cold {
                let warm = p.row("Selecta").and_then(|r| r.r_precision.as_ref());
                let cold = p.row(COLD).and_then(|r| r.r_precision.as_ref());
                if let (Some(w), Some(c)) = (warm, cold) {
                    if w.mean > 0.0 {
                        writeln!(f, "cold / warm R-precision: {:.3}", c.mean / w.mean)?;
                    }
                }
                writeln!(
                    f,
                    "cold seeds: {} given, {} matched to another release, {} estimated from their \
                     artists' tracks, {} left out; {} of {} playlists lost all their seeds{}; \
                     {} models, each fitted without the seeds of its group of playlists; {} hidden \
                     tracks were other playlists' seeds (counted as misses); {:.1} s",
                    c.seeds,
                    c.same_recording,
                    c.proxy,
                    c.skipped,
                    c.lost_all_seeds,
                    c.playlists,
                    c.lost_all_message
                        .as_deref()
                        .map(|m| format!(" (the answer then: \"{m}\")"))
                        .unwrap_or_default(),
                    c.models,
                    c.hidden_removed,
                    c.seconds,
                )?;
            }
            for (i, l) in p.learned.iter().enumerate() {
                let which = format!("model {}/{}", i + 1, p.learned.len());
                writeln!(f, "{}", learned_line(&which, l))?;
            }
        }
        writeln!(f, "\nTook {:.1} s.", self.seconds)
    }
}

/// What a model learned, as a report keeps it: everything [`Learned`] says except the
/// ranker's trees (thousands of nodes per model, which belong in the model artifact), and of
/// the ranker its size and each feature's share of the split gain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedSummary {
    /// The weights and scores (`ranker` always absent).
    #[serde(flatten)]
    pub learned: Learned,
    /// Trees of the learned ranker, when one was learned.
    #[serde(default)]
    pub ranker_trees: Option<usize>,
    /// The ranker's gain share per feature, largest first, by name.
    #[serde(default)]
    pub ranker_importance: Vec<(String, f64)>,
}

impl From<&Learned> for LearnedSummary {
    fn from(l: &Learned) -> Self {
        let mut importance: Vec<(String, f64)> = l
            .ranker
            .iter()
            .flat_map(|r| r.importance())
            .zip(selecta_model::FEATURE_NAMES)
            .map(|(v, n)| (n.to_owned(), v))
            .collect();
        importance.sort_by(|a, b| b.1.total_cmp(&a.1));
        LearnedSummary {
            learned: Learned {
                ranker: None,
                ..l.clone()
            },
            ranker_trees: l.ranker.as_ref().map(|r| r.trees()),
            ranker_importance: importance,
        }
    }
}

/// One learned weight set on a line: the weights, then the learning score before and after.
fn learned_line(which: &str, s: &LearnedSummary) -> String {
    let l = &s.learned;
    let w = &l.weights;
    format!(
        "{which}, learned from {} playlists: sound {:.3}, artist {:.3}, album {:.3}, \
         co-occurrence {:.3}, related {:.3}, label {:.3}, era {:.3}, harmony {:.3}, \
         closeness {:.3}, other genre {:.4}, seed share {:.3} (held-out score {:.4} -> {:.4}, candidates hold {:.3} of the hidden tracks, {:.0} per playlist)",
        l.tasks,
        w.sound,
        w.artist,
        w.album,
        w.cooccurrence,
        w.related_artists,
        w.label,
        w.era,
        w.harmony,
        w.closeness,
        l.other_genre,
        l.seed_share,
        l.start_score,
        l.score,
        l.recall,
        l.pool
    ) + &ranker_words(s)
}

/// What the ranker adds to a learned line: its score on the tasks it learned from, what its
/// shortlists hold and its most important features.
fn ranker_words(s: &LearnedSummary) -> String {
    let Some(trees) = s.ranker_trees else {
        return String::new();
    };
    let l = &s.learned;
    let top: Vec<String> = s
        .ranker_importance
        .iter()
        .take(8)
        .map(|(n, v)| format!("{n} {v:.2}"))
        .collect();
    format!(
        "; ranker of {trees} trees: {:.4} on the tasks it learned from, shortlists hold {:.3} of \
         the hidden tracks; gain by feature: {}",
        l.ranker_score.unwrap_or(f64::NAN),
        l.shortlist_recall.unwrap_or(f64::NAN),
        top.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_means_and_intervals() {
        let s = Summary::of(&[0.2, 0.4]);
        let report = Report {
            config: EvalConfig::default(),
            tracks: 10,
            playlists: 2,
            neighbours: vec![],
            continuation: vec![ProtocolReport {
                protocol: Protocol::Strict,
                scored: 2,
                training: 8,
                rows: vec![ContinuationRow {
                    recommender: "Selecta".into(),
                    r_precision: s,
                    ndcg: None,
                    clicks: s,
                }],
                learned: vec![],
                cold: None,
                seconds: 1.25,
            }],
            learned: None,
            seconds: 2.0,
        };
        let text = report.to_string();
        // Mean 0.3, half width 1.96 * 0.1414 / sqrt(2) = 0.196.
        assert!(text.contains("0.3000 ± 0.1960"), "{text}");
        assert!(text.contains("strict protocol (2 playlists scored, 8 to learn from"));
        assert!(text.contains("Selecta"));
        assert_eq!(
            report
                .protocol(Protocol::Strict)
                .unwrap()
                .row("Selecta")
                .unwrap()
                .ndcg,
            None
        );

        // Labels from the known playlists only: the seed protocol's heading says so.
        let mut seed = report.clone();
        seed.config.known_labels = true;
        seed.continuation[0].protocol = Protocol::Seed;
        let text = seed.to_string();
        assert!(
            text.contains("8 to learn from, labels from the known playlists only, 1.2 s"),
            "{text}"
        );
        assert!(!report.to_string().contains("labels from"));
    }
}
