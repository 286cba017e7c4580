//! The Spotify-compatible endpoints under `/v1`: recommendations, genre seeds, audio
//! features, tracks. Thin handlers: parsing is in [`params`](super::params), the work in
//! [`recommend`](super::recommend), the shapes in [`objects`](super::objects).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::errors::{ApiError, ErrorResponse};
use super::limits::generation_turn;
use super::objects::{
    audio_features_object, track_object, AudioFeaturesObject, GenreSeeds, ManyAudioFeatures,
    RecommendationsObject, TrackObject,
};
use super::params::{parse_ids, parse_recommendations, query_pairs, shown};
use super::recommend::{recommend_resolved, recommendations_request, request_error};
use super::Api;

/// The header listing parameters accepted but not applied.
pub const NOT_APPLIED_HEADER: &str = "selecta-not-applied";

/// Recommendations from seed tracks, artists and genres, shaped as Spotify's withdrawn
/// endpoint. Besides the parameters below, `min_<attribute>`, `max_<attribute>` and
/// `target_<attribute>` are accepted for acousticness, danceability, duration_ms, energy,
/// instrumentalness, key, liveness, loudness, mode, popularity, speechiness, tempo,
/// time_signature, valence (and Selecta's `year`); attributes the catalog has no values for
/// are reported in `not_applied` and the `Selecta-Not-Applied` header.
#[utoipa::path(
    get,
    path = "/v1/recommendations",
    tag = "Spotify-compatible",
    operation_id = "get-recommendations",
    params(
        ("seed_tracks" = Option<String>, Query, description = "Comma-separated track ids (or `spotify:track:` URIs). Seeds of all kinds together: 1 to 5 (the server's --api-max-seeds).", example = "0r7CVbZTWZgbTCYdfa2P31"),
        ("seed_artists" = Option<String>, Query, description = "Comma-separated artist ids as found in Selecta's track objects (or artist names)."),
        ("seed_genres" = Option<String>, Query, description = "Comma-separated genres from /v1/recommendations/available-genre-seeds.", example = "dance-pop"),
        ("limit" = Option<u32>, Query, description = "Number of tracks, 1 to 100 (default 20).", minimum = 1, maximum = 100),
        ("market" = Option<String>, Query, description = "ISO 3166-1 alpha-2 code or from_token: accepted, not applied (no availability data).", example = "US"),
    ),
    responses(
        (status = 200, description = "Recommendations", body = RecommendationsObject,
         headers(("selecta-not-applied" = String, description = "Comma-separated parameters accepted but not applied, when any"))),
        (status = 400, description = "A bad or unknown parameter or seed, named in the message", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn recommendations(
    State(api): State<Api>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = parse_recommendations(&query_pairs(raw.as_deref()), api.max_seeds)?;
    let view = api.views.get();
    let links = api.links(&headers);
    // Seeds the catalog lacks are looked up first (cached, concurrent); the playlist is
    // then made on a blocking thread.
    let request = recommendations_request(&view, &q);
    let resolved = view
        .engine()
        .resolve_looking_up(&request, api.lookups())
        .await
        .map_err(request_error)?;
    // A turn of the cores, held until the work is done (even when the request gives up); the
    // answer is also encoded there, so that its many small allocations are made and freed
    // by one thread.
    let turn = generation_turn().await;
    let res = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let answer = recommend_resolved(&view, &q, resolved, &links)?;
        let not_applied: Vec<&str> = answer
            .not_applied
            .iter()
            .map(|n| n.param.as_str())
            .collect();
        let header = (!not_applied.is_empty())
            .then(|| HeaderValue::from_str(&not_applied.join(", ")).ok())
            .flatten();
        // About 1.1 KB per track: one allocation instead of a dozen doublings and copies.
        let mut res = json_sized(&answer, 1024 + 1280 * answer.tracks.len());
        if let Some(h) = header {
            res.headers_mut().insert(NOT_APPLIED_HEADER, h);
        }
        Ok::<_, ApiError>(res)
    })
    .await
    .map_err(|e| ApiError::internal(format!("recommendations task failed: {e}")))??;
    metrics::counter!("selecta_recommendations_total", "api" => "v1").increment(1);
    Ok(res)
}

/// `value` as a JSON answer, as [`Json`] gives it, serialized into a buffer of `capacity`
/// bytes to start with.
fn json_sized<T: Serialize>(value: &T, capacity: usize) -> Response {
    let mut buf = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut buf, value) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            buf,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            e.to_string(),
        )
            .into_response(),
    }
}

/// The genre seeds the catalog knows: its genres and subgenres.
#[utoipa::path(
    get,
    path = "/v1/recommendations/available-genre-seeds",
    tag = "Spotify-compatible",
    operation_id = "get-recommendation-genres",
    responses(
        (status = 200, description = "Genre seeds", body = GenreSeeds),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn genre_seeds(State(api): State<Api>) -> Json<GenreSeeds> {
    let view = api.views.get();
    Json(GenreSeeds {
        genres: view.genre_seeds().into_iter().map(str::to_owned).collect(),
    })
}

/// Audio features of up to 100 tracks; `null` for an id the catalog does not hold.
#[utoipa::path(
    get,
    path = "/v1/audio-features",
    tag = "Spotify-compatible",
    operation_id = "get-several-audio-features",
    params(("ids" = String, Query, description = "Comma-separated track ids, 1 to 100.", example = "0r7CVbZTWZgbTCYdfa2P31,6Xom58OOXk2SoU711L2IXO")),
    responses(
        (status = 200, description = "Audio features, in the order of ids", body = ManyAudioFeatures),
        (status = 400, description = "Missing or too many ids", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn several_audio_features(
    State(api): State<Api>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<ManyAudioFeatures>, ApiError> {
    let ids = parse_ids(&query_pairs(raw.as_deref()))?;
    let view = api.views.get();
    let links = api.links(&headers);
    let audio_features = ids
        .iter()
        .map(|id| {
            view.track(id)
                .map(|i| audio_features_object(&view.tracks()[i], &links))
        })
        .collect();
    Ok(Json(ManyAudioFeatures { audio_features }))
}

/// Audio features of one track.
#[utoipa::path(
    get,
    path = "/v1/audio-features/{id}",
    tag = "Spotify-compatible",
    operation_id = "get-audio-features",
    params(("id" = String, Path, description = "Track id", example = "0r7CVbZTWZgbTCYdfa2P31")),
    responses(
        (status = 200, description = "Audio features", body = AudioFeaturesObject),
        (status = 404, description = "The id is not in the catalog", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn audio_features(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<AudioFeaturesObject>, ApiError> {
    let view = api.views.get();
    let i = view.track(&id).ok_or_else(|| unknown_track(&id))?;
    Ok(Json(audio_features_object(
        &view.tracks()[i],
        &api.links(&headers),
    )))
}

/// One track, as a Spotify track object (the target of every `href` of a track).
#[utoipa::path(
    get,
    path = "/v1/tracks/{id}",
    tag = "Spotify-compatible",
    operation_id = "get-track",
    params(("id" = String, Path, description = "Track id", example = "0r7CVbZTWZgbTCYdfa2P31")),
    responses(
        (status = 200, description = "The track", body = TrackObject),
        (status = 404, description = "The id is not in the catalog", body = ErrorResponse),
        (status = 401, description = "Missing or unknown API key", body = ErrorResponse),
        (status = 429, description = "Rate limit; see Retry-After", body = ErrorResponse),
    ),
    security((), ("api_key" = [])),
)]
pub async fn track(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<TrackObject>, ApiError> {
    let view = api.views.get();
    let i = view.track(&id).ok_or_else(|| unknown_track(&id))?;
    let t = &view.tracks()[i];
    Ok(Json(track_object(
        t,
        view.album_size(t),
        &api.links(&headers),
    )))
}

/// Any other `/v1` path: Spotify's 404.
pub async fn not_found() -> ApiError {
    ApiError::not_found(
        "Service not found: Selecta serves /v1/recommendations, \
         /v1/recommendations/available-genre-seeds, /v1/audio-features and /v1/tracks/{id}",
    )
}

fn unknown_track(id: &str) -> ApiError {
    ApiError::not_found(format!("id: no track '{}' in Selecta's catalog", shown(id)))
}
