//! Parsing the query strings of the `/v1` endpoints into typed requests. Pure functions: no
//! input panics, and every error names the parameter and the value.

use std::collections::BTreeMap;

use selecta_types::{Attribute, AttributeBounds};

use super::errors::ApiError;

/// Default `limit` of `/v1/recommendations`, as at Spotify.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest `limit`.
pub const MAX_LIMIT: usize = 100;
/// Most ids one `/v1/audio-features?ids=` call takes, as at Spotify.
pub const MAX_IDS: usize = 100;

/// Which bound a `min_`/`max_`/`target_` parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BoundKind {
    /// `min_`
    Min,
    /// `max_`
    Max,
    /// `target_`
    Target,
}

impl BoundKind {
    const ALL: [BoundKind; 3] = [BoundKind::Min, BoundKind::Max, BoundKind::Target];

    fn prefix(self) -> &'static str {
        match self {
            BoundKind::Min => "min_",
            BoundKind::Max => "max_",
            BoundKind::Target => "target_",
        }
    }
}

/// The parameter name of a bound, e.g. `min_energy`.
pub fn bound_param(kind: BoundKind, attribute: Attribute) -> String {
    format!("{}{}", kind.prefix(), attribute.name())
}

/// A `/v1/recommendations` request, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecommendationsQuery {
    /// `seed_tracks`, as given (ids, URIs or links).
    pub seed_tracks: Vec<String>,
    /// `seed_artists`, as given.
    pub seed_artists: Vec<String>,
    /// `seed_genres`, as given.
    pub seed_genres: Vec<String>,
    /// Number of tracks, 1..=100.
    pub limit: usize,
    /// `market`: accepted and checked, but the catalog has no availability data.
    pub market: Option<String>,
    /// Every `min_`/`max_`/`target_` given, checked against the attribute's range.
    pub bounds: BTreeMap<Attribute, AttributeBounds>,
}

impl RecommendationsQuery {
    /// Seeds of all kinds.
    pub fn seed_count(&self) -> usize {
        self.seed_tracks.len() + self.seed_artists.len() + self.seed_genres.len()
    }

    /// The bound parameters given for an attribute, e.g. `["min_tempo", "target_tempo"]`.
    pub fn params_of(&self, attribute: Attribute) -> Vec<String> {
        let Some(b) = self.bounds.get(&attribute) else {
            return Vec::new();
        };
        [
            (BoundKind::Min, b.min),
            (BoundKind::Max, b.max),
            (BoundKind::Target, b.target),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| bound_param(k, attribute))
        .collect()
    }
}

/// Decodes a raw query string into (name, value) pairs; bad percent-encoding is decoded
/// lossily rather than refused.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Parses and checks a `/v1/recommendations` query. Unknown parameters are ignored, as
/// Spotify did; seed lists may repeat (`seed_tracks=a&seed_tracks=b`) and are joined.
pub fn parse_recommendations(
    pairs: &[(String, String)],
    max_seeds: usize,
) -> Result<RecommendationsQuery, ApiError> {
    let mut q = RecommendationsQuery {
        limit: DEFAULT_LIMIT,
        ..RecommendationsQuery::default()
    };
    let mut seen_scalar: Vec<&str> = Vec::new();
    let mut once = |name: &'static str| -> Result<(), ApiError> {
        if seen_scalar.contains(&name) {
            return Err(ApiError::param(name, "given more than once"));
        }
        seen_scalar.push(name);
        Ok(())
    };
    for (name, value) in pairs {
        match name.as_str() {
            "seed_tracks" => q.seed_tracks.extend(list(value)),
            "seed_artists" => q.seed_artists.extend(list(value)),
            "seed_genres" => q.seed_genres.extend(list(value)),
            "limit" => {
                once("limit")?;
                q.limit = value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::param(
                            "limit",
                            format!(
                                "must be an integer from 1 to {MAX_LIMIT}, got '{}'",
                                shown(value)
                            ),
                        )
                    })?;
            }
            "market" => {
                once("market")?;
                q.market = Some(market(value)?);
            }
            other => {
                if let Some((kind, rest)) = BoundKind::ALL
                    .into_iter()
                    .find_map(|k| other.strip_prefix(k.prefix()).map(|rest| (k, rest)))
                {
                    set_bound(&mut q.bounds, other, kind, rest, value)?;
                }
            }
        }
    }
    check_bounds(&q.bounds)?;
    let n = q.seed_count();
    if n == 0 {
        return Err(ApiError::bad_request(
            "seed_tracks, seed_artists, seed_genres: at least one seed is required",
        ));
    }
    if n > max_seeds {
        return Err(ApiError::bad_request(format!(
            "seed_tracks, seed_artists, seed_genres: at most {max_seeds} seeds in total, got {n}"
        )));
    }
    Ok(q)
}

/// Parses `ids` of `/v1/audio-features`: 1 to 100 comma-separated ids.
pub fn parse_ids(pairs: &[(String, String)]) -> Result<Vec<String>, ApiError> {
    let mut given = false;
    let mut ids = Vec::new();
    for (_, value) in pairs.iter().filter(|(n, _)| n == "ids") {
        given = true;
        ids.extend(list(value));
    }
    if !given || ids.is_empty() {
        return Err(ApiError::param(
            "ids",
            "required: a comma-separated list of 1 to 100 track ids",
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(ApiError::param(
            "ids",
            format!("at most {MAX_IDS} ids, got {}", ids.len()),
        ));
    }
    Ok(ids)
}

fn list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A value as echoed in messages: at most 60 characters.
pub use selecta_engine::shown;

fn market(value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    if v == "from_token" {
        Ok(v.to_string())
    } else if v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(v.to_ascii_uppercase())
    } else {
        Err(ApiError::param(
            "market",
            format!(
                "'{}' is not an ISO 3166-1 alpha-2 country code or from_token",
                shown(value)
            ),
        ))
    }
}

fn set_bound(
    bounds: &mut BTreeMap<Attribute, AttributeBounds>,
    param: &str,
    kind: BoundKind,
    name: &str,
    value: &str,
) -> Result<(), ApiError> {
    let attribute: Attribute = name.parse().map_err(|e| ApiError::param(param, e))?;
    let (lo, hi) = attribute.domain();
    let v = value
        .trim()
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite() && *v >= lo && *v <= hi)
        .ok_or_else(|| {
            ApiError::param(
                param,
                format!("must be a number from {lo} to {hi}, got '{}'", shown(value)),
            )
        })?;
    let b = bounds.entry(attribute).or_default();
    let slot = match kind {
        BoundKind::Min => &mut b.min,
        BoundKind::Max => &mut b.max,
        BoundKind::Target => &mut b.target,
    };
    if slot.is_some() {
        return Err(ApiError::param(param, "given more than once"));
    }
    *slot = Some(v);
    Ok(())
}

fn check_bounds(bounds: &BTreeMap<Attribute, AttributeBounds>) -> Result<(), ApiError> {
    for (&a, b) in bounds {
        let p = |k| bound_param(k, a);
        if let (Some(min), Some(max)) = (b.min, b.max) {
            if min > max {
                return Err(ApiError::param(
                    &p(BoundKind::Min),
                    format!("{min} is above {} {max}", p(BoundKind::Max)),
                ));
            }
        }
        if let Some(t) = b.target {
            let (lo, hi) = a.domain();
            let (min, max) = (b.min.unwrap_or(lo), b.max.unwrap_or(hi));
            if t < min || t > max {
                return Err(ApiError::param(
                    &p(BoundKind::Target),
                    format!("{t} is outside the min..max range {min}..{max}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        query_pairs(Some(q))
    }

    fn err(q: &str) -> String {
        parse_recommendations(&pairs(q), 5).unwrap_err().message
    }

    #[test]
    fn parses_seeds_limit_market_and_bounds() {
        let q = parse_recommendations(
            &pairs(
                "seed_tracks=a,b&seed_artists=x&seed_genres=r-n-b&limit=7&market=es\
                 &min_energy=0.2&max_energy=0.9&target_tempo=120&foo=bar",
            ),
            5,
        )
        .unwrap();
        assert_eq!(q.seed_tracks, ["a", "b"]);
        assert_eq!(q.seed_artists, ["x"]);
        assert_eq!(q.seed_genres, ["r-n-b"]);
        assert_eq!(q.limit, 7);
        assert_eq!(q.market.as_deref(), Some("ES"));
        let e = q.bounds[&Attribute::Energy];
        assert_eq!((e.min, e.max, e.target), (Some(0.2), Some(0.9), None));
        assert_eq!(q.bounds[&Attribute::Tempo].target, Some(120.0));
        assert_eq!(q.params_of(Attribute::Energy), ["min_energy", "max_energy"]);
    }

    #[test]
    fn defaults_and_lenient_lists() {
        let q = parse_recommendations(&pairs("seed_tracks=a,,b,&seed_tracks=c"), 5).unwrap();
        assert_eq!(q.seed_tracks, ["a", "b", "c"]);
        assert_eq!(q.limit, 20);
        assert!(q.market.is_none() && q.bounds.is_empty());
        let q = parse_recommendations(&pairs("seed_tracks=a&market=from_token"), 5).unwrap();
        assert_eq!(q.market.as_deref(), Some("from_token"));
        // Percent-encoded commas and spaces.
        let q = parse_recommendations(&pairs("seed_genres=dance%20pop%2Crock"), 5).unwrap();
        assert_eq!(q.seed_genres, ["dance pop", "rock"]);
    }

    #[test]
    fn errors_name_the_parameter_and_value() {
        assert_eq!(
            err("limit=5"),
            "seed_tracks, seed_artists, seed_genres: at least one seed is required"
        );
        assert_eq!(
            err("seed_tracks=a,b,c&seed_genres=d,e,f"),
            "seed_tracks, seed_artists, seed_genres: at most 5 seeds in total, got 6"
        );
        assert!(parse_recommendations(&pairs("seed_tracks=a,b,c&seed_genres=d,e,f"), 6).is_ok());
        assert_eq!(
            err("seed_tracks=a&limit=0"),
            "limit: must be an integer from 1 to 100, got '0'"
        );
        assert_eq!(
            err("seed_tracks=a&limit=ten"),
            "limit: must be an integer from 1 to 100, got 'ten'"
        );
        assert_eq!(
            err("seed_tracks=a&limit=5&limit=6"),
            "limit: given more than once"
        );
        assert_eq!(
            err("seed_tracks=a&market=Spain"),
            "market: 'Spain' is not an ISO 3166-1 alpha-2 country code or from_token"
        );
        assert_eq!(
            err("seed_tracks=a&min_energy=1.5"),
            "min_energy: must be a number from 0 to 1, got '1.5'"
        );
        assert_eq!(
            err("seed_tracks=a&max_tempo=NaN"),
            "max_tempo: must be a number from 0 to 400, got 'NaN'"
        );
        assert!(
            err("seed_tracks=a&min_enrgy=0.5").starts_with("min_enrgy: unknown attribute 'enrgy'")
        );
        assert_eq!(
            err("seed_tracks=a&min_valence=0.8&max_valence=0.2"),
            "min_valence: 0.8 is above max_valence 0.2"
        );
        assert_eq!(
            err("seed_tracks=a&min_popularity=50&target_popularity=10"),
            "target_popularity: 10 is outside the min..max range 50..100"
        );
        assert_eq!(
            err("seed_tracks=a&min_key=1&min_key=2"),
            "min_key: given more than once"
        );
        assert_eq!(
            err(&format!("seed_tracks=a&limit={}", "9".repeat(80))),
            format!(
                "limit: must be an integer from 1 to 100, got '{}…'",
                "9".repeat(60)
            )
        );
    }

    #[test]
    fn time_signature_is_accepted_like_any_attribute() {
        let q = parse_recommendations(&pairs("seed_tracks=a&min_time_signature=4"), 5).unwrap();
        assert_eq!(q.bounds[&Attribute::TimeSignature].min, Some(4.0));
        assert_eq!(
            q.params_of(Attribute::TimeSignature),
            ["min_time_signature"]
        );
    }

    #[test]
    fn ids_are_required_and_capped() {
        assert_eq!(parse_ids(&pairs("ids=a,b")).unwrap(), ["a", "b"]);
        assert!(parse_ids(&pairs(""))
            .unwrap_err()
            .message
            .starts_with("ids: required"));
        assert!(parse_ids(&pairs("ids=,"))
            .unwrap_err()
            .message
            .starts_with("ids: required"));
        let many = vec!["x"; 101].join(",");
        assert_eq!(
            parse_ids(&pairs(&format!("ids={many}")))
                .unwrap_err()
                .message,
            "ids: at most 100 ids, got 101"
        );
    }

    /// Names the parser knows, so random queries hit the interesting branches often.
    fn name() -> impl Strategy<Value = String> {
        let known: Vec<String> = [
            "seed_tracks",
            "seed_artists",
            "seed_genres",
            "limit",
            "market",
        ]
        .into_iter()
        .map(String::from)
        .chain(
            Attribute::ALL
                .into_iter()
                .flat_map(|a| BoundKind::ALL.map(|k| bound_param(k, a))),
        )
        .collect();
        prop_oneof![
            3 => proptest::sample::select(known),
            1 => ".{0,12}",
            1 => "(min|max|target)_[a-z_]{0,14}",
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "-?[0-9]{0,4}(\\.[0-9]{0,4})?(e-?[0-9]{1,3})?",
            "[A-Za-z0-9,]{0,40}",
            ".{0,30}",
            Just("NaN".to_string()),
            Just("inf".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Any query: a checked request or a 400 naming a parameter; never a panic.
        #[test]
        fn any_query_parses_or_is_a_400(
            pairs in proptest::collection::vec((name(), value()), 0..12),
            max_seeds in 1usize..=50,
        ) {
            match parse_recommendations(&pairs, max_seeds) {
                Ok(q) => {
                    prop_assert!((1..=max_seeds).contains(&q.seed_count()));
                    prop_assert!((1..=MAX_LIMIT).contains(&q.limit));
                    for (a, b) in &q.bounds {
                        let (lo, hi) = a.domain();
                        for v in [b.min, b.max, b.target].into_iter().flatten() {
                            prop_assert!(v.is_finite() && v >= lo && v <= hi);
                        }
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e.status.as_u16(), 400);
                    prop_assert!(e.message.contains(": "), "{}", e.message);
                }
            }
        }

        /// Raw query strings, including broken percent-encoding, decode without panicking.
        #[test]
        fn raw_queries_decode(raw in ".{0,200}") {
            let pairs = query_pairs(Some(&raw));
            let _ = parse_recommendations(&pairs, 5);
            let _ = parse_ids(&pairs);
        }
    }
}
