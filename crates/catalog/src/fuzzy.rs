//! Scoring free text against the catalog: `artist - title`, `title - artist`, `title by
//! artist`, `artist title` and a bare title, tolerant of case, accents, punctuation and typos.

use std::collections::HashMap;

use crate::index::{char_mask, Key, TextIndex};
use crate::normalize::normalize;

/// How hard to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Exact keys only (titles and artists looked up, not scanned). Typos in a title are
    /// still forgiven among the tracks of an exactly named artist.
    Exact,
    /// Also scan every key for one within the typo budget.
    Fuzzy,
    /// A larger budget, for "did you mean" suggestions.
    Loose,
}

/// The best score a match found only by [`Mode::Fuzzy`] can have (one edit).
pub(crate) const MAX_FUZZY_SCORE: f32 = 0.9;

/// How many edits a string of this length may carry and still count as the same text.
fn typo_budget(len: usize, loose: bool) -> usize {
    if loose {
        return len / 3 + 1;
    }
    match len {
        0..=3 => 0,
        4..=7 => 1,
        8..=14 => 2,
        _ => 3,
    }
}

/// Similarity of two normalised strings: 1 when equal, 0.1 less per edit within the typo
/// budget, 0 beyond it.
pub(crate) fn similarity(q: &str, s: &str, loose: bool) -> f32 {
    if q == s {
        return 1.0;
    }
    if q.is_empty() || s.is_empty() {
        return 0.0;
    }
    let budget = typo_budget(q.len().max(s.len()), loose);
    // Cheap length check first: most of the catalog is ruled out without an edit distance.
    if q.len().abs_diff(s.len()) > budget {
        return 0.0;
    }
    let d = strsim::osa_distance(q, s);
    if d > budget {
        0.0
    } else {
        (1.0 - 0.1 * d as f32).max(0.05)
    }
}

/// [`similarity`] against an index key, ruling most keys out by length and by the characters
/// they use before computing an edit distance.
fn key_similarity(q: &str, q_mask: u64, key: &Key, loose: bool) -> f32 {
    let budget = typo_budget(q.len().max(key.text.len()), loose);
    if q.len().abs_diff(key.text.len()) > budget {
        return 0.0;
    }
    // Each character used by one string and not the other costs an edit, and one edit
    // (a substitution) can account for two such characters.
    let differing = (q_mask ^ key.mask).count_ones() as usize;
    if differing.div_ceil(2) > budget {
        return 0.0;
    }
    similarity(q, key.text, loose)
}

/// True when `prefix` is `text` cut at a word boundary.
fn is_word_prefix(text: &str, prefix: &str) -> bool {
    text.len() > prefix.len() && text.starts_with(prefix) && text.as_bytes()[prefix.len()] == b' '
}

/// How well a normalised title query fits track `i`: the exact title or the title without
/// guests score 1, the title without version markers 0.97, the start of the title 0.8.
fn title_score(q: &str, index: &TextIndex, i: usize, loose: bool) -> f32 {
    let base = index.title_base(i);
    let mut s = similarity(q, index.title(i), loose).max(similarity(q, base, loose));
    if s < 1.0 {
        s = s.max(0.97 * similarity(q, index.title_key(i), loose));
    }
    if s < 0.8 && q.len() >= 4 && is_word_prefix(base, q) {
        s = 0.8;
    }
    s
}

/// One way to read the query.
#[derive(Debug, Clone, PartialEq)]
struct Reading {
    artist: Option<String>,
    title: String,
}

/// Most separator positions (` - `, ` by `) a query is split at, each way.
const MAX_SPLITS: usize = 8;
/// Most words of an artist's name cut off the start or end of a query without a separator.
const MAX_ARTIST_WORDS: usize = 8;

/// Every plausible reading of a query, the whole text as a title first. Bounded: at most
/// [`MAX_SPLITS`] splits per separator and artist cuts of up to [`MAX_ARTIST_WORDS`] words,
/// so the work grows linearly with the query, not with its square.
fn readings(index: &TextIndex, raw: &str) -> Vec<Reading> {
    let mut out = vec![Reading {
        artist: None,
        title: normalize(raw),
    }];
    let mut split = |left: &str, right: &str| {
        for (artist, title) in [(left, right), (right, left)] {
            out.push(Reading {
                artist: Some(artist.to_string()),
                title: normalize(title),
            });
        }
    };
    for sep in [" - ", " – ", " — ", " -- "] {
        for (at, _) in raw.match_indices(sep).take(MAX_SPLITS) {
            split(&raw[..at], &raw[at + sep.len()..]);
        }
    }
    // "title by artist": ASCII search, so byte positions are char boundaries.
    let lower = raw.to_ascii_lowercase();
    for (at, _) in lower.match_indices(" by ").take(MAX_SPLITS) {
        out.push(Reading {
            artist: Some(raw[at + 4..].to_string()),
            title: normalize(&raw[..at]),
        });
    }
    // "artist title" / "title artist" without a separator: only where a known artist is cut off.
    let norm = normalize(raw);
    let words: Vec<&str> = norm.split(' ').collect();
    let n = words.len();
    // An artist is cut off the start (k words) or the end (n - k words), never the middle.
    let cuts = (1..n).filter(|&k| k <= MAX_ARTIST_WORDS || n - k <= MAX_ARTIST_WORDS);
    for k in cuts {
        let (head, tail) = (&words[..k], &words[k..]);
        if head.len() <= MAX_ARTIST_WORDS {
            let head = head.join(" ");
            if index.artists.contains(&head) {
                out.push(Reading {
                    artist: Some(head),
                    title: tail.join(" "),
                });
            }
        }
        if tail.len() <= MAX_ARTIST_WORDS {
            let tail = tail.join(" ");
            if index.artists.contains(&tail) {
                out.push(Reading {
                    artist: Some(tail),
                    title: head.join(" "),
                });
            }
        }
    }
    out.retain(|r| !r.title.is_empty());
    out
}

/// The artist names a query part may hold: the whole, and its parts when it lists several
/// (`Ed Sheeran & Justin Bieber`, `A, B`, `A feat. B`).
fn artist_variants(raw: &str) -> Vec<(String, f32)> {
    let full = normalize(raw);
    let mut out = vec![(full.clone(), 1.0)];
    let lowered = format!(" {} ", raw.to_lowercase());
    let mut parts = vec![lowered];
    for sep in [
        ",", "&", ";", "/", " x ", " feat. ", " feat ", " ft. ", " and ", " with ",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep))
            .map(|s| format!(" {} ", s.trim()))
            .collect();
    }
    if parts.len() > 1 {
        for p in parts {
            let p = normalize(&p);
            if !p.is_empty() && p != full && !out.iter().any(|(v, _)| *v == p) {
                // A part names one of several artists: slightly less certain than the whole.
                out.push((p, 0.95));
            }
        }
    }
    out.retain(|(v, _)| !v.is_empty());
    out
}

/// Tracks whose artists match the artist part of a reading, with the artist score.
fn artist_tracks(index: &TextIndex, raw_artist: &str, mode: Mode) -> HashMap<u32, f32> {
    let mut hits: HashMap<u32, f32> = HashMap::new();
    let mut add = |tracks: &[u32], s: f32| {
        for &t in tracks {
            let e = hits.entry(t).or_insert(0.0);
            *e = e.max(s);
        }
    };
    let loose = mode == Mode::Loose;
    for (variant, weight) in artist_variants(raw_artist) {
        if let Some(tracks) = index.artists.get(&variant) {
            add(tracks, weight);
            continue;
        }
        if mode == Mode::Exact {
            continue;
        }
        let mask = char_mask(&variant);
        for key in index.artists.keys() {
            let s = key_similarity(&variant, mask, &key, loose);
            if s >= 0.7 || (loose && s > 0.0) {
                add(index.artists.tracks(key.id), weight * s);
            }
        }
    }
    hits
}

/// Tracks whose title matches a bare-title reading.
fn title_tracks(index: &TextIndex, title: &str, mode: Mode) -> Vec<u32> {
    let exact = index.titles.get(title);
    match (mode, exact) {
        (Mode::Exact, _) => return exact.map(<[u32]>::to_vec).unwrap_or_default(),
        (Mode::Fuzzy, Some(tracks)) => return tracks.to_vec(),
        _ => {}
    }
    let loose = mode == Mode::Loose;
    let mask = char_mask(title);
    let mut out: Vec<u32> = index
        .titles
        .keys()
        .filter(|k| key_similarity(title, mask, k, loose) > 0.0)
        .flat_map(|k| index.titles.tracks(k.id).iter().copied())
        .collect();
    if title.len() >= 4 {
        // Titles that start with the query: the "without guests" form of every track is a
        // title key, so the sorted keys that start with the query hold them all.
        out.extend(
            index
                .titles
                .keys_from(title)
                .take_while(|k| k.text.starts_with(title))
                .filter(|k| is_word_prefix(k.text, title))
                .flat_map(|k| index.titles.tracks(k.id).iter().copied())
                .filter(|&i| is_word_prefix(index.title_base(i as usize), title)),
        );
    }
    out
}

/// Every track some reading of the query fits, with its best score (0..1).
pub(crate) fn score_query(index: &TextIndex, raw: &str, mode: Mode) -> HashMap<u32, f32> {
    let loose = mode == Mode::Loose;
    let mut best: HashMap<u32, f32> = HashMap::new();
    let mut keep = |i: u32, s: f32| {
        if s > 0.0 {
            let e = best.entry(i).or_insert(0.0);
            *e = e.max(s);
        }
    };
    for reading in readings(index, raw) {
        match &reading.artist {
            None => {
                for i in title_tracks(index, &reading.title, mode) {
                    keep(i, title_score(&reading.title, index, i as usize, loose));
                }
            }
            Some(artist) => {
                for (i, a) in artist_tracks(index, artist, mode) {
                    let t = title_score(&reading.title, index, i as usize, loose);
                    keep(i, a * t);
                }
            }
        }
    }
    best
}

/// Tracks of the artists a query names, for "did you mean" when no title fits.
pub(crate) fn tracks_of_named_artists(index: &TextIndex, raw: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for reading in readings(index, raw) {
        if let Some(artist) = &reading.artist {
            for (i, s) in artist_tracks(index, artist, Mode::Fuzzy) {
                if s >= 0.9 {
                    out.push(i);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::Track;

    #[test]
    fn similarity_tolerates_a_typo_per_word_length() {
        assert_eq!(similarity("stay", "stay", false), 1.0);
        assert_eq!(similarity("saty", "stay", false), 0.9);
        assert_eq!(similarity("sty", "stay", false), 0.9);
        assert_eq!(similarity("day", "dax", false), 0.0);
        assert_eq!(similarity("i dont car", "i dont care", false), 0.9);
        assert_eq!(similarity("ed shearan", "ed sheeran", false), 0.9);
        assert_eq!(similarity("completely other", "ed sheeran", false), 0.0);
        assert!(similarity("ed shrn", "ed sheeran", true) > 0.0);
        // The character-set bound never rules out what the edit distance would accept.
        let key = |s: &'static str| Key {
            text: s,
            mask: char_mask(s),
            id: 0,
        };
        for (q, k) in [
            ("saty", "stay"),
            ("ed shearan", "ed sheeran"),
            ("i dont car", "i dont care"),
            ("stay", "stax"),
        ] {
            let direct = similarity(q, k, false);
            assert_eq!(
                key_similarity(q, char_mask(q), &key(k), false),
                direct,
                "{q} {k}"
            );
        }
        assert_eq!(
            key_similarity("abcd", char_mask("abcd"), &key("wxyz"), false),
            0.0
        );
    }

    fn index() -> TextIndex {
        let t = |name: &str, artists: &[&str]| Track {
            name: name.into(),
            artists: artists.iter().map(|&a| a.into()).collect(),
            ..Track::default()
        };
        TextIndex::build(&[
            t("I Don't Care (with Justin Bieber)", &["Ed Sheeran"]),
            t("Perfect", &["Ed Sheeran"]),
            t("Perfect Duet (with Beyoncé)", &["Ed Sheeran"]),
            t("Stay", &["Zedd", "Alessia Cara"]),
        ])
    }

    #[test]
    fn readings_cover_separators_and_orders() {
        let idx = index();
        let r = readings(&idx, "Perfect by Ed Sheeran");
        assert!(r.contains(&Reading {
            artist: Some("Ed Sheeran".into()),
            title: "perfect".into()
        }));
        let r = readings(&idx, "ed sheeran perfect");
        assert!(r.contains(&Reading {
            artist: Some("ed sheeran".into()),
            title: "perfect".into()
        }));
        let r = readings(&idx, "Stay - Zedd");
        assert!(r.contains(&Reading {
            artist: Some("Zedd".into()),
            title: "stay".into()
        }));
    }

    #[test]
    fn readings_stay_few_for_a_long_query() {
        let idx = index();
        // 4,000 words, with separators and artist names all along it.
        let long = ["ed sheeran - perfect by zedd"; 800].join(" ");
        let r = readings(&idx, &long);
        // The whole text, 8 splits each way per separator, 8 "by" splits, and cuts at
        // either end only.
        assert!(
            r.len() <= 1 + 2 * MAX_SPLITS + MAX_SPLITS + 2 * MAX_ARTIST_WORDS,
            "{}",
            r.len()
        );
        // A short query still gets every reading.
        let r = readings(&idx, "zedd stay");
        assert!(r.contains(&Reading {
            artist: Some("zedd".into()),
            title: "stay".into()
        }));
    }

    #[test]
    fn scores_exact_typo_prefix_and_guest_forms() {
        let idx = index();
        let s = score_query(&idx, "Ed Sheeran - I Don't Care", Mode::Exact);
        assert_eq!(s[&0], 1.0);
        let s = score_query(&idx, "ed sheeran - perfect", Mode::Exact);
        assert_eq!(s[&1], 1.0);
        assert_eq!(s[&2], 0.8);
        assert!(score_query(&idx, "Ed Sheran - Perfekt", Mode::Exact).is_empty());
        let s = score_query(&idx, "Ed Sheran - Perfekt", Mode::Fuzzy);
        assert!((s[&1] - 0.81).abs() < 1e-6, "{s:?}");
        let s = score_query(&idx, "Alessia Cara & Zedd - Stay", Mode::Exact);
        assert_eq!(s[&3], 0.95);
        assert!(score_query(&idx, "Metallica - One", Mode::Loose).is_empty());
    }

    #[test]
    fn artist_variants_split_lists() {
        let v = artist_variants("Ed Sheeran & Justin Bieber");
        assert_eq!(v[0], ("ed sheeran and justin bieber".to_string(), 1.0));
        assert!(v.contains(&("justin bieber".to_string(), 0.95)));
        assert_eq!(artist_variants("Zedd").len(), 1);
    }
}
