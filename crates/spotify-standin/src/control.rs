//! `/_standin/...`: controls for tests and for people trying failure cases; not part of
//! Spotify's API.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::Shared;

/// Body of `POST /_standin/rate-limit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// How many of the next API requests get 429.
    pub requests: u32,
    /// Their `Retry-After`, in seconds (default: the `--retry-after` setting).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Requests let through first (e.g. 2: the third request is the first to get 429).
    #[serde(default)]
    pub after: u32,
}

/// Body of `POST /_standin/fail`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fail {
    /// How many of the next API requests fail.
    pub requests: u32,
    /// The status, 500 to 599 (default 503).
    #[serde(default)]
    pub status: Option<u16>,
    /// Requests let through first (e.g. 2: the third request is the first to fail).
    #[serde(default)]
    pub after: u32,
}

/// `POST /_standin/rate-limit`.
pub async fn rate_limit(
    State(shared): State<Shared>,
    Json(r): Json<RateLimit>,
) -> Result<Json<Value>, ApiError> {
    if r.retry_after == Some(0) {
        return Err(ApiError::bad_request(
            "retry_after must be at least 1 (seconds)",
        ));
    }
    let mut state = shared.state();
    state.injected.rate_limited = r.requests;
    state.injected.retry_after = r.retry_after.unwrap_or(0);
    state.injected.after = r.after;
    Ok(Json(
        json!({"rate_limited_requests": r.requests, "after": r.after}),
    ))
}

/// `POST /_standin/fail`.
pub async fn fail(
    State(shared): State<Shared>,
    Json(f): Json<Fail>,
) -> Result<Json<Value>, ApiError> {
    let status = f.status.unwrap_or(503);
    if !(500..=599).contains(&status) {
        return Err(ApiError::bad_request(format!(
            "status must be 500 to 599, not {status}"
        )));
    }
    let mut state = shared.state();
    state.injected.failing = f.requests;
    state.injected.fail_status = status;
    state.injected.after = f.after;
    Ok(Json(
        json!({"failing_requests": f.requests, "status": status, "after": f.after}),
    ))
}

/// `POST /_standin/expire-tokens`: every access token issued so far stops working (refresh
/// tokens stay valid), as after an hour.
pub async fn expire_tokens(State(shared): State<Shared>) -> Json<Value> {
    let mut state = shared.state();
    let now = Instant::now();
    for a in state.access.values_mut() {
        a.expires = now;
    }
    Json(json!({"expired": state.access.len()}))
}

/// `POST /_standin/revoke`: every access and refresh token stops working (as when a
/// listener removes the app's access).
pub async fn revoke(State(shared): State<Shared>) -> Json<Value> {
    let mut state = shared.state();
    let n = state.access.len() + state.refresh.len();
    state.access.clear();
    state.refresh.clear();
    Json(json!({"revoked": n}))
}

/// `GET /_standin/playlists/{id}`: a playlist with its track URIs in order, without a token.
pub async fn playlist(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let state = shared.state();
    let p = state.playlist(&id).ok_or_else(ApiError::not_found)?;
    let uris: Vec<String> = p
        .tracks
        .iter()
        .map(|&i| format!("spotify:track:{}", shared.world.tracks[i].id))
        .collect();
    Ok(Json(json!({
        "id": p.id, "name": p.name, "owner": p.owner, "public": p.public,
        "description": p.description, "snapshot_id": p.snapshot_id(), "uris": uris,
    })))
}

/// `GET /_standin/users`: the listeners and what their libraries hold.
pub async fn users(State(shared): State<Shared>) -> Json<Value> {
    let w = &shared.world;
    let state = shared.state();
    let users: Vec<Value> = w
        .users
        .iter()
        .map(|u| {
            let ids = |v: &[usize]| {
                v.iter()
                    .map(|&i| w.tracks[i].id.clone())
                    .collect::<Vec<_>>()
            };
            let not_in_catalog =
                |v: &[usize]| v.iter().filter(|&&i| !w.tracks[i].in_catalog()).count();
            let playlists: Vec<&str> = state
                .playlists
                .iter()
                .filter(|p| p.owner == u.id)
                .map(|p| p.id.as_str())
                .collect();
            json!({
                "id": u.id, "display_name": u.display_name,
                "saved": ids(&u.saved), "saved_not_in_catalog": not_in_catalog(&u.saved),
                "top_short_term": ids(&u.top[0]), "top_medium_term": ids(&u.top[1]),
                "top_long_term": ids(&u.top[2]),
                "recently_played": ids(&u.recent), "playlists": playlists,
            })
        })
        .collect();
    Json(json!({"users": users}))
}

/// `GET /_standin/examples`: ids of tracks, artists and albums of each kind (what
/// [`crate::world::World::examples`] gives Rust tests), for tests that run the binary.
pub async fn examples(State(shared): State<Shared>) -> Json<Value> {
    Json(json!(shared.world.examples()))
}

/// `GET /_standin/requests`: every API request so far (`METHOD /v1/path?query`).
pub async fn requests(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({"requests": shared.state().log}))
}

/// A malformed control body.
pub async fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "no such stand-in control")
}
