//! Selecta's own API under `/api`: generate a playlist with every option of the engine,
//! search, describe a track, export a playlist.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use selecta_engine::{RequestError, Unmatched};
use selecta_export::{ExportError, Format};
use selecta_model::similar;
use selecta_types::{Attribute, AttributeBounds, Order, Playlist, PlaylistRequest, SeedRef, Track};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::errors::{ApiError, ErrorResponse};
use super::params::{query_pairs, shown};
use super::Api;

/// Most search hits per request.
pub const MAX_SEARCH: usize = 50;
/// Most neighbours `GET /api/tracks/{id}` lists.
pub const MAX_NEIGHBOURS: usize = 50;

/// Bounds and a target for one attribute.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoundsRequest {
    /// Lowest value allowed (tracks without a value do not pass).
    pub min: Option<f32>,
    /// Highest value allowed.
    pub max: Option<f32>,
    /// Preferred value (re-ranks, does not filter).
    pub target: Option<f32>,
}

/// Track order.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderRequest {
    /// Most relevant first.
    #[default]
    Similarity,
    /// A listening order where each track is close to the previous one (tempo, energy, key).
    Flow,
}

/// `POST /api/generate` body: every option of Selecta's engine. Tracks are given as catalog
/// ids, `spotify:track:` URIs, open.spotify.com links or `artist - title`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// Seed tracks, 1 to 50.
    #[schema(example = json!(["Ed Sheeran - Shape of You", "spotify:track:0r7CVbZTWZgbTCYdfa2P31"]))]
    pub seeds: Vec<String>,
    /// Number of tracks, 1 to 100.
    #[serde(default = "default_length")]
    #[schema(default = 30, minimum = 1, maximum = 100)]
    pub length: usize,
    /// Track ids never to return.
    #[serde(default)]
    pub exclude_ids: Vec<String>,
    /// Most tracks per artist; `null` or 0 for no cap.
    #[serde(default = "default_cap")]
    #[schema(default = 2)]
    pub max_per_artist: Option<usize>,
    /// Keep one version of a song (remix, live, remaster...) and none of a seed's.
    #[serde(default = "yes")]
    #[schema(default = true)]
    pub collapse_versions: bool,
    /// Artists never to return (case-insensitive).
    #[serde(default)]
    pub block_artists: Vec<String>,
    /// "Less like these" tracks, given like seeds (at most 50).
    #[serde(default)]
    pub negative_seeds: Vec<String>,
    /// Bounds and targets by attribute name (acousticness, danceability, duration_ms, energy,
    /// instrumentalness, key, liveness, loudness, mode, popularity, speechiness, tempo,
    /// time_signature, valence, year).
    #[serde(default)]
    #[schema(example = json!({"energy": {"min": 0.6}, "tempo": {"target": 120}}))]
    pub attributes: BTreeMap<String, BoundsRequest>,
    /// `similarity` (default) or `flow`.
    #[serde(default)]
    pub order: OrderRequest,
}

fn default_length() -> usize {
    selecta_types::DEFAULT_LENGTH
}
fn default_cap() -> Option<usize> {
    Some(selecta_types::DEFAULT_MAX_PER_ARTIST)
}
fn yes() -> bool {
    true
}

/// `GET /api/search` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Matching tracks, best first.
    pub tracks: Vec<Track>,
}

/// A track near another, with its distance in model space.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeighbourResponse {
    /// The track.
    pub track: Track,
    /// Manhattan distance in the model's space (smaller is closer).
    pub distance: f32,
}

/// `GET /api/tracks/{id}` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackResponse {
    /// The track.
    pub track: Track,
    /// Its nearest tracks, nearest first.
    pub neighbours: Vec<NeighbourResponse>,
}

/// Deserialises a JSON body; the error names the path of the bad field (`seeds[1]`).
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            "body".to_string()
        } else {
            format!("body.{path}")
        };
        ApiError::param(&at, e.inner())
    })
}

/// The engine's request for a body (the seeds are resolved by the engine). Only attribute
/// names can be wrong here; the error names `attributes.<name>`.
pub fn playlist_request(req: &GenerateRequest) -> Result<PlaylistRequest, ApiError> {
    let query = |list: &[String]| list.iter().cloned().map(SeedRef::Query).collect();
    let mut attributes = BTreeMap::new();
    for (name, b) in &req.attributes {
        let a: Attribute = name
            .parse()
            .map_err(|e| ApiError::param(&format!("attributes.{}", shown(name)), e))?;
        attributes.insert(
            a,
            AttributeBounds {
                min: b.min,
                max: b.max,
                target: b.target,
            },
        );
    }
    Ok(PlaylistRequest {
        seeds: query(&req.seeds),
        negative_seeds: query(&req.negative_seeds),
        length: req.length,
        exclude_ids: req.exclude_ids.clone(),
        max_per_artist: req.max_per_artist.filter(|&n| n > 0),
        collapse_versions: req.collapse_versions,
        block_artists: req.block_artists.clone(),
        attributes,
        order: match req.order {
            OrderRequest::Similarity => Order::Similarity,
            OrderRequest::Flow => Order::Flow,
        },
    })
}

/// The answer to a request the engine refused: 400 naming the field (`seeds[1]`), or 422 when
/// no track passes the options.
pub fn request_error(e: RequestError) -> ApiError {
    match e {
        RequestError::Invalid { message, .. } => ApiError::bad_request(message),
        RequestError::Unmatched {
            list,
            index,
            reason,
            ..
        } => {
            let unavailable = matches!(
                reason,
                Unmatched::Lookup {
                    unavailable: true,
                    ..
                }
            );
            let mut e = ApiError::param(&format!("{}[{index}]", list.field()), reason);
            if unavailable {
                e.status = StatusCode::SERVICE_UNAVAILABLE;
            }
            e
        }
        e @ RequestError::NothingMatches { .. } => ApiError::unprocessable(e.to_string()),
    }
}

/// The `format` query parameter (optional).
fn format_param(raw: Option<&str>) -> Result<Option<Format>, ApiError> {
    query_pairs(raw)
        .into_iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| {
            v.parse::<Format>()
                .map_err(|e| ApiError::param("format", e))
        })
        .transpose()
}

/// 415 unless the body is declared `application/json` (parameters such as `charset` allowed).
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = given
        .as_deref()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() == Some("application/json") {
        return Ok(());
    }
    let got = match given {
        Some(v) => format!("'{}'", v.chars().take(60).collect::<String>()),
        None => "none".into(),
    };
    Err(ApiError::unsupported_media_type(format!(
        "Content-Type: must be application/json, got {got}"
    )))
}

/// A playlist as a downloadable file.
fn export_response(playlist: &Playlist, format: Format) -> Result<Response, ApiError> {
    let text = selecta_export::export(playlist, format).map_err(|e| match e {
        ExportError::InvalidTrack { .. } => ApiError::bad_request(format!("body.{e}")),
        e => ApiError::internal(format!("export to {format} failed: {e}")),
    })?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        selecta_export::file_name(playlist, format)
    );
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Generates a playlist. With `?format=m3u8|xspf|jspf|csv` the answer is that file instead
/// of JSON.
#[utoipa::path(
    post,
    path = "/api/generate",
    tag = "Selecta",
    request_body = GenerateRequest,
    params(("format" = Option<String>, Query, description = "Answer with an export (m3u8, xspf, jspf or csv) instead of JSON")),
    responses(
        (status = 200, description = "The playlist", body = Playlist),
        (status = 400, description = "A bad option or unknown track, named in the message", body = ErrorResponse),
        (status = 422, description = "No catalog track passes the options", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn generate_playlist(
    State(api): State<Api>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let format = format_param(raw.as_deref())?;
    let req: GenerateRequest = parse_body(&body)?;
    let request = playlist_request(&req)?;
    let view = api.views.get();
    // Seeds the catalog lacks are looked up first; the playlist is made on a blocking thread.
    let resolved = view
        .engine()
        .resolve_looking_up(&request, api.lookups())
        .await
        .map_err(request_error)?;
    let turn = crate::limits::generation_turn().await;
    let playlist = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        view.engine()
            .generate_resolved(&request, resolved)
            .map(|g| g.playlist)
            .map_err(request_error)
    })
    .await
    .map_err(|e| ApiError::internal(format!("generate task failed: {e}")))??;
    metrics::counter!("selecta_recommendations_total", "api" => "selecta").increment(1);
    match format {
        Some(f) => export_response(&playlist, f),
        None => Ok(Json(playlist).into_response()),
    }
}

/// Searches the catalog by title, artist or album.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "Selecta",
    params(
        ("q" = String, Query, description = "Text to find, 1 to 200 characters", example = "queen bohemian"),
        ("limit" = Option<u32>, Query, description = "Most hits, 1 to 50 (default 10)"),
    ),
    responses(
        (status = 200, description = "Matching tracks, best first", body = SearchResponse),
        (status = 400, description = "Missing or bad parameter", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn search(
    State(api): State<Api>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let pairs = query_pairs(raw.as_deref());
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    let q = get("q")
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::param("q", "required: the text to search for"))?;
    if q.chars().count() > 200 {
        return Err(ApiError::param("q", "at most 200 characters"));
    }
    let limit = match get("limit") {
        None => 10,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_SEARCH).contains(n))
            .ok_or_else(|| {
                ApiError::param(
                    "limit",
                    format!(
                        "must be an integer from 1 to {MAX_SEARCH}, got '{}'",
                        shown(v)
                    ),
                )
            })?,
    };
    let model = api.views.handle().current();
    let catalog = model.catalog();
    let tracks = catalog
        .search(q, limit)
        .into_iter()
        .map(|i| catalog.tracks()[i].clone())
        .collect();
    Ok(Json(SearchResponse { tracks }))
}

/// Describes a track: its metadata, audio features and nearest tracks.
#[utoipa::path(
    get,
    path = "/api/tracks/{id}",
    tag = "Selecta",
    params(
        ("id" = String, Path, description = "Track id or spotify:track: URI", example = "0r7CVbZTWZgbTCYdfa2P31"),
        ("neighbours" = Option<u32>, Query, description = "How many similar tracks (the nearest, those sharing its artist or album raised), 0 to 50 (default 5)"),
    ),
    responses(
        (status = 200, description = "The track and its neighbours", body = TrackResponse),
        (status = 400, description = "Bad parameter", body = ErrorResponse),
        (status = 404, description = "The id is not in the catalog", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn describe(
    State(api): State<Api>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<TrackResponse>, ApiError> {
    let k = match query_pairs(raw.as_deref())
        .into_iter()
        .find(|(n, _)| n == "neighbours")
    {
        None => 5,
        Some((_, v)) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= MAX_NEIGHBOURS)
            .ok_or_else(|| {
                ApiError::param(
                    "neighbours",
                    format!(
                        "must be an integer from 0 to {MAX_NEIGHBOURS}, got '{}'",
                        shown(&v)
                    ),
                )
            })?,
    };
    let view = api.views.get();
    let index = view.track(&id).ok_or_else(|| {
        ApiError::not_found(format!(
            "id: no track '{}' in Selecta's catalog",
            shown(&id)
        ))
    })?;
    let tracks = view.tracks();
    let near = if k == 0 {
        Vec::new()
    } else {
        similar(&view.model, index, k).map_err(|e| ApiError::bad_request(e.to_string()))?
    };
    Ok(Json(TrackResponse {
        track: tracks[index].clone(),
        neighbours: near
            .into_iter()
            .map(|n| NeighbourResponse {
                track: tracks[n.index].clone(),
                distance: n.distance,
            })
            .collect(),
    }))
}

/// Exports a playlist (the JSON that `POST /api/generate` answers) as a file.
#[utoipa::path(
    post,
    path = "/api/export",
    tag = "Selecta",
    request_body = Playlist,
    params(("format" = String, Query, description = "m3u8, xspf, jspf or csv")),
    responses(
        (status = 200, description = "The file, with Content-Disposition: attachment", content(
            (String = "audio/x-mpegurl"), (String = "application/xspf+xml"),
            (String = "application/jspf+json"), (String = "text/csv"))),
        (status = 400, description = "Missing or unknown format, a bad playlist document, or a track id that is not a Spotify id", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 415, description = "The body is not declared application/json", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn export(
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // A form on another site can post text/plain without a preflight; JSON it cannot.
    require_json(&headers)?;
    let format = format_param(raw.as_deref())?
        .ok_or_else(|| ApiError::param("format", "required: m3u8, xspf, jspf or csv"))?;
    let playlist: Playlist = parse_body(&body)?;
    export_response(&playlist, format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{small_view, tid};

    fn request(json: serde_json::Value) -> GenerateRequest {
        parse_body(json.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn bodies_fill_defaults_and_name_bad_fields() {
        let r = request(serde_json::json!({"seeds": ["a"]}));
        assert_eq!(r.length, 30);
        assert_eq!(r.max_per_artist, Some(2));
        assert!(r.collapse_versions);
        let r =
            request(serde_json::json!({"seeds": ["a"], "max_per_artist": null, "order": "flow"}));
        assert_eq!(r.max_per_artist, None);
        assert!(matches!(r.order, OrderRequest::Flow));

        let err = |body: &str| {
            parse_body::<GenerateRequest>(body.as_bytes())
                .unwrap_err()
                .message
        };
        assert!(
            err(r#"{"seeds": ["a", 3]}"#).starts_with("body.seeds[1]: invalid type"),
            "{}",
            err(r#"{"seeds": ["a", 3]}"#)
        );
        assert!(
            err(r#"{"seeds": [], "lenght": 3}"#).starts_with("body.lenght: unknown field"),
            "{}",
            err(r#"{"seeds": [], "lenght": 3}"#)
        );
        assert!(
            err(r#"{"seeds": [], "order": "random"}"#).starts_with("body.order: unknown variant")
        );
        assert!(
            err("not json").starts_with("body: expected"),
            "{}",
            err("not json")
        );
        assert!(
            err(r#"{"seeds": ["a"], "attributes": {"energy": {"mn": 1}}}"#)
                .starts_with("body.attributes.energy.mn: unknown field")
        );
    }

    #[test]
    fn options_resolve_tracks_and_attributes() {
        let view = small_view();
        // Parsing the body and resolving its tracks, as the handler does.
        let generate_options = |r: &GenerateRequest| {
            let req = playlist_request(r)?;
            let (seeds, negatives) = view.engine().resolve_request(&req).map_err(request_error)?;
            let seeds: Vec<usize> = seeds
                .iter()
                .flat_map(|s| s.matched.tracks.clone())
                .collect();
            Ok::<_, ApiError>((seeds, negatives, req))
        };
        let r = request(serde_json::json!({
            "seeds": [tid(3), format!("spotify:track:{}", tid(4))],
            "negative_seeds": [tid(5)],
            "max_per_artist": 0,
            "attributes": {"energy": {"min": 0.2, "target": 0.5}, "bpm": {"max": 150}},
        }));
        let (seeds, negative_seeds, o) = generate_options(&r).unwrap();
        assert_eq!(seeds, [3, 4]);
        assert_eq!(negative_seeds, [5]);
        assert_eq!(o.max_per_artist, None, "0 means no cap");
        assert_eq!(o.attributes[&Attribute::Energy].min, Some(0.2));
        assert_eq!(o.attributes[&Attribute::Tempo].max, Some(150.0));

        let bad = request(serde_json::json!({"seeds": [tid(1), "nothing like this"]}));
        let e = generate_options(&bad).unwrap_err().message;
        assert!(e.starts_with("seeds[1]: no track matches"), "{e}");
        let bad = request(serde_json::json!({"seeds": [tid(1)], "attributes": {"loud": {}}}));
        let e = generate_options(&bad).unwrap_err().message;
        assert!(
            e.starts_with("attributes.loud: unknown attribute 'loud'"),
            "{e}"
        );
    }

    #[test]
    fn format_parameter_is_optional_but_checked() {
        assert_eq!(format_param(Some("format=CSV")).unwrap(), Some(Format::Csv));
        assert_eq!(format_param(None).unwrap(), None);
        let e = format_param(Some("format=pdf")).unwrap_err().message;
        assert!(e.starts_with("format: unknown export format 'pdf'"), "{e}");
    }
}
