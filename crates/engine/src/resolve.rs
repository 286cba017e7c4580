//! The one resolver: a [`SeedRef`] becomes catalog tracks, or a typed reason why not.

use std::collections::HashSet;

use selecta_catalog::{Candidate, ResolveError};
use selecta_model::Model;
use selecta_types::SeedRef;

use crate::shown;
use crate::view::{track_index, CatalogIndex};

/// Most catalog tracks an artist or genre seed stands for.
pub const TRACKS_PER_GROUP_SEED: usize = 3;

/// How a seed was matched to the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// By track id (or a Spotify URI or link of it).
    Id,
    /// By text (`artist - title`), case-, accent- and punctuation-insensitive.
    Text,
    /// By artist: the artist's most popular tracks.
    Artist,
    /// By genre: the genre's most popular tracks, by different artists.
    Genre,
}

/// A seed matched to catalog tracks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// Catalog indices, most representative first (one for a track, up to
    /// [`TRACKS_PER_GROUP_SEED`] for an artist or a genre).
    pub tracks: Vec<usize>,
    /// How.
    pub how: MatchKind,
}

/// Why a seed matches no catalog track, or more than one song.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unmatched {
    /// A typed or pasted reference: not found (with suggestions), ambiguous (with
    /// candidates), or not a usable link.
    #[error("{0}")]
    Query(ResolveError),
    /// A track id the catalog does not hold.
    #[error("unknown track id '{}' (not in Selecta's catalog)", shown(.0))]
    TrackId(String),
    /// An artist the catalog does not hold.
    #[error("unknown artist '{}' (give an artist id from Selecta's track objects, or the artist's name)", shown(.0))]
    Artist(String),
    /// A genre the catalog does not hold.
    #[error("unknown genre '{}' (see /v1/recommendations/available-genre-seeds)", shown(.0))]
    Genre(String),
}

impl Unmatched {
    /// The songs a text matched equally well, when it was ambiguous.
    pub fn candidates(&self) -> Option<&[Candidate]> {
        match self {
            Unmatched::Query(ResolveError::Ambiguous { candidates, .. }) => Some(candidates),
            _ => None,
        }
    }

    /// The closest tracks to a text that matched none.
    pub fn suggestions(&self) -> Option<&[Candidate]> {
        match self {
            Unmatched::Query(ResolveError::NotFound { suggestions, .. }) => Some(suggestions),
            _ => None,
        }
    }
}

/// Resolves one seed. An artist or genre seed stands for up to `per_group` tracks (at least
/// one): an artist's most popular, or a genre's most popular by different artists.
pub fn resolve(
    model: &Model,
    index: &CatalogIndex,
    seed: &SeedRef,
    per_group: usize,
) -> Result<Matched, Unmatched> {
    let per_group = per_group.max(1);
    match seed {
        SeedRef::Query(q) => {
            let catalog = model.catalog();
            // An exact id needs no text matching; the catalog tells which way it matched.
            let by_id = catalog.index_of(q.trim()).is_some()
                || matches!(
                    selecta_catalog::parse_spotify_ref(q),
                    selecta_catalog::SpotifyRef::Track(_)
                );
            let how = if by_id {
                MatchKind::Id
            } else {
                MatchKind::Text
            };
            let i = catalog.resolve(q).map_err(Unmatched::Query)?;
            Ok(Matched {
                tracks: vec![i],
                how,
            })
        }
        SeedRef::Track(id) => track_index(model, id)
            .map(|i| Matched {
                tracks: vec![i],
                how: MatchKind::Id,
            })
            .ok_or_else(|| Unmatched::TrackId(id.clone())),
        SeedRef::Artist(given) => {
            let a = index
                .artist(given)
                .ok_or_else(|| Unmatched::Artist(given.clone()))?;
            Ok(Matched {
                tracks: a.tracks.iter().copied().take(per_group).collect(),
                how: MatchKind::Artist,
            })
        }
        SeedRef::Genre(given) => {
            let g = index
                .genre(given)
                .ok_or_else(|| Unmatched::Genre(given.clone()))?;
            let tracks = model.tracks();
            let mut artists: HashSet<&str> = HashSet::new();
            let picked = g
                .tracks
                .iter()
                .copied()
                .filter(|&i| {
                    let main = tracks[i].artists.first().map(String::as_str).unwrap_or("");
                    artists.insert(main)
                })
                .take(per_group)
                .collect();
            Ok(Matched {
                tracks: picked,
                how: MatchKind::Genre,
            })
        }
    }
}
