//! A synthetic catalog of any size drawn from a real one, for measuring speed and memory at
//! scales the real data does not reach.
//!
//! Each synthetic track copies a randomly drawn real track (its genres, subgenres and the
//! pattern of missing values, so the joint distribution of features and genres is the real
//! one) and jitters every number by a share of that feature's spread, clamped to the range
//! seen. Ids, titles, artists and albums are invented; every real track spawns a few invented
//! artists, so artists stay within a style and hold several tracks each, as in real catalogs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use selecta_types::{AudioFeatures, Track};

/// How to draw a synthetic catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticParams {
    /// Number of tracks.
    pub tracks: usize,
    /// Seed of the random generator: the same seed gives the same catalog.
    pub seed: u64,
    /// Standard deviation of the jitter, as a share of each feature's spread.
    pub jitter: f32,
    /// Invented artists per real track drawn from.
    pub artists_per_template: usize,
}

impl Default for SyntheticParams {
    fn default() -> Self {
        SyntheticParams {
            tracks: 1_000_000,
            seed: 42,
            jitter: 0.15,
            artists_per_template: 4,
        }
    }
}

/// Range and spread of one continuous value in the real catalog.
#[derive(Debug, Clone, Copy)]
struct Spread {
    lo: f32,
    hi: f32,
    std: f32,
}

impl Spread {
    fn of(values: impl Iterator<Item = f32>) -> Spread {
        let v: Vec<f64> = values.filter(|x| x.is_finite()).map(f64::from).collect();
        if v.is_empty() {
            return Spread {
                lo: 0.0,
                hi: 0.0,
                std: 0.0,
            };
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        Spread {
            lo: v.iter().copied().fold(f64::INFINITY, f64::min) as f32,
            hi: v.iter().copied().fold(f64::NEG_INFINITY, f64::max) as f32,
            std: var.sqrt() as f32,
        }
    }

    fn jitter(&self, v: f32, noise: f32, rng: &mut ChaCha8Rng) -> f32 {
        let z: f32 = Normal::new(0.0, 1.0).expect("unit normal").sample(rng);
        (v + z * noise * self.std).clamp(self.lo, self.hi)
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ra", "ve", "no", "sa", "ti", "du", "fe", "zo", "ri", "an", "el", "or", "us",
    "ba", "ce", "di", "go", "ha", "ju", "ky", "pe",
];
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A pronounceable word from a number (the same number, the same word).
fn word(mut n: u64, syllables: usize) -> String {
    let mut w = String::with_capacity(syllables * 2);
    for _ in 0..syllables {
        w.push_str(SYLLABLES[(n % SYLLABLES.len() as u64) as usize]);
        n /= SYLLABLES.len() as u64;
    }
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => w,
    }
}

/// Keeps album ids apart from artist ids drawn from the same numbers.
const ALBUM_ID_SALT: u64 = 0xa1b5_0000_0000_0000;

/// A Spotify-shaped id (22 base62 characters) from a number: the same number, the same id, so
/// an invented artist or album keeps one id across its tracks.
fn spotify_id(n: u64) -> String {
    // splitmix64: spreads consecutive numbers over the whole id space.
    let mut state = n;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (mut bits, mut left) = (next(), 10);
    (0..22)
        .map(|_| {
            if left == 0 {
                (bits, left) = (next(), 10);
            }
            let c = BASE62[(bits % 62) as usize] as char;
            bits /= 62;
            left -= 1;
            c
        })
        .collect()
}

/// Draws a synthetic catalog from the real tracks `base` (which must not be empty).
pub fn generate(base: &[Track], params: &SyntheticParams) -> Vec<Track> {
    assert!(
        !base.is_empty(),
        "a synthetic catalog needs real tracks to draw from"
    );
    let f = |get: fn(&AudioFeatures) -> Option<f32>| {
        Spread::of(base.iter().filter_map(|t| get(&t.features)))
    };
    let spreads = [
        f(|a| a.danceability.get()),
        f(|a| a.energy.get()),
        f(|a| a.loudness.get()),
        f(|a| a.speechiness.get()),
        f(|a| a.acousticness.get()),
        f(|a| a.instrumentalness.get()),
        f(|a| a.liveness.get()),
        f(|a| a.valence.get()),
        f(|a| a.tempo.get()),
    ];
    let popularity = Spread::of(base.iter().filter_map(|t| t.popularity));
    let duration = Spread::of(base.iter().filter_map(|t| t.duration_ms.map(|d| d as f32)));
    let year = Spread::of(base.iter().filter_map(|t| t.year.map(f32::from)));
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let noise = params.jitter;
    let per_template = params.artists_per_template.max(1) as u64;
    // Enough syllables for every artist number to get its own name; multiplying by a prime
    // that shares no factor with 24ˢ permutes the numbers, so names do not look sequential.
    let artists = base.len() as u64 * per_template;
    let (mut syllables, mut names) = (3usize, 24u64.pow(3));
    while names < artists {
        syllables += 1;
        names *= 24;
    }
    let mut out = Vec::with_capacity(params.tracks);
    for _ in 0..params.tracks {
        let template_no = rng.random_range(0..base.len());
        let t = &base[template_no];
        let a = &t.features;
        let j = |v: Option<f32>, s: usize, rng: &mut ChaCha8Rng| {
            v.map(|v| spreads[s].jitter(v, noise, rng))
        };
        let features = AudioFeatures {
            danceability: j(a.danceability.get(), 0, &mut rng).into(),
            energy: j(a.energy.get(), 1, &mut rng).into(),
            key: a.key.map(|k| {
                if rng.random_bool(0.8) {
                    k
                } else {
                    rng.random_range(0..12)
                }
            }),
            loudness: j(a.loudness.get(), 2, &mut rng).into(),
            mode: a.mode.map(|m| {
                if rng.random_bool(0.9) {
                    m
                } else {
                    1 - m.min(1)
                }
            }),
            speechiness: j(a.speechiness.get(), 3, &mut rng).into(),
            acousticness: j(a.acousticness.get(), 4, &mut rng).into(),
            instrumentalness: j(a.instrumentalness.get(), 5, &mut rng).into(),
            liveness: j(a.liveness.get(), 6, &mut rng).into(),
            valence: j(a.valence.get(), 7, &mut rng).into(),
            tempo: j(a.tempo.get(), 8, &mut rng).into(),
            time_signature: a.time_signature,
        };
        let artist_no = template_no as u64 * per_template + rng.random_range(0..per_template);
        let id: String = (0..22)
            .map(|_| BASE62[rng.random_range(0..BASE62.len())] as char)
            .collect();
        let title_no: u64 = rng.random();
        let words = 1 + (title_no % 3) as usize;
        let name = (0..words)
            .map(|i| word(title_no >> (8 + 12 * i), 2))
            .collect::<Vec<_>>()
            .join(" ");
        let album_no = artist_no * 31 + rng.random_range(0..3);
        let track_year = t
            .year
            .map(|y| year.jitter(f32::from(y), noise, &mut rng).round() as u16);
        out.push(Track {
            id: id.into(),
            name: name.into(),
            artists: vec![word((artist_no * 7919) % names, syllables).into()],
            artist_ids: vec![spotify_id(artist_no).into()],
            isrc: None,
            album: word(album_no, 2).into(),
            album_id: Some((spotify_id(album_no ^ ALBUM_ID_SALT)).into()),
            release_date: (track_year.map(|y| y.to_string())).map(Into::into),
            year: track_year,
            popularity: t
                .popularity
                .map(|p| popularity.jitter(p, noise, &mut rng).round()),
            duration_ms: t
                .duration_ms
                .map(|d| duration.jitter(d as f32, noise, &mut rng).round() as u32),
            explicit: t.explicit,
            genres: t.genres.clone(),
            subgenres: t.subgenres.clone(),
            features,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<Track> {
        (0..20)
            .map(|i| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec![format!("Artist {}", i % 5).into()],
                year: Some(1990 + i as u16),
                popularity: Some(i as f32 * 5.0),
                duration_ms: Some(180_000 + i * 1000),
                genres: vec![if i % 2 == 0 { "pop" } else { "rock" }.into()],
                subgenres: vec![format!("sub{}", i % 4).into()],
                features: AudioFeatures {
                    energy: Some(i as f32 / 20.0).into(),
                    tempo: if i % 3 == 0 {
                        None.into()
                    } else {
                        Some(90.0 + i as f32).into()
                    },
                    key: Some((i % 12) as u8),
                    mode: Some((i % 2) as u8),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect()
    }

    #[test]
    fn same_seed_same_catalog_within_real_ranges() {
        let params = SyntheticParams {
            tracks: 500,
            ..SyntheticParams::default()
        };
        let a = generate(&base(), &params);
        assert_eq!(a, generate(&base(), &params));
        assert_ne!(
            a,
            generate(
                &base(),
                &SyntheticParams {
                    seed: 43,
                    ..params.clone()
                }
            )
        );
        assert_eq!(a.len(), 500);
        let ids: std::collections::HashSet<&str> = a.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids.len(), 500);
        for t in &a {
            assert_eq!(t.id.len(), 22);
            let e = t.features.energy.get().unwrap();
            assert!((0.0..=0.95).contains(&e), "energy {e}");
            let y = t.year.unwrap();
            assert!((1990..=2009).contains(&y), "year {y}");
            assert!(t.features.energy.is_some() && t.features.danceability.is_none());
            assert_eq!(t.genres.len(), 1);
        }
        // The missing-value pattern follows the templates: about a third lack tempo.
        let missing = a.iter().filter(|t| t.features.tempo.is_none()).count();
        assert!((100..250).contains(&missing), "{missing} without tempo");
        // Artists repeat (several tracks each) and stay within one genre.
        let mut genre_of: std::collections::HashMap<&str, &str> = Default::default();
        for t in &a {
            let g = genre_of.entry(&t.artists[0]).or_insert(&t.genres[0]);
            assert_eq!(*g, t.genres[0]);
        }
        assert!(genre_of.len() < 100, "{} artists", genre_of.len());
    }
}
