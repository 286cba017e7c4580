//! Resolving what a listener typed or pasted to one catalog track, or saying clearly why not.

use std::fmt::Write as _;

use thiserror::Error;

use crate::fuzzy::{self, Mode};
use crate::spotify::{parse_spotify_ref, SpotifyRef};
use crate::{shown, Catalog};

/// A track offered when a query is ambiguous or unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index in [`Catalog::tracks`].
    pub index: usize,
    /// Track id.
    pub id: String,
    /// `Artist - Title`.
    pub label: String,
}

/// Why a query does not name exactly one catalog track.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ResolveError {
    /// Nothing was given.
    #[error("nothing to look up: give a track id, a Spotify track link or `artist - title`")]
    Empty,
    /// A well-formed Spotify track id that the catalog does not hold.
    #[error("Spotify track {id} is not in the catalog")]
    UnknownId {
        /// The id.
        id: String,
    },
    /// A Spotify link or URI to an album, playlist, artist...
    #[error(
        "`{}` is a Spotify {kind} link, not a track; give the link of a track",
        shown(input)
    )]
    NotATrack {
        /// What was given.
        input: String,
        /// `album`, `playlist`, ...
        kind: String,
    },
    /// A Spotify link or URI that cannot be used.
    #[error("`{}` is not a usable Spotify track link: {reason}", shown(input))]
    BadLink {
        /// What was given.
        input: String,
        /// Why.
        reason: String,
    },
    /// No track fits; the closest ones are suggested.
    #[error("no track matches `{}`{}", shown(query), did_you_mean(suggestions))]
    NotFound {
        /// What was given.
        query: String,
        /// The closest tracks (may be empty).
        suggestions: Vec<Candidate>,
    },
    /// Several different songs fit equally well.
    #[error(
        "`{}` matches several songs:{}\nadd the artist (`artist - title`) or give the Spotify link",
        shown(query),
        list(candidates)
    )]
    Ambiguous {
        /// What was given.
        query: String,
        /// The best candidates, best first (one per song).
        candidates: Vec<Candidate>,
    },
}

fn list(candidates: &[Candidate]) -> String {
    let mut s = String::new();
    for c in candidates {
        let _ = write!(s, "\n  {} (spotify:track:{})", c.label, c.id);
    }
    s
}

fn did_you_mean(suggestions: &[Candidate]) -> String {
    if suggestions.is_empty() {
        "; try `artist - title`, a Spotify track link or a track id".to_string()
    } else {
        format!("; did you mean:{}", list(suggestions))
    }
}

/// Lowest score a text match needs to be taken (one typo in a short title and one in the
/// artist still pass; a wrong word does not).
const ACCEPT: f32 = 0.75;
/// Matches this close to the best one are considered equally good.
const MARGIN: f32 = 0.05;
/// Candidates listed for an ambiguous or unknown query.
const MAX_CANDIDATES: usize = 8;
/// Suggestions listed for an unknown query.
const MAX_SUGGESTIONS: usize = 5;

impl Catalog {
    /// Resolves a query to a track index: a catalog track id, a `spotify:track:ID` URI, an
    /// `open.spotify.com/track/ID` link (with `?si=`, `/intl-xx/`), or free text
    /// (`artist - title`, `title - artist`, `title by artist`, or a title alone), matched
    /// regardless of case, accents and punctuation and with a typo or two.
    ///
    /// Versions of one song (single and album release, remix, remaster) do not make a query
    /// ambiguous: the best-matching, then most popular, version is taken. Different songs that
    /// fit equally well give [`ResolveError::Ambiguous`].
    pub fn resolve(&self, query: &str) -> Result<usize, ResolveError> {
        let q = query.trim();
        if q.is_empty() {
            return Err(ResolveError::Empty);
        }
        if let Some(i) = self.index_of(q) {
            return Ok(i);
        }
        match parse_spotify_ref(q) {
            SpotifyRef::Track(id) => {
                return self.index_of(&id).ok_or(ResolveError::UnknownId { id });
            }
            SpotifyRef::NotATrack { kind, .. } => {
                return Err(ResolveError::NotATrack {
                    input: q.to_string(),
                    kind,
                })
            }
            SpotifyRef::Invalid { reason } => {
                return Err(ResolveError::BadLink {
                    input: q.to_string(),
                    reason,
                })
            }
            SpotifyRef::NotSpotify => {}
        }
        self.resolve_text(q)
    }

    /// Resolves free text only (no ids or links), see [`Catalog::resolve`].
    pub fn resolve_text(&self, query: &str) -> Result<usize, ResolveError> {
        let index = self.text_index();
        // Exact keys first: when they give a match that no fuzzy one could come close to,
        // the scans over every title and artist are skipped.
        let mut ranked = self.rank(fuzzy::score_query(index, query, Mode::Exact));
        let best = ranked.first().map_or(0.0, |&(_, s)| s);
        if best - MARGIN <= fuzzy::MAX_FUZZY_SCORE {
            ranked = self.rank(fuzzy::score_query(index, query, Mode::Fuzzy));
        }
        let best = ranked.first().map_or(0.0, |&(_, s)| s);
        if best < ACCEPT {
            return Err(ResolveError::NotFound {
                query: query.to_string(),
                suggestions: self.suggestions(query),
            });
        }
        let top: Vec<(usize, f32)> = ranked
            .into_iter()
            .take_while(|&(_, s)| s >= best - MARGIN)
            .collect();
        let first_song = index.song(top[0].0);
        if top.iter().all(|&(i, _)| index.song(i) == first_song) {
            return Ok(top[0].0);
        }
        Err(ResolveError::Ambiguous {
            query: query.to_string(),
            candidates: self.one_per_song(top.into_iter().map(|(i, _)| i), MAX_CANDIDATES),
        })
    }

    /// Scored tracks, best first; ties go to the more popular track, then the earlier one.
    fn rank(&self, scores: std::collections::HashMap<u32, f32>) -> Vec<(usize, f32)> {
        let index = self.text_index();
        let mut ranked: Vec<(usize, f32)> =
            scores.into_iter().map(|(i, s)| (i as usize, s)).collect();
        ranked.sort_unstable_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(index.popularity(b.0).total_cmp(&index.popularity(a.0)))
                .then(a.0.cmp(&b.0))
        });
        ranked
    }

    /// The first track of each song, in the given order.
    fn one_per_song(&self, order: impl Iterator<Item = usize>, max: usize) -> Vec<Candidate> {
        let index = self.text_index();
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for i in order {
            if out.len() == max {
                break;
            }
            let song = index.song(i);
            if !seen.contains(&song) {
                seen.push(song);
                let t = &self.tracks()[i];
                out.push(Candidate {
                    index: i,
                    id: t.id.to_string(),
                    label: t.label(),
                });
            }
        }
        out
    }

    /// "Did you mean": loose text matches, else search-box hits, else the named artist's
    /// most popular tracks.
    fn suggestions(&self, query: &str) -> Vec<Candidate> {
        let index = self.text_index();
        let loose = self.rank(fuzzy::score_query(index, query, Mode::Loose));
        if !loose.is_empty() {
            return self.one_per_song(loose.into_iter().map(|(i, _)| i), MAX_SUGGESTIONS);
        }
        let hits = self.search(query, MAX_SUGGESTIONS * 4);
        if !hits.is_empty() {
            return self.one_per_song(hits.into_iter(), MAX_SUGGESTIONS);
        }
        let by_artist = fuzzy::tracks_of_named_artists(index, query);
        let ranked = self.rank(by_artist.into_iter().map(|i| (i, 1.0)).collect());
        self.one_per_song(ranked.into_iter().map(|(i, _)| i), MAX_SUGGESTIONS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::Track;

    fn catalog() -> Catalog {
        let t = |id: &str, name: &str, artist: &str, pop: f32| Track {
            id: id.into(),
            name: name.into(),
            artists: vec![artist.into()],
            popularity: Some(pop),
            ..Track::default()
        };
        Catalog::from_tracks(
            vec![
                t(
                    "0hVXuCcriWRGvwMV1r5Yn9",
                    "I Don't Care (with Justin Bieber)",
                    "Ed Sheeran",
                    84.0,
                ),
                t(
                    "3HVWdVOQ0ZA45FuZGSfvns",
                    "I Don't Care (with Justin Bieber)",
                    "Ed Sheeran",
                    90.0,
                ),
                t(
                    "6f807x0ima9a1j3VPbc7VN",
                    "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
                    "Ed Sheeran",
                    66.0,
                ),
                t("zedd-stay", "Stay", "Zedd", 70.0),
                t("pm-stay", "Stay", "Post Malone", 80.0),
                t("hold-up", "Hold Up", "Beyoncé", 75.0),
            ],
            Vec::new(),
        )
    }

    #[test]
    fn errors_quote_at_most_60_characters_of_the_query() {
        let c = catalog();
        let long = format!("{} - {}", "zq".repeat(100), "xv".repeat(100));
        let text = c.resolve(&long).unwrap_err().to_string();
        assert!(
            text.starts_with(&format!("no track matches `{}…`", &long[..60])),
            "{text}"
        );
        assert!(text.chars().count() < 200, "{text}");
        let link = format!("https://open.spotify.com/album/{}", "a".repeat(300));
        let text = c.resolve(&link).unwrap_err().to_string();
        assert!(text.chars().count() < 200, "{text}");
    }

    #[test]
    fn ids_uris_and_links() {
        let c = catalog();
        assert_eq!(c.resolve("zedd-stay"), Ok(3));
        assert_eq!(c.resolve("spotify:track:0hVXuCcriWRGvwMV1r5Yn9"), Ok(0));
        assert_eq!(
            c.resolve("https://open.spotify.com/intl-fr/track/3HVWdVOQ0ZA45FuZGSfvns?si=1a2b"),
            Ok(1)
        );
        assert_eq!(
            c.resolve("4uLU6hMCjMI75M1A2tKUQC"),
            Err(ResolveError::UnknownId {
                id: "4uLU6hMCjMI75M1A2tKUQC".into()
            })
        );
        assert!(matches!(
            c.resolve("https://open.spotify.com/playlist/37i9dQZF1DX4OjfOteYnH8"),
            Err(ResolveError::NotATrack { .. })
        ));
        assert_eq!(c.resolve("   "), Err(ResolveError::Empty));
    }

    #[test]
    fn text_with_typos_takes_the_most_popular_version() {
        let c = catalog();
        for q in [
            "Ed Sheeran - I Don't Care",
            "ed sheeran - i dont care",
            "ÉD SHEERAN – I DON'T CARE!",
            "Ed Sheran - I Dont Car",
            "I Don't Care by Ed Sheeran",
            "i dont care - ed sheeran",
        ] {
            assert_eq!(c.resolve(q), Ok(1), "{q}");
        }
        assert_eq!(
            c.resolve("Ed Sheeran - I Don't Care - Loud Luxury Remix"),
            Ok(2)
        );
        assert_eq!(c.resolve("beyonce hold up"), Ok(5));
    }

    #[test]
    fn ambiguous_and_unknown_texts() {
        let c = catalog();
        match c.resolve("stay") {
            Err(ResolveError::Ambiguous { candidates, .. }) => {
                let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
                assert_eq!(ids, ["pm-stay", "zedd-stay"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.resolve("Zedd - Stay"), Ok(3));
        match c.resolve("Ed Sheeran - I Dont Cari Much") {
            Err(ResolveError::NotFound { suggestions, .. }) => {
                assert_eq!(suggestions[0].index, 1);
            }
            other => panic!("{other:?}"),
        }
        let err = c.resolve("Metallica - One").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no track matches `Metallica - One`; try `artist - title`, a Spotify track link or a track id"
        );
    }
}
