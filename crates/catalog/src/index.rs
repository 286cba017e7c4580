//! The text index built once per catalog: normalised titles, artists and albums, and maps from
//! exact keys to tracks, so that search and resolution never normalise the catalog per query.
//!
//! Memory matters at a million tracks (a `String` per field and per map key took 670 MiB
//! there), so the text lives in a few arenas: every distinct key once, sorted, in one string
//! ([`KeyTable`]), the tracks of each key in one array, and per track a fixed-size record of
//! offsets and key numbers (about 110 bytes a track in all).

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use selecta_types::Track;

use crate::normalize::{normalize, title_forms};

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

/// Key number standing for the empty string (which no table holds).
const EMPTY: u32 = u32::MAX;

/// A key of a [`KeyTable`]: its text and the set of characters it uses, for a cheap
/// edit-distance bound.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key<'a> {
    pub text: &'a str,
    pub mask: u64,
    /// Number of the key in its table.
    pub id: u32,
}

/// Distinct non-empty keys in sorted order, each with the (ascending) tracks it belongs to.
#[derive(Clone, Default)]
pub(crate) struct KeyTable {
    /// The keys, concatenated in sorted order.
    text: String,
    /// End of each key in `text`.
    ends: Vec<u32>,
    /// [`char_mask`] of each key.
    masks: Vec<u64>,
    /// End of each key's tracks in `tracks`.
    track_ends: Vec<u32>,
    tracks: Vec<u32>,
}

impl KeyTable {
    /// Number of keys.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn span(ends: &[u32], i: usize) -> Range<usize> {
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        start..ends[i] as usize
    }

    /// The text of key `id` (`""` for [`EMPTY`]).
    pub fn text(&self, id: u32) -> &str {
        if id == EMPTY {
            return "";
        }
        &self.text[Self::span(&self.ends, id as usize)]
    }

    /// The tracks of key `id`, ascending.
    pub fn tracks(&self, id: u32) -> &[u32] {
        &self.tracks[Self::span(&self.track_ends, id as usize)]
    }

    /// The number of the first key not less than `key` (`len()` if none).
    fn lower_bound(&self, key: &str) -> usize {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.text(mid as u32) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The number of a key, by binary search.
    pub fn find(&self, key: &str) -> Option<u32> {
        if key.is_empty() {
            return None;
        }
        let at = self.lower_bound(key);
        (at < self.len() && self.text(at as u32) == key).then_some(at as u32)
    }

    /// The keys from the first one not less than `key` on, in sorted order (the keys that
    /// start with `key` come first).
    pub fn keys_from(&self, key: &str) -> impl Iterator<Item = Key<'_>> {
        (self.lower_bound(key) as u32..self.len() as u32).map(|id| self.key(id))
    }

    fn key(&self, id: u32) -> Key<'_> {
        Key {
            text: self.text(id),
            mask: self.masks[id as usize],
            id,
        }
    }

    /// The tracks of a key, if the table holds it.
    pub fn get(&self, key: &str) -> Option<&[u32]> {
        self.find(key).map(|id| self.tracks(id))
    }

    /// True when the table holds the key.
    pub fn contains(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// Every key, in sorted order.
    pub fn keys(&self) -> impl Iterator<Item = Key<'_>> {
        (0..self.len() as u32).map(|id| self.key(id))
    }
}

/// The first eight bytes of a string as a big-endian number (zero-padded): comparing these
/// orders two strings as comparing the strings does, except when they are equal.
pub(crate) fn prefix_key(s: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = s.len().min(8);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// Collects (key, track) pairs, then sorts them into a [`KeyTable`].
#[derive(Default)]
struct KeyBuilder {
    arena: String,
    /// (start in `arena`, length, track) of each pair pushed.
    entries: Vec<(u32, u32, u32)>,
}

impl KeyBuilder {
    /// Adds a pair and returns its entry number ([`EMPTY`] for an empty key, not added).
    fn push(&mut self, key: &str, track: u32) -> u32 {
        if key.is_empty() {
            return EMPTY;
        }
        let start = offset(self.arena.len());
        self.arena.push_str(key);
        self.entries.push((start, offset(key.len()), track));
        offset(self.entries.len() - 1)
    }

    /// The table, and the key number of each entry.
    fn finish(self) -> (KeyTable, Vec<u32>) {
        let text_of = |e: &(u32, u32, u32)| &self.arena[e.0 as usize..(e.0 + e.1) as usize];
        // Sorted by a prefix number first: most comparisons never read the arena.
        let mut keyed: Vec<(u64, u32)> = (0..offset(self.entries.len()))
            .map(|e| (prefix_key(text_of(&self.entries[e as usize])), e))
            .collect();
        keyed.sort_unstable_by(|a, b| {
            let (ea, eb) = (&self.entries[a.1 as usize], &self.entries[b.1 as usize]);
            a.0.cmp(&b.0)
                .then_with(|| text_of(ea).cmp(text_of(eb)))
                .then(ea.2.cmp(&eb.2))
        });
        let order: Vec<u32> = keyed.into_iter().map(|(_, e)| e).collect();
        let mut table = KeyTable::default();
        let mut key_of = vec![EMPTY; self.entries.len()];
        let mut last: Option<&str> = None;
        for e in order {
            let entry = &self.entries[e as usize];
            let text = text_of(entry);
            if last != Some(text) {
                table.text.push_str(text);
                table.ends.push(offset(table.text.len()));
                table.masks.push(char_mask(text));
                table.track_ends.push(offset(table.tracks.len()));
                last = Some(text);
            }
            // A track's title variants are often equal: list it once.
            let id = table.ends.len() - 1;
            if table.tracks(id as u32).last() != Some(&entry.2) {
                table.tracks.push(entry.2);
                table.track_ends[id] += 1;
            }
            key_of[e as usize] = offset(id);
        }
        (table, key_of)
    }
}

/// A position or length as u32: the index addresses its arenas with 32 bits (4 GiB of
/// normalised text, about a hundred million tracks).
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("the catalog text index is limited to 4 GiB of text")
}

/// Fixed-size facts of one track.
#[derive(Clone, Copy, Default)]
struct TrackRec {
    /// Start of the track's text in the corpus.
    start: u32,
    title_len: u32,
    artists_len: u32,
    /// Key numbers in the title table: whole title, without guests, without versions.
    title: u32,
    title_base: u32,
    title_key: u32,
    /// Start of the track's artists in `artist_keys`.
    artists: u32,
    /// Id of the song (see [`crate::song_key`]) among the catalog's songs.
    song: u32,
    /// Popularity, for ranking (missing counts as 0).
    popularity: f32,
}

/// Exact-key tables and the normalised text of every track.
#[derive(Clone, Default)]
pub(crate) struct TextIndex {
    recs: Vec<TrackRec>,
    /// Title variants (whole, without guests, without versions) to tracks.
    pub titles: KeyTable,
    /// Each artist to tracks.
    pub artists: KeyTable,
    /// Artist key numbers of every track, in track order.
    artist_keys: Vec<u32>,
    /// `title 1 artists 1 album 2` of every track, for substring search in one pass.
    pub corpus: String,
}

impl fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextIndex")
            .field("tracks", &self.recs.len())
            .field("titles", &self.titles.len())
            .field("artists", &self.artists.len())
            .finish()
    }
}

impl TextIndex {
    /// Normalises every track once.
    pub fn build(tracks: &[Track]) -> TextIndex {
        let mut recs = Vec::with_capacity(tracks.len());
        let mut corpus = String::new();
        let mut titles = KeyBuilder::default();
        let mut artists = KeyBuilder::default();
        let mut artist_entries: Vec<u32> = Vec::with_capacity(tracks.len());
        let mut joined = String::new();
        for (i, t) in tracks.iter().enumerate() {
            let i = offset(i);
            let (title, title_base, title_key) = title_forms(&t.name);
            let rec_artists = offset(artist_entries.len());
            joined.clear();
            for a in &t.artists {
                let a = normalize(a);
                artist_entries.push(artists.push(&a, i));
                if !joined.is_empty() {
                    joined.push(' ');
                }
                joined.push_str(&a);
            }
            let title_no = titles.push(&title, i);
            let variant = |s: &str, titles: &mut KeyBuilder| {
                // Most titles have no guest or version to strip: skip the repeated entries.
                if s == title {
                    title_no
                } else {
                    titles.push(s, i)
                }
            };
            let base_no = variant(&title_base, &mut titles);
            let key_no = if title_key == title_base {
                base_no
            } else {
                variant(&title_key, &mut titles)
            };
            let start = corpus.len();
            corpus.push_str(&title);
            corpus.push(char::from(FIELD_SEP));
            corpus.push_str(&joined);
            corpus.push(char::from(FIELD_SEP));
            corpus.push_str(&normalize(&t.album));
            corpus.push(char::from(TRACK_SEP));
            recs.push(TrackRec {
                start: offset(start),
                title_len: offset(title.len()),
                artists_len: offset(joined.len()),
                title: title_no,
                title_base: base_no,
                title_key: key_no,
                artists: rec_artists,
                song: 0,
                popularity: t.popularity.unwrap_or(0.0),
            });
        }
        let (titles, title_ids) = titles.finish();
        let (artists, artist_ids) = artists.finish();
        let remap = |ids: &[u32], n: u32| if n == EMPTY { EMPTY } else { ids[n as usize] };
        let artist_keys: Vec<u32> = artist_entries
            .into_iter()
            .map(|n| remap(&artist_ids, n))
            .collect();
        // Songs as `song_key` defines them (main artist, title without versions), numbered
        // in order of first appearance; the pair of key numbers stands for the string.
        let mut songs: HashMap<(u32, u32), u32> = HashMap::new();
        for (i, rec) in recs.iter_mut().enumerate() {
            rec.title = remap(&title_ids, rec.title);
            rec.title_base = remap(&title_ids, rec.title_base);
            rec.title_key = remap(&title_ids, rec.title_key);
            let main = if !tracks[i].artists.is_empty() {
                artist_keys[rec.artists as usize]
            } else {
                EMPTY
            };
            let next = offset(songs.len());
            rec.song = *songs.entry((main, rec.title_key)).or_insert(next);
        }
        TextIndex {
            recs,
            titles,
            artists,
            artist_keys,
            corpus,
        }
    }

    /// Number of tracks.
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// Where track `i`'s text starts in the corpus.
    pub fn start(&self, i: usize) -> usize {
        self.recs[i].start as usize
    }

    /// The normalised whole title.
    pub fn title(&self, i: usize) -> &str {
        let r = &self.recs[i];
        let start = r.start as usize;
        &self.corpus[start..start + r.title_len as usize]
    }

    /// The normalised title without guest credits.
    pub fn title_base(&self, i: usize) -> &str {
        self.titles.text(self.recs[i].title_base)
    }

    /// The normalised title without any version marker.
    pub fn title_key(&self, i: usize) -> &str {
        self.titles.text(self.recs[i].title_key)
    }

    /// The normalised artists, joined by spaces.
    pub fn artists_joined(&self, i: usize) -> &str {
        let r = &self.recs[i];
        let at = r.start as usize + r.title_len as usize + 1;
        &self.corpus[at..at + r.artists_len as usize]
    }

    /// Each normalised artist (an artist that normalises to nothing is left out).
    pub fn artists(&self, i: usize) -> impl Iterator<Item = &str> {
        let end = self
            .recs
            .get(i + 1)
            .map_or(self.artist_keys.len(), |r| r.artists as usize);
        self.artist_keys[self.recs[i].artists as usize..end]
            .iter()
            .filter(|&&k| k != EMPTY)
            .map(|&k| self.artists.text(k))
    }

    /// The song number of track `i` (equal for versions of one song).
    pub fn song(&self, i: usize) -> Option<u32> {
        self.recs.get(i).map(|r| r.song)
    }

    /// Popularity for ranking (missing counts as 0).
    pub fn popularity(&self, i: usize) -> f32 {
        self.recs[i].popularity
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
        assert_eq!(idx.titles.get("i dont care"), Some(&[0, 1, 2][..]));
        assert_eq!(
            idx.titles.get("i dont care with justin bieber"),
            Some(&[0][..])
        );
        assert_eq!(
            idx.titles.get("i dont care loud luxury remix"),
            Some(&[1][..])
        );
        assert_eq!(idx.artists.get("ed sheeran"), Some(&[0, 1][..]));
        assert_eq!(idx.song(0), idx.song(1));
        assert_ne!(idx.song(0), idx.song(2));
        assert_ne!(idx.song(2), idx.song(3));
        assert_eq!(idx.song(4), None);
        assert!(idx.titles.get("").is_none());
        assert!(idx.titles.get("i dont").is_none());
        // Whole titles (3 distinct), without guests (1 more, the remix), without versions
        // (the shared "i dont care").
        assert_eq!(idx.titles.len(), 4);
        let keys: Vec<&str> = idx.titles.keys().map(|k| k.text).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        let song = |t: &Track| crate::normalize::song_key(t);
        assert_eq!(song(&tracks[0]), song(&tracks[1]));
        assert_eq!(
            &idx.corpus[..idx.start(1)],
            "i dont care with justin bieber\x01ed sheeran\x01\x02"
        );
        assert_eq!(
            idx.title(1),
            "i dont care with justin bieber loud luxury remix"
        );
        assert_eq!(idx.title_base(1), "i dont care loud luxury remix");
        assert_eq!(idx.title_key(1), "i dont care");
        assert_eq!(idx.title_base(2), "i dont care");
        assert_eq!(idx.artists(1).collect::<Vec<_>>(), ["ed sheeran"]);
        assert_eq!(idx.artists_joined(0), "ed sheeran");
        assert_eq!(idx.title(3), "");
        assert_eq!(idx.artists(3).count(), 0);
        assert!(prefix_key("ab") < prefix_key("ab "));
        assert!(prefix_key("abcdefgh") == prefix_key("abcdefghz"));
        assert!(prefix_key("b") > prefix_key("abcdefghz"));
        assert_eq!(char_mask("ab a"), 0b11 | 1 << 36);
        assert_eq!(char_mask("z9"), 1 << 25 | 1 << 35);
    }

    #[test]
    fn several_artists_and_missing_ones() {
        let tracks = [
            Track {
                name: "Stay".into(),
                artists: vec!["Zedd".into(), "Alessia Cara".into()],
                popularity: Some(70.0),
                ..Track::default()
            },
            Track {
                name: "Stay".into(),
                artists: vec!["?!".into(), "Zedd".into()],
                ..Track::default()
            },
            Track {
                name: "Stay".into(),
                ..Track::default()
            },
        ];
        let idx = TextIndex::build(&tracks);
        assert_eq!(idx.artists(0).collect::<Vec<_>>(), ["zedd", "alessia cara"]);
        assert_eq!(idx.artists_joined(0), "zedd alessia cara");
        // "?!" normalises to nothing: not an artist key, but still the "main artist" of the
        // song key, so the track is a song of its own.
        assert_eq!(idx.artists(1).collect::<Vec<_>>(), ["zedd"]);
        assert_eq!(idx.artists.get("zedd"), Some(&[0, 1][..]));
        assert_eq!(idx.titles.get("stay"), Some(&[0, 1, 2][..]));
        assert_ne!(idx.song(0), idx.song(1));
        assert_eq!(idx.song(1), idx.song(2));
        assert_eq!(idx.popularity(0), 70.0);
        assert_eq!(idx.popularity(1), 0.0);
    }
}
