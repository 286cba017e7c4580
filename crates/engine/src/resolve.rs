//! The one resolver: a [`SeedRef`] becomes catalog tracks, or a typed reason why not.

use std::collections::HashSet;

use selecta_catalog::{Candidate, ResolveError};
use selecta_model::{Model, ProxySeed};
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
    /// Looked up on Spotify: the same recording, under another id in the catalog.
    SameRecording,
    /// Looked up on Spotify and not in the catalog: a proxy estimated from the catalog's
    /// tracks by the same artists.
    Proxy,
}

impl MatchKind {
    /// Its name in API answers (`id`, `text`, `artist`, `genre`, `same_recording`, `proxy`).
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::Id => "id",
            MatchKind::Text => "text",
            MatchKind::Artist => "artist",
            MatchKind::Genre => "genre",
            MatchKind::SameRecording => "same_recording",
            MatchKind::Proxy => "proxy",
        }
    }

    /// True when the seed's sound is estimated rather than the catalog's own.
    pub fn is_estimated(self) -> bool {
        self == MatchKind::Proxy
    }
}

/// A seed matched to catalog tracks.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// Catalog indices, most representative first (one for a track, up to
    /// [`TRACKS_PER_GROUP_SEED`] for an artist or a genre; for a proxy, the tracks it is
    /// estimated from).
    pub tracks: Vec<usize>,
    /// How.
    pub how: MatchKind,
    /// The proxy seed, for [`MatchKind::Proxy`].
    pub proxy: Option<Box<ProxySeed>>,
    /// How it matched, in words a listener understands, when it was not the catalog's own
    /// track ("Blinding Lights (After Hours) is the same recording as the one on ...").
    pub note: Option<String>,
}

impl Matched {
    /// Catalog tracks matched plainly (no proxy, no note).
    pub fn plain(tracks: Vec<usize>, how: MatchKind) -> Self {
        Matched {
            tracks,
            how,
            proxy: None,
            note: None,
        }
    }
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
    #[error("unknown artist '{}' (give a Spotify artist id, or the artist's name)", shown(.0))]
    Artist(String),
    /// A genre the catalog does not hold.
    #[error("unknown genre '{}' (see /v1/recommendations/available-genre-seeds)", shown(.0))]
    Genre(String),
    /// A Spotify id the catalog lacks, which could not be looked up on Spotify.
    #[error("'{}' is not in Selecta's catalog, and {message}", shown(.id))]
    Lookup {
        /// As given.
        id: String,
        /// Why, from the lookup ("no such track at Spotify", "looking up ... needs ...").
        message: String,
        /// True when Spotify was unreachable or busy: trying again later may work.
        unavailable: bool,
    },
    /// Known from Spotify, but the catalog holds nothing by its artists.
    #[error("{} is not in the catalog, and neither is anything by its artists", shown(.0))]
    NothingByArtists(String),
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
            Ok(Matched::plain(vec![i], how))
        }
        SeedRef::Track(id) => track_index(model, id)
            .map(|i| Matched::plain(vec![i], MatchKind::Id))
            .ok_or_else(|| Unmatched::TrackId(id.clone())),
        SeedRef::Artist(given) => {
            let a = index
                .artist(given)
                .ok_or_else(|| Unmatched::Artist(given.clone()))?;
            Ok(Matched::plain(
                a.tracks.iter().copied().take(per_group).collect(),
                MatchKind::Artist,
            ))
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
                    let main = tracks[i].artists.first().map_or("", |a| a.as_str());
                    artists.insert(main)
                })
                .take(per_group)
                .collect();
            Ok(Matched::plain(picked, MatchKind::Genre))
        }
    }
}
