//! Signing in with Spotify in the web app: `/auth/login` (PKCE verifier and state kept in the
//! server-side session), `/auth/callback` (state checked, code exchanged, tokens kept in the
//! session only), `/auth/logout` (the server-side session deleted); and the signed-in
//! listener's client for server functions, with refreshed tokens written back.
//!
//! Tokens never leave the server: pages get the listener's name, never a token, and errors
//! shown or logged are [`SpotifyError`]'s listener-facing texts, which carry no secret.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use selecta_spotify::{
    CallbackParams, PendingSignIn, Spotify, SpotifyApi, SpotifyClient, SpotifyError, SpotifyUser,
    Tokens,
};
use tower_sessions::Session;

use crate::api::SpotifyStatus;
use crate::error::AppError;
use crate::session::{get, put, storage_error};
use crate::state::AppState;

const PENDING: &str = "spotify_pending";
const TOKENS: &str = "spotify_tokens";
const USER: &str = "spotify_user";

/// Whether Spotify is configured and the session signed in.
pub async fn status(state: &AppState, session: &Session) -> Result<SpotifyStatus, AppError> {
    if state.spotify.is_none() {
        return Ok(SpotifyStatus::NotConfigured);
    }
    let tokens: Option<Tokens> = get(session, TOKENS).await?;
    if tokens.is_none() {
        return Ok(SpotifyStatus::SignedOut);
    }
    let user: Option<SpotifyUser> = get(session, USER).await?;
    let name = user
        .map(|u| {
            u.display_name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(u.id)
        })
        .unwrap_or_else(|| "a Spotify listener".into());
    Ok(SpotifyStatus::SignedIn { name })
}

/// The signed-in listener's client, or an error saying what to do.
pub async fn client(state: &AppState, session: &Session) -> Result<SpotifyClient, AppError> {
    let spotify = configured(state)?;
    let tokens: Tokens = get(session, TOKENS)
        .await?
        .ok_or_else(|| AppError::SignInNeeded("sign in with Spotify first".into()))?;
    Ok(spotify.client(tokens))
}

fn configured(state: &AppState) -> Result<&Spotify, AppError> {
    state.spotify.as_ref().ok_or_else(|| {
        AppError::NotFound(
            "Spotify is not configured on this server (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET)"
                .into(),
        )
    })
}

/// After calls through `client`: keeps refreshed tokens, and turns a Spotify error into the
/// page's message; when signing in again is the way out, the stale tokens are dropped so the
/// page offers "Sign in with Spotify".
pub async fn settle<T>(
    session: &Session,
    client: &SpotifyClient,
    result: Result<T, SpotifyError>,
) -> Result<T, AppError> {
    keep_refreshed(session, client).await?;
    result.map_err(spotify_error)
}

/// Stores the client's tokens when a call refreshed them.
pub async fn keep_refreshed(session: &Session, client: &SpotifyClient) -> Result<(), AppError> {
    match client.refreshed_tokens() {
        Some(tokens) => put(session, TOKENS, &tokens).await,
        None => Ok(()),
    }
}

/// A Spotify error as the page's message, logged (see [`settle`] for dropping stale tokens):
/// "sign in again" errors become [`AppError::SignInNeeded`], the rest keep Spotify's words.
pub fn spotify_error(e: SpotifyError) -> AppError {
    tracing::warn!(error = %e, "Spotify call failed");
    AppError::from(e)
}

/// Drops the tokens when `e` says the listener must sign in again.
pub async fn forget_if_expired(session: &Session, e: &SpotifyError) {
    if e.needs_sign_in() {
        let _ = session.remove::<Tokens>(TOKENS).await;
        let _ = session.remove::<SpotifyUser>(USER).await;
    }
}

/// Runs one call for the signed-in listener: refreshed tokens are kept, and an ended Spotify
/// session signs the listener out so the page offers to sign in again.
pub async fn call<T, F, Fut>(state: &AppState, session: &Session, f: F) -> Result<T, AppError>
where
    F: FnOnce(SpotifyClient) -> Fut,
    Fut: std::future::Future<Output = (SpotifyClient, Result<T, SpotifyError>)>,
{
    let client = client(state, session).await?;
    let (client, result) = f(client).await;
    if let Err(e) = &result {
        forget_if_expired(session, e).await;
    }
    settle(session, &client, result).await
}

/// Most saved tracks fetched to leave them out of a playlist (Spotify pages by 50).
const MAX_SAVED_FOR_EXCLUSION: u32 = 1000;

/// A Spotify track looked up (cached): with the listener's token when signed in, else the
/// app's.
pub async fn look_up_track(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<crate::SpotifyTrack, AppError> {
    use selecta_spotify::Acting;
    if status(state, session).await?.signed_in() {
        let c = client(state, session).await?;
        let r = state.lookup.track(Acting::Listener(&c), id).await;
        keep_refreshed(session, &c).await?;
        r.map_err(spotify_error)
    } else {
        state
            .lookup
            .track(Acting::App, id)
            .await
            .map_err(spotify_error)
    }
}

/// The tracks of a pasted link (for a track link, the one track), at most
/// [`crate::options::MAX_SEEDS`]: an album or a track with the listener's token when signed
/// in, else the app's; a playlist with the listener's only (Spotify shows a playlist's items
/// to its owner and collaborators alone).
pub async fn read_link(
    state: &AppState,
    session: &Session,
    link: &crate::links::Link,
) -> Result<selecta_spotify::TrackList, AppError> {
    use crate::api::LinkKind;
    use crate::options::MAX_SEEDS;
    use selecta_spotify::{Acting, ListKind, TrackList};

    let signed_in = status(state, session).await?.signed_in();
    if link.kind == LinkKind::Playlist && !signed_in {
        return Err(AppError::SignInNeeded(
            "link: sign in with Spotify to add a playlist's tracks (Spotify shows them to the              playlist's owner only)"
                .into(),
        ));
    }
    if !signed_in && !state.lookup.has_app_credentials() {
        return Err(AppError::invalid(
            "link",
            "Spotify is not configured on this server, so links can't be looked up; search              the catalog instead",
        ));
    }
    let listener = match signed_in {
        true => Some(client(state, session).await?),
        false => None,
    };
    let acting = match &listener {
        Some(c) => Acting::Listener(c),
        None => Acting::App,
    };
    let result = match link.kind {
        LinkKind::Track => state
            .lookup
            .track(acting, &link.id)
            .await
            // One track, as a list of one on its album.
            .map(|t| TrackList {
                kind: ListKind::Album,
                id: t.album_id.clone().unwrap_or_default(),
                name: Some(t.album.clone()).filter(|a| !a.is_empty()),
                tracks: vec![t],
                total: Some(1),
                skipped: 0,
                more: false,
            }),
        LinkKind::Album => state.lookup.album_tracks(acting, &link.id, MAX_SEEDS).await,
        LinkKind::Playlist => match &listener {
            Some(c) => state.lookup.playlist_tracks(c, &link.id, MAX_SEEDS).await,
            // Checked above; a session that lost its tokens since signs in again.
            None => Err(SpotifyError::SignInAgain),
        },
    };
    if let Some(c) = &listener {
        if let Err(e) = &result {
            forget_if_expired(session, e).await;
        }
        keep_refreshed(session, c).await?;
    }
    result.map_err(|e| link_error(link, e))
}

/// A failed link lookup in the listener's words: what they can fix is a 4xx naming `link`.
fn link_error(link: &crate::links::Link, e: SpotifyError) -> AppError {
    let kind = link.kind.as_str();
    match e {
        SpotifyError::NotFound { .. } => {
            AppError::invalid("link", format!("Spotify has no {kind} with id {}", link.id))
        }
        e @ SpotifyError::PlaylistNotReadable => AppError::invalid("link", e.to_string()),
        e => spotify_error(e),
    }
}

/// The catalog ids of the listener's saved tracks (by Spotify id, else by artist and title),
/// up to [`MAX_SAVED_FOR_EXCLUSION`] of the newest.
pub async fn saved_track_ids(state: &AppState, session: &Session) -> Result<Vec<String>, AppError> {
    if !status(state, session).await?.signed_in() {
        return Err(AppError::SignInNeeded(
            "exclude_saved: sign in with Spotify to leave out your saved tracks".into(),
        ));
    }
    let tracks = call(state, session, |c| async move {
        let mut all = Vec::new();
        let mut page = selecta_spotify::PageRequest::first(selecta_spotify::MAX_PAGE_LIMIT);
        let result = loop {
            match c.saved_tracks(page).await {
                Ok(p) => {
                    let next = p.next_offset();
                    all.extend(p.items);
                    match next {
                        Some(offset) if offset < MAX_SAVED_FOR_EXCLUSION => page.offset = offset,
                        _ => break Ok(all),
                    }
                }
                Err(e) => break Err(e),
            }
        };
        (c, result)
    })
    .await?;
    let view = state.views.get();
    let mut ids: Vec<String> = tracks.iter().map(|t| t.id.clone()).collect();
    for t in &tracks {
        if let Some(m) = crate::library::match_track(&view, t) {
            ids.push(view.tracks()[m.index].id.to_string());
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// `GET /auth/login`: starts a sign-in and sends the browser to Spotify's consent page.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    let id = request_id(&headers);
    let Some(spotify) = state.spotify.as_ref() else {
        return error_page(
            id,
            StatusCode::NOT_FOUND,
            "Spotify is not configured on this server, so signing in is off. \
             Everything else works on the catalog.",
        );
    };
    let (url, pending) = spotify.start_sign_in();
    if let Err(e) = session.insert(PENDING, &pending).await {
        storage_error(e);
        return error_page(
            id,
            StatusCode::SERVICE_UNAVAILABLE,
            "The session storage is unavailable; try again in a moment.",
        );
    }
    Redirect::to(url.as_str()).into_response()
}

/// What the callback decided, before any response is written.
#[derive(Debug)]
pub enum CallbackOutcome {
    /// Signed in.
    SignedIn(Tokens),
    /// Not signed in, with a message for the listener.
    Failed(SpotifyError),
}

/// Checks the callback against the pending sign-in and exchanges the code. A callback without
/// a pending sign-in (a reused or foreign link) is a state mismatch.
pub async fn finish(
    spotify: &Spotify,
    pending: Option<PendingSignIn>,
    params: &CallbackParams,
) -> CallbackOutcome {
    let Some(pending) = pending else {
        return CallbackOutcome::Failed(SpotifyError::StateMismatch);
    };
    match spotify.finish_sign_in(&pending, params).await {
        Ok(tokens) => CallbackOutcome::SignedIn(tokens),
        Err(e) => CallbackOutcome::Failed(e),
    }
}

/// `GET /auth/callback`: Spotify sends the listener back here.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let id = request_id(&headers);
    let Some(spotify) = state.spotify.as_ref() else {
        return error_page(
            id,
            StatusCode::NOT_FOUND,
            "Spotify is not configured on this server.",
        );
    };
    // One use only: a second visit of the same callback URL finds nothing pending. A store
    // that does not answer is not "nothing pending": that would blame the listener's link
    // (state mismatch) for the server's outage.
    let pending: Option<PendingSignIn> = match session.remove(PENDING).await {
        Ok(pending) => pending,
        Err(e) => {
            storage_error(e);
            return error_page(
                id,
                StatusCode::SERVICE_UNAVAILABLE,
                "Signing in is unavailable right now: the session storage does not answer, so \
                 the sign-in you started cannot be checked. Try signing in again in a moment.",
            );
        }
    };
    let tokens = match finish(spotify, pending, &params).await {
        CallbackOutcome::SignedIn(t) => t,
        CallbackOutcome::Failed(e) => {
            tracing::warn!(error = %e, "Spotify sign-in failed");
            return error_page(
                id,
                StatusCode::BAD_REQUEST,
                &format!("Sign-in failed: {e}."),
            );
        }
    };
    // A new session id at sign-in: an id planted before it cannot ride the signed-in session.
    if let Err(e) = session.cycle_id().await {
        storage_error(e);
    }
    let client = spotify.client(tokens.clone());
    let user = client.current_user().await;
    let tokens = client.refreshed_tokens().unwrap_or(tokens);
    let stored = async {
        session.insert(TOKENS, &tokens).await?;
        if let Ok(user) = &user {
            session.insert(USER, user).await?;
        }
        Ok::<(), tower_sessions::session::Error>(())
    };
    if let Err(e) = stored.await {
        storage_error(e);
        return error_page(
            id,
            StatusCode::SERVICE_UNAVAILABLE,
            "The session storage is unavailable; try signing in again in a moment.",
        );
    }
    match user {
        Ok(u) => tracing::info!(user = %u.id, "signed in with Spotify"),
        Err(e) => tracing::warn!(error = %e, "signed in, but the profile could not be read"),
    }
    Redirect::to("/").into_response()
}

/// `POST /auth/logout`: deletes the server-side session (tokens, seeds, playlist) and the
/// cookie's meaning with it.
pub async fn logout(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        storage_error(e);
    }
    Redirect::to("/").into_response()
}

/// The id the server gave the request (its `x-request-id` header, set by the server's
/// request-id layer), for error pages.
pub fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}

/// The line of an error page that gives the request's id, so that a listener reporting the
/// problem can quote it and an operator find its log lines; empty without an id.
pub fn request_id_note(id: Option<&str>) -> String {
    match id {
        Some(id) => format!(
            "<p class=\"muted\" data-testid=\"request-id\">Request id: <code>{}</code></p>",
            escape(id)
        ),
        None => String::new(),
    }
}

/// A small page for sign-in errors: the message, the ways on and the request's id.
pub fn error_page(request_id: Option<&str>, status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Selecta: sign-in</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main><section class=\"card\"><h1>Spotify sign-in</h1>\
         <p class=\"error\" role=\"alert\" data-testid=\"auth-error\">{}</p>\
         <p><a href=\"/auth/login\">Sign in again</a> · <a href=\"/\">Back to Selecta</a></p>\
         {}</section></main></body></html>",
        escape(message),
        request_id_note(request_id),
        css = crate::assets::stylesheet(),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(body),
    )
        .into_response()
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_spotify::SpotifyConfig;

    fn spotify() -> Spotify {
        let mut c = SpotifyConfig::new("client-id", "client-secret-value");
        // Nothing listens on port 1: an exchange that got that far would fail as a network
        // error, so the errors below prove the checks ran before any exchange.
        c.accounts_url = "http://127.0.0.1:1".into();
        c.api_url = "http://127.0.0.1:1/v1/".into();
        Spotify::new(c).unwrap()
    }

    #[tokio::test]
    async fn callback_checks_state_and_code_before_exchanging() {
        let s = spotify();
        let (url, pending) = s.start_sign_in();
        assert!(url.as_str().contains("code_challenge_method=S256"));
        assert!(!url.as_str().contains("client-secret-value"));
        let good_state = pending.state().to_string();

        // No sign-in pending in this session (reused or foreign callback).
        let p = CallbackParams {
            code: Some("c".into()),
            state: Some(good_state.clone()),
            error: None,
        };
        assert!(matches!(
            finish(&s, None, &p).await,
            CallbackOutcome::Failed(SpotifyError::StateMismatch)
        ));
        // Wrong state.
        let p = CallbackParams {
            code: Some("c".into()),
            state: Some("forged".into()),
            error: None,
        };
        assert!(matches!(
            finish(&s, Some(pending.clone()), &p).await,
            CallbackOutcome::Failed(SpotifyError::StateMismatch)
        ));
        // Missing code.
        let p = CallbackParams {
            code: None,
            state: Some(good_state.clone()),
            error: None,
        };
        assert!(matches!(
            finish(&s, Some(pending.clone()), &p).await,
            CallbackOutcome::Failed(SpotifyError::MissingCode)
        ));
        // Declined at the consent page.
        let p = CallbackParams {
            code: None,
            state: Some(good_state.clone()),
            error: Some("access_denied".into()),
        };
        match finish(&s, Some(pending.clone()), &p).await {
            CallbackOutcome::Failed(e @ SpotifyError::AuthorizationDenied { .. }) => {
                assert!(e.to_string().contains("access_denied"));
            }
            other => panic!("{other:?}"),
        }
        // Everything checks out: the exchange is attempted (and fails: nobody listens).
        let p = CallbackParams {
            code: Some("c".into()),
            state: Some(good_state),
            error: None,
        };
        match finish(&s, Some(pending), &p).await {
            CallbackOutcome::Failed(SpotifyError::Network(_)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn error_pages_escape_the_message() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[tokio::test]
    async fn error_pages_show_the_request_id_escaped() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "abc-1<".parse().unwrap());
        let res = error_page(request_id(&headers), StatusCode::BAD_REQUEST, "no");
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            body.contains("Request id: <code>abc-1&lt;</code>"),
            "{body}"
        );
        assert_eq!(request_id_note(None), "");
    }
}
