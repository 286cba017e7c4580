//! The measures: ranking metrics of a continuation, the seed project's similarity metrics of a
//! (query, recommendation) pair, and the mean with its 95% confidence interval.

use std::collections::HashSet;

use selecta_types::{Text, Track};
use serde::{Deserialize, Serialize};

pub use selecta_model::learn::tasks::{ndcg_at_r, r_precision};

/// The RecSys Challenge 2018 "recommended songs clicks": how many pages of 10 tracks a listener
/// refreshes before the first hidden track shows, `⌊(rank of the first hit − 1) / 10⌋`; with no
/// hit, one page more than a list of `list_len` tracks can show, `⌊list_len / 10⌋ + 1` (51 for
/// the challenge's 500). Lower is better.
pub fn clicks(ranked: &[usize], hidden: &HashSet<usize>, list_len: usize) -> f64 {
    match ranked.iter().position(|i| hidden.contains(i)) {
        Some(p) => (p / 10) as f64,
        None => (list_len / 10 + 1) as f64,
    }
}

/// A mean with its 95% confidence interval (normal approximation: mean ± 1.96 · s / √n, with
/// the sample standard deviation s).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The mean.
    pub mean: f64,
    /// Lower end of the 95% confidence interval.
    pub ci_low: f64,
    /// Upper end of the 95% confidence interval.
    pub ci_high: f64,
    /// How many values.
    pub n: usize,
}

impl Summary {
    /// Summarises values; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let half = if n > 1 {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            1.96 * (var / n as f64).sqrt()
        } else {
            0.0
        };
        Some(Summary {
            mean,
            ci_low: mean - half,
            ci_high: mean + half,
            n,
        })
    }

    /// Half the width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.ci_high - self.ci_low) / 2.0
    }
}

/// The seed's "sound parameters": the eight audio features its SoundParametersDiff reads
/// (`sound_columns` in the seed team's `src/metrics/metrics.py`, slavkostrov/playlist_selection,
/// the version their metric notebook ran). Key, mode, liveness and time signature are not among
/// them: key and mode are categories, for which a relative difference means nothing.
pub const SOUND_PARAMETERS: [&str; 8] = [
    "danceability",
    "energy",
    "loudness",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "valence",
    "tempo",
];

/// True when the two tracks share a genre.
pub fn same_genre(query: &Track, rec: &Track) -> bool {
    shares(&query.genres, &rec.genres)
}

/// True when the two tracks share a subgenre.
pub fn same_subgenre(query: &Track, rec: &Track) -> bool {
    shares(&query.subgenres, &rec.subgenres)
}

/// True when the two tracks come from the same album (same album id; same album title and
/// main artist when an id is missing).
pub fn same_album(query: &Track, rec: &Track) -> bool {
    match (&query.album_id, &rec.album_id) {
        (Some(a), Some(b)) => a == b,
        _ => {
            !query.album.is_empty()
                && query.album == rec.album
                && query.artists.first() == rec.artists.first()
        }
    }
}

/// True when the two tracks share at least one artist.
pub fn same_artist(query: &Track, rec: &Track) -> bool {
    shares(&query.artists, &rec.artists)
}

/// The absolute difference of release years, when both are known.
pub fn year_diff(query: &Track, rec: &Track) -> Option<f64> {
    Some(f64::from(query.year?.abs_diff(rec.year?)))
}

/// The seed's SoundParametersDiff: the L2 norm of the relative differences
/// `|a − b| / |max(a, b)|` over the [sound parameters](SOUND_PARAMETERS) both tracks have;
/// `None` when no parameter is known on both sides.
///
/// This is the seed's code to the letter: `np.abs(a - b) / np.abs(np.maximum(a, b))`, summed
/// with `np.nansum` (a 0/0 term is NaN there, so it is skipped). The denominator is the
/// absolute value of the larger value, not the larger absolute value: the two differ only for
/// loudness, which is negative (dB), where it is the quieter track's magnitude.
pub fn sound_diff(query: &Track, rec: &Track) -> Option<f64> {
    let mut sum = 0.0;
    let mut any = false;
    for name in SOUND_PARAMETERS {
        let (Some(a), Some(b)) = (query.features.get(name), rec.features.get(name)) else {
            continue;
        };
        any = true;
        let (a, b) = (f64::from(a), f64::from(b));
        let scale = a.max(b).abs();
        if scale > 0.0 {
            sum += ((a - b).abs() / scale).powi(2);
        }
    }
    any.then(|| sum.sqrt())
}

fn shares(a: &[Text], b: &[Text]) -> bool {
    a.iter().any(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;

    fn set(v: &[usize]) -> HashSet<usize> {
        v.iter().copied().collect()
    }

    #[test]
    fn clicks_count_pages_before_the_first_hit() {
        let list: Vec<usize> = (0..30).collect();
        assert_eq!(clicks(&list, &set(&[0]), 30), 0.0);
        assert_eq!(clicks(&list, &set(&[9]), 30), 0.0);
        assert_eq!(clicks(&list, &set(&[10, 25]), 30), 1.0);
        assert_eq!(clicks(&list, &set(&[29]), 30), 2.0);
        // No hit: one page more than 30 tracks fill (the challenge's 51 for 500).
        assert_eq!(clicks(&list, &set(&[99]), 30), 4.0);
        assert_eq!(clicks(&[], &set(&[99]), 500), 51.0);
    }

    #[test]
    fn summary_mean_and_interval() {
        // 1, 2, 3: mean 2, sample std 1, half width 1.96 / sqrt(3).
        let s = Summary::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.mean, s.n), (2.0, 3));
        let half = 1.96 / 3f64.sqrt();
        assert!((s.ci_low - (2.0 - half)).abs() < 1e-12);
        assert!((s.half_width() - half).abs() < 1e-12);
        let one = Summary::of(&[0.5]).unwrap();
        assert_eq!((one.ci_low, one.ci_high), (0.5, 0.5));
        assert!(Summary::of(&[]).is_none());
    }

    fn track(artists: &[&str], album: Option<&str>, year: Option<u16>) -> Track {
        Track {
            artists: artists.iter().map(|&a| a.into()).collect(),
            album: "Album".into(),
            album_id: album.map(str::to_owned).map(Into::into),
            year,
            genres: vec!["pop".into(), "rap".into()],
            subgenres: vec!["trap".into()],
            ..Track::default()
        }
    }

    #[test]
    fn pair_metrics() {
        let q = track(&["A", "B"], Some("x"), Some(2019));
        let mut r = track(&["C", "B"], Some("y"), Some(2012));
        assert!(same_artist(&q, &r));
        assert!(!same_album(&q, &r));
        assert!(same_genre(&q, &r) && same_subgenre(&q, &r));
        assert_eq!(year_diff(&q, &r), Some(7.0));
        r.genres = vec!["rock".into()];
        r.subgenres.clear();
        r.artists = vec!["D".into()];
        r.year = None;
        assert!(!same_artist(&q, &r) && !same_genre(&q, &r) && !same_subgenre(&q, &r));
        assert_eq!(year_diff(&q, &r), None);
        // Without ids, the album title and main artist decide.
        let (a, mut b) = (track(&["A"], None, None), track(&["A"], None, None));
        assert!(same_album(&a, &b));
        b.artists = vec!["Z".into()];
        assert!(!same_album(&a, &b));
    }

    #[test]
    fn sound_diff_is_the_l2_norm_of_relative_differences() {
        let t = |energy, tempo, instrumentalness| Track {
            features: AudioFeatures {
                energy: Some(energy).into(),
                tempo: Some(tempo).into(),
                instrumentalness: Some(instrumentalness).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        };
        // energy 0.5 vs 1.0: 0.5; tempo 100 vs 80: 0.2; instrumentalness 0 vs 0: skipped.
        let d = sound_diff(&t(0.5, 100.0, 0.0), &t(1.0, 80.0, 0.0)).unwrap();
        assert!((d - (0.25f64 + 0.04).sqrt()).abs() < 1e-6, "{d}");
        assert_eq!(
            sound_diff(&t(0.5, 100.0, 0.0), &t(0.5, 100.0, 0.0)),
            Some(0.0)
        );
        assert_eq!(sound_diff(&Track::default(), &t(0.5, 1.0, 0.0)), None);
    }

    #[test]
    fn sound_diff_reads_the_seeds_eight_parameters_with_its_denominator() {
        let t = |loudness, key, liveness| Track {
            features: AudioFeatures {
                loudness: Some(loudness).into(),
                key: Some(key),
                liveness: Some(liveness).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        };
        // Key and liveness are not sound parameters; loudness -5 vs -10 dB: 5 / |max| = 5 / 5.
        let d = sound_diff(&t(-5.0, 1, 0.1), &t(-10.0, 7, 0.9)).unwrap();
        assert!((d - 1.0).abs() < 1e-6, "{d}");
    }
}
