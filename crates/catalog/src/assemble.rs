//! Turns validated rows into a catalog (one entry per track id, genres merged, playlists kept)
//! and problems into either a refusal or an import report.

use std::collections::{HashMap, HashSet};

use selecta_types::Track;

use crate::error::{ImportReport, LoadError, Problem, SkipReason};
use crate::{Catalog, LoadOptions, PlaylistInfo};

/// The playlist a CSV row was collected from.
#[derive(Debug, Clone)]
pub(crate) struct PlaylistRef {
    pub id: String,
    pub name: String,
    pub genre: String,
    pub subgenre: String,
}

/// One valid row: a track (its genres are this row's only) and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct RowData {
    pub track: Track,
    pub playlist: Option<PlaylistRef>,
}

/// Collects rows into tracks and playlists in first-seen order.
#[derive(Default)]
pub(crate) struct Assembler {
    tracks: Vec<Track>,
    by_id: HashMap<String, usize>,
    playlists: Vec<PlaylistInfo>,
    playlist_tracks: HashMap<String, (usize, HashSet<String>)>,
    rows: usize,
}

impl Assembler {
    /// Adds a valid row. A repeated track id keeps the first row's values and gains the new
    /// row's genres and subgenres (the bundled data repeats a track once per playlist, with
    /// identical values).
    pub fn push(&mut self, row: RowData) {
        self.rows += 1;
        let RowData { track, playlist } = row;
        if let Some(p) = playlist {
            let (at, seen) = self.playlist_tracks.entry(p.id.clone()).or_insert_with(|| {
                // A playlist collected under two genre labels (8 in the bundled data)
                // keeps the first label.
                self.playlists.push(PlaylistInfo {
                    id: p.id,
                    name: p.name,
                    genre: p.genre,
                    subgenre: p.subgenre,
                    track_ids: Vec::new(),
                });
                (self.playlists.len() - 1, HashSet::new())
            });
            if seen.insert(track.id.clone()) {
                self.playlists[*at].track_ids.push(track.id.clone());
            }
        }
        match self.by_id.get(&track.id) {
            Some(&i) => {
                let existing = &mut self.tracks[i];
                merge_labels(&mut existing.genres, track.genres);
                merge_labels(&mut existing.subgenres, track.subgenres);
            }
            None => {
                self.by_id.insert(track.id.clone(), self.tracks.len());
                let mut track = track;
                let genres = std::mem::take(&mut track.genres);
                let subgenres = std::mem::take(&mut track.subgenres);
                merge_labels(&mut track.genres, genres);
                merge_labels(&mut track.subgenres, subgenres);
                self.tracks.push(track);
            }
        }
    }

    /// Valid rows pushed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn into_catalog(self) -> Catalog {
        Catalog::from_tracks(self.tracks, self.playlists)
    }
}

/// Appends labels not yet present, in order (a track has a handful, so a scan is cheapest).
fn merge_labels(into: &mut Vec<String>, new: Vec<String>) {
    for label in new {
        if !label.is_empty() && !into.contains(&label) {
            into.push(label);
        }
    }
}

/// How many examples a skip reason keeps.
const EXAMPLES_PER_REASON: usize = 3;

/// Problems of one import: counted in all, the first ones kept.
pub(crate) struct Problems {
    max_listed: usize,
    listed: Vec<Problem>,
    total: usize,
    invalid_rows: usize,
    groups: Vec<SkipReason>,
    group_of: HashMap<String, usize>,
}

impl Problems {
    pub fn new(opts: &LoadOptions) -> Self {
        Problems {
            max_listed: opts.max_listed.max(1),
            listed: Vec::new(),
            total: 0,
            invalid_rows: 0,
            groups: Vec::new(),
            group_of: HashMap::new(),
        }
    }

    /// Records the problems of one invalid row.
    pub fn add_row(&mut self, problems: Vec<Problem>) {
        if problems.is_empty() {
            return;
        }
        self.invalid_rows += 1;
        for p in problems {
            self.total += 1;
            let reason = p.reason();
            let g = *self.group_of.entry(reason.clone()).or_insert_with(|| {
                self.groups.push(SkipReason {
                    reason,
                    count: 0,
                    examples: Vec::new(),
                });
                self.groups.len() - 1
            });
            let group = &mut self.groups[g];
            group.count += 1;
            if group.examples.len() < EXAMPLES_PER_REASON {
                group.examples.push(p.clone());
            }
            if self.listed.len() < self.max_listed {
                self.listed.push(p);
            }
        }
    }
}

/// Ends an import: refuses it when rows are invalid (unless skipping them), or when no row is
/// left; otherwise builds the catalog and its report.
pub(crate) fn finish(
    source_name: &str,
    rows_read: usize,
    assembler: Assembler,
    problems: Problems,
    opts: &LoadOptions,
) -> Result<(Catalog, ImportReport), LoadError> {
    let imported = assembler.rows();
    if problems.invalid_rows > 0 && (!opts.skip_invalid || imported == 0) {
        let (source_name, invalid_rows, total_problems, problems) = (
            source_name.to_string(),
            problems.invalid_rows,
            problems.total,
            problems.listed,
        );
        return Err(if opts.skip_invalid {
            LoadError::NoValidRows {
                source_name,
                rows_read,
                invalid_rows,
                total_problems,
                problems,
            }
        } else {
            LoadError::Invalid {
                source_name,
                rows_read,
                invalid_rows,
                total_problems,
                problems,
            }
        });
    }
    let catalog = assembler.into_catalog();
    let mut skipped = problems.groups;
    // Most frequent first; ties keep first-seen order (sort is stable).
    skipped.sort_by_key(|r| std::cmp::Reverse(r.count));
    let report = ImportReport {
        source_name: source_name.to_string(),
        rows_read,
        rows_imported: imported,
        rows_skipped: problems.invalid_rows,
        tracks: catalog.len(),
        playlists: catalog.playlists().len(),
        skipped,
    };
    if report.rows_skipped > 0 {
        tracing::warn!(
            source = source_name,
            skipped = report.rows_skipped,
            "skipped invalid rows"
        );
    }
    tracing::info!(
        source = source_name,
        rows = rows_read,
        tracks = report.tracks,
        playlists = report.playlists,
        "catalog imported"
    );
    Ok((catalog, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Format, ProblemKind};

    fn row(id: &str, genre: &str, sub: &str, playlist: Option<&str>) -> RowData {
        RowData {
            track: Track {
                id: id.into(),
                name: format!("song {id}"),
                genres: vec![genre.into()],
                subgenres: vec![sub.into()],
                ..Track::default()
            },
            playlist: playlist.map(|p| PlaylistRef {
                id: p.into(),
                name: format!("list {p}"),
                genre: genre.into(),
                subgenre: sub.into(),
            }),
        }
    }

    #[test]
    fn merges_rows_of_one_track() {
        let mut a = Assembler::default();
        a.push(row("t1", "pop", "dance pop", Some("p1")));
        a.push(row("t2", "rock", "hard rock", Some("p2")));
        a.push(row("t1", "edm", "pop edm", Some("p2")));
        a.push(row("t1", "pop", "dance pop", Some("p1")));
        a.push(row("t1", "pop", "", None));
        assert_eq!(a.rows(), 5);
        let c = a.into_catalog();
        assert_eq!(c.len(), 2);
        let t1 = c.get("t1").unwrap();
        assert_eq!(t1.genres, ["pop", "edm"]);
        assert_eq!(t1.subgenres, ["dance pop", "pop edm"]);
        assert_eq!(c.playlists().len(), 2);
        assert_eq!(c.playlists()[0].track_ids, ["t1"]);
        assert_eq!(c.playlists()[1].track_ids, ["t2", "t1"]);
        assert_eq!(c.playlists()[1].genre, "rock");
    }

    fn problem(line: u64, column: &str) -> Problem {
        Problem {
            file: "f.csv".into(),
            line: Some(line),
            column: Some(column.into()),
            value: Some("x".into()),
            kind: ProblemKind::NotANumber,
            format: Format::Csv,
        }
    }

    #[test]
    fn refuses_or_reports_invalid_rows() {
        let strict = LoadOptions {
            max_listed: 2,
            ..LoadOptions::default()
        };
        let mut p = Problems::new(&strict);
        p.add_row(vec![problem(2, "energy"), problem(2, "tempo")]);
        p.add_row(vec![problem(5, "energy")]);
        let mut a = Assembler::default();
        a.push(row("t1", "pop", "x", None));
        match finish("f.csv", 3, a, p, &strict) {
            Err(LoadError::Invalid {
                invalid_rows: 2,
                total_problems: 3,
                problems,
                ..
            }) => assert_eq!(problems.len(), 2),
            other => panic!("{other:?}"),
        }

        let lenient = LoadOptions {
            skip_invalid: true,
            ..LoadOptions::default()
        };
        let mut p = Problems::new(&lenient);
        p.add_row(vec![problem(2, "tempo")]);
        p.add_row(vec![problem(3, "energy")]);
        p.add_row(vec![problem(5, "energy")]);
        let mut a = Assembler::default();
        a.push(row("t1", "pop", "x", None));
        let (c, r) = finish("f.csv", 4, a, p, &lenient).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!((r.rows_read, r.rows_imported, r.rows_skipped), (4, 1, 3));
        assert_eq!(r.skipped[0].reason, "energy: not a number");
        assert_eq!(r.skipped[0].count, 2);
        assert_eq!(r.skipped[0].examples[1].line, Some(5));
        assert_eq!(r.skipped[1].reason, "tempo: not a number");

        let mut p = Problems::new(&lenient);
        p.add_row(vec![problem(2, "tempo")]);
        let err = finish("f.csv", 1, Assembler::default(), p, &lenient).unwrap_err();
        assert!(matches!(err, LoadError::NoValidRows { .. }), "{err}");
    }
}
