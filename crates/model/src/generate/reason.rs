//! Explaining a choice in words, and naming the playlist.

use std::collections::BTreeMap;

use selecta_types::{Reason, Track};

use crate::attributes::{Attribute, AttributeStats};

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

/// Why `track` goes with `seed` (whose label is `seed_label`, computed once per seed): the
/// nearest features (at most two), a shared artist, a shared subgenre (or else genre), the
/// same decade.
pub(crate) fn reason(
    track: &Track,
    seed: &Track,
    seed_label: &str,
    stats: &AttributeStats,
) -> Reason {
    let mut matched = Vec::new();
    let mut clauses = Vec::new();

    let mut close: Vec<(f32, Attribute)> = DESCRIBED
        .iter()
        .filter_map(|&a| {
            let gap = stats.gap(a, a.value(track)?, a.value(seed)?);
            (gap <= SIMILAR_WITHIN).then_some((gap, a))
        })
        .collect();
    close.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    close.truncate(2);
    if !close.is_empty() {
        let words: Vec<&str> = close.iter().map(|(_, a)| a.words()).collect();
        clauses.push(format!("similar {}", words.join(" and ")));
        matched.extend(close.iter().map(|(_, a)| a.name().to_owned()));
    }

    // Names and labels come from the same catalog, so they match exactly.
    if let Some(a) = track.artists.iter().find(|a| seed.artists.contains(a)) {
        clauses.push(format!("same artist ({a})"));
        matched.push("artist".into());
    }

    let shared =
        |mine: &[String], theirs: &[String]| mine.iter().find(|g| theirs.contains(g)).cloned();
    if let Some(sub) = shared(&track.subgenres, &seed.subgenres) {
        clauses.push(format!("same subgenre ({sub})"));
        matched.push("subgenre".into());
    } else if let Some(genre) = shared(&track.genres, &seed.genres) {
        clauses.push(format!("same genre ({genre})"));
        matched.push("genre".into());
    }

    if let (Some(a), Some(b)) = (track.year, seed.year) {
        if a / 10 == b / 10 && clauses.len() < 3 {
            clauses.push(format!("same era ({}s)", a / 10 * 10));
            matched.push("era".into());
        }
    }

    let text = if clauses.is_empty() {
        format!("Close to {seed_label} in overall sound")
    } else {
        format!("Close to {seed_label}: {}", clauses.join(", "))
    };
    Reason {
        seed_id: seed.id.clone(),
        seed_label: seed_label.to_owned(),
        matched,
        text,
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
            id: format!("{artist}-{name}"),
            name: name.into(),
            artists: vec![artist.into()],
            genres: vec!["pop".into()],
            subgenres: vec![sub.into()],
            year: Some(2019),
            features: AudioFeatures {
                energy: Some(energy),
                danceability: Some(dance),
                tempo: Some(tempo),
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
        let r = reason(&track, &seed, &seed.label(), &stats());
        assert_eq!(r.seed_id, seed.id);
        assert_eq!(
            r.text,
            "Close to Ed Sheeran - I Don't Care: similar energy and danceability, \
             same subgenre (dance pop), same era (2010s)"
        );
        assert_eq!(r.matched, ["energy", "danceability", "subgenre", "era"]);
    }

    #[test]
    fn falls_back_to_genre_artist_and_overall() {
        let seed = t("A", "One", 0.1, 0.1, 60.0, "indie");
        let mut track = t("A", "Two", 0.9, 0.9, 180.0, "trap");
        let r = reason(&track, &seed, &seed.label(), &stats());
        assert_eq!(
            r.text,
            "Close to A - One: same artist (A), same genre (pop), same era (2010s)"
        );
        track.artists = vec!["B".into()];
        track.genres.clear();
        track.year = Some(1990);
        let r = reason(&track, &seed, &seed.label(), &stats());
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
