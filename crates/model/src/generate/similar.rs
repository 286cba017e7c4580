//! Tracks like one track: what a track's card lists (`selecta describe`, the bot's card, the
//! API's track page) and what the seed's "3 neighbours per track" measured.
//!
//! The candidates are the track's nearest tracks in model space and the other tracks of its
//! artists and album. Each scores its closeness to the track on the scale of the track's own
//! neighbourhood, raised for a shared artist or album:
//!
//! ```text
//! score(c) = exp(-d(c, t) / d₁₀(t)) · (1 + artist · [c shares an artist with t]
//!                                        + album · [c is on t's album])
//! ```
//!
//! with d₁₀(t) the distance of t's 10th nearest track (no bonus when c's genres are all
//! foreign to t's). Sound leads: with the default bonuses (artist 0.5, album 1), a track by
//! the same artist must be within about 0.4 · d₁₀ of a stranger's distance to pass it (an
//! album mate within 0.7 · d₁₀), so a card shows the artist's closest-sounding tracks and
//! strangers that sound closer still, never an artist's track that sounds unlike the one
//! described. The bonuses were chosen on the seed's metrics with another sample of tracks
//! (`selecta eval --seed 7`) than the one reported (42); see docs/eval.md.

use crate::knn::Neighbour;
use crate::metric::manhattan_unordered;
use crate::model::Model;
use crate::pool::CLOSENESS_RANK;

/// Nearest tracks considered per track asked for, and at least.
const POOL_PER_TRACK: usize = 4;
const MIN_POOL: usize = 40;

/// The `k` tracks most like catalog track `index` (itself excluded), best first, with their
/// Manhattan distances in model space. `index` and `k` are checked by the caller.
pub(crate) fn similar(model: &Model, index: usize, k: usize) -> Vec<Neighbour> {
    let p = &model.params.similar;
    let aff = &model.affinity;
    let want = (POOL_PER_TRACK * k).max(MIN_POOL).min(model.len());
    let mut pool: Vec<Neighbour> = model
        .index
        .nearest_rows(&[index], want + 1)
        .pop()
        .unwrap_or_default();
    pool.retain(|n| n.index != index);
    let scale = pool
        .get(CLOSENESS_RANK.min(pool.len()).saturating_sub(1))
        .map_or(1.0, |n| n.distance)
        .max(f32::MIN_POSITIVE);
    let artists = aff.track_artists.row(index);
    let album = aff.album(index);
    let v = model.vector(index);
    let mut extra: Vec<usize> = artists
        .iter()
        .flat_map(|&a| aff.artist_tracks.row(a as usize))
        .chain(album.map_or(&[][..], |b| aff.album_tracks.row(b as usize)))
        .map(|&i| i as usize)
        .filter(|&i| i != index)
        .collect();
    extra.sort_unstable();
    extra.dedup();
    for i in extra {
        if !pool.iter().any(|n| n.index == i) {
            pool.push(Neighbour {
                index: i,
                distance: manhattan_unordered(v, model.vector(i)),
            });
        }
    }
    let genres = model.labels.genres.row(index);
    let score = |n: &Neighbour| {
        // An artist's track from another genre's playlists is not raised (a card of a pop
        // song should not list its singer's Christmas album).
        let theirs = model.labels.genres.row(n.index);
        if !genres.is_empty() && !theirs.is_empty() && !theirs.iter().any(|g| genres.contains(g)) {
            return (-n.distance / scale).exp();
        }
        let shares_artist = aff
            .track_artists
            .row(n.index)
            .iter()
            .any(|a| artists.contains(a));
        let same_album = album.is_some() && aff.album(n.index) == album;
        let bonus = 1.0
            + if shares_artist { p.artist } else { 0.0 }
            + if same_album { p.album } else { 0.0 };
        (-n.distance / scale).exp() * bonus
    };
    let mut scored: Vec<(f32, Neighbour)> = pool.into_iter().map(|n| (score(&n), n)).collect();
    scored.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then(a.distance.total_cmp(&b.distance))
            .then(a.index.cmp(&b.index))
    });
    scored.truncate(k);
    scored.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{neighbours, ModelParams, SimilarParams};
    use selecta_catalog::Catalog;
    use selecta_types::{AudioFeatures, Track};

    /// 12 pop tracks on a line of energy; t0's artist also made t5 and t9.
    fn model(similar: SimilarParams) -> Model {
        let tracks = (0..12)
            .map(|i| Track {
                id: format!("t{i}").into(),
                artists: vec![if [0, 5, 9].contains(&i) {
                    "A".into()
                } else {
                    format!("B{i}").into()
                }],
                genres: vec!["pop".into()],
                features: AudioFeatures {
                    energy: Some(i as f32 / 12.0).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect();
        let params = ModelParams {
            similar,
            ..ModelParams::default()
        };
        Model::fit(
            Catalog::from_tracks(tracks, Vec::new()),
            &params,
            &mut |_| {},
        )
        .unwrap()
    }

    fn ids(model: &Model, list: &[Neighbour]) -> Vec<String> {
        list.iter()
            .map(|n| model.tracks()[n.index].id.to_string())
            .collect()
    }

    #[test]
    fn without_bonuses_similar_is_nearest_and_the_artist_rises_with_them() {
        let m = model(SimilarParams {
            artist: 0.0,
            album: 0.0,
        });
        let plain = neighbours(&m, 0, 5).unwrap();
        assert_eq!(similar(&m, 0, 5), plain);
        assert_eq!(ids(&m, &plain), ["t1", "t2", "t3", "t4", "t5"]);
        // A large artist bonus puts the artist's other tracks first, the nearer one first;
        // the distances stay the real ones.
        let m = model(SimilarParams {
            artist: 1000.0,
            album: 0.0,
        });
        let s = similar(&m, 0, 3);
        assert_eq!(ids(&m, &s), ["t5", "t9", "t1"]);
        assert!(s[0].distance < s[1].distance && s[0].distance > s[2].distance);
        // A small one only breaks near ties: t5 (5 steps away) does not pass t1..t4.
        let m = model(SimilarParams {
            artist: 0.05,
            album: 0.0,
        });
        assert_eq!(ids(&m, &similar(&m, 0, 3)), ["t1", "t2", "t3"]);
    }
}
