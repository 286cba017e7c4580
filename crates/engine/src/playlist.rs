//! The one function every entry point calls: a [`PlaylistRequest`] in, a playlist out, with
//! how each seed was matched.

use selecta_model::{generate_with_spares, GenerateError, GenerateOptions, Model, Seed};
use selecta_types::{
    Playlist, PlaylistEntry, PlaylistRequest, SeedMatch, SeedRef, MAX_ARTIST_CHARS,
    MAX_BLOCKED_ARTISTS, MAX_EXCLUDE_IDS, MAX_SEEDS, MAX_SEED_CHARS,
};

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

/// A seed of the request that was left out: looked up, but nothing in the catalog is near it,
/// or the lookup failed. The playlist comes from the other seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedSeed {
    /// Its position in `seeds`.
    pub index: usize,
    /// As given.
    pub seed: SeedRef,
    /// Why, in words a listener understands.
    pub reason: Unmatched,
}

/// A generated playlist with the seeds it started from.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The playlist.
    pub playlist: Playlist,
    /// Every seed used, in the request's order, and how it matched.
    pub seeds: Vec<ResolvedSeed>,
    /// Seeds left out, and why.
    pub skipped: Vec<SkippedSeed>,
    /// The candidates next in line, best first, when asked for
    /// ([`Engine::generate_resolved_with_spares`]): what refills the playlist when a
    /// listener removes a track.
    pub spares: Vec<PlaylistEntry>,
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
    /// tracks stay within [`MAX_SEEDS`]. No lookups: a Spotify id the catalog lacks is
    /// refused (see [`Engine::playlist_looking_up`]).
    pub fn resolve_request(
        &self,
        req: &PlaylistRequest,
    ) -> Result<(Vec<ResolvedSeed>, Vec<usize>), RequestError> {
        let (tried, negatives) = self.try_request(req)?;
        let mut seeds = Vec::with_capacity(tried.len());
        for (index, (seed, result)) in req.seeds.iter().zip(tried).enumerate() {
            let matched = result.map_err(|reason| RequestError::Unmatched {
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
        Ok((seeds, negatives))
    }

    /// The per-group share, each seed tried against the catalog alone, and the negative
    /// seeds (which must all match).
    pub(crate) fn try_request(
        &self,
        req: &PlaylistRequest,
    ) -> Result<(Tried, Vec<usize>), RequestError> {
        check_lists(req)?;
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
            // Before any matching: a long text costs fuzzy matching time.
            for (index, seed) in refs.iter().enumerate() {
                let chars = seed.given().chars().count();
                if chars > MAX_SEED_CHARS {
                    let field = format!("{}[{index}]", list.field());
                    return Err(RequestError::Invalid {
                        message: format!(
                            "{field} must be at most {MAX_SEED_CHARS} characters, got {chars}"
                        ),
                        field,
                    });
                }
            }
        }
        let per_group = per_group(req);
        let tried = req
            .seeds
            .iter()
            .map(|seed| self.resolve(seed, per_group))
            .collect();
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
        Ok((tried, negatives))
    }

    /// Resolves the request (no lookups) and generates its playlist.
    pub fn playlist(&self, req: &PlaylistRequest) -> Result<Generated, RequestError> {
        let (seeds, negative_seeds) = self.resolve_request(req)?;
        self.generate(req, seeds, Vec::new(), negative_seeds, 0)
    }

    /// Generates from resolved seeds; `skipped` are reported with the playlist. Keeps up to
    /// `spares` candidates beyond it ([`selecta_model::generate_with_spares`]).
    pub(crate) fn generate(
        &self,
        req: &PlaylistRequest,
        seeds: Vec<ResolvedSeed>,
        skipped: Vec<SkippedSeed>,
        negative_seeds: Vec<usize>,
        spares: usize,
    ) -> Result<Generated, RequestError> {
        // Each seed once, in the order the request gives them.
        let mut model_seeds: Vec<Seed> = Vec::new();
        for s in &seeds {
            match &s.matched.proxy {
                Some(p) => model_seeds.push(Seed::Proxy(p.clone())),
                None => model_seeds.extend(s.matched.tracks.iter().map(|&i| Seed::Track(i))),
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
        match generate_with_spares(self.model, &model_seeds, &options, spares) {
            Ok((mut playlist, mut spares)) => {
                self.annotate(&mut playlist.entries, &seeds);
                self.annotate(&mut spares, &seeds);
                playlist.matches = self.matches(req, &seeds, &skipped);
                Ok(Generated {
                    playlist,
                    seeds,
                    skipped,
                    spares,
                })
            }
            Err(GenerateError::InvalidOption { param, message }) => Err(RequestError::Invalid {
                field: param,
                message,
            }),
            Err(GenerateError::NothingMatches) => Err(RequestError::NothingMatches { seeds }),
        }
    }

    /// How each seed of `req` was matched, in its order, the skipped ones included.
    pub fn matches(
        &self,
        req: &PlaylistRequest,
        seeds: &[ResolvedSeed],
        skipped: &[SkippedSeed],
    ) -> Vec<SeedMatch> {
        let tracks = self.model.tracks();
        let mut used = seeds.iter();
        (0..req.seeds.len())
            .filter_map(|index| match skipped.iter().find(|s| s.index == index) {
                Some(s) => Some(SeedMatch {
                    given: s.seed.given().to_owned(),
                    matched_by: "skipped".into(),
                    note: Some(s.reason.to_string()),
                    ..SeedMatch::default()
                }),
                None => used.next().map(|s| SeedMatch {
                    given: s.seed.given().to_owned(),
                    matched_by: s.matched.how.name().into(),
                    tracks: s
                        .matched
                        .tracks
                        .iter()
                        .map(|&i| tracks[i].id.to_string())
                        .collect(),
                    estimated: s.matched.how.is_estimated(),
                    note: s.matched.note.clone(),
                }),
            })
            .collect()
    }

    /// Adds each seed's match note to the reasons of the entries closest to it.
    fn annotate(&self, entries: &mut [PlaylistEntry], seeds: &[ResolvedSeed]) {
        let tracks = self.model.tracks();
        let notes: Vec<(&str, &str)> = seeds
            .iter()
            .filter_map(|s| {
                let note = s.matched.note.as_deref()?;
                let id = match &s.matched.proxy {
                    Some(p) => p.track.id.as_str(),
                    None => tracks[*s.matched.tracks.first()?].id.as_str(),
                };
                Some((id, note))
            })
            .collect();
        if notes.is_empty() {
            return;
        }
        for e in entries {
            if let Some(&(_, note)) = notes.iter().find(|(id, _)| *id == e.reason.seed_id) {
                e.reason.text = format!("{} ({note})", e.reason.text);
                e.reason.seed_match = Some(note.to_owned());
            }
        }
    }
}

/// Each seed of a request tried against the catalog alone.
pub(crate) type Tried = Vec<Result<Matched, Unmatched>>;

/// How many tracks an artist or genre seed stands for: up to [`TRACKS_PER_GROUP_SEED`],
/// fewer when many seeds are given, so that the seed tracks stay within [`MAX_SEEDS`].
pub(crate) fn per_group(req: &PlaylistRequest) -> usize {
    (MAX_SEEDS / req.seeds.len().max(1)).clamp(1, TRACKS_PER_GROUP_SEED)
}

/// The request's other lists, counted and length-checked before any matching: each costs
/// work per entry later (artist keys, id sets). Errors name the field and the limit.
fn check_lists(req: &PlaylistRequest) -> Result<(), RequestError> {
    let invalid = |field: String, message: String| RequestError::Invalid { field, message };
    if req.block_artists.len() > MAX_BLOCKED_ARTISTS {
        return Err(invalid(
            "block_artists".into(),
            format!(
                "block_artists must hold at most {MAX_BLOCKED_ARTISTS} artists, got {}",
                req.block_artists.len()
            ),
        ));
    }
    for (index, artist) in req.block_artists.iter().enumerate() {
        if artist.chars().nth(MAX_ARTIST_CHARS).is_some() {
            let field = format!("block_artists[{index}]");
            let message = format!("{field} must be at most {MAX_ARTIST_CHARS} characters");
            return Err(invalid(field, message));
        }
    }
    if req.exclude_ids.len() > MAX_EXCLUDE_IDS {
        return Err(invalid(
            "exclude_ids".into(),
            format!(
                "exclude_ids must hold at most {MAX_EXCLUDE_IDS} ids, got {}",
                req.exclude_ids.len()
            ),
        ));
    }
    // A track id is 22 characters; the seeds' limit is generous for a data set's own ids.
    for (index, id) in req.exclude_ids.iter().enumerate() {
        if id.len() > MAX_SEED_CHARS {
            let field = format!("exclude_ids[{index}]");
            let message = format!("{field} must be at most {MAX_SEED_CHARS} bytes");
            return Err(invalid(field, message));
        }
    }
    Ok(())
}
