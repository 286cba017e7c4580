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

/// The weighted mean over `from` (catalog indices into `tracks`, positive weights) of the
/// tracks' known values of `get`; `None` when none has one.
fn weighted_mean(
    tracks: &[Track],
    from: &[(usize, f32)],
    get: impl Fn(&Track) -> Option<f32>,
) -> Option<f32> {
    let (mut sum, mut weight) = (0.0f32, 0.0f32);
    for &(i, w) in from {
        if let Some(v) = get(&tracks[i]) {
            sum += w * v;
            weight += w;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

/// The weighted mean of the known audio features of `from` (catalog indices into `tracks`,
/// positive weights); key, mode and time signature, which a mean does not give, from the
/// heaviest track that has them.
pub fn mean_features(tracks: &[Track], from: &[(usize, f32)]) -> AudioFeatures {
    let mean = |get: &dyn Fn(&AudioFeatures) -> Option<f32>| {
        weighted_mean(tracks, from, |t| get(&t.features))
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
        known_metadata_shift(model, &proxy.from, &track, &mut vector);
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

/// Moves a proxy's vector (the weighted mean of its tracks') by what its own metadata says of
/// the columns model space reads from metadata, not sound: popularity, duration and year. The
/// lookup knows these of the track itself; its tracks' mean only guesses them. Model space is
/// linear in each column, so the shift is the difference of two encodings that differ only there.
fn known_metadata_shift(model: &Model, from: &[(usize, f32)], track: &Track, vector: &mut [f32]) {
    let mean = |get: &dyn Fn(&Track) -> Option<f32>| weighted_mean(model.tracks(), from, get);
    let mut guessed = track.clone();
    let mut differs = false;
    if track.popularity.is_some() {
        guessed.popularity = mean(&|t| t.popularity);
        differs |= guessed.popularity != track.popularity;
    }
    if track.duration_ms.is_some() {
        guessed.duration_ms = mean(&|t| t.duration_ms.map(|d| d as f32)).map(|d| d.round() as u32);
        differs |= guessed.duration_ms != track.duration_ms;
    }
    if track.year.is_some() {
        // Whole years, as the column reads them: the kin's mean is off by under half a year.
        guessed.year = mean(&|t| t.year.map(f32::from)).map(|y| y.round() as u16);
        differs |= guessed.year != track.year;
    }
    if !differs {
        return;
    }
    let known = model.transform(track);
    let guess = model.transform(&guessed);
    for ((v, k), g) in vector.iter_mut().zip(known.iter()).zip(guess.iter()) {
        *v += k - g;
    }
}

fn add<K: PartialEq + Copy>(list: &mut Vec<(K, f32)>, k: K, w: f32) {
    match list.iter_mut().find(|(i, _)| *i == k) {
        Some((_, v)) => *v += w,
        None => list.push((k, w)),
    }
}

/// Weight of a catalog track on the seed's own album, against one on another album.
const SAME_ALBUM_WEIGHT: f32 = 3.0;
/// Years apart at which a kin track's weight halves.
const ERA_HALF_YEARS: f32 = 4.0;
/// Weight of a track where the artist is a guest, against one where they lead (the caller
/// multiplies it into [`kinship`]).
pub const GUEST_WEIGHT: f32 = 0.5;

/// Popularity apart at which a kin track's weight halves: a popular tune's kin are its
/// artist's hits, a deep cut's the deep cuts.
const POPULARITY_HALF: f32 = 25.0;

/// How much catalog track `c`, by one of `seed`'s artists, says about `seed`'s sound: three
/// times as much on its own album (`same_album`, as the caller tells it), halving every
/// [`ERA_HALF_YEARS`] between their release dates and every [`POPULARITY_HALF`] between their
/// popularities (when the seed's is unknown, more when `c` is popular). The engine's
/// matching and the learner's proxies weigh kin alike through it.
pub fn kinship(seed: &Track, same_album: bool, c: &Track) -> f32 {
    let album_w = if same_album { SAME_ALBUM_WEIGHT } else { 1.0 };
    let era_w = match (
        crate::release::release_years(seed),
        crate::release::release_years(c),
    ) {
        (Some(a), Some(b)) => 1.0 / (1.0 + (a - b).abs() / ERA_HALF_YEARS),
        _ => 0.5,
    };
    let pop_w = match (seed.popularity, c.popularity) {
        (Some(a), Some(b)) => 1.0 / (1.0 + (a - b).abs() / POPULARITY_HALF),
        _ => 0.5 + c.popularity.unwrap_or(0.0).clamp(0.0, 100.0) / 200.0,
    };
    album_w * era_w * pop_w
}

/// Most catalog tracks a proxy is estimated from, by [`artist_proxy`] and by the engine's
/// matching: the closest kin only (same album, same era), since a mean over an artist's whole
/// catalogue blurs its sound.
pub const PROXY_SOURCES: usize = 12;
const _: () = assert!(PROXY_SOURCES <= MAX_PROXY_TRACKS);

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
        let role = if k == 0 { 1.0 } else { GUEST_WEIGHT };
        for &j in aff.artist_tracks.row(a as usize) {
            let j = j as usize;
            if j == i || leave_out.contains(&j) {
                continue;
            }
            let same_album = album.is_some() && aff.album(j) == album;
            let w = role * kinship(t, same_album, &tracks[j]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ModelParams;
    use selecta_catalog::Catalog;

    /// Tracks 0 and 1 sound alike and differ in popularity, length and year only; the others
    /// spread the columns so that each varies.
    fn model() -> Model {
        let tracks = (0..10)
            .map(|i| Track {
                id: format!("t{i}").into(),
                name: format!("Song {i}").into(),
                artists: vec!["Artist".into()],
                year: Some(1990 + 3 * i as u16),
                popularity: Some(8.0 * i as f32),
                duration_ms: Some(150_000 + 20_000 * i as u32),
                genres: vec!["pop".into()],
                features: AudioFeatures {
                    energy: Some(if i < 2 { 0.5 } else { i as f32 / 10.0 }).into(),
                    tempo: Some(if i < 2 { 120.0 } else { 80.0 + 7.0 * i as f32 }).into(),
                    ..AudioFeatures::default()
                },
                ..Track::default()
            })
            .collect();
        Model::fit(
            Catalog::from_tracks(tracks, Vec::new()),
            &ModelParams::default(),
            &mut |_| {},
        )
        .unwrap()
    }

    #[test]
    fn a_proxy_takes_its_popularity_length_and_year_from_the_lookup_not_its_kin() {
        let model = model();
        // Track 0 known only by its metadata, estimated from track 1 alone: the same sound,
        // so with its own popularity, length and year it lands on track 0 itself.
        let proxy = ProxySeed {
            track: model.tracks()[0].clone(),
            from: vec![(1, 1.0)],
        };
        let point = SeedPoint::of_proxy(&model, &proxy);
        let (v0, v1) = (model.vector(0), model.vector(1));
        let gap = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>();
        assert!(gap(v0, v1) > 0.5, "the metadata columns tell 0 and 1 apart");
        assert!(gap(&point.vector, v0) < 1e-3, "{:?} {:?}", point.vector, v0);

        // Without a length, popularity or year in the lookup, the kin's guess stands.
        let mut unknown = proxy.clone();
        (
            unknown.track.popularity,
            unknown.track.duration_ms,
            unknown.track.year,
        ) = (None, None, None);
        unknown.track.release_date = None;
        let point = SeedPoint::of_proxy(&model, &unknown);
        assert!(gap(&point.vector, v1) < 1e-3);
    }

    #[test]
    fn kin_weigh_more_on_the_album_near_the_date_and_near_the_popularity() {
        let seed = Track {
            year: Some(2010),
            popularity: Some(80.0),
            ..Track::default()
        };
        let kin = |year: u16, popularity: f32| Track {
            year: Some(year),
            popularity: Some(popularity),
            ..Track::default()
        };
        let w = |c: &Track, album: bool| kinship(&seed, album, c);
        assert!(w(&kin(2010, 78.0), true) > w(&kin(2010, 78.0), false) * 2.9);
        assert!(w(&kin(2010, 78.0), false) > w(&kin(2018, 78.0), false));
        assert!(w(&kin(2010, 78.0), false) > w(&kin(2010, 20.0), false));
        // A seed of unknown popularity favours popular kin.
        let seed = Track {
            popularity: None,
            ..seed
        };
        assert!(kinship(&seed, false, &kin(2010, 90.0)) > kinship(&seed, false, &kin(2010, 10.0)));
    }
}
