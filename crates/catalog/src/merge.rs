//! Several catalogs as one: the files given (or every CSV of a folder) are imported in turn and
//! merged into one entry per track id.
//!
//! The rule for values that differ: **the first source listed wins**. A later source only
//! fills what earlier ones lack (an empty title, album or artist list, a missing date, year,
//! popularity, duration, explicit flag, album id, ISRC, or any single missing audio feature),
//! and adds the genres and subgenres not yet listed, in order. Artist ids are filled only from
//! a source that names the same artists, so that they stay parallel to the names. Playlists
//! with the same id are one playlist: the first source's name and labels, the union of
//! their tracks.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use selecta_types::{AudioFeatures, Feature, Text, Track};

use crate::catalog::id_order;
use crate::error::{ImportReport, LoadError};
use crate::load::{load_path_parts, Parts};
use crate::{Catalog, LoadOptions, PlaylistInfo};

/// What one source gave to a merge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeSource {
    /// The source's own import report (rows read, refused, its layout...).
    pub report: ImportReport,
    /// Tracks this source added to the catalog (ids no earlier source had).
    pub new_tracks: usize,
    /// Tracks of this source an earlier source already had: merged into that entry, filling
    /// only what it lacked.
    pub duplicates_merged: usize,
}

/// What a merge did, source by source in the order given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// One entry per source, in merge order.
    pub sources: Vec<MergeSource>,
    /// Distinct tracks in the merged catalog.
    pub tracks: usize,
    /// Distinct playlists in the merged catalog.
    pub playlists: usize,
}

impl MergeReport {
    /// Tracks found in more than one source, counted once per extra source.
    pub fn duplicates_merged(&self) -> usize {
        self.sources.iter().map(|s| s.duplicates_merged).sum()
    }

    /// Rows refused as invalid in all sources (only with `skip_invalid`; otherwise an invalid
    /// row fails the merge).
    pub fn rows_refused(&self) -> usize {
        self.sources.iter().map(|s| s.report.rows_skipped).sum()
    }
}

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "merged {} catalog{} into {} tracks and {} playlists ({} duplicates merged, {} rows refused)",
            self.sources.len(),
            if self.sources.len() == 1 { "" } else { "s" },
            self.tracks,
            self.playlists,
            self.duplicates_merged(),
            self.rows_refused(),
        )?;
        for s in &self.sources {
            let r = &s.report;
            write!(
                f,
                "\n  {}: {} new tracks, {} already in an earlier catalog, {} of {} rows refused",
                r.source_name, s.new_tracks, s.duplicates_merged, r.rows_skipped, r.rows_read
            )?;
            if let Some(layout) = r.layout {
                write!(f, " ({layout})")?;
            }
        }
        Ok(())
    }
}

/// The catalog files a `--catalog` path stands for: a file is itself; a folder holding
/// `*.csv` or `*.csv.gz` files (directly, not in subfolders) stands for those, sorted by name;
/// any other folder is a `meta.json` tree and stands for itself.
pub fn catalog_files(path: impl AsRef<Path>) -> Result<Vec<PathBuf>, LoadError> {
    let path = path.as_ref();
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let io = |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut csv = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().to_lowercase();
        let is_csv = name.ends_with(".csv") || name.ends_with(".csv.gz");
        // Hidden files are editor and download leftovers (`.~lock.a.csv#`, `._a.csv`).
        if is_csv && !name.starts_with('.') && entry.file_type().map_err(io)?.is_file() {
            csv.push(entry.path());
        }
    }
    if csv.is_empty() {
        return Ok(vec![path.to_path_buf()]);
    }
    csv.sort();
    Ok(csv)
}

/// Imports every path (expanded by [`catalog_files`]) in order and merges them by the rule of
/// this module: one entry per track id, the first source winning on conflicting values.
/// Each file is imported with `opts`; an error in any file fails the merge, naming the file.
pub fn load_merged<P: AsRef<Path>>(
    paths: &[P],
    opts: &LoadOptions,
) -> Result<(Catalog, MergeReport), LoadError> {
    let mut merger = CatalogMerger::new();
    for path in paths {
        for file in catalog_files(path)? {
            merger.add_path(&file, opts)?;
        }
    }
    Ok(merger.finish())
}

/// Merges catalogs one source at a time (files, catalogs already in memory, tracks learned
/// elsewhere), by the rule of this module.
#[derive(Debug, Default)]
pub struct CatalogMerger {
    tracks: Vec<Track>,
    /// Indices of `tracks` sorted by id, rebuilt after each source (a source's own ids are
    /// unique, so it never needs to see its own tracks).
    by_id: Vec<u32>,
    playlists: Vec<PlaylistInfo>,
    playlist_at: HashMap<String, usize>,
    sources: Vec<MergeSource>,
}

impl CatalogMerger {
    /// An empty merge.
    pub fn new() -> Self {
        CatalogMerger::default()
    }

    /// Imports a file or a `meta.json` folder (see [`crate::load_path`]) and merges it in.
    pub fn add_path(
        &mut self,
        path: impl AsRef<Path>,
        opts: &LoadOptions,
    ) -> Result<(), LoadError> {
        let path = path.as_ref();
        let parts = load_path_parts(path, opts)?;
        self.add_parts(parts);
        Ok(())
    }

    /// Merges in a catalog already loaded; `source_name` names it in the report.
    pub fn add_catalog(&mut self, source_name: &str, catalog: Catalog) {
        let (tracks, playlists) = catalog.into_parts();
        let report = ImportReport {
            source_name: source_name.to_string(),
            rows_read: tracks.len(),
            rows_imported: tracks.len(),
            tracks: tracks.len(),
            playlists: playlists.len(),
            ..ImportReport::default()
        };
        self.add_parts((tracks, playlists, report));
    }

    /// Merges in tracks (for example tracks learned through Spotify lookups). Repeated ids
    /// within `tracks` are merged as if they came from successive sources.
    pub fn add_tracks(&mut self, source_name: &str, tracks: Vec<Track>) {
        let mut report = ImportReport {
            source_name: source_name.to_string(),
            rows_read: tracks.len(),
            rows_imported: tracks.len(),
            ..ImportReport::default()
        };
        // Unique ids first, as `add_parts` expects; the rest fill in afterwards.
        let mut seen = HashSet::new();
        let (unique, repeats): (Vec<Track>, Vec<Track>) =
            tracks.into_iter().partition(|t| seen.insert(t.id.clone()));
        report.tracks = unique.len();
        self.add_parts((unique, Vec::new(), report));
        let extra = repeats.len();
        if extra > 0 {
            for t in repeats {
                if let Some(i) = self.find(&t.id) {
                    fill_missing(&mut self.tracks[i], t);
                }
            }
            if let Some(last) = self.sources.last_mut() {
                last.duplicates_merged += extra;
            }
        }
    }

    fn find(&self, id: &str) -> Option<usize> {
        let at = self
            .by_id
            .partition_point(|&i| self.tracks[i as usize].id.as_str() < id);
        let i = *self.by_id.get(at)? as usize;
        (self.tracks[i].id == id).then_some(i)
    }

    /// Merges one source whose track ids are unique.
    fn add_parts(&mut self, (tracks, playlists, report): Parts) {
        let mut source = MergeSource {
            report,
            ..MergeSource::default()
        };
        if self.tracks.is_empty() {
            source.new_tracks = tracks.len();
            self.tracks = tracks;
        } else {
            for t in tracks {
                match self.find(&t.id) {
                    Some(i) => {
                        fill_missing(&mut self.tracks[i], t);
                        source.duplicates_merged += 1;
                    }
                    None => {
                        self.tracks.push(t);
                        source.new_tracks += 1;
                    }
                }
            }
        }
        self.by_id = id_order(&self.tracks);
        for p in playlists {
            self.add_playlist(p);
        }
        tracing::info!(
            source = source.report.source_name,
            new_tracks = source.new_tracks,
            duplicates = source.duplicates_merged,
            "catalog merged"
        );
        self.sources.push(source);
    }

    fn add_playlist(&mut self, p: PlaylistInfo) {
        match self.playlist_at.get(&p.id) {
            Some(&at) => {
                let into = &mut self.playlists[at];
                let known: HashSet<String> = into.track_ids.iter().cloned().collect();
                into.track_ids
                    .extend(p.track_ids.into_iter().filter(|id| !known.contains(id)));
            }
            None => {
                self.playlist_at.insert(p.id.clone(), self.playlists.len());
                self.playlists.push(p);
            }
        }
    }

    /// The merged catalog (indexes built) and the report.
    pub fn finish(self) -> (Catalog, MergeReport) {
        let catalog = Catalog::from_tracks(self.tracks, self.playlists);
        let report = MergeReport {
            sources: self.sources,
            tracks: catalog.len(),
            playlists: catalog.playlists().len(),
        };
        (catalog, report)
    }
}

/// Fills what `into` lacks from `from` (same id, later source), by the module's rule.
fn fill_missing(into: &mut Track, from: Track) {
    if into.name.is_empty() {
        into.name = from.name;
    }
    if into.artists.is_empty() {
        into.artists = from.artists;
        into.artist_ids = from.artist_ids;
    } else if into.artist_ids.is_empty()
        && !from.artist_ids.is_empty()
        && same_artists(&into.artists, &from.artists)
    {
        into.artist_ids = from.artist_ids;
    }
    if into.album.is_empty() {
        into.album = from.album;
    }
    fill(&mut into.album_id, from.album_id);
    fill(&mut into.release_date, from.release_date);
    fill(&mut into.year, from.year);
    fill(&mut into.popularity, from.popularity);
    fill(&mut into.duration_ms, from.duration_ms);
    fill(&mut into.explicit, from.explicit);
    fill(&mut into.isrc, from.isrc);
    fill_features(&mut into.features, from.features);
    union(&mut into.genres, from.genres);
    union(&mut into.subgenres, from.subgenres);
}

fn fill<T>(into: &mut Option<T>, from: Option<T>) {
    if into.is_none() {
        *into = from;
    }
}

fn fill_feature(into: &mut Feature, from: Feature) {
    if into.is_none() {
        *into = from;
    }
}

fn fill_features(into: &mut AudioFeatures, from: AudioFeatures) {
    fill_feature(&mut into.danceability, from.danceability);
    fill_feature(&mut into.energy, from.energy);
    fill(&mut into.key, from.key);
    fill_feature(&mut into.loudness, from.loudness);
    fill(&mut into.mode, from.mode);
    fill_feature(&mut into.speechiness, from.speechiness);
    fill_feature(&mut into.acousticness, from.acousticness);
    fill_feature(&mut into.instrumentalness, from.instrumentalness);
    fill_feature(&mut into.liveness, from.liveness);
    fill_feature(&mut into.valence, from.valence);
    fill_feature(&mut into.tempo, from.tempo);
    fill(&mut into.time_signature, from.time_signature);
}

/// Same names in the same order, ignoring case and accents: then ids of one list belong to
/// the other's names.
fn same_artists(a: &[Text], b: &[Text]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| crate::normalize(x) == crate::normalize(y))
}

fn union(into: &mut Vec<Text>, from: Vec<Text>) {
    for label in from {
        if !label.is_empty() && !into.contains(&label) {
            into.push(label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str, name: &str) -> Track {
        Track {
            id: id.into(),
            name: name.into(),
            artists: vec!["Queen".into()],
            ..Track::default()
        }
    }

    #[test]
    fn first_source_wins_and_later_ones_fill_gaps() {
        let mut a = track("t1", "Bohemian Rhapsody");
        a.popularity = Some(80.0);
        a.genres = vec!["rock".into()];
        a.features.tempo = Some(72.0).into();
        let mut b = track("t1", "Bohemian Rhapsody - Remastered 2011");
        b.popularity = Some(10.0);
        b.year = Some(1975);
        b.artist_ids = vec!["1dfeR4HaWDbWqFHLkxsg1d".into()];
        b.genres = vec!["classic rock".into(), "rock".into()];
        b.features.tempo = Some(144.0).into();
        b.features.energy = Some(0.4).into();
        let mut m = CatalogMerger::new();
        m.add_tracks("a", vec![a]);
        m.add_tracks("b", vec![b, track("t2", "Other")]);
        let (c, r) = m.finish();
        let t = c.get("t1").unwrap();
        assert_eq!(t.name, "Bohemian Rhapsody");
        assert_eq!(t.popularity, Some(80.0));
        assert_eq!(t.year, Some(1975));
        assert_eq!(t.artist_ids, ["1dfeR4HaWDbWqFHLkxsg1d"]);
        assert_eq!(t.genres, ["rock", "classic rock"]);
        assert_eq!(
            (t.features.tempo.get(), t.features.energy.get()),
            (Some(72.0), Some(0.4))
        );
        assert_eq!((r.tracks, r.duplicates_merged()), (2, 1));
        assert_eq!(
            (r.sources[1].new_tracks, r.sources[1].duplicates_merged),
            (1, 1)
        );
    }

    #[test]
    fn artist_ids_only_from_the_same_artists() {
        let a = track("t1", "Under Pressure");
        let mut b = track("t1", "Under Pressure");
        b.artists = vec!["Queen".into(), "David Bowie".into()];
        b.artist_ids = vec![
            "1dfeR4HaWDbWqFHLkxsg1d".into(),
            "0oSGxfWSnnOXhD2fKuz2Gy".into(),
        ];
        let mut m = CatalogMerger::new();
        m.add_tracks("a", vec![a]);
        m.add_tracks("b", vec![b.clone(), b]);
        let (c, r) = m.finish();
        let t = c.get("t1").unwrap();
        assert_eq!(t.artists, ["Queen"]);
        assert!(t.artist_ids.is_empty());
        assert_eq!(r.sources[1].duplicates_merged, 2);
    }
}
