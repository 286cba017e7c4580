//! Turns validated rows into a catalog (one entry per track id, genres merged, playlists kept)
//! and problems into either a refusal or an import report.

use std::collections::{HashMap, HashSet};

use selecta_types::{Text, Track};

use crate::error::{ImportReport, LoadError, Problem, SkipReason};
use crate::layout::Layout;
#[cfg(test)]
use crate::Catalog;
use crate::{LoadOptions, PlaylistInfo};

/// The playlist a CSV row was collected from (borrowed from the row).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlaylistRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub genre: &'a str,
    pub subgenre: &'a str,
}

/// Collects rows into tracks and playlists in first-seen order.
#[derive(Default)]
pub(crate) struct Assembler {
    tracks: Vec<Track>,
    by_id: HashMap<String, usize>,
    playlists: Vec<PlaylistInfo>,
    /// Playlist id to (position in `playlists`, indices of the tracks already in it).
    playlist_tracks: HashMap<String, (usize, HashSet<usize>)>,
    rows: usize,
}

impl Assembler {
    /// Adds a valid row: its track id, its genre labels, the playlist it came from, and how
    /// to build its track. The track is only built for a new id: a repeated id keeps the
    /// first row's values and gains the row's genres and subgenres (the bundled data repeats
    /// a track once per playlist, with identical values), so repeats cost no allocation.
    pub fn push(
        &mut self,
        id: &str,
        genres: &[&str],
        subgenres: &[&str],
        playlist: Option<PlaylistRef<'_>>,
        build: impl FnOnce() -> Track,
    ) {
        self.rows += 1;
        let index = match self.by_id.get(id) {
            Some(&i) => i,
            None => {
                let mut track = build();
                track.genres.clear();
                track.subgenres.clear();
                self.by_id.insert(id.to_string(), self.tracks.len());
                self.tracks.push(track);
                self.tracks.len() - 1
            }
        };
        let track = &mut self.tracks[index];
        merge_labels(&mut track.genres, genres);
        merge_labels(&mut track.subgenres, subgenres);
        if let Some(p) = playlist {
            if !self.playlist_tracks.contains_key(p.id) {
                // A playlist collected under two genre labels (8 in the bundled data)
                // keeps the first label.
                self.playlists.push(PlaylistInfo {
                    id: p.id.to_string(),
                    name: p.name.to_string(),
                    genre: p.genre.to_string(),
                    subgenre: p.subgenre.to_string(),
                    track_ids: Vec::new(),
                });
                let entry = (self.playlists.len() - 1, HashSet::new());
                self.playlist_tracks.insert(p.id.to_string(), entry);
            }
            let Some((at, seen)) = self.playlist_tracks.get_mut(p.id) else {
                return;
            };
            if seen.insert(index) {
                self.playlists[*at].track_ids.push(id.to_string());
            }
        }
    }

    /// Valid rows pushed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The tracks (unique ids, first-seen order) and playlists collected.
    pub fn into_parts(self) -> (Vec<Track>, Vec<PlaylistInfo>) {
        (self.tracks, self.playlists)
    }

    #[cfg(test)]
    fn into_catalog(self) -> Catalog {
        Catalog::from_tracks(self.tracks, self.playlists)
    }
}

/// Appends labels not yet present, in order (a track has a handful, so a scan is cheapest).
fn merge_labels(into: &mut Vec<Text>, new: &[&str]) {
    for &label in new {
        if !label.is_empty() && !into.iter().any(|l| l == label) {
            into.push(label.into());
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
    /// The layout the CSV header was recognised as.
    pub layout: Option<Layout>,
    /// Valid rows whose artist ids were left out (see [`ImportReport::artist_ids_dropped`]).
    pub artist_ids_dropped: usize,
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
            layout: None,
            artist_ids_dropped: 0,
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
#[cfg(test)]
pub(crate) fn finish(
    source_name: &str,
    rows_read: usize,
    assembler: Assembler,
    problems: Problems,
    opts: &LoadOptions,
) -> Result<(Catalog, ImportReport), LoadError> {
    let (tracks, playlists, report) =
        finish_parts(source_name, rows_read, assembler, problems, opts)?;
    Ok((Catalog::from_tracks(tracks, playlists), report))
}

/// [`finish`] without building the catalog's indexes, for merging several imports.
pub(crate) fn finish_parts(
    source_name: &str,
    rows_read: usize,
    assembler: Assembler,
    problems: Problems,
    opts: &LoadOptions,
) -> Result<(Vec<Track>, Vec<PlaylistInfo>, ImportReport), LoadError> {
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
    let (tracks, playlists) = assembler.into_parts();
    let mut skipped = problems.groups;
    // Most frequent first; ties keep first-seen order (sort is stable).
    skipped.sort_by_key(|r| std::cmp::Reverse(r.count));
    let report = ImportReport {
        source_name: source_name.to_string(),
        rows_read,
        rows_imported: imported,
        rows_skipped: problems.invalid_rows,
        tracks: tracks.len(),
        playlists: playlists.len(),
        skipped,
        layout: problems.layout,
        artist_ids_dropped: problems.artist_ids_dropped,
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
    Ok((tracks, playlists, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Format, ProblemKind};

    fn push(a: &mut Assembler, id: &str, genre: &str, sub: &str, playlist: Option<&str>) {
        let name = playlist.map(|p| format!("list {p}")).unwrap_or_default();
        let playlist = playlist.map(|p| PlaylistRef {
            id: p,
            name: &name,
            genre,
            subgenre: sub,
        });
        a.push(id, &[genre], &[sub], playlist, || Track {
            id: id.into(),
            name: format!("song {id}").into(),
            ..Track::default()
        });
    }

    #[test]
    fn merges_rows_of_one_track() {
        let mut a = Assembler::default();
        push(&mut a, "t1", "pop", "dance pop", Some("p1"));
        push(&mut a, "t2", "rock", "hard rock", Some("p2"));
        push(&mut a, "t1", "edm", "pop edm", Some("p2"));
        push(&mut a, "t1", "pop", "dance pop", Some("p1"));
        push(&mut a, "t1", "pop", "", None);
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
        assert_eq!(c.playlists()[0].name, "list p1");
        assert_eq!(t1.name, "song t1");
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
        push(&mut a, "t1", "pop", "x", None);
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
        push(&mut a, "t1", "pop", "x", None);
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
