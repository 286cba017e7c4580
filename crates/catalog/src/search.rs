//! Search-box matching: every query word must start a word (or occur) in the title, the
//! artists or the album; exact titles and artists rank first, then word starts, then popularity.

use memchr::memmem;

use crate::index::{TextIndex, FIELD_SEP, TRACK_SEP};
use crate::normalize::normalize;

fn is_boundary(b: Option<&u8>) -> bool {
    matches!(b, None | Some(&b' ') | Some(&FIELD_SEP) | Some(&TRACK_SEP))
}

/// Best match of one query word in every track: whole word 3, word start 2, inside a word 1;
/// times 3 in a title or an artist, 1 in an album. One pass of `memmem` over the corpus.
fn word_scores(index: &TextIndex, word: &str) -> Vec<u8> {
    let n = index.len();
    let mut best = vec![0u8; n];
    let corpus = index.corpus.as_bytes();
    let mut track = 0;
    for at in memmem::find_iter(corpus, word.as_bytes()) {
        // Occurrences come in order: move the track cursor forward.
        while track + 1 < n && index.start(track + 1) <= at {
            track += 1;
        }
        let starts = at == 0 || is_boundary(corpus.get(at - 1));
        let ends = is_boundary(corpus.get(at + word.len()));
        let kind = match (starts, ends) {
            (true, true) => 3,
            (true, false) => 2,
            _ => 1,
        };
        let offset = at - index.start(track);
        // Title and artists come first in a track's text, the album last.
        let in_album = offset > index.title(track).len() + 1 + index.artists_joined(track).len();
        let score = if in_album { kind } else { kind * 3 };
        best[track] = best[track].max(score);
    }
    best
}

/// Bonus for a query that is a whole title or artist name, or the start of one.
fn bonus(index: &TextIndex, i: usize, query: &str) -> u32 {
    // A whole title or a whole artist name is what people mean most often; which of the two
    // is left to popularity.
    let title = index.title(i);
    if query == title
        || query == index.title_base(i)
        || query == index.title_key(i)
        || index.artists(i).any(|a| a == query)
    {
        100
    } else if title.starts_with(query) || index.artists_joined(i).starts_with(query) {
        30
    } else {
        0
    }
}

/// The indices of the best `limit` tracks for a search-box query.
pub(crate) fn search(index: &TextIndex, query: &str, limit: usize) -> Vec<usize> {
    let query = normalize(query);
    let mut words: Vec<&str> = query.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.dedup();
    if words.is_empty() || limit == 0 {
        return Vec::new();
    }
    // Every word must match somewhere in the track.
    let mut total: Vec<u32> = vec![0; index.len()];
    for (k, w) in words.iter().enumerate() {
        let scores = word_scores(index, w);
        for (acc, &s) in total.iter_mut().zip(&scores) {
            *acc = if s == 0 || (k > 0 && *acc == 0) {
                0
            } else {
                *acc + u32::from(s)
            };
        }
    }
    let mut hits: Vec<(u32, f32, usize)> = total
        .iter()
        .enumerate()
        .filter(|(_, &s)| s > 0)
        .map(|(i, &s)| (s + bonus(index, i, &query), index.popularity(i), i))
        .collect();
    let order = |a: &(u32, f32, usize), b: &(u32, f32, usize)| {
        b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2))
    };
    // Short queries match most of the catalog: select a head before sorting. The head is
    // larger than `limit` because same-label duplicates are dropped from it.
    let head = limit.saturating_mul(4).saturating_add(16);
    if hits.len() > head {
        hits.select_nth_unstable_by(head - 1, order);
        let top = &mut hits[..head];
        top.sort_unstable_by(order);
        let picked = distinct_labels(index, top, limit);
        if picked.len() == limit {
            return picked;
        }
        // Rare: the head was mostly duplicates; rank everything.
    }
    hits.sort_unstable_by(order);
    distinct_labels(index, &hits, limit)
}

/// The first `limit` hits, skipping tracks whose artists and title repeat an earlier hit's
/// (the same recording released on a single and an album): a search list shows it once.
fn distinct_labels(index: &TextIndex, hits: &[(u32, f32, usize)], limit: usize) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    hits.iter()
        .filter(|(_, _, i)| seen.insert((index.artists_joined(*i), index.title(*i))))
        .take(limit)
        .map(|(_, _, i)| *i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::Track;

    fn catalog() -> TextIndex {
        let t = |name: &str, artist: &str, album: &str, pop: f32| Track {
            name: name.into(),
            artists: vec![artist.into()],
            album: album.into(),
            popularity: Some(pop),
            ..Track::default()
        };
        TextIndex::build(&[
            t("Stay", "Zedd", "Stay", 70.0),
            t("Stay", "Post Malone", "Beerbongs", 80.0),
            t("Stayin' Alive", "Bee Gees", "Saturday Night Fever", 75.0),
            t("Outstay", "Nobody", "Words", 99.0),
            t("Song", "Staying Power", "Other", 10.0),
            t("Hold Up", "Beyoncé", "Lemonade", 60.0),
            t("Stay", "Zedd", "Stay (Remixes)", 20.0),
            t("Beyond", "Nobody", "Far", 1.0),
        ])
    }

    #[test]
    fn exact_titles_first_then_popularity() {
        let idx = catalog();
        // Exact "stay" titles (by popularity; Zedd's second release of the same recording
        // is left out), then word prefixes in titles and artists by popularity; the inner
        // match "outstay" comes last.
        assert_eq!(search(&idx, "stay", 10), [1, 0, 2, 4, 3]);
        assert_eq!(search(&idx, "STAY", 2), [1, 0]);
        // A whole artist name ranks with whole titles; popularity decides between them.
        assert_eq!(search(&idx, "beyo", 10), [5, 7]);
        assert_eq!(search(&idx, "zedd", 10), [0]);
    }

    fn loves(label: impl Fn(usize) -> usize) -> TextIndex {
        let tracks: Vec<Track> = (0..200)
            .map(|i| Track {
                name: format!("Love {}", label(i)).into(),
                artists: vec!["X".into()],
                popularity: Some(i as f32 / 2.0),
                ..Track::default()
            })
            .collect();
        TextIndex::build(&tracks)
    }

    #[test]
    fn large_result_sets_keep_the_best_distinct_labels() {
        // 50 labels, each 4 times; the later a track, the more popular.
        let idx = loves(|i| i % 50);
        assert_eq!(search(&idx, "love", 3), [199, 198, 197]);
        let all = search(&idx, "love", 100);
        assert_eq!(all.len(), 50);
        assert_eq!(all[49], 150);
        // Duplicates side by side: the first head holds too few labels, the rest is used.
        let idx = loves(|i| i / 4);
        let hits = search(&idx, "love", 20);
        let expected: Vec<usize> = (0..20).map(|k| 199 - 4 * k).collect();
        assert_eq!(hits, expected);
    }

    #[test]
    fn words_must_all_match_across_fields() {
        let idx = catalog();
        assert_eq!(search(&idx, "stay zedd", 10), [0]);
        assert_eq!(search(&idx, "beyonce hold", 10), [5]);
        assert_eq!(search(&idx, "lemonade", 10), [5]);
        assert!(search(&idx, "stay beyonce", 10).is_empty());
        assert!(search(&idx, "  ", 10).is_empty());
        // A repeated word counts once; the album weighs less than the title.
        assert_eq!(search(&idx, "stay stay zedd", 10), [0]);
        assert_eq!(search(&idx, "night", 10), [2]);
        assert!(search(&idx, "stay", 0).is_empty());
    }
}
