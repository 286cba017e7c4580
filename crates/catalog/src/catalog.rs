//! The catalog itself: tracks (one per id, in a stable order), the playlists they came from,
//! and the indexes built once so that lookups by id and by text are cheap.

use std::collections::HashMap;

use selecta_types::Track;
use serde::{Deserialize, Serialize};

use crate::index::TextIndex;

/// A source playlist the catalog was collected from (real listening context, used by evaluation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaylistInfo {
    /// Spotify playlist id.
    pub id: String,
    /// Playlist title.
    pub name: String,
    /// The playlist's genre label.
    pub genre: String,
    /// The playlist's subgenre label.
    pub subgenre: String,
    /// Track ids in the playlist, in file order, without repeats.
    pub track_ids: Vec<String>,
}

/// The catalog: tracks (one per id) and the playlists they came from.
///
/// Serialises as `{tracks, playlists}`; deserialising rebuilds the indexes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "CatalogData")]
pub struct Catalog {
    tracks: Vec<Track>,
    playlists: Vec<PlaylistInfo>,
    #[serde(skip)]
    by_id: HashMap<String, usize>,
    #[serde(skip)]
    text: TextIndex,
}

/// The serialised form of a catalog.
#[derive(Deserialize)]
struct CatalogData {
    #[serde(default)]
    tracks: Vec<Track>,
    #[serde(default)]
    playlists: Vec<PlaylistInfo>,
}

impl From<CatalogData> for Catalog {
    fn from(d: CatalogData) -> Self {
        Catalog::from_tracks(d.tracks, d.playlists)
    }
}

impl Catalog {
    /// Builds a catalog from tracks with unique ids (later duplicates are dropped) and builds
    /// its id and text indexes (under 0.1 s for the 28k bundled tracks in a release build).
    pub fn from_tracks(tracks: Vec<Track>, playlists: Vec<PlaylistInfo>) -> Self {
        let mut c = Catalog {
            tracks: Vec::with_capacity(tracks.len()),
            playlists,
            by_id: HashMap::new(),
            text: TextIndex::default(),
        };
        for t in tracks {
            if !c.by_id.contains_key(&t.id) {
                c.by_id.insert(t.id.clone(), c.tracks.len());
                c.tracks.push(t);
            }
        }
        c.text = TextIndex::build(&c.tracks);
        c
    }

    /// Rebuilds the indexes. Deserialisation does this already; kept for callers that
    /// built a catalog by other means.
    pub fn reindex(&mut self) {
        self.by_id = self
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        self.text = TextIndex::build(&self.tracks);
    }

    /// All tracks, in a stable order; a track's position is its index.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// The source playlists.
    pub fn playlists(&self) -> &[PlaylistInfo] {
        &self.playlists
    }

    /// Number of tracks.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    /// True when the catalog holds no track.
    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// The index of a track id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// A track by id.
    pub fn get(&self, id: &str) -> Option<&Track> {
        self.index_of(id).map(|i| &self.tracks[i])
    }

    /// Indices of the best `limit` tracks for a search-box query: every word must start (or
    /// occur in) a word of the title, the artists or the album; exact titles and artists rank
    /// first, then word starts, then popularity. Case, accents and punctuation are ignored.
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        crate::search::search(&self.text, query, limit)
    }

    /// The "same song" group of a track: tracks with equal [`crate::song_key`] share it.
    /// Cheaper than computing keys, as they were computed once when the catalog was built.
    pub fn song_id(&self, index: usize) -> Option<u32> {
        self.text.texts.get(index).map(|t| t.song)
    }

    pub(crate) fn text_index(&self) -> &TextIndex {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str, name: &str) -> Track {
        Track {
            id: id.into(),
            name: name.into(),
            artists: vec!["A".into()],
            ..Track::default()
        }
    }

    #[test]
    fn keeps_the_first_of_duplicate_ids() {
        let c = Catalog::from_tracks(
            vec![track("a", "One"), track("b", "Two"), track("a", "Three")],
            vec![],
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c.get("a").unwrap().name, "One");
        assert_eq!(c.index_of("b"), Some(1));
        assert_eq!(c.index_of("c"), None);
    }

    #[test]
    fn json_roundtrip_rebuilds_indexes() {
        let c = Catalog::from_tracks(
            vec![track("a", "One - Remastered"), track("b", "One")],
            vec![PlaylistInfo {
                id: "p".into(),
                track_ids: vec!["a".into()],
                ..PlaylistInfo::default()
            }],
        );
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("by_id"));
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back.tracks(), c.tracks());
        assert_eq!(back.playlists(), c.playlists());
        assert_eq!(back.index_of("b"), Some(1));
        assert_eq!(back.search("one", 5), [0, 1]);
        assert_eq!(back.song_id(0), back.song_id(1));
        assert_eq!(back.song_id(2), None);
    }
}
