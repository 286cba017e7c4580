//! Seeds the catalog lacks, looked up on Spotify and matched ([`crate::known`]): the path
//! every entry point takes, so that any Spotify track or artist can be a seed.

use futures::future::join_all;
use selecta_catalog::spotify::looks_like_spotify_id;
use selecta_catalog::{parse_spotify_ref, ResolveError, SpotifyRef};
use selecta_spotify::{Acting, SpotifyError, SpotifyLookup};
use selecta_types::{PlaylistRequest, SeedRef};

use crate::known;
use crate::playlist::SkippedSeed;
use crate::playlist::{per_group, Engine, Generated, RequestError, ResolvedSeed, SeedList};
use crate::resolve::{Matched, Unmatched};

/// How to look up what the catalog lacks: Selecta's lookups and whose token they carry.
#[derive(Clone, Copy, Debug)]
pub struct Lookup<'a> {
    /// The cached lookups.
    pub spotify: &'a SpotifyLookup,
    /// The app's token (API, bot, CLI) or a signed-in listener's.
    pub acting: Acting<'a>,
}

/// A request's seeds, resolved with lookups: what [`Engine::generate_resolved`] takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The usable seeds, in the request's order.
    pub seeds: Vec<ResolvedSeed>,
    /// Seeds left out, and why.
    pub skipped: Vec<SkippedSeed>,
    /// The negative seeds' catalog tracks.
    pub negatives: Vec<usize>,
}

/// What a seed the catalog lacks asks of Spotify.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    Track(String),
    Artist(String),
}

/// The Spotify id a seed that failed in the catalog could be looked up by.
fn wanted(seed: &SeedRef, why: &Unmatched) -> Option<Wanted> {
    match (seed, why) {
        (SeedRef::Track(_), Unmatched::TrackId(id)) => {
            let id = match parse_spotify_ref(id) {
                SpotifyRef::Track(id) => id,
                _ => id.trim().to_owned(),
            };
            looks_like_spotify_id(&id).then_some(Wanted::Track(id))
        }
        (SeedRef::Query(_), Unmatched::Query(ResolveError::UnknownId { id })) => {
            Some(Wanted::Track(id.clone()))
        }
        (SeedRef::Query(q), Unmatched::Query(ResolveError::NotATrack { .. }))
        | (SeedRef::Artist(q), Unmatched::Artist(_)) => match parse_spotify_ref(q) {
            SpotifyRef::NotATrack { kind, id: Some(id) } if kind == "artist" => {
                Some(Wanted::Artist(id))
            }
            // A bare id given as an artist seed.
            SpotifyRef::Track(id) if matches!(seed, SeedRef::Artist(_)) => Some(Wanted::Artist(id)),
            _ => None,
        },
        _ => None,
    }
}

fn lookup_failed(id: &str, e: &SpotifyError) -> Unmatched {
    let message = match e {
        SpotifyError::NotFound { .. } => "Spotify has no such track or artist either".to_owned(),
        other => other.to_string(),
    };
    Unmatched::Lookup {
        id: id.to_owned(),
        message,
        unavailable: e.is_transient(),
    }
}

impl Engine<'_> {
    /// Resolves the request, looking up on Spotify every seed the catalog lacks (all at once,
    /// cached), and generates its playlist. A looked-up track is matched to the same recording
    /// under another id, else estimated from the catalog's tracks by its artists; a looked-up
    /// artist to the catalog's artist, else one of its genres. A seed that matches nothing is
    /// left out and reported in [`Generated::skipped`]; when none is left, the first one's
    /// reason is the error.
    pub async fn playlist_looking_up(
        &self,
        req: &PlaylistRequest,
        lookup: Lookup<'_>,
    ) -> Result<Generated, RequestError> {
        let resolved = self.resolve_looking_up(req, lookup).await?;
        self.generate_resolved(req, resolved)
    }

    /// The first half of [`Engine::playlist_looking_up`]: the seeds resolved, looked up
    /// and matched (quick: lookups wait on Spotify, matching takes microseconds), so that the
    /// caller may generate on a blocking thread.
    pub async fn resolve_looking_up(
        &self,
        req: &PlaylistRequest,
        lookup: Lookup<'_>,
    ) -> Result<Resolved, RequestError> {
        let (tried, negatives) = self.try_request(req)?;
        let wants: Vec<Option<Wanted>> = req
            .seeds
            .iter()
            .zip(&tried)
            .map(|(seed, r)| r.as_ref().err().and_then(|why| wanted(seed, why)))
            .collect();
        // A seed that fails for a reason a lookup cannot mend (a typo) is refused as before.
        for (index, ((seed, r), want)) in req.seeds.iter().zip(&tried).zip(&wants).enumerate() {
            if let (Err(reason), None) = (r, want) {
                return Err(RequestError::Unmatched {
                    list: SeedList::Seeds,
                    index,
                    seed: seed.clone(),
                    reason: reason.clone(),
                });
            }
        }
        let track_ids: Vec<String> = wants
            .iter()
            .filter_map(|w| match w {
                Some(Wanted::Track(id)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let mut artist_ids: Vec<String> = Vec::new();
        for w in &wants {
            if let Some(Wanted::Artist(id)) = w {
                if !artist_ids.contains(id) {
                    artist_ids.push(id.clone());
                }
            }
        }
        let (tracks, artists) = if track_ids.is_empty() && artist_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            tracing::debug!(
                tracks = track_ids.len(),
                artists = artist_ids.len(),
                "looking up seeds the catalog lacks"
            );
            let artists = join_all(
                artist_ids
                    .iter()
                    .map(|id| lookup.spotify.artist(lookup.acting, id)),
            );
            tokio::join!(lookup.spotify.tracks(lookup.acting, &track_ids), artists)
        };

        let per_group = per_group(req);
        let mut seeds = Vec::new();
        let mut skipped = Vec::new();
        for (index, ((seed, r), want)) in req.seeds.iter().zip(tried).zip(wants).enumerate() {
            let result: Result<Matched, Unmatched> = match (r, want) {
                (Ok(m), _) => Ok(m),
                (Err(_), Some(Wanted::Track(id))) => {
                    let k = track_ids.iter().position(|t| *t == id).expect("asked");
                    match &tracks[k] {
                        Ok(t) => known::match_track(self.model(), self.index(), t)
                            .ok_or_else(|| Unmatched::NothingByArtists(t.label())),
                        Err(e) => Err(lookup_failed(&id, e)),
                    }
                }
                (Err(_), Some(Wanted::Artist(id))) => {
                    let k = artist_ids.iter().position(|a| *a == id).expect("asked");
                    match &artists[k] {
                        Ok(a) => known::match_artist(self.index(), a, per_group)
                            .ok_or_else(|| Unmatched::NothingByArtists(a.name.clone())),
                        Err(e) => Err(lookup_failed(&id, e)),
                    }
                }
                (Err(reason), None) => Err(reason),
            };
            match result {
                Ok(matched) => seeds.push(ResolvedSeed {
                    seed: seed.clone(),
                    matched,
                }),
                Err(reason) => skipped.push(SkippedSeed {
                    index,
                    seed: seed.clone(),
                    reason,
                }),
            }
        }
        if seeds.is_empty() && !skipped.is_empty() {
            let first = skipped.swap_remove(0);
            return Err(RequestError::Unmatched {
                list: SeedList::Seeds,
                index: first.index,
                seed: first.seed,
                reason: first.reason,
            });
        }
        Ok(Resolved {
            seeds,
            skipped,
            negatives,
        })
    }

    /// The second half of [`Engine::playlist_looking_up`]: the playlist from resolved seeds.
    pub fn generate_resolved(
        &self,
        req: &PlaylistRequest,
        resolved: Resolved,
    ) -> Result<Generated, RequestError> {
        self.generate_resolved_with_spares(req, resolved, 0)
    }

    /// As [`Engine::generate_resolved`], keeping up to `spares` candidates beyond the
    /// playlist in [`Generated::spares`] (at most [`selecta_model::MAX_SPARES`]).
    pub fn generate_resolved_with_spares(
        &self,
        req: &PlaylistRequest,
        resolved: Resolved,
        spares: usize,
    ) -> Result<Generated, RequestError> {
        let Resolved {
            seeds,
            skipped,
            negatives,
        } = resolved;
        self.generate(req, seeds, skipped, negatives, spares)
    }
}
