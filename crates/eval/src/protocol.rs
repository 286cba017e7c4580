//! The playlist-continuation protocols: which playlists are scored, which seeds they give,
//! which tracks they hide, and what the model may know while scoring them.
//!
//! For every playlist with at least [`MIN_TRACKS`] distinct catalog tracks, its tracks are
//! shuffled (fixed seed, one stream per playlist); the first half are the seeds, the rest are
//! hidden and the recommender is asked for as many tracks as are hidden.
//!
//! - **seed protocol**: genre labels as the catalog has them (from every playlist, the scored
//!   one included: this is how the seed's features worked). Every qualifying playlist is
//!   scored; the playlists are dealt into folds and each fold is scored by a model fitted with
//!   the playlists of the other folds only, so no co-occurrence or learned weight ever comes
//!   from a scored playlist's membership.
//! - **strict protocol**: playlists are split into training and test (`split_seed`); a track's
//!   genre labels come only from training playlists, else from its artists' tracks in training
//!   playlists, else it has none; the model is fitted with the training playlists only and only
//!   test playlists are scored.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use selecta_catalog::{Catalog, PlaylistInfo};
use serde::{Deserialize, Serialize};

/// Fewest distinct tracks a playlist needs to be scored.
pub const MIN_TRACKS: usize = 10;

/// An evaluation protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Catalog labels as they are; every playlist scored, by models fitted on the other folds.
    Seed,
    /// Labels from training playlists only; test playlists scored.
    Strict,
}

impl Protocol {
    /// The protocol's name.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Seed => "seed",
            Protocol::Strict => "strict",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown protocol name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol '{0}' (expected seed, strict or both)")]
pub struct UnknownProtocol(pub String);

/// A `--protocol` value: one protocol or both.
pub fn parse_protocols(s: &str) -> Result<Vec<Protocol>, UnknownProtocol> {
    match s.trim().to_ascii_lowercase().as_str() {
        "both" => Ok(vec![Protocol::Seed, Protocol::Strict]),
        other => other
            .parse::<Protocol>()
            .map(|p| vec![p])
            .map_err(|_| UnknownProtocol(s.to_owned())),
    }
}

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "seed" => Ok(Protocol::Seed),
            "strict" => Ok(Protocol::Strict),
            _ => Err(UnknownProtocol(s.to_owned())),
        }
    }
}

/// One scored playlist: the seeds given and the tracks hidden (catalog indices).
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Position of the playlist in the catalog's playlist list.
    pub playlist: usize,
    /// The first half of the shuffled playlist.
    pub seeds: Vec<usize>,
    /// The rest.
    pub hidden: Vec<usize>,
}

/// A random generator for one purpose and one item, independent of the others: the same
/// playlist gets the same shuffle whatever else is evaluated.
pub(crate) fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// The distinct catalog tracks of a playlist, in its order.
pub fn playlist_tracks(catalog: &Catalog, p: &PlaylistInfo) -> Vec<usize> {
    let mut seen = HashSet::new();
    p.track_ids
        .iter()
        .filter_map(|id| catalog.index_of(id))
        .filter(|&i| seen.insert(i))
        .collect()
}

/// The task of every playlist in `which` that has at least [`MIN_TRACKS`] tracks.
pub fn tasks(catalog: &Catalog, which: &[usize], seed: u64) -> Vec<Task> {
    which
        .iter()
        .filter_map(|&pi| {
            let mut tracks = playlist_tracks(catalog, &catalog.playlists()[pi]);
            if tracks.len() < MIN_TRACKS {
                return None;
            }
            tracks.shuffle(&mut rng_for(seed, pi as u64));
            let hidden = tracks.split_off(tracks.len() / 2);
            Some(Task {
                playlist: pi,
                seeds: tracks,
                hidden,
            })
        })
        .collect()
}

/// Deals the playlists into `parts` groups of (nearly) equal size at random: position `i` of
/// the result is the group of playlist `i`.
pub fn deal(playlists: usize, parts: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..playlists).collect();
    order.shuffle(&mut rng_for(seed, u64::MAX));
    let mut group = vec![0; playlists];
    for (k, &p) in order.iter().enumerate() {
        group[p] = k % parts.max(1);
    }
    group
}

/// The test playlists of the strict protocol: a share `test_share` of them (rounded, at least
/// one), chosen with `split_seed`. Returns one flag per playlist (true: test).
pub fn split(playlists: usize, test_share: f64, split_seed: u64) -> Vec<bool> {
    let mut order: Vec<usize> = (0..playlists).collect();
    order.shuffle(&mut rng_for(split_seed, u64::MAX - 1));
    let n_test = ((playlists as f64 * test_share).round() as usize).clamp(1, playlists.max(1));
    let mut test = vec![false; playlists];
    for &p in order.iter().take(n_test.min(playlists)) {
        test[p] = true;
    }
    test
}

/// The catalog a model may see when `known[i]` says which playlists it may know: the other
/// playlists are dropped (no co-occurrence can come from them). With `relabel`, genre labels
/// are rebuilt from the known playlists only (strict protocol): a track gets the genres and
/// subgenres of the known playlists that hold it, else those of its artists' tracks in known
/// playlists, else none.
pub fn restricted_catalog(catalog: &Catalog, known: &[bool], relabel: bool) -> Catalog {
    let playlists: Vec<PlaylistInfo> = catalog
        .playlists()
        .iter()
        .zip(known)
        .filter(|(_, &k)| k)
        .map(|(p, _)| p.clone())
        .collect();
    let mut tracks = catalog.tracks().to_vec();
    if relabel {
        let mut genres: Vec<Vec<String>> = vec![Vec::new(); tracks.len()];
        let mut subgenres: Vec<Vec<String>> = vec![Vec::new(); tracks.len()];
        let push = |list: &mut Vec<String>, v: &str| {
            if !v.is_empty() && !list.iter().any(|x| x == v) {
                list.push(v.to_owned());
            }
        };
        for p in &playlists {
            for i in playlist_tracks(catalog, p) {
                push(&mut genres[i], &p.genre);
                push(&mut subgenres[i], &p.subgenre);
            }
        }
        // Labels per artist, from the directly labelled tracks only.
        let mut by_artist: HashMap<&str, (Vec<String>, Vec<String>)> = HashMap::new();
        for (i, t) in catalog.tracks().iter().enumerate() {
            for a in &t.artists {
                let entry = by_artist.entry(a.as_str()).or_default();
                for g in &genres[i] {
                    push(&mut entry.0, g);
                }
                for s in &subgenres[i] {
                    push(&mut entry.1, s);
                }
            }
        }
        for (i, t) in tracks.iter_mut().enumerate() {
            if genres[i].is_empty() {
                let (mut g, mut s) = (Vec::new(), Vec::new());
                for a in &t.artists {
                    if let Some((ag, asub)) = by_artist.get(a.as_str()) {
                        for x in ag {
                            push(&mut g, x);
                        }
                        for x in asub {
                            push(&mut s, x);
                        }
                    }
                }
                t.genres = g;
                t.subgenres = s;
            } else {
                t.genres = std::mem::take(&mut genres[i]);
                t.subgenres = std::mem::take(&mut subgenres[i]);
            }
        }
    }
    Catalog::from_tracks(tracks, playlists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::Track;

    fn track(id: &str, artist: &str, genre: &str) -> Track {
        Track {
            id: id.into(),
            name: id.into(),
            artists: vec![artist.into()],
            genres: vec![genre.into()],
            subgenres: vec![format!("{genre} sub")],
            ..Track::default()
        }
    }

    fn playlist(id: &str, genre: &str, ids: &[&str]) -> PlaylistInfo {
        PlaylistInfo {
            id: id.into(),
            name: id.into(),
            genre: genre.into(),
            subgenre: format!("{genre} sub"),
            track_ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn catalog() -> Catalog {
        Catalog::from_tracks(
            vec![
                track("a", "X", "rock"),
                track("b", "X", "pop"),
                track("c", "Y", "pop"),
                track("d", "Z", "rap"),
            ],
            vec![
                playlist("train", "rock", &["a"]),
                playlist("test", "pop", &["b", "c", "a"]),
                playlist("other", "rap", &["d"]),
            ],
        )
    }

    #[test]
    fn strict_labels_come_from_known_playlists_or_artists() {
        let c = restricted_catalog(&catalog(), &[true, false, false], true);
        assert_eq!(c.playlists().len(), 1);
        let labels = |id: &str| {
            let t = c.get(id).unwrap();
            (t.genres.clone(), t.subgenres.clone())
        };
        // a: in the training playlist; b: by the same artist as a; c, d: nothing known.
        assert_eq!(labels("a"), (vec!["rock".into()], vec!["rock sub".into()]));
        assert_eq!(labels("b"), (vec!["rock".into()], vec!["rock sub".into()]));
        assert_eq!(labels("c"), (vec![], vec![]));
        assert_eq!(labels("d"), (vec![], vec![]));
        // Without relabelling, only the playlists change.
        let c = restricted_catalog(&catalog(), &[true, false, true], false);
        assert_eq!(c.playlists().len(), 2);
        assert_eq!(c.get("c").unwrap().genres, ["pop"]);
    }

    #[test]
    fn tasks_halve_shuffled_playlists() {
        let tracks: Vec<Track> = (0..25)
            .map(|i| track(&format!("t{i}"), "A", "pop"))
            .collect();
        let ids: Vec<String> = (0..25).map(|i| format!("t{i}")).collect();
        let mut big = playlist("big", "pop", &[]);
        big.track_ids = ids.iter().chain(&ids[..3]).cloned().collect();
        let small = playlist("small", "pop", &["t0", "t1", "t2"]);
        let c = Catalog::from_tracks(tracks, vec![small, big]);
        let t = tasks(&c, &[0, 1], 9);
        // The small playlist is skipped; 25 distinct tracks: 12 seeds, 13 hidden.
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].playlist, t[0].seeds.len(), t[0].hidden.len()),
            (1, 12, 13)
        );
        let mut all: Vec<usize> = t[0].seeds.iter().chain(&t[0].hidden).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..25).collect::<Vec<_>>());
        assert_ne!(t[0].seeds, (0..12).collect::<Vec<_>>(), "shuffled");
        assert_eq!(tasks(&c, &[1], 9), t, "the same seed, the same shuffle");
    }

    #[test]
    fn splits_and_folds_are_balanced() {
        let s = split(471, 0.2, 1);
        assert_eq!(s.iter().filter(|&&t| t).count(), 94);
        assert_ne!(s, split(471, 0.2, 2));
        let d = deal(10, 3, 5);
        let sizes: Vec<usize> = (0..3)
            .map(|g| d.iter().filter(|&&x| x == g).count())
            .collect();
        assert_eq!(sizes, [4, 3, 3]);
        assert_eq!(
            parse_protocols("Both").unwrap(),
            [Protocol::Seed, Protocol::Strict]
        );
        assert_eq!(parse_protocols("strict").unwrap(), [Protocol::Strict]);
        assert_eq!(
            parse_protocols("lenient").unwrap_err().to_string(),
            "unknown protocol 'lenient' (expected seed, strict or both)"
        );
    }
}
