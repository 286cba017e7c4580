//! Tracks and artists known from Spotify, matched to the catalog: the same recording under
//! another id, else a proxy estimated from the catalog's tracks by the same artists. Pure:
//! the lookups themselves are in [`crate::lookup`].

use std::collections::HashSet;

use selecta_catalog::normalize::normalize;
use selecta_catalog::{song_key, Catalog, CatalogMerger};
use selecta_model::{mean_features, on_album, Model, ProxySeed, GUEST_WEIGHT, PROXY_SOURCES};
use selecta_types::{SpotifyArtist, SpotifyTrack, Track};

use crate::resolve::TRACKS_PER_GROUP_SEED;
use crate::resolve::{MatchKind, Matched};
use crate::view::{slug, CatalogIndex};

/// Two releases of a recording whose lengths differ by more than this are different edits
/// (a radio edit, an extended mix), even under the same title.
pub const DURATION_TOLERANCE_MS: u32 = 4_000;

/// The catalog track that is the same recording as `t`: by ISRC when both have one, else by
/// song key (normalised main artist and title without version tags) with the lengths within
/// [`DURATION_TOLERANCE_MS`] when both are known. The most popular such track.
pub fn same_recording(model: &Model, index: &CatalogIndex, t: &SpotifyTrack) -> Option<usize> {
    let tracks = model.tracks();
    if let Some(i) = t.isrc.as_deref().and_then(|code| index.isrc(code, tracks)) {
        return Some(i);
    }
    song_tracks(index, tracks, t).into_iter().find(|&i| {
        match (tracks[i].duration_ms, t.duration_ms) {
            (Some(a), Some(b)) => a.abs_diff(b) <= DURATION_TOLERANCE_MS,
            _ => true,
        }
    })
}

/// The catalog's versions of `t`'s song (normalised main artist and title without version
/// tags, [`song_key`]), most popular first; none for a track without title or artist.
/// `tracks` are the catalog's, which `index` was built from.
pub fn song_tracks(index: &CatalogIndex, tracks: &[Track], t: &SpotifyTrack) -> Vec<usize> {
    if t.name.trim().is_empty() || t.artists.is_empty() {
        return Vec::new();
    }
    let probe = Track {
        name: t.name.clone().into(),
        artists: t.artists.iter().map(|a| a.as_str().into()).collect(),
        ..Track::default()
    };
    index.song(&song_key(&probe), tracks)
}

/// A proxy for `t` from the catalog's tracks by its artists (by Spotify id where the catalog
/// has ids, else by normalised name), weighted toward its album, its era, its main artist and
/// popular tracks; `None` when the catalog has no track by any of its artists.
pub fn proxy(model: &Model, index: &CatalogIndex, t: &SpotifyTrack) -> Option<ProxySeed> {
    let tracks = model.tracks();
    let album = normalize(&t.album);
    let probe = track_of(t);
    let mut from: Vec<(usize, f32)> = Vec::new();
    for (k, name) in t.artists.iter().enumerate() {
        let Some(artist) = catalog_artist(index, t, k, name) else {
            continue;
        };
        let role = if k == 0 { 1.0 } else { GUEST_WEIGHT };
        for &i in &artist.tracks {
            let w = role * kinship(&probe, &album, &tracks[i]);
            match from.iter_mut().find(|(j, _)| *j == i) {
                Some((_, v)) => *v = v.max(w),
                None => from.push((i, w)),
            }
        }
    }
    if from.is_empty() {
        return None;
    }
    from.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    from.truncate(PROXY_SOURCES);
    Some(ProxySeed { track: probe, from })
}

/// How much catalog track `c` by one of `t`'s artists says about `t`'s sound
/// ([`selecta_model::kinship`]); `album` is `t`'s album name, normalised.
fn kinship(t: &Track, album: &str, c: &Track) -> f32 {
    selecta_model::kinship(t, on_album(t.album_id.as_deref(), album, c), c)
}

/// Folds tracks learned through lookups into a catalog before a fit: each one the catalog
/// lacks (by id, or as the same song within [`DURATION_TOLERANCE_MS`]) and has tracks by its
/// artists gets their weighted mean audio features ([`kinship`]; see
/// [`selecta_model::mean_features`]) and the genres of the closest one. Returns the catalog,
/// how many were added and how many left out.
pub fn fold_into(catalog: Catalog, known: &[SpotifyTrack]) -> (Catalog, usize, usize) {
    let tracks = catalog.tracks();
    let index = CatalogIndex::build(tracks);
    let ids: HashSet<String> = tracks.iter().map(|t| t.id.to_string()).collect();
    let (mut added, mut left_out): (Vec<Track>, usize) = (Vec::new(), 0);
    for t in known {
        let probe = track_of(t);
        let same_song = song_tracks(&index, tracks, t).into_iter().any(|i| {
            match (tracks[i].duration_ms, t.duration_ms) {
                (Some(a), Some(b)) => a.abs_diff(b) <= DURATION_TOLERANCE_MS,
                _ => true,
            }
        });
        if ids.contains(&t.id) || same_song || added.iter().any(|a| a.id == t.id) {
            left_out += 1;
            continue;
        }
        let album = normalize(&t.album);
        let mut from: Vec<(usize, f32)> = Vec::new();
        for (k, name) in t.artists.iter().enumerate() {
            if let Some(artist) = catalog_artist(&index, t, k, name) {
                let role = if k == 0 { 1.0 } else { GUEST_WEIGHT };
                from.extend(
                    artist
                        .tracks
                        .iter()
                        .map(|&i| (i, role * kinship(&probe, &album, &tracks[i]))),
                );
            }
        }
        let Some(&(closest, _)) = from.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
            left_out += 1;
            continue;
        };
        added.push(Track {
            features: mean_features(tracks, &from),
            genres: tracks[closest].genres.clone(),
            subgenres: tracks[closest].subgenres.clone(),
            ..probe
        });
    }
    let n = added.len();
    let mut merger = CatalogMerger::new();
    merger.add_catalog("catalog", catalog);
    merger.add_tracks("lookups", added);
    (merger.finish().0, n, left_out)
}

/// Matches a track known from Spotify: the same recording, else a proxy; `None` when the
/// catalog has nothing by its artists.
pub fn match_track(model: &Model, index: &CatalogIndex, t: &SpotifyTrack) -> Option<Matched> {
    let tracks = model.tracks();
    if let Some(i) = same_recording(model, index, t) {
        let c = &tracks[i];
        let note = if normalize(&c.album) == normalize(&t.album) {
            format!(
                "{} ({}) is in the catalog under another id",
                t.name, t.album
            )
        } else {
            format!(
                "{} ({}) is the same recording as the one on {} in the catalog",
                t.name, t.album, c.album
            )
        };
        return Some(Matched {
            tracks: vec![i],
            how: MatchKind::SameRecording,
            proxy: None,
            note: Some(note),
        });
    }
    let p = proxy(model, index, t)?;
    let by: Vec<&str> = t
        .artists
        .iter()
        .enumerate()
        .filter(|&(k, name)| catalog_artist(index, t, k, name).is_some())
        .map(|(_, name)| name.as_str())
        .collect();
    let note = format!(
        "{} is not in the catalog: its sound is estimated from {} catalog track{} by {}",
        t.name,
        p.from.len(),
        if p.from.len() == 1 { "" } else { "s" },
        join_names(&by)
    );
    Some(Matched {
        tracks: p.from.iter().map(|&(i, _)| i).collect(),
        how: MatchKind::Proxy,
        proxy: Some(Box::new(p)),
        note: Some(note),
    })
}

/// Matches an artist known from Spotify: the catalog's artist (by id, else by name), else
/// the catalog genre of one of Spotify's genres for it; `None` when neither is there.
pub fn match_artist(index: &CatalogIndex, a: &SpotifyArtist, per_group: usize) -> Option<Matched> {
    let per_group = per_group.clamp(1, TRACKS_PER_GROUP_SEED);
    if let Some(artist) = index
        .artist_by_spotify_id(&a.id)
        .or_else(|| index.artist_named(&a.name))
    {
        return Some(Matched {
            tracks: artist.tracks.iter().copied().take(per_group).collect(),
            how: MatchKind::Artist,
            proxy: None,
            note: None,
        });
    }
    let (name, genre) = a
        .genres
        .iter()
        .find_map(|g| index.genre(&slug(g)).map(|genre| (g, genre)))?;
    Some(Matched {
        tracks: genre.tracks.iter().copied().take(per_group).collect(),
        how: MatchKind::Genre,
        proxy: None,
        note: Some(format!(
            "{} is not in the catalog: matched by their genre, {name}",
            a.name
        )),
    })
}

/// The catalog form of a Spotify track (no audio features: a proxy estimates them).
pub fn track_of(t: &SpotifyTrack) -> Track {
    Track {
        id: t.id.clone().into(),
        name: t.name.clone().into(),
        artists: t.artists.iter().map(|a| a.as_str().into()).collect(),
        artist_ids: t.artist_ids.iter().map(|a| a.as_str().into()).collect(),
        album: t.album.clone().into(),
        album_id: t.album_id.clone().map(Into::into),
        release_date: t.release_date.clone().map(Into::into),
        year: t.year,
        popularity: t.popularity.map(f32::from),
        duration_ms: t.duration_ms,
        explicit: t.explicit,
        isrc: t.isrc.clone().map(Into::into),
        ..Track::default()
    }
}

/// The catalog's artist for `t`'s `k`th artist: by Spotify id, else by name.
fn catalog_artist<'i>(
    index: &'i CatalogIndex,
    t: &SpotifyTrack,
    k: usize,
    name: &str,
) -> Option<&'i crate::view::Artist> {
    t.artist_ids
        .get(k)
        .and_then(|id| index.artist_by_spotify_id(id))
        .or_else(|| index.artist_named(name))
}

/// `A`, `A and B`, `A, B and C`.
fn join_names(names: &[&str]) -> String {
    match names {
        [] => "its artists".into(),
        [one] => (*one).into(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
