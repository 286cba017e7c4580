//! What ties tracks together beyond their sound: shared artists, shared albums and the real
//! playlists the catalog was collected from (tracks, and artists, that listeners put together).
//!
//! Everything here is fitted from the catalog's tracks and playlists and kept in the model
//! artifact as compact lists (compressed sparse rows of `u32` indices), so that a query only
//! reads a few bounded rows per seed:
//!
//! - tracks → artists, artist → its most popular tracks (at most [`MAX_ARTIST_TRACKS`]);
//! - track → album, album → its tracks (at most [`MAX_ALBUM_TRACKS`]);
//! - track → the tracks it shares playlists with, strongest first (at most [`MAX_COOCCURRING`]);
//! - artist → the artists it shares playlists with, by cosine similarity of their playlist
//!   sets (at most [`MAX_RELATED_ARTISTS`]).
//!
//! The playlists a model learns from are the catalog's: an evaluation fits the model on a
//! catalog without the playlists it scores, so no scored membership reaches these lists.

use std::collections::HashMap;

use selecta_catalog::Catalog;
use serde::{Deserialize, Serialize};

/// Most tracks kept per artist (the most popular).
pub const MAX_ARTIST_TRACKS: usize = 100;
/// Most tracks kept per album.
pub const MAX_ALBUM_TRACKS: usize = 60;
/// Most co-occurring tracks kept per track.
pub const MAX_COOCCURRING: usize = 50;
/// Most related artists kept per artist.
pub const MAX_RELATED_ARTISTS: usize = 30;
/// Playlists longer than this are left out of co-occurrence (their pairs grow quadratically
/// and say little about any one pair).
pub const MAX_PLAYLIST_LEN: usize = 1000;

/// Rows of variable length stored end to end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rows<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T> Rows<T> {
    pub(crate) fn from_rows(rows: impl IntoIterator<Item = Vec<T>>) -> Rows<T> {
        let mut out = Rows {
            offsets: vec![0],
            items: Vec::new(),
        };
        for r in rows {
            out.items.extend(r);
            out.offsets.push(out.items.len() as u32);
        }
        out
    }

    /// Row `i` (empty when out of range).
    pub fn row(&self, i: usize) -> &[T] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Marks a track without an album.
const NO_ALBUM: u32 = u32::MAX;

/// The fitted affinity lists (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affinity {
    /// Artist ids of each track.
    pub track_artists: Rows<u32>,
    /// Tracks of each artist, most popular first.
    pub artist_tracks: Rows<u32>,
    /// Album id of each track ([`u32::MAX`]: none).
    pub track_album: Vec<u32>,
    /// Tracks of each album.
    pub album_tracks: Rows<u32>,
    /// Per track: (track, playlists shared), strongest first.
    pub cooccurring: Rows<(u32, f32)>,
    /// Per artist: (artist, cosine of their playlist sets), strongest first.
    pub related_artists: Rows<(u32, f32)>,
    /// Playlists learned from.
    pub playlists: usize,
}

impl Affinity {
    /// Fits the lists on a catalog's tracks and playlists.
    pub fn fit(catalog: &Catalog) -> Affinity {
        let tracks = catalog.tracks();
        let n = tracks.len();
        // Artists and albums numbered in order of first appearance.
        let mut artist_ids: HashMap<&str, u32> = HashMap::new();
        let mut album_ids: HashMap<(&str, &str), u32> = HashMap::new();
        let mut track_artists = Vec::with_capacity(n);
        let mut track_album = Vec::with_capacity(n);
        for t in tracks {
            let ids: Vec<u32> = t
                .artists
                .iter()
                .map(|a| {
                    let next = artist_ids.len() as u32;
                    *artist_ids.entry(a.as_str()).or_insert(next)
                })
                .collect();
            track_artists.push(ids);
            // An album id names an album; without one, its title and main artist do.
            let key = match &t.album_id {
                Some(id) => Some((id.as_str(), "")),
                None if !t.album.is_empty() => Some((
                    t.album.as_str(),
                    t.artists.first().map_or("", |a| a.as_str()),
                )),
                None => None,
            };
            track_album.push(key.map_or(NO_ALBUM, |k| {
                let next = album_ids.len() as u32;
                *album_ids.entry(k).or_insert(next)
            }));
        }
        let popularity = |i: usize| tracks[i].popularity.unwrap_or(0.0);
        let by_popularity = |list: &mut Vec<u32>| {
            list.sort_by(|&a, &b| {
                popularity(b as usize)
                    .total_cmp(&popularity(a as usize))
                    .then(a.cmp(&b))
            });
        };
        let mut artist_tracks: Vec<Vec<u32>> = vec![Vec::new(); artist_ids.len()];
        for (i, ids) in track_artists.iter().enumerate() {
            for &a in ids {
                artist_tracks[a as usize].push(i as u32);
            }
        }
        for list in &mut artist_tracks {
            by_popularity(list);
            list.truncate(MAX_ARTIST_TRACKS);
        }
        let mut album_tracks: Vec<Vec<u32>> = vec![Vec::new(); album_ids.len()];
        for (i, &a) in track_album.iter().enumerate() {
            if a != NO_ALBUM {
                album_tracks[a as usize].push(i as u32);
            }
        }
        for list in &mut album_tracks {
            by_popularity(list);
            list.truncate(MAX_ALBUM_TRACKS);
        }

        // Playlists as lists of distinct catalog indices.
        let members: Vec<Vec<u32>> = catalog
            .playlists()
            .iter()
            .map(|p| {
                let mut m: Vec<u32> = p
                    .track_ids
                    .iter()
                    .filter_map(|id| catalog.index_of(id))
                    .map(|i| i as u32)
                    .collect();
                m.sort_unstable();
                m.dedup();
                m
            })
            .filter(|m| m.len() >= 2 && m.len() <= MAX_PLAYLIST_LEN)
            .collect();
        let cooccurring = strongest_pairs(n, members.iter().map(|m| m.as_slice()), |_, _| 1.0)
            .into_iter()
            .map(|mut row| {
                row.truncate(MAX_COOCCURRING);
                row
            });
        // Artists: playlist sets, then cosine similarity.
        let artist_sets: Vec<Vec<u32>> = members
            .iter()
            .map(|m| {
                let mut a: Vec<u32> = m
                    .iter()
                    .flat_map(|&i| track_artists[i as usize].iter().copied())
                    .collect();
                a.sort_unstable();
                a.dedup();
                a
            })
            .collect();
        let mut in_playlists = vec![0u32; artist_ids.len()];
        for set in &artist_sets {
            for &a in set {
                in_playlists[a as usize] += 1;
            }
        }
        let related = strongest_pairs(
            artist_ids.len(),
            artist_sets.iter().map(|s| s.as_slice()),
            |a, b| 1.0 / (in_playlists[a] as f32 * in_playlists[b] as f32).sqrt(),
        )
        .into_iter()
        .map(|mut row| {
            row.truncate(MAX_RELATED_ARTISTS);
            row
        });
        Affinity {
            track_artists: Rows::from_rows(track_artists),
            artist_tracks: Rows::from_rows(artist_tracks),
            track_album,
            album_tracks: Rows::from_rows(album_tracks),
            cooccurring: Rows::from_rows(cooccurring),
            related_artists: Rows::from_rows(related),
            playlists: members.len(),
        }
    }

    /// The album id of a track, if it has one.
    pub fn album(&self, track: usize) -> Option<u32> {
        self.track_album
            .get(track)
            .copied()
            .filter(|&a| a != NO_ALBUM)
    }

    /// Checks that the lists fit a catalog of `tracks` tracks (an artifact could disagree).
    pub fn check(&self, tracks: usize) -> Result<(), String> {
        let in_range =
            |rows: &Rows<u32>, bound: usize| rows.items.iter().all(|&i| (i as usize) < bound);
        let artists = self.artist_tracks.len();
        let albums = self.album_tracks.len();
        let ok = self.track_artists.len() == tracks
            && self.track_album.len() == tracks
            && self.cooccurring.len() == tracks
            && self.related_artists.len() == artists
            && in_range(&self.track_artists, artists)
            && in_range(&self.artist_tracks, tracks)
            && in_range(&self.album_tracks, tracks)
            && self
                .track_album
                .iter()
                .all(|&a| a == NO_ALBUM || (a as usize) < albums)
            && self
                .cooccurring
                .items
                .iter()
                .all(|&(i, _)| (i as usize) < tracks)
            && self
                .related_artists
                .items
                .iter()
                .all(|&(a, _)| (a as usize) < artists);
        if ok {
            Ok(())
        } else {
            Err(format!(
                "the affinity lists do not fit a catalog of {tracks} tracks"
            ))
        }
    }
}

/// For every item, the items it shares sets with, weighted by `pair_weight(a, b)` per shared
/// set and summed, strongest first (ties by index).
fn strongest_pairs<'a>(
    items: usize,
    sets: impl Iterator<Item = &'a [u32]>,
    pair_weight: impl Fn(usize, usize) -> f32,
) -> Vec<Vec<(u32, f32)>> {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for set in sets {
        for &a in set {
            for &b in set {
                if a != b {
                    pairs.push((a, b));
                }
            }
        }
    }
    pairs.sort_unstable();
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); items];
    let mut k = 0;
    while k < pairs.len() {
        let (a, b) = pairs[k];
        let mut count = 0;
        while k < pairs.len() && pairs[k] == (a, b) {
            count += 1;
            k += 1;
        }
        rows[a as usize].push((b, count as f32 * pair_weight(a as usize, b as usize)));
    }
    for row in &mut rows {
        row.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_catalog::PlaylistInfo;
    use selecta_types::Track;

    fn track(id: &str, artist: &str, album: &str, popularity: f32) -> Track {
        Track {
            id: id.into(),
            artists: vec![artist.into()],
            album_id: Some(album.into()),
            popularity: Some(popularity),
            ..Track::default()
        }
    }

    fn playlist(ids: &[&str]) -> PlaylistInfo {
        PlaylistInfo {
            track_ids: ids.iter().map(|s| s.to_string()).collect(),
            ..PlaylistInfo::default()
        }
    }

    #[test]
    fn lists_artists_albums_and_cooccurrence() {
        let catalog = Catalog::from_tracks(
            vec![
                track("a", "X", "1", 10.0),
                track("b", "X", "1", 50.0),
                track("c", "Y", "2", 30.0),
                track("d", "Z", "3", 0.0),
            ],
            vec![
                playlist(&["a", "c"]),
                playlist(&["a", "c", "d"]),
                playlist(&["b"]),
            ],
        );
        let f = Affinity::fit(&catalog);
        // Artists X, Y, Z are 0, 1, 2; X's tracks most popular first.
        assert_eq!(f.track_artists.row(1), [0]);
        assert_eq!(f.artist_tracks.row(0), [1, 0]);
        assert_eq!(f.album(0), f.album(1));
        assert_ne!(f.album(0), f.album(2));
        assert_eq!(f.album_tracks.row(f.album(2).unwrap() as usize), [2]);
        // a and c share two playlists, a and d one; the single-track playlist adds nothing.
        assert_eq!(f.cooccurring.row(0), [(2, 2.0), (3, 1.0)]);
        assert_eq!(f.cooccurring.row(1), []);
        assert_eq!(f.playlists, 2);
        // X is in 2 playlists, Y in 2, Z in 1: cos(X, Y) = 2 / 2, cos(X, Z) = 1 / sqrt(2).
        let r = f.related_artists.row(0);
        assert_eq!(r[0], (1, 1.0));
        assert_eq!(r[1].0, 2);
        assert!((r[1].1 - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!(f.check(4).is_ok());
        assert!(f.check(5).is_err());
    }
}
