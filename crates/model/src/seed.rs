//! Seeds: catalog tracks, or proxies for tracks the catalog lacks.
//!
//! A proxy stands for a track known only by its metadata (a Spotify id the catalog does not
//! hold). Its sound is estimated as the weighted mean, in model space, of catalog tracks the
//! caller chose (by the same artists, weighted toward the same album and era); its artists,
//! album, labels, era and playlist co-occurrence are those of the same tracks, in proportion
//! to their weights. It then takes part in every signal a catalog seed does: the request
//! stages read a [`SeedPoint`], whichever kind of seed it came from.

use std::borrow::Cow;

use selecta_catalog::normalize::normalize;
use selecta_types::{AudioFeatures, Text, Track};

use crate::error::GenerateError;
use crate::model::Model;

/// Most catalog tracks a proxy is estimated from.
pub const MAX_PROXY_TRACKS: usize = 32;

/// A seed of a playlist.
#[derive(Debug, Clone, PartialEq)]
pub enum Seed {
    /// A catalog track (its index).
    Track(usize),
    /// A track the catalog lacks, estimated from catalog tracks.
    Proxy(Box<ProxySeed>),
}

/// A track the catalog lacks, estimated from catalog tracks.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxySeed {
    /// The track as known: id, name, artists, album, year. Its audio features are ignored and
    /// estimated from `from` (see [`ProxySeed::estimated`]).
    pub track: Track,
    /// The catalog tracks it is estimated from (indices), with positive weights; 1 to
    /// [`MAX_PROXY_TRACKS`].
    pub from: Vec<(usize, f32)>,
}

impl ProxySeed {
    /// Checks the indices and weights.
    pub(crate) fn check(&self, catalog_len: usize) -> Result<(), GenerateError> {
        let bad = |message: String| GenerateError::InvalidOption {
            param: "seeds".into(),
            message: format!("seeds: {message}"),
        };
        if !(1..=MAX_PROXY_TRACKS).contains(&self.from.len()) {
            return Err(bad(format!(
                "a proxy seed needs 1..={MAX_PROXY_TRACKS} catalog tracks, got {}",
                self.from.len()
            )));
        }
        for &(i, w) in &self.from {
            if i >= catalog_len {
                return Err(bad(format!(
                    "index {i} is out of range (the catalog has {catalog_len} tracks)"
                )));
            }
            if !(w.is_finite() && w > 0.0) {
                return Err(bad(format!("proxy weight {w} is not a positive number")));
            }
        }
        Ok(())
    }

    /// The track with its audio features estimated: each the weighted mean of the known
    /// values of `from` (key and mode, which a mean does not give, from the heaviest track
    /// that has them).
    pub fn estimated(&self, model: &Model) -> Track {
        let tracks = model.tracks();
        let features = mean_features(tracks, &self.from);
        let mut genres: Vec<Text> = Vec::new();
        for &(i, _) in &self.from {
            for g in &tracks[i].genres {
                if !genres.contains(g) {
                    genres.push(g.clone());
                }
            }
        }
        Track {
            features,
            genres: if self.track.genres.is_empty() {
                genres
            } else {
                self.track.genres.clone()
            },
            ..self.track.clone()
        }
    }
}

/// Whether catalog track `c` is on the album with id `album_id` and normalised name `album`:
/// by id when both have one (an album's name is not unique: "Greatest Hits"), else by name.
pub fn on_album(album_id: Option<&str>, album: &str, c: &Track) -> bool {
    match (album_id, c.album_id.as_deref()) {
        (Some(a), Some(b)) => a == b,
        _ => !album.is_empty() && normalize(&c.album) == album,
    }
}

/// The weighted mean of the known audio features of `from` (catalog indices into `tracks`,
/// positive weights); key, mode and time signature, which a mean does not give, from the
/// heaviest track that has them.
pub fn mean_features(tracks: &[Track], from: &[(usize, f32)]) -> AudioFeatures {
    let mean = |get: &dyn Fn(&AudioFeatures) -> Option<f32>| {
        let (mut sum, mut weight) = (0.0f32, 0.0f32);
        for &(i, w) in from {
            if let Some(v) = get(&tracks[i].features) {
                sum += w * v;
                weight += w;
            }
        }
        (weight > 0.0).then(|| sum / weight)
    };
    let heaviest = |get: &dyn Fn(&AudioFeatures) -> Option<u8>| {
        from.iter()
            .filter_map(|&(i, w)| get(&tracks[i].features).map(|v| (w, v)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, v)| v)
    };
    AudioFeatures {
        danceability: mean(&|f| f.danceability.get()).into(),
        energy: mean(&|f| f.energy.get()).into(),
        key: heaviest(&|f| f.key),
        loudness: mean(&|f| f.loudness.get()).into(),
        mode: heaviest(&|f| f.mode),
        speechiness: mean(&|f| f.speechiness.get()).into(),
        acousticness: mean(&|f| f.acousticness.get()).into(),
        instrumentalness: mean(&|f| f.instrumentalness.get()).into(),
        liveness: mean(&|f| f.liveness.get()).into(),
        valence: mean(&|f| f.valence.get()).into(),
        tempo: mean(&|f| f.tempo.get()).into(),
        time_signature: heaviest(&|f| f.time_signature),
    }
}

/// How many of `seeds` are proxies (the ranker reads their share; the weights blend by it).
pub(crate) fn proxy_count(seeds: &[Seed]) -> usize {
    seeds.iter().filter(|s| matches!(s, Seed::Proxy(_))).count()
}

/// A seed as the request stages read it.
pub(crate) struct SeedPoint<'a> {
    /// Catalog index, for a catalog seed (left out of the candidates).
    pub index: Option<usize>,
    /// Position in model space.
    pub vector: Cow<'a, [f32]>,
    /// Artist ids (the affinity lists'), with the share of the seed they stand for.
    pub artists: Vec<(u32, f32)>,
    /// Album id and share.
    pub album: Option<(u32, f32)>,
    /// Subgenre and genre ids with shares.
    pub subgenres: Vec<(u16, f32)>,
    pub genres: Vec<(u16, f32)>,
    /// Release date in years with a fraction (see [`crate::release`]).
    pub date: Option<f32>,
    /// Key and mode, when known (a proxy has none).
    pub key: Option<u8>,
    pub mode: Option<u8>,
    /// Playlist co-occurrence: (track, weight).
    pub cooccurring: Cow<'a, [(u32, f32)]>,
    /// The "same song" id, for collapsing versions.
    pub song: Option<u32>,
    /// The track, for reasons and the playlist's seed list.
    pub track: Cow<'a, Track>,
}

impl<'a> SeedPoint<'a> {
    /// A catalog track as a seed.
    pub fn of_track(model: &'a Model, i: usize) -> Self {
        let aff = &model.affinity;
        let labels = &model.labels;
        let t = &model.tracks()[i];
        SeedPoint {
            index: Some(i),
            vector: Cow::Borrowed(model.vector(i)),
            artists: aff.track_artists.row(i).iter().map(|&a| (a, 1.0)).collect(),
            album: aff.album(i).map(|a| (a, 1.0)),
            subgenres: labels.subgenres.row(i).iter().map(|&g| (g, 1.0)).collect(),
            genres: labels.genres.row(i).iter().map(|&g| (g, 1.0)).collect(),
            date: Some(labels.dates[i]).filter(|d| d.is_finite()),
            key: t.features.key,
            mode: t.features.mode,
            cooccurring: Cow::Borrowed(aff.cooccurring.row(i)),
            song: model.catalog().song_id(i),
            track: Cow::Borrowed(t),
        }
    }

    /// Catalog tracks as seeds.
    pub fn of_tracks(model: &'a Model, seeds: &[usize]) -> Vec<Self> {
        seeds.iter().map(|&i| Self::of_track(model, i)).collect()
    }

    /// A proxy as a seed (checked by the caller: see [`ProxySeed::check`]).
    pub fn of_proxy(model: &'a Model, proxy: &ProxySeed) -> Self {
        let aff = &model.affinity;
        let labels = &model.labels;
        let tracks = model.tracks();
        let total: f32 = proxy.from.iter().map(|&(_, w)| w).sum();
        let share = |w: f32| w / total;
        let dim = model.vector(0).len();
        let mut vector = vec![0.0f32; dim];
        let mut artists: Vec<(u32, f32)> = Vec::new();
        let mut albums: Vec<(u32, f32)> = Vec::new();
        let mut subgenres: Vec<(u16, f32)> = Vec::new();
        let mut genres: Vec<(u16, f32)> = Vec::new();
        let mut cooccurring: Vec<(u32, f32)> = Vec::new();
        let (mut date_sum, mut date_weight) = (0.0f32, 0.0f32);
        let album_name = normalize(&proxy.track.album);
        for &(i, w) in &proxy.from {
            let s = share(w);
            for (v, x) in vector.iter_mut().zip(model.vector(i)) {
                *v += s * x;
            }
            for &a in aff.track_artists.row(i) {
                add(&mut artists, a, s);
            }
            // Only the seed's own album counts as its album: the artist's others are not.
            if let Some(a) = aff.album(i) {
                if on_album(proxy.track.album_id.as_deref(), &album_name, &tracks[i]) {
                    add(&mut albums, a, s);
                }
            }
            for &g in labels.subgenres.row(i) {
                add(&mut subgenres, g, s);
            }
            for &g in labels.genres.row(i) {
                add(&mut genres, g, s);
            }
            cooccurring.extend(aff.cooccurring.row(i).iter().map(|&(c, cw)| (c, s * cw)));
            let d = labels.dates[i];
            if d.is_finite() {
                date_sum += s * d;
                date_weight += s;
            }
        }
        // One entry per track, weights summed: a sort, not a search per entry.
        cooccurring.sort_unstable_by_key(|&(c, _)| c);
        cooccurring.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 += later.1;
                true
            } else {
                false
            }
        });
        // The artists the seed shares with most of its tracks: its own (a featured guest on
        // one track is not the seed's artist).
        artists.retain(|&(_, s)| s >= 0.5);
        let album = albums.into_iter().max_by(|a, b| a.1.total_cmp(&b.1));
        // The seed's own date when the lookup gave one, else its tracks' mean.
        let date = crate::release::release_years(&proxy.track)
            .or_else(|| (date_weight > 0.0).then(|| date_sum / date_weight));
        let track = proxy.estimated(model);
        SeedPoint {
            index: None,
            vector: Cow::Owned(vector),
            artists,
            album,
            subgenres,
            genres,
            date,
            key: None,
            mode: None,
            cooccurring: Cow::Owned(cooccurring),
            song: None,
            track: Cow::Owned(track),
        }
    }

    /// The seeds of a request.
    pub fn of_seeds(model: &'a Model, seeds: &'a [Seed]) -> Vec<Self> {
        seeds
            .iter()
            .map(|s| match s {
                Seed::Track(i) => Self::of_track(model, *i),
                Seed::Proxy(p) => Self::of_proxy(model, p),
            })
            .collect()
    }

    /// Whether the seed has artist `a`.
    pub fn has_artist(&self, a: u32) -> bool {
        self.artists.iter().any(|&(b, _)| b == a)
    }
}

fn add<K: PartialEq + Copy>(list: &mut Vec<(K, f32)>, k: K, w: f32) {
    match list.iter_mut().find(|(i, _)| *i == k) {
        Some((_, v)) => *v += w,
        None => list.push((k, w)),
    }
}

/// Most catalog tracks [`artist_proxy`] estimates a proxy from (the engine's matching keeps
/// as many).
pub const PROXY_SOURCES: usize = 12;

/// What a catalog track would be as a proxy: catalog track `i` known only by its metadata and
/// estimated from the other catalog tracks of its artists (none of `leave_out`), weighted as
/// the engine's matching weighs them (three times on its album, halving every four years
/// apart, half for a guest's track, more when popular), the [`PROXY_SOURCES`] heaviest kept.
/// `None` when its artists have no other track. The learner turns seeds into proxies with it,
/// to learn the weights of requests whose seeds the catalog lacks.
pub(crate) fn artist_proxy(model: &Model, i: usize, leave_out: &[usize]) -> Option<ProxySeed> {
    let aff = &model.affinity;
    let tracks = model.tracks();
    let t = &tracks[i];
    let album = aff.album(i);
    let mut from: Vec<(usize, f32)> = Vec::new();
    for (k, &a) in aff.track_artists.row(i).iter().enumerate() {
        let role = if k == 0 { 1.0 } else { 0.5 };
        for &j in aff.artist_tracks.row(a as usize) {
            let j = j as usize;
            if j == i || leave_out.contains(&j) {
                continue;
            }
            let c = &tracks[j];
            let album_w = if album.is_some() && aff.album(j) == album {
                3.0
            } else {
                1.0
            };
            let era_w = match (t.year, c.year) {
                (Some(a), Some(b)) => 1.0 / (1.0 + f32::from(a.abs_diff(b)) / 4.0),
                _ => 0.5,
            };
            let pop_w = 0.5 + c.popularity.unwrap_or(0.0).clamp(0.0, 100.0) / 200.0;
            let w = role * album_w * era_w * pop_w;
            match from.iter_mut().find(|(x, _)| *x == j) {
                Some((_, v)) => *v = v.max(w),
                None => from.push((j, w)),
            }
        }
    }
    if from.is_empty() {
        return None;
    }
    from.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    from.truncate(PROXY_SOURCES);
    Some(ProxySeed {
        track: Track {
            features: AudioFeatures::default(),
            genres: Vec::new(),
            subgenres: Vec::new(),
            ..t.clone()
        },
        from,
    })
}
