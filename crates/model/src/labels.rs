//! The tracks' genre and subgenre labels as small integers, and their release dates as
//! numbers, so that scoring a candidate compares numbers instead of hashing or parsing
//! strings. Derived from the catalog whenever a model is fitted or loaded (not stored: the
//! catalog in the artifact already holds the names and dates).

use std::collections::HashMap;

use selecta_types::{Text, Track};

use crate::affinity::Rows;

/// Label ids per track, numbered in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackLabels {
    /// Genre ids of each track.
    pub genres: Rows<u16>,
    /// Subgenre ids of each track.
    pub subgenres: Rows<u16>,
    /// Distinct genres.
    pub genre_count: usize,
    /// Distinct subgenres.
    pub subgenre_count: usize,
    /// Release date of each track in years with a fraction, NaN when unknown.
    pub dates: Vec<f32>,
}

/// Numbers names in order of first appearance (at most `u16::MAX` of them; the rest share
/// the last id, which only blurs label agreement in absurdly labelled catalogs).
struct Numbering<'a>(HashMap<&'a str, u16>);

impl<'a> Numbering<'a> {
    fn ids(&mut self, names: &'a [Text]) -> Vec<u16> {
        names
            .iter()
            .map(|g| {
                let next = self.0.len().min(usize::from(u16::MAX)) as u16;
                *self.0.entry(g.as_str()).or_insert(next)
            })
            .collect()
    }
}

impl TrackLabels {
    /// Numbers the labels of `tracks`.
    pub fn new(tracks: &[Track]) -> TrackLabels {
        let (mut g, mut s) = (Numbering(HashMap::new()), Numbering(HashMap::new()));
        let genres = Rows::from_rows(tracks.iter().map(|t| g.ids(&t.genres)));
        let subgenres = Rows::from_rows(tracks.iter().map(|t| s.ids(&t.subgenres)));
        TrackLabels {
            genres,
            subgenres,
            genre_count: g.0.len(),
            subgenre_count: s.0.len(),
            dates: tracks
                .iter()
                .map(|t| crate::release::release_years(t).unwrap_or(f32::NAN))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_labels_in_order_of_first_appearance() {
        let t = |g: &[&str], s: &[&str]| Track {
            genres: g.iter().map(|&x| x.into()).collect(),
            subgenres: s.iter().map(|&x| x.into()).collect(),
            ..Track::default()
        };
        let l = TrackLabels::new(&[
            t(&["pop"], &["dance pop"]),
            t(&["rock", "pop"], &[]),
            t(&[], &["dance pop", "indie"]),
        ]);
        assert_eq!(l.genres.row(0), [0]);
        assert_eq!(l.genres.row(1), [1, 0]);
        assert!(l.genres.row(2).is_empty());
        assert_eq!(l.subgenres.row(2), [0, 1]);
        assert_eq!((l.genre_count, l.subgenre_count), (2, 2));
    }
}
