//! What a set of seeds says as a whole (artists, albums, related artists, labels, years, keys),
//! gathered once per request so that measuring a candidate's signals hashes no string.

use crate::model::Model;
use crate::seed::SeedPoint;

/// What the seeds say as a whole, gathered once per request. Lookups are by small integers
/// (artist, album and label ids).
pub(crate) struct SeedProfile {
    /// (artist, seeds by that artist): a handful, searched linearly.
    artists: Vec<(u32, f32)>,
    /// (album, seeds on it).
    albums: Vec<(u32, f32)>,
    /// (related artist, summed similarity), sorted by artist for binary search.
    related: Vec<(u32, f32)>,
    /// Seeds per subgenre id / genre id.
    subgenres: Vec<f32>,
    genres: Vec<f32>,
    /// The number of seeds, and the most seeds holding any one subgenre / genre.
    seeds: f32,
    top_subgenre: f32,
    top_genre: f32,
    /// Whether any seed has a genre.
    has_genres: bool,
    /// The seeds' release dates (years with a fraction).
    dates: Vec<f32>,
    /// Era score per release month from [`ERA_FROM`], filled on first use.
    era_memo: Vec<f32>,
    keys: [f32; 12],
    modes: [f32; 2],
}

/// First year of the era memo; years outside the memo are computed directly.
const ERA_FROM: u16 = 1850;
/// Months the era memo covers.
const ERA_MONTHS: usize = 250 * 12;

fn add(list: &mut Vec<(u32, f32)>, id: u32, w: f32) {
    match list.iter_mut().find(|(i, _)| *i == id) {
        Some((_, v)) => *v += w,
        None => list.push((id, w)),
    }
}

fn get(list: &[(u32, f32)], id: u32) -> f32 {
    list.iter().find(|(i, _)| *i == id).map_or(0.0, |&(_, v)| v)
}

impl SeedProfile {
    /// The profile of `seeds`.
    pub fn new(model: &Model, seeds: &[SeedPoint]) -> Self {
        let p = &model.params.scoring;
        let aff = &model.affinity;
        let labels = &model.labels;
        let mut s = SeedProfile {
            artists: Vec::new(),
            albums: Vec::new(),
            related: Vec::new(),
            subgenres: vec![0.0; labels.subgenre_count],
            genres: vec![0.0; labels.genre_count],
            has_genres: false,
            seeds: 0.0,
            top_subgenre: 0.0,
            top_genre: 0.0,
            dates: seeds.iter().filter_map(|s| s.date).collect(),
            era_memo: vec![f32::NAN; ERA_MONTHS],
            keys: [0.0; 12],
            modes: [0.0; 2],
        };
        for seed in seeds {
            for &(a, share) in &seed.artists {
                add(&mut s.artists, a, share);
                s.related.extend(
                    aff.related_artists
                        .row(a as usize)
                        .iter()
                        .take(p.related_per_artist)
                        .map(|&(b, sim)| (b, sim * share)),
                );
            }
            if let Some((album, share)) = seed.album {
                add(&mut s.albums, album, share);
            }
            for &(g, share) in &seed.subgenres {
                s.subgenres[usize::from(g)] += share;
            }
            for &(g, share) in &seed.genres {
                s.genres[usize::from(g)] += share;
                s.has_genres = true;
            }
            if let Some(k) = seed.key.filter(|&k| k < 12) {
                s.keys[usize::from(k)] += 1.0;
            }
            if let Some(m) = seed.mode.filter(|&m| m < 2) {
                s.modes[usize::from(m)] += 1.0;
            }
        }
        s.seeds = seeds.len() as f32;
        s.top_subgenre = s.subgenres.iter().copied().fold(0.0, f32::max);
        s.top_genre = s.genres.iter().copied().fold(0.0, f32::max);
        // Merge the related artists' similarities (summed over seeds, in any order).
        s.related.sort_unstable_by_key(|&(a, _)| a);
        s.related.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 += later.1;
                true
            } else {
                false
            }
        });
        s
    }

    /// Seeds by artist `artist`.
    pub fn artist(&self, artist: u32) -> f32 {
        get(&self.artists, artist)
    }

    /// Seeds on album `album`.
    pub fn album(&self, album: u32) -> f32 {
        get(&self.albums, album)
    }

    /// Summed similarity of `artist` to the seeds' artists (their top related only).
    pub fn related(&self, artist: u32) -> f32 {
        self.related
            .binary_search_by_key(&artist, |&(a, _)| a)
            .map_or(0.0, |i| self.related[i].1)
    }

    /// The label signal of a track with these subgenre and genre ids: the most seeds holding
    /// one of its subgenres and the most holding one of its genres, each counted against the
    /// request's best-held label (as many seeds as the request has when a label is held by
    /// as many as the best one), averaged. A proxy holds its kin's labels in shares, so a
    /// request of proxies rarely has a label every seed holds; its own best label still
    /// counts as fully as a request of catalog seeds who all hold theirs.
    pub fn label(&self, subgenres: &[u16], genres: &[u16]) -> f32 {
        let scaled = |counts: &[f32], labels: &[u16], top: f32| {
            if top > 0.0 {
                best(counts, labels) / top * self.seeds
            } else {
                0.0
            }
        };
        (scaled(&self.subgenres, subgenres, self.top_subgenre)
            + scaled(&self.genres, genres, self.top_genre))
            / 2.0
    }

    /// Whether a track with these genre ids belongs elsewhere: it has genres and none is a
    /// seed's (the seeds having any).
    pub fn foreign(&self, genres: &[u16]) -> bool {
        self.has_genres
            && !genres.is_empty()
            && genres.iter().all(|&g| self.genres[usize::from(g)] == 0.0)
    }

    /// Seeds in this key plus seeds in this mode, halved.
    pub fn harmony(&self, key: Option<u8>, mode: Option<u8>) -> f32 {
        (key.and_then(|k| self.keys.get(usize::from(k)))
            .copied()
            .unwrap_or(0.0)
            + mode
                .and_then(|m| self.modes.get(usize::from(m)))
                .copied()
                .unwrap_or(0.0))
            / 2.0
    }

    /// Σ over seeds of exp(-|date - seed date| / era_years), dates to the month.
    pub fn era(&mut self, date: f32, era_years: f32) -> f32 {
        let month = ((date - f32::from(ERA_FROM)) * 12.0).floor();
        // Every date of a month scores as its middle, so that the month's score is memoised.
        let at = (month + 0.5) / 12.0 + f32::from(ERA_FROM);
        let compute = |dates: &[f32]| {
            dates
                .iter()
                .map(|&s| (-(at - s).abs() / era_years).exp())
                .sum()
        };
        if month >= 0.0 && (month as usize) < ERA_MONTHS {
            let i = month as usize;
            if self.era_memo[i].is_nan() {
                self.era_memo[i] = compute(&self.dates);
            }
            self.era_memo[i]
        } else {
            compute(&self.dates)
        }
    }
}

/// The largest seed count over the labels.
fn best(counts: &[f32], labels: &[u16]) -> f32 {
    labels
        .iter()
        .map(|&g| counts[usize::from(g)])
        .fold(0.0f32, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(subgenres: Vec<f32>, genres: Vec<f32>, seeds: f32) -> SeedProfile {
        let top = |v: &[f32]| v.iter().copied().fold(0.0, f32::max);
        SeedProfile {
            artists: Vec::new(),
            albums: Vec::new(),
            related: Vec::new(),
            top_subgenre: top(&subgenres),
            top_genre: top(&genres),
            subgenres,
            genres,
            seeds,
            has_genres: true,
            dates: Vec::new(),
            era_memo: Vec::new(),
            keys: [0.0; 12],
            modes: [0.0; 2],
        }
    }

    #[test]
    fn labels_count_against_the_best_held_one() {
        // Four catalog seeds, all of subgenre 0 and genre 0: the label counts all four.
        let warm = profile(vec![4.0, 0.0], vec![4.0, 0.0], 4.0);
        assert_eq!(warm.label(&[0], &[0]), 4.0);
        assert_eq!(warm.label(&[1], &[1]), 0.0);
        // Four proxies holding subgenre 0 in shares of 0.5 and subgenre 1 in 0.25: subgenre
        // 0 is the request's own and counts as fully, subgenre 1 half as much.
        let cold = profile(vec![2.0, 1.0], vec![4.0, 0.0], 4.0);
        assert_eq!(cold.label(&[0], &[0]), 4.0);
        assert_eq!(cold.label(&[1], &[0]), 3.0);
        // Seeds without labels give no label signal.
        assert_eq!(profile(vec![0.0], vec![0.0], 3.0).label(&[0], &[0]), 0.0);
    }
}
