//! `/v1/recommendations` over Selecta's engine: seeds of three kinds become seed tracks,
//! `min_`/`max_`/`target_` become attribute bounds, and the answer takes Spotify's shape.

use std::collections::{BTreeMap, HashSet};

use axum::http::StatusCode;
use selecta_engine::{
    CatalogView, Generated, MatchKind, RequestError, Resolved, ResolvedSeed, SkippedSeed, Unmatched,
};
use selecta_model::neighbours;
use selecta_types::{Attribute, AttributeBounds, PlaylistRequest, SeedRef, Track};

use super::errors::ApiError;
use super::objects::{
    track_object, Links, NotApplied, RecommendationSeedObject, RecommendationsObject,
};
use super::params::RecommendationsQuery;

/// Nearest tracks per seed track counted in a seed's pool (`initialPoolSize`).
pub const POOL_PER_TRACK: usize = 100;

// A pool is read from the model's neighbour table (the track and its nearest), not searched:
// the search took 40% of a request's time.
const _: () = assert!(POOL_PER_TRACK < selecta_model::TABLE_NEIGHBOURS);

/// The kind of a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedKind {
    /// `seed_tracks`
    Track,
    /// `seed_artists`
    Artist,
    /// `seed_genres`
    Genre,
}

impl SeedKind {
    fn of(seed: &SeedRef) -> SeedKind {
        match seed {
            SeedRef::Artist(_) => SeedKind::Artist,
            SeedRef::Genre(_) => SeedKind::Genre,
            SeedRef::Track(_) | SeedRef::Query(_) => SeedKind::Track,
        }
    }

    fn label(self) -> &'static str {
        match self {
            SeedKind::Track => "TRACK",
            SeedKind::Artist => "ARTIST",
            SeedKind::Genre => "GENRE",
        }
    }

    fn param(self) -> &'static str {
        match self {
            SeedKind::Track => "seed_tracks",
            SeedKind::Artist => "seed_artists",
            SeedKind::Genre => "seed_genres",
        }
    }
}

/// One seed of the request and the catalog tracks it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// Its kind.
    pub kind: SeedKind,
    /// As given in the request.
    pub given: String,
    /// Catalog indices (for a proxy, those it is estimated from).
    pub tracks: Vec<usize>,
    /// How it matched; `None` when it was left out.
    pub how: Option<MatchKind>,
    /// The Spotify track id it stands for, for a track seed (a proxy's own id).
    pub track_id: Option<String>,
    /// How it matched or why it was left out, in words.
    pub note: Option<String>,
}

impl Seed {
    fn of(s: &ResolvedSeed, tracks: &[Track]) -> Self {
        let kind = SeedKind::of(&s.seed);
        let track_id = (kind == SeedKind::Track)
            .then(|| match &s.matched.proxy {
                Some(p) => Some(p.track.id.clone()),
                None => s.matched.tracks.first().map(|&i| tracks[i].id.clone()),
            })
            .flatten();
        Seed {
            kind,
            given: s.seed.given().to_owned(),
            tracks: s.matched.tracks.clone(),
            how: Some(s.matched.how),
            track_id: track_id.map(String::from),
            note: s.matched.note.clone(),
        }
    }

    fn skipped(s: &SkippedSeed) -> Self {
        Seed {
            kind: SeedKind::of(&s.seed),
            given: s.seed.given().to_owned(),
            tracks: Vec::new(),
            how: None,
            track_id: None,
            note: Some(s.reason.to_string()),
        }
    }
}

/// The seeds in the request's order, the skipped ones included.
fn seeds_in_order(
    request: &PlaylistRequest,
    seeds: &[ResolvedSeed],
    skipped: &[SkippedSeed],
    tracks: &[Track],
) -> Vec<Seed> {
    let mut used = seeds.iter();
    (0..request.seeds.len())
        .filter_map(|index| match skipped.iter().find(|s| s.index == index) {
            Some(s) => Some(Seed::skipped(s)),
            None => used.next().map(|s| Seed::of(s, tracks)),
        })
        .collect()
}

/// The engine's request for a checked query: seed tracks by id, artists, genres, in that
/// order, with the bounds to apply.
pub fn playlist_request(
    q: &RecommendationsQuery,
    bounds: BTreeMap<Attribute, AttributeBounds>,
) -> PlaylistRequest {
    let seeds = q
        .seed_tracks
        .iter()
        .cloned()
        .map(SeedRef::Track)
        .chain(q.seed_artists.iter().cloned().map(SeedRef::Artist))
        .chain(q.seed_genres.iter().cloned().map(SeedRef::Genre))
        .collect();
    PlaylistRequest {
        seeds,
        length: q.limit,
        attributes: bounds,
        ..PlaylistRequest::default()
    }
}

/// A refused request as a 400 naming the seed parameter and the value (503 when Spotify,
/// asked about a seed the catalog lacks, was unreachable or busy).
pub fn request_error(e: RequestError) -> ApiError {
    match e {
        RequestError::Unmatched { seed, reason, .. } => {
            let unavailable = matches!(
                reason,
                Unmatched::Lookup {
                    unavailable: true,
                    ..
                }
            );
            let mut e = ApiError::param(SeedKind::of(&seed).param(), reason);
            if unavailable {
                e.status = StatusCode::SERVICE_UNAVAILABLE;
            }
            e
        }
        other => ApiError::bad_request(other.to_string()),
    }
}

/// Finds every seed in the catalog; an unknown one is a 400 naming the parameter and value.
/// An artist seed stands for the artist's most popular tracks, a genre seed for the genre's
/// most popular tracks by different artists (up to
/// [`TRACKS_PER_GROUP_SEED`](selecta_engine::resolve::TRACKS_PER_GROUP_SEED), fewer when many
/// seeds are given, so that the seed tracks stay within the engine's limit of 50).
pub fn resolve_seeds(view: &CatalogView, q: &RecommendationsQuery) -> Result<Vec<Seed>, ApiError> {
    let request = playlist_request(q, BTreeMap::new());
    let (seeds, _) = view
        .engine()
        .resolve_request(&request)
        .map_err(request_error)?;
    Ok(seeds.iter().map(|s| Seed::of(s, view.tracks())).collect())
}

/// The bounds to apply and those that cannot be: attributes no catalog track has a value
/// for (every track would fail a `min_`, and a target would mean nothing).
pub fn applied_bounds(
    view: &CatalogView,
    q: &RecommendationsQuery,
) -> (BTreeMap<Attribute, AttributeBounds>, Vec<NotApplied>) {
    let mut applied = BTreeMap::new();
    let mut not_applied = Vec::new();
    for (&a, &b) in &q.bounds {
        if view.knows(a) {
            applied.insert(a, b);
        } else {
            not_applied.extend(q.params_of(a).into_iter().map(|param| NotApplied {
                param,
                reason: format!("the catalog has no {} values", a.name()),
            }));
        }
    }
    (applied, not_applied)
}

/// True when the track passes every `min_`/`max_` (an unknown value does not pass).
pub fn passes(t: &Track, bounds: &BTreeMap<Attribute, AttributeBounds>) -> bool {
    bounds.iter().all(|(a, b)| {
        if b.min.is_none() && b.max.is_none() {
            return true;
        }
        match a.value(t) {
            Some(v) => b.min.is_none_or(|m| v >= m) && b.max.is_none_or(|m| v <= m),
            None => false,
        }
    })
}

/// Answers a checked `/v1/recommendations` request from the catalog alone (no lookups).
pub fn recommend(
    view: &CatalogView,
    q: &RecommendationsQuery,
    links: &Links,
) -> Result<RecommendationsObject, ApiError> {
    let (bounds, not_applied) = applied_bounds(view, q);
    let request = playlist_request(q, bounds.clone());
    let result = view.engine().playlist(&request);
    answer(view, &request, bounds, not_applied, result, links)
}

/// Answers a checked request whose seeds were resolved with lookups
/// ([`Engine::resolve_looking_up`](selecta_engine::Engine::resolve_looking_up) on
/// [`recommendations_request`]).
pub fn recommend_resolved(
    view: &CatalogView,
    q: &RecommendationsQuery,
    resolved: Resolved,
    links: &Links,
) -> Result<RecommendationsObject, ApiError> {
    let (bounds, not_applied) = applied_bounds(view, q);
    let request = playlist_request(q, bounds.clone());
    let result = view.engine().generate_resolved(&request, resolved);
    answer(view, &request, bounds, not_applied, result, links)
}

/// The engine's request for a checked query, with the bounds that apply.
pub fn recommendations_request(view: &CatalogView, q: &RecommendationsQuery) -> PlaylistRequest {
    playlist_request(q, applied_bounds(view, q).0)
}

fn answer(
    view: &CatalogView,
    request: &PlaylistRequest,
    bounds: BTreeMap<Attribute, AttributeBounds>,
    not_applied: Vec<NotApplied>,
    result: Result<Generated, RequestError>,
    links: &Links,
) -> Result<RecommendationsObject, ApiError> {
    let tracks = view.tracks();
    let (entries, seeds) = match result {
        Ok(g) => (
            g.playlist.entries,
            seeds_in_order(request, &g.seeds, &g.skipped, tracks),
        ),
        // As at Spotify: filters that leave nothing give an empty list, not an error.
        Err(RequestError::NothingMatches { seeds }) => {
            (Vec::new(), seeds_in_order(request, &seeds, &[], tracks))
        }
        Err(e) => return Err(request_error(e)),
    };
    let seed_set: HashSet<usize> = seeds
        .iter()
        .flat_map(|s| s.tracks.iter().copied())
        .collect();
    let seed_objects = seeds
        .iter()
        .map(|s| {
            let mut pool: HashSet<usize> = HashSet::new();
            for &t in &s.tracks {
                if let Ok(near) = neighbours(&view.model, t, POOL_PER_TRACK) {
                    pool.extend(
                        near.iter()
                            .map(|n| n.index)
                            .filter(|i| !seed_set.contains(i)),
                    );
                }
            }
            let filtered = pool
                .iter()
                .filter(|&&i| passes(&tracks[i], &bounds))
                .count();
            RecommendationSeedObject {
                after_filtering_size: filtered as u32,
                after_relinking_size: filtered as u32,
                href: s.track_id.as_ref().map(|id| links.v1_item("tracks", id)),
                id: s.given.clone(),
                initial_pool_size: pool.len() as u32,
                kind: s.kind.label().into(),
                matched_by: s.how.map_or("skipped", MatchKind::name).into(),
                note: s.note.clone(),
            }
        })
        .collect();
    Ok(RecommendationsObject {
        seeds: seed_objects,
        tracks: entries
            .iter()
            .map(|e| track_object(&e.track, view.album_size(&e.track), links))
            .collect(),
        not_applied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{parse_recommendations, query_pairs};
    use crate::testing::{small_view, tid};
    use selecta_engine::view::artist_id;

    fn query(q: &str) -> RecommendationsQuery {
        parse_recommendations(&query_pairs(Some(q)), 50).unwrap()
    }

    #[test]
    fn seeds_of_every_kind_resolve_and_unknown_ones_are_named() {
        let view = small_view();
        let q = query(&format!(
            "seed_tracks={},spotify:track:{}&seed_artists={},artist b&seed_genres=R%26B",
            tid(0),
            tid(1),
            artist_id("Artist A")
        ));
        let seeds = resolve_seeds(&view, &q).unwrap();
        let kinds: Vec<SeedKind> = seeds.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SeedKind::Track,
                SeedKind::Track,
                SeedKind::Artist,
                SeedKind::Artist,
                SeedKind::Genre
            ]
        );
        assert_eq!(seeds[0].tracks, [0]);
        assert_eq!(seeds[1].tracks, [1]);
        // Artist A's most popular tracks first (popularity = index in the small catalog).
        let t = view.tracks();
        assert_eq!(seeds[2].tracks.len(), 3);
        assert!(seeds[2]
            .tracks
            .iter()
            .all(|&i| t[i].artists[0] == "Artist A"));
        assert!(t[seeds[2].tracks[0]].popularity >= t[seeds[2].tracks[1]].popularity);
        // A genre seed picks tracks by different artists.
        let mains: HashSet<&str> = seeds[4]
            .tracks
            .iter()
            .map(|&i| t[i].artists[0].as_str())
            .collect();
        assert_eq!(mains.len(), seeds[4].tracks.len());

        for (q, msg) in [
            ("seed_tracks=nope", "seed_tracks: unknown track id 'nope'"),
            (
                "seed_artists=Nobody",
                "seed_artists: unknown artist 'Nobody'",
            ),
            ("seed_genres=polka", "seed_genres: unknown genre 'polka'"),
        ] {
            let e = resolve_seeds(&view, &query(q)).unwrap_err();
            assert!(e.message.starts_with(msg), "{}", e.message);
        }
    }

    #[test]
    fn attributes_without_data_are_reported_not_applied() {
        let view = small_view();
        let q = query(&format!(
            "seed_tracks={}&min_time_signature=3&target_time_signature=4&min_energy=0.1",
            tid(0)
        ));
        let (applied, not_applied) = applied_bounds(&view, &q);
        assert!(applied.contains_key(&Attribute::Energy));
        assert!(!applied.contains_key(&Attribute::TimeSignature));
        let params: Vec<&str> = not_applied.iter().map(|n| n.param.as_str()).collect();
        assert_eq!(params, ["min_time_signature", "target_time_signature"]);
        assert_eq!(
            not_applied[0].reason,
            "the catalog has no time_signature values"
        );
    }

    #[test]
    fn bounds_filter_known_values_only() {
        let mut t = Track::default();
        t.features.energy = Some(0.5).into();
        let b = |min, max| {
            BTreeMap::from([(
                Attribute::Energy,
                AttributeBounds {
                    min,
                    max,
                    target: None,
                },
            )])
        };
        assert!(passes(&t, &b(Some(0.5), Some(0.5))));
        assert!(!passes(&t, &b(Some(0.6), None)));
        assert!(!passes(&t, &b(None, Some(0.4))));
        let tempo = BTreeMap::from([(
            Attribute::Tempo,
            AttributeBounds {
                min: Some(1.0),
                ..Default::default()
            },
        )]);
        assert!(!passes(&t, &tempo), "unknown tempo fails a tempo bound");
        let target_only = BTreeMap::from([(
            Attribute::Tempo,
            AttributeBounds {
                target: Some(1.0),
                ..Default::default()
            },
        )]);
        assert!(passes(&t, &target_only), "a target does not filter");
    }

    #[test]
    fn recommendations_respect_limit_bounds_and_report_pools() {
        let view = small_view();
        let links = Links::new("http://h");
        let seed = tid(0);
        let r = recommend(
            &view,
            &query(&format!("seed_tracks={seed}&limit=5&min_energy=0.3")),
            &links,
        )
        .unwrap();
        assert_eq!(r.tracks.len(), 5);
        let t = view.tracks();
        for o in &r.tracks {
            let i = view.track(&o.id).unwrap();
            assert!(t[i].features.energy.get().unwrap() >= 0.3, "{}", o.id);
            assert_ne!(o.id, seed, "a seed is never recommended");
        }
        let s = &r.seeds[0];
        assert_eq!((s.id.as_str(), s.kind.as_str()), (seed.as_str(), "TRACK"));
        assert_eq!(s.href, Some(format!("http://h/v1/tracks/{seed}")));
        assert!(s.initial_pool_size > 0);
        assert!(s.after_filtering_size <= s.initial_pool_size);
        assert_eq!(s.after_relinking_size, s.after_filtering_size);
        assert!(r.not_applied.is_empty());

        // Filters nothing passes: an empty list, not an error (as at Spotify).
        let r = recommend(
            &view,
            &query(&format!("seed_tracks={seed}&min_energy=1")),
            &links,
        )
        .unwrap();
        assert!(r.tracks.is_empty());
        assert_eq!(r.seeds[0].after_filtering_size, 0);
    }
}
