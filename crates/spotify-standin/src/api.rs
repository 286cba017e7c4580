//! The Web API under `/v1`: what Selecta calls, checked as Spotify checks it.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::objects::Objects;
use crate::state::Playlist;
use crate::world::World;
use crate::Shared;

type Q = Query<HashMap<String, String>>;

/// Library dates count back from here, so that answers are the same on every run.
fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

fn objects(headers: &HeaderMap) -> Objects {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Objects {
        base: format!("http://{host}"),
    }
}

/// Before every API request: log it, then answer with an injected failure if one is due.
pub async fn inject(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    // Inside `nest`, the URI lacks the `/v1` prefix; the original has it.
    let uri = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|o| o.0.clone())
        .unwrap_or_else(|| request.uri().clone());
    let line = format!(
        "{} {}",
        request.method(),
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("")
    );
    let injected = {
        let mut state = shared.state();
        state.log.push(line);
        state.api_requests += 1;
        let every = shared.config.rate_limit_every.filter(|n| *n > 0);
        let retry_after = if state.injected.retry_after > 0 {
            state.injected.retry_after
        } else {
            shared.config.retry_after.as_secs().max(1)
        };
        let pending = state.injected.rate_limited > 0 || state.injected.failing > 0;
        if pending && state.injected.after > 0 {
            state.injected.after -= 1;
            None
        } else if state.injected.rate_limited > 0 {
            state.injected.rate_limited -= 1;
            Some(rate_limited(retry_after))
        } else if every.is_some_and(|n| state.api_requests % u64::from(n) == 0) {
            Some(rate_limited(shared.config.retry_after.as_secs().max(1)))
        } else if state.injected.failing > 0 {
            state.injected.failing -= 1;
            let status = StatusCode::from_u16(state.injected.fail_status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(ApiError::new(
                status,
                "Server error (injected by the stand-in)",
            ))
        } else {
            None
        }
    };
    match injected {
        Some(e) => e.into_response(),
        None => next.run(request).await,
    }
}

fn rate_limited(secs: u64) -> ApiError {
    ApiError {
        retry_after: Some(secs),
        ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded")
    }
}

/// The user a bearer token stands for, if it grants one of `scopes` (any of them; none
/// asked: any listener's token). An app token gets 401, as Spotify answers it on `/me`.
fn authorize(shared: &Shared, headers: &HeaderMap, scopes: &[&str]) -> Result<String, ApiError> {
    let user = bearer(shared, headers, scopes)?;
    if user.is_empty() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized."));
    }
    Ok(user)
}

/// Checks a token of a listener or of the app (the catalog endpoints take either): the
/// listener's id, empty for the app.
fn bearer(shared: &Shared, headers: &HeaderMap, scopes: &[&str]) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "No token provided"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::bad_request("Only valid bearer authentication supported"))?;
    let state = shared.state();
    let access = state
        .access
        .get(token.trim())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "Invalid access token"))?;
    if Instant::now() >= access.expires {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "The access token expired",
        ));
    }
    if access.user.is_empty() && !scopes.is_empty() {
        // An app token has no listener: refused before its (absent) scopes are looked at.
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized."));
    }
    if !scopes.is_empty() && !scopes.iter().any(|s| access.scopes.iter().any(|g| g == s)) {
        return Err(ApiError::forbidden("Insufficient client scope"));
    }
    Ok(access.user.clone())
}

/// `limit` and `offset` of a paged request.
fn paging(
    q: &HashMap<String, String>,
    default: usize,
    max: usize,
    max_offset: usize,
) -> Result<(usize, usize), ApiError> {
    let limit = match q.get("limit") {
        None => default,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| ApiError::bad_request(format!("Invalid limit: `{l}` (1 to {max})")))?,
    };
    let offset = match q.get("offset") {
        None => 0,
        Some(o) => o
            .parse::<usize>()
            .ok()
            .filter(|o| *o <= max_offset)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid offset: `{o}`")))?,
    };
    Ok((limit, offset))
}

fn page_of<T: Clone>(all: &[T], offset: usize, limit: usize) -> Vec<T> {
    all.iter().skip(offset).take(limit).cloned().collect()
}

fn track(world: &World, o: &Objects, i: usize) -> Value {
    let (number, of) = world.album_place(i);
    o.track(&world.tracks[i], number, of)
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `GET /v1/me`.
pub async fn me(State(shared): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let user = authorize(&shared, &headers, &[])?;
    let u = shared.world.user(&user).ok_or_else(ApiError::not_found)?;
    Ok(Json(objects(&headers).private_user(&u.id, &u.display_name)))
}

/// `GET /v1/me/tracks`.
pub async fn saved_tracks(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let user = authorize(&shared, &headers, &["user-library-read"])?;
    let (limit, offset) = paging(&q, 20, 50, 100_000)?;
    let u = shared.world.user(&user).ok_or_else(ApiError::not_found)?;
    let o = objects(&headers);
    let items = u
        .saved
        .iter()
        .enumerate()
        .skip(offset)
        .take(limit)
        .map(|(k, &i)| {
            let added = epoch() - chrono::Duration::hours(30 * k as i64);
            json!({"added_at": timestamp(added), "track": track(&shared.world, &o, i)})
        })
        .collect();
    Ok(Json(o.paging(
        "me/tracks",
        "",
        items,
        offset,
        limit,
        u.saved.len(),
    )))
}

/// `GET /v1/me/top/tracks`.
pub async fn top_tracks(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let user = authorize(&shared, &headers, &["user-top-read"])?;
    let (limit, offset) = paging(&q, 20, 50, 100_000)?;
    let range = q
        .get("time_range")
        .map(String::as_str)
        .unwrap_or("medium_term");
    let slot = match range {
        "short_term" => 0,
        "medium_term" => 1,
        "long_term" => 2,
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid time range: `{other}`"
            )))
        }
    };
    let u = shared.world.user(&user).ok_or_else(ApiError::not_found)?;
    let o = objects(&headers);
    let all = &u.top[slot];
    let items = page_of(all, offset, limit)
        .into_iter()
        .map(|i| track(&shared.world, &o, i))
        .collect();
    let query = format!("time_range={range}&");
    Ok(Json(o.paging(
        "me/top/tracks",
        &query,
        items,
        offset,
        limit,
        all.len(),
    )))
}

/// `GET /v1/me/player/recently-played` (cursor paged by `before` / `after`, ms).
pub async fn recently_played(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let user = authorize(&shared, &headers, &["user-read-recently-played"])?;
    let (limit, _) = paging(&q, 20, 50, 0)?;
    let cursor = |name: &str| -> Result<Option<i64>, ApiError> {
        q.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("Invalid {name}: `{v}`")))
            })
            .transpose()
    };
    let (before, after) = (cursor("before")?, cursor("after")?);
    if before.is_some() && after.is_some() {
        return Err(ApiError::bad_request(
            "Only one of before and after may be given",
        ));
    }
    let u = shared.world.user(&user).ok_or_else(ApiError::not_found)?;
    let o = objects(&headers);
    let plays: Vec<(i64, usize)> = u
        .recent
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            (
                (epoch() - chrono::Duration::minutes(4 * k as i64)).timestamp_millis(),
                i,
            )
        })
        .filter(|(t, _)| before.is_none_or(|b| *t < b) && after.is_none_or(|a| *t > a))
        .collect();
    let page: Vec<(i64, usize)> = plays.iter().take(limit).copied().collect();
    let items: Vec<Value> = page
        .iter()
        .map(|&(t, i)| {
            let played = Utc.timestamp_millis_opt(t).single().unwrap_or_else(epoch);
            {
                // Played from its album, as a listener mostly does.
                let album = &shared.world.tracks[i].album_id;
                let context = json!({
                    "type": "album",
                    "href": format!("{}/v1/albums/{album}", o.base),
                    "external_urls": {"spotify": format!("https://open.spotify.com/album/{album}")},
                    "uri": format!("spotify:album:{album}"),
                });
                json!({"track": track(&shared.world, &o, i), "played_at": timestamp(played), "context": context})
            }
        })
        .collect();
    let href = format!("{}/v1/me/player/recently-played?limit={limit}", o.base);
    let oldest = page.last().map(|p| p.0);
    // The spec has `next` and `cursors` as non-null strings/objects: left out when absent.
    let mut body = json!({"href": href, "items": items, "limit": limit});
    if let Some(t) = oldest.filter(|_| plays.len() > page.len()) {
        body["next"] = json!(format!("{href}&before={t}"));
    }
    if let (Some(newest), Some(oldest)) = (page.first(), oldest) {
        body["cursors"] = json!({"after": newest.0.to_string(), "before": oldest.to_string()});
    }
    Ok(Json(body))
}

fn visible_playlists<'a>(playlists: &'a [Playlist], user: &str) -> Vec<&'a Playlist> {
    let mut mine: Vec<&Playlist> = playlists
        .iter()
        .filter(|p| p.owner == user || p.followers.iter().any(|f| f == user))
        .collect();
    mine.sort_by_key(|p| std::cmp::Reverse(p.created));
    mine
}

fn owner_name(world: &World, id: &str) -> String {
    world
        .user(id)
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// `GET /v1/me/playlists`.
pub async fn my_playlists(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let user = authorize(
        &shared,
        &headers,
        &["playlist-read-private", "playlist-read-collaborative"],
    )?;
    let (limit, offset) = paging(&q, 20, 50, 100_000)?;
    let o = objects(&headers);
    let state = shared.state();
    let all = visible_playlists(&state.playlists, &user);
    let items = page_of(&all, offset, limit)
        .into_iter()
        .map(|p| o.simplified_playlist(p, &owner_name(&shared.world, &p.owner)))
        .collect();
    Ok(Json(o.paging(
        "me/playlists",
        "",
        items,
        offset,
        limit,
        all.len(),
    )))
}

fn playlist_items_page(
    shared: &Shared,
    o: &Objects,
    p: &Playlist,
    offset: usize,
    limit: usize,
) -> Value {
    let added_by = o.user_ref(&p.owner, &owner_name(&shared.world, &p.owner));
    let items = page_of(&p.tracks, offset, limit)
        .into_iter()
        .map(|i| {
            let t = track(&shared.world, o, i);
            let mut added_by = added_by.clone();
            if let Some(m) = added_by.as_object_mut() {
                m.remove("display_name");
            }
            json!({"added_at": timestamp(epoch()), "added_by": added_by, "is_local": false, "item": t, "track": t})
        })
        .collect();
    o.paging(
        &format!("playlists/{}/items", p.id),
        "",
        items,
        offset,
        limit,
        p.tracks.len(),
    )
}

/// `POST /v1/me/playlists`.
pub async fn create_playlist(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    let user = authorize(&shared, &headers, &[])?;
    let body: Value =
        serde_json::from_str(&body).map_err(|_| ApiError::bad_request("Error parsing JSON."))?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("Missing required field: name"))?;
    let public = match body.get("public") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::bad_request("Invalid value for field: public")),
    };
    let description = match body.get("description") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(d)) => d.clone(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for field: description",
            ))
        }
    };
    let scope = if public {
        "playlist-modify-public"
    } else {
        "playlist-modify-private"
    };
    authorize(&shared, &headers, &[scope])?;
    let o = objects(&headers);
    let mut state = shared.state();
    let (id, created) = state.next_playlist_id();
    let playlist = Playlist {
        id,
        owner: user.clone(),
        name: name.to_string(),
        description,
        public,
        tracks: vec![],
        followers: vec![],
        version: 1,
        created,
    };
    let owner = owner_name(&shared.world, &user);
    let mut full = o.playlist_base(&playlist, &owner);
    let items = playlist_items_page(&shared, &o, &playlist, 0, 100);
    full.insert("items".into(), items.clone());
    full.insert("tracks".into(), items);
    full.insert("followers".into(), json!({"href": null, "total": 0}));
    tracing::info!(user, playlist = %playlist.id, "stand-in: playlist created");
    state.playlists.push(playlist);
    Ok((StatusCode::CREATED, Json(Value::Object(full))).into_response())
}

/// `GET /v1/playlists/{id}/items`.
pub async fn playlist_items(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let user = authorize(
        &shared,
        &headers,
        &["playlist-read-private", "playlist-read-collaborative"],
    )?;
    let (limit, offset) = paging(&q, 100, 100, 100_000)?;
    let o = objects(&headers);
    let state = shared.state();
    let p = state.playlist(&id).ok_or_else(ApiError::not_found)?;
    if p.owner != user {
        return Err(ApiError::forbidden("Forbidden"));
    }
    Ok(Json(playlist_items_page(&shared, &o, p, offset, limit)))
}

/// `POST /v1/playlists/{id}/items` (`uris` in the query or the JSON body; at most 100).
pub async fn add_items(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
    body: String,
) -> Result<Response, ApiError> {
    let user = authorize(&shared, &headers, &[])?;
    let body: Value = if body.trim().is_empty() {
        json!({})
    } else {
        serde_json::from_str(&body).map_err(|_| ApiError::bad_request("Error parsing JSON."))?
    };
    let uris: Vec<String> = match q.get("uris") {
        Some(u) => u.split(',').map(|s| s.trim().to_string()).collect(),
        None => match body.get("uris") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(String::from)
                        .ok_or_else(|| ApiError::bad_request("Invalid value for field: uris"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(ApiError::bad_request("Invalid value for field: uris")),
            None => vec![],
        },
    };
    if uris.is_empty() {
        return Err(ApiError::bad_request("No uris provided"));
    }
    if uris.len() > 100 {
        return Err(ApiError::bad_request(format!(
            "Too many ids requested: {} (at most 100)",
            uris.len()
        )));
    }
    let mut indices = Vec::with_capacity(uris.len());
    for uri in &uris {
        let id = uri
            .strip_prefix("spotify:track:")
            .ok_or_else(|| ApiError::bad_request(format!("Invalid track uri: `{uri}`")))?;
        let i = shared.world.track_index(id).ok_or_else(|| {
            ApiError::bad_request(format!("Payload contains a non-existing ID: `{uri}`"))
        })?;
        indices.push(i);
    }
    let position = match q
        .get("position")
        .map(|p| p.parse::<i64>().ok())
        .or_else(|| body.get("position").map(Value::as_i64))
    {
        None => None,
        Some(Some(p)) => Some(p),
        Some(None) => return Err(ApiError::bad_request("Invalid value for field: position")),
    };
    let mut state = shared.state();
    let p = state
        .playlists
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(ApiError::not_found)?;
    let scope = if p.public {
        "playlist-modify-public"
    } else {
        "playlist-modify-private"
    };
    if p.owner != user {
        return Err(ApiError::forbidden(
            "You cannot add items to a playlist you do not own",
        ));
    }
    let at = match position {
        None => p.tracks.len(),
        Some(k) if k >= 0 && k as usize <= p.tracks.len() => k as usize,
        Some(_) => return Err(ApiError::bad_request("Index out of bounds")),
    };
    drop(state);
    authorize(&shared, &headers, &[scope])?;
    let mut state = shared.state();
    let p = state
        .playlists
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(ApiError::not_found)?;
    let at = at.min(p.tracks.len());
    p.tracks.splice(at..at, indices);
    p.version += 1;
    let snapshot = p.snapshot_id();
    Ok((StatusCode::CREATED, Json(json!({"snapshot_id": snapshot}))).into_response())
}

/// `GET /v1/search` (tracks; other types answer empty pages).
pub async fn search(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    bearer(&shared, &headers, &[])?;
    let query = q
        .get("q")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("No search query"))?;
    let types: Vec<&str> = q
        .get("type")
        .ok_or_else(|| ApiError::bad_request("Missing parameter type"))?
        .split(',')
        .map(str::trim)
        .collect();
    const TYPES: [(&str, &str); 7] = [
        ("album", "albums"),
        ("artist", "artists"),
        ("playlist", "playlists"),
        ("track", "tracks"),
        ("show", "shows"),
        ("episode", "episodes"),
        ("audiobook", "audiobooks"),
    ];
    if let Some(bad) = types.iter().find(|t| !TYPES.iter().any(|(n, _)| n == *t)) {
        return Err(ApiError::bad_request(format!(
            "Bad search type field: `{bad}`"
        )));
    }
    let (limit, offset) = paging(&q, 5, 10, 1000)?;
    let o = objects(&headers);
    let mut out = serde_json::Map::new();
    let query_string = format!(
        "q={}&type={}&",
        form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>(),
        q["type"]
    );
    for (name, key) in TYPES {
        if !types.contains(&name) {
            continue;
        }
        let page = if name == "track" {
            let hits = shared.world.search(query, 1000);
            let items = page_of(&hits, offset, limit)
                .into_iter()
                .map(|i| track(&shared.world, &o, i))
                .collect();
            o.paging("search", &query_string, items, offset, limit, hits.len())
        } else {
            o.paging("search", &query_string, vec![], offset, limit, 0)
        };
        out.insert(key.to_string(), page);
    }
    Ok(Json(Value::Object(out)))
}

/// `GET /v1/tracks/{id}`.
pub async fn one_track(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    bearer(&shared, &headers, &[])?;
    check_base62(&id)?;
    let i = shared
        .world
        .track_index(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(track(&shared.world, &objects(&headers), i)))
}

/// `GET /v1/albums/{id}`: the album with the first page of its tracks.
pub async fn one_album(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    bearer(&shared, &headers, &[])?;
    check_base62(&id)?;
    let a = shared.world.album(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(objects(&headers).album(a, &shared.world.tracks)))
}

/// `GET /v1/albums/{id}/tracks` (`limit` 1 to 50, default 20; `offset`).
pub async fn album_tracks(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    bearer(&shared, &headers, &[])?;
    check_base62(&id)?;
    let (limit, offset) = paging(&q, 20, 50, 100_000)?;
    let a = shared.world.album(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(objects(&headers).album_tracks(
        a,
        &shared.world.tracks,
        offset,
        limit,
    )))
}

/// `GET /v1/artists/{id}`.
pub async fn one_artist(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    bearer(&shared, &headers, &[])?;
    check_base62(&id)?;
    let a = shared.world.artist(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(objects(&headers).full_artist(a)))
}

fn check_base62(id: &str) -> Result<(), ApiError> {
    if id.len() != 22 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::bad_request(format!("Invalid base62 id: `{id}`")));
    }
    Ok(())
}

/// Anything else under `/v1`, the endpoints Spotify removed included.
pub async fn unknown() -> ApiError {
    ApiError::not_found()
}
