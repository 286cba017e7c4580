//! The catalog itself: tracks (one per id, in a stable order), the playlists they came from,
//! and the indexes built once so that lookups by id and by text are cheap.

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
    /// Track indices sorted by id, for lookup by binary search (4 bytes a track, where a
    /// hash map of owned ids took about 70).
    #[serde(skip)]
    by_id: Vec<u32>,
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
            tracks,
            playlists,
            by_id: Vec::new(),
            text: TextIndex::default(),
        };
        c.reindex();
        c
    }

    /// Drops tracks whose id repeats an earlier track's and rebuilds the indexes.
    /// Deserialisation does this already; kept for callers that built a catalog by other means.
    pub fn reindex(&mut self) {
        let mut order = id_order(&self.tracks);
        // Equal ids sit side by side, the earliest first: keep that one.
        let repeated: Vec<usize> = order
            .windows(2)
            .filter(|w| self.tracks[w[0] as usize].id == self.tracks[w[1] as usize].id)
            .map(|w| w[1] as usize)
            .collect();
        if !repeated.is_empty() {
            let mut keep = vec![true; self.tracks.len()];
            for i in repeated {
                keep[i] = false;
            }
            let mut at = 0;
            self.tracks.retain(|_| {
                at += 1;
                keep[at - 1]
            });
            order = id_order(&self.tracks);
        }
        self.by_id = order;
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
        let at = self
            .by_id
            .partition_point(|&i| self.tracks[i as usize].id.as_str() < id);
        let i = *self.by_id.get(at)? as usize;
        (self.tracks[i].id == id).then_some(i)
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
        self.text.song(index)
    }

    /// The tracks and playlists, dropping the indexes.
    pub(crate) fn into_parts(self) -> (Vec<Track>, Vec<PlaylistInfo>) {
        (self.tracks, self.playlists)
    }

    pub(crate) fn text_index(&self) -> &TextIndex {
        &self.text
    }
}

/// Track indices sorted by id, then by index.
pub(crate) fn id_order(tracks: &[Track]) -> Vec<u32> {
    let n = u32::try_from(tracks.len()).expect("a catalog holds fewer than 2³² tracks");
    // The first bytes of each id beside its index decide most comparisons without reading
    // the tracks (a million ids sort in a fraction of the time).
    let mut keyed: Vec<(u64, u32)> = (0..n)
        .map(|i| (crate::index::prefix_key(&tracks[i as usize].id), i))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| tracks[a.1 as usize].id.cmp(&tracks[b.1 as usize].id))
            .then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
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
        assert_eq!(c.index_of(""), None);
        // Several repeats, out of order.
        let c = Catalog::from_tracks(
            vec![
                track("b", "1"),
                track("a", "2"),
                track("b", "3"),
                track("c", "4"),
                track("a", "5"),
                track("b", "6"),
            ],
            vec![],
        );
        let names: Vec<&str> = c.tracks().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["1", "2", "4"]);
        assert_eq!(
            ["a", "b", "c", "d"].map(|id| c.index_of(id)),
            [Some(1), Some(0), Some(2), None]
        );
        assert_eq!(c.song_id(2), c.song_id(2));
        assert_ne!(c.song_id(0), c.song_id(1));
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
