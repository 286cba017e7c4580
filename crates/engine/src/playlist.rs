//! The one function every entry point calls: a [`PlaylistRequest`] in, a playlist out, with
//! how each seed was matched.

use selecta_model::{generate, GenerateError, GenerateOptions, Model};
use selecta_types::{Playlist, PlaylistRequest, SeedRef, MAX_SEEDS};

use crate::resolve::{resolve, Matched, Unmatched, TRACKS_PER_GROUP_SEED};
use crate::view::CatalogIndex;

/// The model in service and the indexes of its catalog: what resolving and generating need.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    model: &'a Model,
    index: &'a CatalogIndex,
}

/// Which list of a request a seed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedList {
    /// `seeds`
    Seeds,
    /// `negative_seeds`
    NegativeSeeds,
}

impl SeedList {
    /// The field's name in [`PlaylistRequest`].
    pub fn field(self) -> &'static str {
        match self {
            SeedList::Seeds => "seeds",
            SeedList::NegativeSeeds => "negative_seeds",
        }
    }
}

/// A seed of the request and the catalog tracks it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSeed {
    /// As given.
    pub seed: SeedRef,
    /// What it matched.
    pub matched: Matched,
}

/// A generated playlist with the seeds it started from.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The playlist.
    pub playlist: Playlist,
    /// Every seed, in the request's order, and how it matched.
    pub seeds: Vec<ResolvedSeed>,
}

/// Why a request gives no playlist. Entry points word it for their users: the field names
/// here are [`PlaylistRequest`]'s.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// An option or list out of its limits; `message` starts with the field's name.
    #[error("{message}")]
    Invalid {
        /// The field (`length`, `seeds`, `energy.min`...).
        field: String,
        /// The full message, e.g. "length must be 1..=100, got 0".
        message: String,
    },
    /// A seed or negative seed that matches no track (or several songs).
    #[error("{}[{index}]: {reason}", list.field())]
    Unmatched {
        /// The list it is in.
        list: SeedList,
        /// Its position there.
        index: usize,
        /// As given.
        seed: SeedRef,
        /// Why.
        reason: Unmatched,
    },
    /// No catalog track passes the options; the seeds did resolve.
    #[error(
        "no track in the catalog passes the options (exclusions, blocked artists, \
         attribute bounds); loosen them"
    )]
    NothingMatches {
        /// The seeds, resolved.
        seeds: Vec<ResolvedSeed>,
    },
}

impl<'a> Engine<'a> {
    /// The engine over a model and the indexes of its catalog.
    pub fn new(model: &'a Model, index: &'a CatalogIndex) -> Self {
        Engine { model, index }
    }

    /// The model.
    pub fn model(&self) -> &'a Model {
        self.model
    }

    /// The catalog's indexes.
    pub fn index(&self) -> &'a CatalogIndex {
        self.index
    }

    /// Resolves one seed (see [`resolve`]).
    pub fn resolve(&self, seed: &SeedRef, per_group: usize) -> Result<Matched, Unmatched> {
        resolve(self.model, self.index, seed, per_group)
    }

    /// Resolves the request's seeds and negative seeds, after counting them (so a long list
    /// costs no matching). An artist or genre seed stands for up to
    /// [`TRACKS_PER_GROUP_SEED`] tracks, fewer when many seeds are given, so that the seed
    /// tracks stay within [`MAX_SEEDS`].
    pub fn resolve_request(
        &self,
        req: &PlaylistRequest,
    ) -> Result<(Vec<ResolvedSeed>, Vec<usize>), RequestError> {
        for (list, refs) in [
            (SeedList::Seeds, &req.seeds),
            (SeedList::NegativeSeeds, &req.negative_seeds),
        ] {
            if refs.len() > MAX_SEEDS {
                let field = list.field();
                let message = match list {
                    SeedList::Seeds => {
                        format!("seeds must hold 1..={MAX_SEEDS} tracks, got {}", refs.len())
                    }
                    SeedList::NegativeSeeds => format!(
                        "negative_seeds must hold at most {MAX_SEEDS} tracks, got {}",
                        refs.len()
                    ),
                };
                return Err(RequestError::Invalid {
                    field: field.into(),
                    message,
                });
            }
        }
        let per_group = (MAX_SEEDS / req.seeds.len().max(1)).clamp(1, TRACKS_PER_GROUP_SEED);
        let mut seeds = Vec::with_capacity(req.seeds.len());
        for (index, seed) in req.seeds.iter().enumerate() {
            let matched =
                self.resolve(seed, per_group)
                    .map_err(|reason| RequestError::Unmatched {
                        list: SeedList::Seeds,
                        index,
                        seed: seed.clone(),
                        reason,
                    })?;
            seeds.push(ResolvedSeed {
                seed: seed.clone(),
                matched,
            });
        }
        let mut negatives = Vec::with_capacity(req.negative_seeds.len());
        for (index, seed) in req.negative_seeds.iter().enumerate() {
            let matched = self
                .resolve(seed, 1)
                .map_err(|reason| RequestError::Unmatched {
                    list: SeedList::NegativeSeeds,
                    index,
                    seed: seed.clone(),
                    reason,
                })?;
            negatives.extend(matched.tracks);
        }
        Ok((seeds, negatives))
    }

    /// Resolves the request and generates its playlist.
    pub fn playlist(&self, req: &PlaylistRequest) -> Result<Generated, RequestError> {
        let (seeds, negative_seeds) = self.resolve_request(req)?;
        // Each track once, in the order the seeds give them.
        let mut seed_tracks: Vec<usize> = Vec::new();
        for &i in seeds.iter().flat_map(|s| &s.matched.tracks) {
            if !seed_tracks.contains(&i) {
                seed_tracks.push(i);
            }
        }
        let options = GenerateOptions {
            length: req.length,
            exclude_ids: req.exclude_ids.clone(),
            max_per_artist: req.max_per_artist.filter(|&n| n > 0),
            collapse_versions: req.collapse_versions,
            block_artists: req.block_artists.clone(),
            negative_seeds,
            attributes: req.attributes.clone(),
            order: req.order,
        };
        match generate(self.model, &seed_tracks, &options) {
            Ok(playlist) => Ok(Generated { playlist, seeds }),
            Err(GenerateError::InvalidOption { param, message }) => Err(RequestError::Invalid {
                field: param,
                message,
            }),
            Err(GenerateError::NothingMatches) => Err(RequestError::NothingMatches { seeds }),
        }
    }
}
