//! Entry points of an import: a CSV file (plain or gzip'd, by content), CSV bytes, a folder
//! of `meta.json` files, or `meta.json` objects handed over by an object store.

use std::path::{Path, PathBuf};

use selecta_types::{Text, Track};

use crate::assemble::{finish_parts, Assembler, Problems};
use crate::csv_load::read_csv;
use crate::error::{ImportReport, LoadError};
use crate::input::{decode, read_file};
use crate::meta::{is_meta_key, parse_meta};
use crate::{Catalog, PlaylistInfo};

/// What one import gives before the catalog's indexes are built.
pub(crate) type Parts = (Vec<Track>, Vec<PlaylistInfo>, ImportReport);

fn into_catalog(parts: Parts) -> (Catalog, ImportReport) {
    let (tracks, playlists, report) = parts;
    (Catalog::from_tracks(tracks, playlists), report)
}

/// How strict an import is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Import the valid rows and report the others, instead of refusing the whole import
    /// when a row is invalid.
    pub skip_invalid: bool,
    /// How many problems an error lists (the total is always counted).
    pub max_listed: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            skip_invalid: false,
            max_listed: 20,
        }
    }
}

/// Imports a catalog from a path: a folder is read as a `meta.json` tree, a file as CSV
/// (gzip'd or not, recognised by its first bytes rather than its name).
pub fn load_path(
    path: impl AsRef<Path>,
    opts: &LoadOptions,
) -> Result<(Catalog, ImportReport), LoadError> {
    load_path_parts(path.as_ref(), opts).map(into_catalog)
}

/// [`load_path`] without building the indexes.
pub(crate) fn load_path_parts(path: &Path, opts: &LoadOptions) -> Result<Parts, LoadError> {
    if path.is_dir() {
        return meta_dir_parts(path, opts);
    }
    let bytes = read_file(path)?;
    csv_parts(&path.display().to_string(), &bytes, opts)
}

/// Imports CSV bytes (gzip'd or not); `name` is used in messages (a file name or object key).
pub fn load_csv_bytes(
    name: &str,
    bytes: &[u8],
    opts: &LoadOptions,
) -> Result<(Catalog, ImportReport), LoadError> {
    csv_parts(name, bytes, opts).map(into_catalog)
}

fn csv_parts(name: &str, bytes: &[u8], opts: &LoadOptions) -> Result<Parts, LoadError> {
    let text = decode(name, bytes)?;
    let mut assembler = Assembler::default();
    let mut problems = Problems::new(opts);
    let rows = read_csv(name, &text, &mut assembler, &mut problems)?;
    finish_parts(name, rows, assembler, problems, opts)
}

/// Imports every `meta.json` under a folder (`tracks/<genre>/<artist_track>/meta.json`; the
/// genre folder becomes one of the track's genres). Other files are ignored.
pub fn load_meta_dir(
    dir: impl AsRef<Path>,
    opts: &LoadOptions,
) -> Result<(Catalog, ImportReport), LoadError> {
    meta_dir_parts(dir.as_ref(), opts).map(into_catalog)
}

fn meta_dir_parts(dir: &Path, opts: &LoadOptions) -> Result<Parts, LoadError> {
    let mut files = Vec::new();
    collect_meta_files(dir, &mut files)?;
    files.sort();
    let mut objects = Vec::with_capacity(files.len());
    for f in files {
        let bytes = read_file(&f)?;
        objects.push((f.display().to_string(), bytes));
    }
    import_meta(&dir.display().to_string(), objects, opts)
}

fn collect_meta_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        // Not following symlinked folders: a link cycle must not hang the import.
        let kind = entry.file_type().map_err(io)?;
        let path = entry.path();
        if kind.is_dir() {
            collect_meta_files(&path, out)?;
        } else if entry.file_name() == "meta.json" {
            out.push(path);
        }
    }
    Ok(())
}

/// Imports `meta.json` objects given as (key, bytes), e.g. the objects of an S3 prefix.
/// Keys not ending in `meta.json` (the `audio.mp3` beside them) are ignored; the genre is
/// taken from `.../tracks/<genre>/<artist_track>/meta.json` keys. Objects are read in key order.
pub fn load_meta_objects(
    objects: impl IntoIterator<Item = (String, Vec<u8>)>,
    opts: &LoadOptions,
) -> Result<(Catalog, ImportReport), LoadError> {
    let mut objects: Vec<(String, Vec<u8>)> = objects
        .into_iter()
        .filter(|(key, _)| is_meta_key(key))
        .collect();
    objects.sort_by(|a, b| a.0.cmp(&b.0));
    let name = common_prefix(objects.iter().map(|(k, _)| k.as_str()));
    import_meta(&name, objects, opts).map(into_catalog)
}

/// The folder part all keys share, to name a set of objects in messages.
fn common_prefix<'a>(mut keys: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = keys.next() else {
        return "the given objects".to_string();
    };
    let mut prefix = first;
    for k in keys {
        // Compared by characters, not bytes: `é` and `è` share their first UTF-8 byte, and a
        // cut after it would not be a `str` boundary.
        let n: usize = prefix
            .chars()
            .zip(k.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum();
        prefix = &prefix[..n];
    }
    match prefix.rfind('/') {
        Some(at) => prefix[..=at].to_string(),
        None if prefix == first => first.to_string(),
        None => "the given objects".to_string(),
    }
}

fn import_meta(
    source_name: &str,
    objects: Vec<(String, Vec<u8>)>,
    opts: &LoadOptions,
) -> Result<Parts, LoadError> {
    if objects.is_empty() {
        return Err(LoadError::NoMetaFiles {
            source_name: source_name.to_string(),
        });
    }
    let mut assembler = Assembler::default();
    let mut problems = Problems::new(opts);
    let rows = objects.len();
    for (key, bytes) in objects {
        match parse_meta(&key, &bytes) {
            Ok(mut track) => {
                let genres = std::mem::take(&mut track.genres);
                let genres: Vec<&str> = genres.iter().map(Text::as_str).collect();
                let id = track.id.clone();
                assembler.push(&id, &genres, &[], None, move || track);
            }
            Err(p) => problems.add_row(p),
        }
    }
    finish_parts(source_name, rows, assembler, problems, opts)
}

impl Catalog {
    /// Imports a catalog from a path with the default (strict) options, see [`load_path`].
    pub fn load(path: impl AsRef<Path>) -> Result<Catalog, LoadError> {
        load_path(path, &LoadOptions::default()).map(|(c, _)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_set_of_objects_by_their_shared_folder() {
        let keys = ["b/tracks/pop/x/meta.json", "b/tracks/rock/y/meta.json"];
        assert_eq!(common_prefix(keys.into_iter()), "b/tracks/");
        assert_eq!(common_prefix(["meta.json"].into_iter()), "meta.json");
        assert_eq!(common_prefix(std::iter::empty()), "the given objects");
    }

    #[test]
    fn the_shared_folder_is_cut_between_characters() {
        // `é` is C3 A9 and `è` C3 A8: a byte-wise comparison stops inside the character.
        let keys = ["tracks/é/meta.json", "tracks/è/meta.json"];
        assert_eq!(common_prefix(keys.into_iter()), "tracks/");
        let keys = ["é", "è"];
        assert_eq!(common_prefix(keys.into_iter()), "the given objects");
        let keys = [
            "chanson/éa/meta.json",
            "chanson/éb/meta.json",
            "chanson/è/x",
        ];
        assert_eq!(common_prefix(keys.into_iter()), "chanson/");
        let keys = ["ré/x/meta.json", "ré/y/meta.json"];
        assert_eq!(common_prefix(keys.into_iter()), "ré/");
        // Four-byte characters that share three bytes (U+1F3A7, U+1F3A8).
        let keys = ["🎧/a/meta.json", "🎨/a/meta.json"];
        assert_eq!(common_prefix(keys.into_iter()), "the given objects");
    }

    #[test]
    fn objects_under_accented_folders_load() {
        let meta = |id: &str| {
            format!(r#"{{"track_id": "{id}", "track_name": "T", "artist_name": ["X"]}}"#)
                .into_bytes()
        };
        let objects = vec![
            ("seed/tracks/é/a/meta.json".to_string(), meta("a")),
            ("seed/tracks/è/b/meta.json".to_string(), meta("b")),
        ];
        let (c, r) = load_meta_objects(objects, &LoadOptions::default()).unwrap();
        assert_eq!((c.len(), r.rows_read), (2, 2));
        // Sharing only the first byte of a character: refused with a message, no panic.
        let objects = vec![
            ("é/meta.json".to_string(), b"{".to_vec()),
            ("è/meta.json".to_string(), b"{".to_vec()),
        ];
        let err = load_meta_objects(objects, &LoadOptions::default()).unwrap_err();
        assert!(!err.to_string().is_empty());
    }

    #[test]
    fn objects_other_than_meta_json_are_ignored() {
        let objects = vec![
            ("tracks/pop/a/audio.mp3".to_string(), vec![0xff, 0xfb]),
            (
                "tracks/pop/a/meta.json".to_string(),
                br#"{"track_id": "a", "track_name": "A", "artist_name": ["X"]}"#.to_vec(),
            ),
        ];
        let (c, r) = load_meta_objects(objects, &LoadOptions::default()).unwrap();
        assert_eq!((c.len(), r.rows_read), (1, 1));
        assert_eq!(c.tracks()[0].genres, ["pop"]);
        let err = load_meta_objects(Vec::new(), &LoadOptions::default()).unwrap_err();
        assert!(matches!(err, LoadError::NoMetaFiles { .. }));
    }
}
