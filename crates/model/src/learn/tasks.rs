//! Playlist-continuation tasks: which playlists are scored, which seeds they give and which
//! tracks they hide, and the catalog a model may see while they are scored. The evaluation's
//! protocols and the weight learner build on the same tasks.

use std::collections::{HashMap, HashSet};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use selecta_catalog::{Catalog, PlaylistInfo};
use selecta_types::Text;

/// Fewest distinct tracks a playlist needs to be scored.
pub const MIN_TRACKS: usize = 10;

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
pub fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
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
        let mut genres: Vec<Vec<Text>> = vec![Vec::new(); tracks.len()];
        let mut subgenres: Vec<Vec<Text>> = vec![Vec::new(); tracks.len()];
        let push = |list: &mut Vec<Text>, v: &str| {
            if !v.is_empty() && !list.iter().any(|x| x == v) {
                list.push(v.into());
            }
        };
        for p in &playlists {
            for i in playlist_tracks(catalog, p) {
                push(&mut genres[i], &p.genre);
                push(&mut subgenres[i], &p.subgenre);
            }
        }
        // Labels per artist, from the directly labelled tracks only.
        let mut by_artist: HashMap<&str, (Vec<Text>, Vec<Text>)> = HashMap::new();
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

/// R-precision: the share of the `r` hidden tracks found in the first `r` recommendations
/// (`r` = the number of hidden tracks). A list shorter than `r` counts its missing places as
/// misses. 0 when nothing is hidden.
pub fn r_precision(ranked: &[usize], hidden: &HashSet<usize>) -> f64 {
    let r = hidden.len();
    if r == 0 {
        return 0.0;
    }
    let hits = ranked.iter().take(r).filter(|i| hidden.contains(i)).count();
    hits as f64 / r as f64
}

/// NDCG@R: discounted cumulative gain of the first `r` recommendations (gain 1 for a hidden
/// track at rank i, discounted by log₂(i + 1)) over the gain of a perfect list, which puts the
/// `r` hidden tracks first.
pub fn ndcg_at_r(ranked: &[usize], hidden: &HashSet<usize>) -> f64 {
    let r = hidden.len();
    if r == 0 {
        return 0.0;
    }
    let discount = |rank: usize| 1.0 / ((rank + 1) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(r)
        .enumerate()
        .filter(|(_, i)| hidden.contains(i))
        .map(|(k, _)| discount(k + 1))
        .sum();
    let ideal: f64 = (1..=r).map(discount).sum();
    dcg / ideal
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
            subgenres: vec![format!("{genre} sub").into()],
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

    fn set(v: &[usize]) -> HashSet<usize> {
        v.iter().copied().collect()
    }

    #[test]
    fn r_precision_counts_hits_in_the_first_r() {
        // Hidden {1, 2, 3, 4}: the first four places hold 1 and 3; 2 comes fifth (too late).
        assert_eq!(r_precision(&[1, 9, 3, 8, 2], &set(&[1, 2, 3, 4])), 0.5);
        // A short list counts its missing places as misses.
        assert_eq!(r_precision(&[1], &set(&[1, 2])), 0.5);
        assert_eq!(r_precision(&[1], &set(&[])), 0.0);
    }

    #[test]
    fn ndcg_discounts_by_rank() {
        // Hidden {7, 8}, list [7, 0]: DCG 1/log2(2) = 1; ideal 1 + 1/log2(3).
        let want = 1.0 / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg_at_r(&[7, 0], &set(&[7, 8])) - want).abs() < 1e-12);
        // The hit in second place: (1/log2(3)) / ideal.
        let want = (1.0 / 3f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg_at_r(&[0, 8], &set(&[7, 8])) - want).abs() < 1e-12);
        assert_eq!(ndcg_at_r(&[8, 7, 1], &set(&[7, 8])), 1.0);
        assert_eq!(ndcg_at_r(&[1, 2], &set(&[7, 8])), 0.0);
    }
}
