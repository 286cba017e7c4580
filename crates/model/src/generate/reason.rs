//! Explaining a choice in words, and naming the playlist.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use selecta_types::{Reason, Text, Track};

use crate::attributes::{Attribute, AttributeStats};
use crate::params::SIGNALS;
use crate::release::release_month;

/// Audio features worth naming to a listener, and how close (in standard deviations) two
/// tracks must be to call them similar. Speechiness, instrumentalness and liveness are left
/// out: most tracks sit near zero on them, so "similar" would say nothing.
const DESCRIBED: [Attribute; 6] = [
    Attribute::Energy,
    Attribute::Danceability,
    Attribute::Valence,
    Attribute::Acousticness,
    Attribute::Tempo,
    Attribute::Loudness,
];
const SIMILAR_WITHIN: f32 = 0.3;

/// The first of `mine` that `theirs` holds too.
fn shared<'a>(mine: &'a [Text], theirs: &[Text]) -> Option<&'a str> {
    mine.iter().find(|g| theirs.contains(g)).map(Text::as_str)
}

/// One part of a reason, written out once the parts are known.
#[derive(Clone, Copy)]
enum Clause<'a> {
    Similar(Attribute, Option<Attribute>),
    Artist(&'a str),
    Album(&'a str),
    Playlists,
    Related,
    Subgenre(&'a str),
    Genre(&'a str),
    Era(u16),
    /// Released the same month as the seed: (year, month 1–12).
    Month(u16, u8),
}

/// Month names for the reasons.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Most clauses a reason names.
const MAX_CLAUSES: usize = 3;

/// Why `track` goes with `seed` (whose label is `seed_label`, computed once per seed): what
/// made it rank, strongest first (`parts`: each signal's part of its standing, in the order
/// of [`crate::SignalWeights`]), named where the track shows it: similar features (the two
/// nearest), the seed's artist or album, playlists that hold both, a related artist, a
/// shared subgenre (or else genre), the same month of release or else the same decade. A
/// signal that did not help is not named.
///
/// Called for every track of every playlist, so the sentence is written into one string
/// (no string per clause).
pub(crate) fn reason(
    track: &Track,
    seed: &Track,
    seed_label: &str,
    stats: &AttributeStats,
    parts: &[f32; SIGNALS],
    signals: &[f32; SIGNALS],
) -> Reason {
    // The two nearest described features within reach, nearest first (ties by attribute).
    let mut close: [Option<(f32, Attribute)>; 2] = [None; 2];
    for &a in &DESCRIBED {
        let (Some(x), Some(y)) = (a.value(track), a.value(seed)) else {
            continue;
        };
        let gap = stats.gap(a, x, y);
        if gap > SIMILAR_WITHIN {
            continue;
        }
        let better = |slot: Option<(f32, Attribute)>| {
            slot.is_none_or(|(g, b)| gap.total_cmp(&g).then(a.cmp(&b)).is_lt())
        };
        if better(close[0]) {
            close[1] = close[0];
            close[0] = Some((gap, a));
        } else if better(close[1]) {
            close[1] = Some((gap, a));
        }
    }

    // Each clause the track can show, with the part of the signals behind it.
    let mut shown: Vec<(f32, Clause)> = Vec::with_capacity(6);
    if let Some((_, first)) = close[0] {
        let sound = parts[0] + parts[7] + parts[8];
        shown.push((sound, Clause::Similar(first, close[1].map(|(_, a)| a))));
    }
    // Names and labels come from the same catalog, so they match exactly.
    if let Some(a) = track.artists.iter().find(|a| seed.artists.contains(a)) {
        shown.push((parts[1], Clause::Artist(a)));
    }
    if signals[2] > 0.0 && !track.album.is_empty() && track.album == seed.album {
        shown.push((parts[2], Clause::Album(&track.album)));
    }
    if signals[3] > 0.0 {
        shown.push((parts[3], Clause::Playlists));
    }
    if signals[4] > 0.0 && !shown.iter().any(|(_, c)| matches!(c, Clause::Artist(_))) {
        shown.push((parts[4], Clause::Related));
    }
    if let Some(sub) = shared(&track.subgenres, &seed.subgenres) {
        shown.push((parts[5], Clause::Subgenre(sub)));
    } else if let Some(genre) = shared(&track.genres, &seed.genres) {
        shown.push((parts[5], Clause::Genre(genre)));
    }
    // The era signal reads dates to the month: the same month is named as such.
    let months = (release_month(track), release_month(seed));
    if let (Some(a), Some(b)) = months {
        if a == b {
            shown.push((parts[6], Clause::Month(a.0, a.1)));
        }
    }
    if !matches!(months, (Some(a), Some(b)) if a == b) {
        if let (Some(a), Some(b)) = (track.year, seed.year) {
            if a / 10 == b / 10 {
                shown.push((parts[6], Clause::Era(a / 10 * 10)));
            }
        }
    }
    // Strongest first; a stable sort keeps the order above among equals.
    shown.retain(|(part, _)| *part > 0.0);
    shown.sort_by(|a, b| b.0.total_cmp(&a.0));
    shown.truncate(MAX_CLAUSES);
    let n = shown.len();
    let clauses = shown.iter().map(|(_, c)| *c);

    let mut matched = Vec::with_capacity(n + 1);
    let mut text = String::with_capacity(seed_label.len() + 96);
    text.push_str("Close to ");
    text.push_str(seed_label);
    if n == 0 {
        text.push_str(" in overall sound");
    }
    for (i, clause) in clauses.enumerate() {
        text.push_str(if i == 0 { ": " } else { ", " });
        // Writing to a String cannot fail.
        let _ = match clause {
            Clause::Similar(a, b) => {
                matched.push(a.name().to_owned());
                match b {
                    Some(b) => {
                        matched.push(b.name().to_owned());
                        write!(text, "similar {} and {}", a.words(), b.words())
                    }
                    None => write!(text, "similar {}", a.words()),
                }
            }
            Clause::Artist(a) => {
                matched.push("artist".to_owned());
                write!(text, "same artist ({a})")
            }
            Clause::Album(a) => {
                matched.push("album".to_owned());
                write!(text, "same album ({a})")
            }
            Clause::Playlists => {
                matched.push("playlists".to_owned());
                text.push_str("in the same playlists");
                Ok(())
            }
            Clause::Related => {
                matched.push("related_artists".to_owned());
                text.push_str("a related artist");
                Ok(())
            }
            Clause::Subgenre(g) => {
                matched.push("subgenre".to_owned());
                write!(text, "same subgenre ({g})")
            }
            Clause::Genre(g) => {
                matched.push("genre".to_owned());
                write!(text, "same genre ({g})")
            }
            Clause::Era(decade) => {
                matched.push("era".to_owned());
                write!(text, "same era ({decade}s)")
            }
            Clause::Month(year, month) => {
                matched.push("era".to_owned());
                let name = MONTHS[usize::from(month - 1)];
                write!(text, "released the same month ({name} {year})")
            }
        };
    }
    Reason {
        seed_id: seed.id.to_string(),
        seed_label: seed_label.to_owned(),
        matched,
        text,
        seed_match: None,
    }
}

/// A playlist name from the seeds: their most common subgenre (or genre) and main artists,
/// e.g. "Dance pop mix: Ed Sheeran, Dua Lipa and 3 more".
pub(crate) fn playlist_name(seeds: &[&Track]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for t in seeds {
        let labels = if t.subgenres.is_empty() {
            &t.genres
        } else {
            &t.subgenres
        };
        for g in labels {
            *counts.entry(g.as_str()).or_insert(0) += 1;
        }
    }
    // Most common, then alphabetical: deterministic.
    let style = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(g, _)| *g);
    let mut artists: Vec<&str> = Vec::new();
    for t in seeds {
        if let Some(a) = t.artists.first() {
            if !artists.contains(&a.as_str()) {
                artists.push(a);
            }
        }
    }
    let who = match artists.len() {
        0 => String::new(),
        1 | 2 => artists.join(", "),
        n => format!("{}, {} and {} more", artists[0], artists[1], n - 2),
    };
    let head = match style {
        Some(s) => {
            let mut c = s.chars();
            let first = c.next().map(|f| f.to_uppercase().collect::<String>());
            format!("{}{} mix", first.unwrap_or_default(), c.as_str())
        }
        None => "Selecta mix".to_owned(),
    };
    if who.is_empty() {
        head
    } else {
        format!("{head}: {who}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;

    fn t(artist: &str, name: &str, energy: f32, dance: f32, tempo: f32, sub: &str) -> Track {
        Track {
            id: format!("{artist}-{name}").into(),
            name: name.into(),
            artists: vec![artist.into()],
            genres: vec!["pop".into()],
            subgenres: vec![sub.into()],
            year: Some(2019),
            features: AudioFeatures {
                energy: Some(energy).into(),
                danceability: Some(dance).into(),
                tempo: Some(tempo).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        }
    }

    fn stats() -> AttributeStats {
        // Energy and danceability spread 0.1 around 0.5; tempo spread 20 around 110.
        AttributeStats::measure(&[
            t("x", "a", 0.4, 0.4, 90.0, "s"),
            t("x", "b", 0.6, 0.6, 130.0, "s"),
        ])
    }

    #[test]
    fn names_the_closest_features_and_shared_labels() {
        let seed = t("Ed Sheeran", "I Don't Care", 0.68, 0.80, 102.0, "dance pop");
        let track = t("Dua Lipa", "Levitating", 0.69, 0.78, 150.0, "dance pop");
        // Sound helped most, then labels, then era.
        let parts = [2.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0, 0.0, 1.0];
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &[1.0; 9]);
        assert_eq!(r.seed_id, seed.id);
        assert_eq!(
            r.text,
            "Close to Ed Sheeran - I Don't Care: similar energy and danceability, \
             same subgenre (dance pop), same era (2010s)"
        );
        assert_eq!(r.matched, ["energy", "danceability", "subgenre", "era"]);
    }

    #[test]
    fn the_same_month_of_release_is_named_else_the_decade() {
        let mut seed = t("Ed Sheeran", "I Don't Care", 0.68, 0.80, 102.0, "dance pop");
        let mut track = t("Dua Lipa", "Levitating", 0.69, 0.78, 150.0, "dance pop");
        seed.release_date = Some("2019-11-08".into());
        track.release_date = Some("2019-11-29".into());
        // The era helped most, then labels.
        let parts = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0];
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &[1.0; 9]);
        assert_eq!(
            r.text,
            "Close to Ed Sheeran - I Don't Care: released the same month (November 2019), \
             same subgenre (dance pop)"
        );
        assert_eq!(r.matched, ["era", "subgenre"]);
        // A month apart, or a year alone: the decade.
        track.release_date = Some("2019-12-01".into());
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &[1.0; 9]);
        assert!(r.text.contains("same era (2010s)"), "{}", r.text);
        track.release_date = Some("2019".into());
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &[1.0; 9]);
        assert!(r.text.contains("same era (2010s)"), "{}", r.text);
    }

    #[test]
    fn names_what_helped_most_first_and_leaves_out_what_did_not() {
        let seed = t("Ed Sheeran", "I Don't Care", 0.68, 0.80, 102.0, "dance pop");
        let mut track = t("Ed Sheeran", "Shivers", 0.69, 0.78, 150.0, "dance pop");
        // Playlists first, then the era; the artist and the labels pulled down (the ranker
        // can say so), and sound did nothing.
        let parts = [0.0, -0.5, 0.0, 3.0, 0.0, -0.1, 0.4, 0.0, 0.0];
        let signals = [0.0, 1.0, 0.0, 2.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &signals);
        assert_eq!(
            r.text,
            "Close to Ed Sheeran - I Don't Care: in the same playlists, same era (2010s)"
        );
        assert_eq!(r.matched, ["playlists", "era"]);
        // Without co-occurrence, nothing names playlists, whatever its part; the album shows
        // when the track is on the seed's.
        track.album = "=".into();
        let seed = Track {
            album: "=".into(),
            ..seed
        };
        let parts = [0.0, 1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let signals = [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &signals);
        assert_eq!(
            r.text,
            "Close to Ed Sheeran - I Don't Care: same album (=), same artist (Ed Sheeran)"
        );
    }

    #[test]
    fn falls_back_to_genre_artist_and_overall() {
        let seed = t("A", "One", 0.1, 0.1, 60.0, "indie");
        let mut track = t("A", "Two", 0.9, 0.9, 180.0, "trap");
        let parts = [0.0, 3.0, 0.0, 0.0, 0.0, 2.0, 1.0, 0.0, 0.0];
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &[1.0; 9]);
        assert_eq!(
            r.text,
            "Close to A - One: same artist (A), same genre (pop), same era (2010s)"
        );
        track.artists = vec!["B".into()];
        track.genres.clear();
        track.year = Some(1990);
        let r = reason(&track, &seed, &seed.label(), &stats(), &parts, &[0.0; 9]);
        assert_eq!(r.text, "Close to A - One in overall sound");
        assert!(r.matched.is_empty());
    }

    #[test]
    fn playlist_names() {
        let a = t("Ed Sheeran", "x", 0.5, 0.5, 100.0, "dance pop");
        let b = t("Dua Lipa", "y", 0.5, 0.5, 100.0, "dance pop");
        let c = t("Drake", "z", 0.5, 0.5, 100.0, "trap");
        let d = t("Adele", "w", 0.5, 0.5, 100.0, "trap");
        assert_eq!(playlist_name(&[&a]), "Dance pop mix: Ed Sheeran");
        assert_eq!(
            playlist_name(&[&a, &b, &c, &d, &a]),
            "Dance pop mix: Ed Sheeran, Dua Lipa and 2 more"
        );
    }
}
