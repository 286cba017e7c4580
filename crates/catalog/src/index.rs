//! The text index built once per catalog: normalised titles, artists and albums, and maps from
//! exact keys to tracks, so that search and resolution never normalise the catalog per query.

use std::collections::HashMap;
use std::fmt;

use selecta_types::Track;

use crate::normalize::{normalize, title_forms};

/// Normalised text of one track.
#[derive(Clone, Default)]
pub(crate) struct TrackText {
    /// Whole title.
    pub title: String,
    /// Title without guest credits.
    pub title_base: String,
    /// Title without any version marker.
    pub title_key: String,
    /// Each artist.
    pub artists: Vec<String>,
    /// Artists joined by spaces.
    pub artists_joined: String,
    /// Album title.
    pub album: String,
    /// Id of the song (see [`song_key`]) among the catalog's songs.
    pub song: u32,
    /// Popularity, for ranking (missing counts as 0).
    pub popularity: f32,
}

/// A normalised key with the set of characters it uses, for a cheap edit-distance bound.
#[derive(Clone, Default)]
pub(crate) struct Key {
    pub text: String,
    pub mask: u64,
}

/// The set of characters of a normalised string (`[a-z0-9 ]`), one bit each.
pub(crate) fn char_mask(s: &str) -> u64 {
    s.bytes().fold(0, |m, b| {
        let bit = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            b' ' => 36,
            _ => 37,
        };
        m | 1 << bit
    })
}

/// Separates the fields of one track in the search corpus.
pub(crate) const FIELD_SEP: u8 = 1;
/// Separates tracks in the search corpus.
pub(crate) const TRACK_SEP: u8 = 2;

/// Exact-key maps and the normalised text of every track.
#[derive(Clone, Default)]
pub(crate) struct TextIndex {
    pub texts: Vec<TrackText>,
    /// Title variants (whole, without guests, without versions) to tracks.
    pub by_title: HashMap<String, Vec<u32>>,
    /// Each artist to tracks.
    pub by_artist: HashMap<String, Vec<u32>>,
    /// The keys of `by_title` and `by_artist`, for fuzzy scans.
    pub title_keys: Vec<Key>,
    pub artist_keys: Vec<Key>,
    /// `title 1 artists 1 album 2` of every track, for substring search in one pass.
    pub corpus: Vec<u8>,
    /// Where each track starts in `corpus`.
    pub starts: Vec<usize>,
}

impl fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextIndex")
            .field("tracks", &self.texts.len())
            .field("titles", &self.title_keys.len())
            .field("artists", &self.artist_keys.len())
            .finish()
    }
}

fn add(map: &mut HashMap<String, Vec<u32>>, key: &str, i: u32) {
    if key.is_empty() {
        return;
    }
    match map.get_mut(key) {
        // A track's title variants are often equal: list it once.
        Some(list) if list.last() == Some(&i) => {}
        Some(list) => list.push(i),
        None => {
            map.insert(key.to_string(), vec![i]);
        }
    }
}

fn keys(map: &HashMap<String, Vec<u32>>) -> Vec<Key> {
    // Scan order does not matter: scores are kept per track and ranked afterwards.
    map.keys()
        .map(|k| Key {
            mask: char_mask(k),
            text: k.clone(),
        })
        .collect()
}

impl TextIndex {
    /// Normalises every track once.
    pub fn build(tracks: &[Track]) -> TextIndex {
        let mut index = TextIndex {
            texts: Vec::with_capacity(tracks.len()),
            starts: Vec::with_capacity(tracks.len()),
            ..TextIndex::default()
        };
        let mut songs: HashMap<String, u32> = HashMap::new();
        for (i, t) in tracks.iter().enumerate() {
            let i = i as u32;
            let artists: Vec<String> = t.artists.iter().map(|a| normalize(a)).collect();
            let (title, title_base, title_key) = title_forms(&t.name);
            // Same as `song_key(t)`, from the parts already normalised.
            let song_key = format!("{}|{title_key}", artists.first().map_or("", |a| a.as_str()));
            let next_song = songs.len() as u32;
            let song = *songs.entry(song_key).or_insert(next_song);
            let text = TrackText {
                title,
                title_base,
                title_key,
                artists_joined: artists.join(" "),
                artists,
                album: normalize(&t.album),
                song,
                popularity: t.popularity.unwrap_or(0.0),
            };
            add(&mut index.by_title, &text.title, i);
            // Most titles have no guest or version to strip: skip the repeated lookups.
            if text.title_base != text.title {
                add(&mut index.by_title, &text.title_base, i);
            }
            if text.title_key != text.title && text.title_key != text.title_base {
                add(&mut index.by_title, &text.title_key, i);
            }
            for a in &text.artists {
                add(&mut index.by_artist, a, i);
            }
            index.starts.push(index.corpus.len());
            index.corpus.extend_from_slice(text.title.as_bytes());
            index.corpus.push(FIELD_SEP);
            index
                .corpus
                .extend_from_slice(text.artists_joined.as_bytes());
            index.corpus.push(FIELD_SEP);
            index.corpus.extend_from_slice(text.album.as_bytes());
            index.corpus.push(TRACK_SEP);
            index.texts.push(text);
        }
        index.title_keys = keys(&index.by_title);
        index.artist_keys = keys(&index.by_artist);
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_title_variants_artists_and_songs() {
        let t = |id: &str, name: &str, artist: &str| Track {
            id: id.into(),
            name: name.into(),
            artists: vec![artist.into()],
            ..Track::default()
        };
        let tracks = [
            t("a", "I Don't Care (with Justin Bieber)", "Ed Sheeran"),
            t(
                "b",
                "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
                "Ed Sheeran",
            ),
            t("c", "I Don't Care", "Someone Else"),
            t("d", "", ""),
        ];
        let idx = TextIndex::build(&tracks);
        assert_eq!(idx.by_title["i dont care"], [0, 1, 2]);
        assert_eq!(idx.by_title["i dont care with justin bieber"], [0]);
        assert_eq!(idx.by_title["i dont care loud luxury remix"], [1]);
        assert_eq!(idx.by_artist["ed sheeran"], [0, 1]);
        assert_eq!(idx.texts[0].song, idx.texts[1].song);
        assert_ne!(idx.texts[0].song, idx.texts[2].song);
        assert!(!idx.by_title.contains_key(""));
        assert_eq!(idx.title_keys.len(), 4);
        let song = |t: &Track| crate::normalize::song_key(t);
        assert_eq!(song(&tracks[0]), song(&tracks[1]));
        assert_eq!(
            &idx.corpus[..idx.starts[1]],
            b"i dont care with justin bieber\x01ed sheeran\x01\x02"
        );
        assert_eq!(char_mask("ab a"), 0b11 | 1 << 36);
        assert_eq!(char_mask("z9"), 1 << 25 | 1 << 35);
    }
}
