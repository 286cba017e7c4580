//! Server functions: thin wrappers over the domain crates and the session, callable from the
//! browser (and posted to by plain forms when JavaScript is off). Each returns
//! `Result<_, AppError>`: the listener's words, and the HTTP status of the answer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::options::{OptionsForm, PlaylistOptions};
use crate::{Playlist, Track};

/// What the home page shows about the loaded catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogStats {
    /// Number of tracks.
    pub tracks: usize,
    /// Number of distinct artists.
    pub artists: usize,
    /// Number of source playlists.
    pub playlists: usize,
}

/// Hits of the catalog search shown on one page.
pub const SEARCH_PAGE_SIZE: usize = 20;
/// The deepest page of catalog search results.
pub const MAX_SEARCH_PAGES: usize = 10;

/// One page of catalog search hits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    /// The hits, best first.
    pub tracks: Vec<Track>,
    /// Page number, from 1.
    pub page: usize,
    /// Whether a next page exists.
    pub has_next: bool,
    /// The query is a Spotify track, album or playlist link: what the page offers to add.
    #[serde(default)]
    pub link: Option<LinkOffer>,
}

/// What a pasted Spotify link points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkKind {
    /// One track.
    Track,
    /// An album's tracks.
    Album,
    /// A playlist's tracks.
    Playlist,
}

impl LinkKind {
    /// `track`, `album` or `playlist`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Track => "track",
            LinkKind::Album => "album",
            LinkKind::Playlist => "playlist",
        }
    }

    /// The words of the button that adds it.
    pub fn action(self) -> &'static str {
        match self {
            LinkKind::Track => "Add this track as a seed",
            LinkKind::Album => "Add this album's tracks as seeds",
            LinkKind::Playlist => "Add this playlist's tracks as seeds",
        }
    }
}

/// A Spotify link in the search box, and whether its tracks can be added now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOffer {
    /// What it points to.
    pub kind: LinkKind,
    /// The link as typed (trimmed), posted back to [`add_link`].
    pub link: String,
    /// Why it cannot be added yet (sign in first, Spotify not configured); `None` when the
    /// button works.
    pub blocked: Option<LinkBlocked>,
}

/// What [`add_link`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAdded {
    /// The link as posted (the page shows the message beside that link only).
    pub link: String,
    /// What was added and what was not, in words.
    pub message: String,
}

/// What stands between a link and its tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkBlocked {
    /// Spotify shows a playlist's tracks to its signed-in owner only.
    SignIn,
    /// The server has no Spotify credentials, so nothing can be looked up.
    NoSpotify,
}

/// Whether Spotify can be used, and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SpotifyStatus {
    /// No client id/secret configured: the catalog only.
    NotConfigured,
    /// Configured; the listener has not signed in.
    SignedOut,
    /// Signed in.
    SignedIn {
        /// The Spotify display name (or id).
        name: String,
    },
}

impl SpotifyStatus {
    /// True when signed in.
    pub fn signed_in(&self) -> bool {
        matches!(self, SpotifyStatus::SignedIn { .. })
    }
}

/// How far saving a generated playlist to Spotify got: remembered so that a retry after a
/// failure adds the rest to the same playlist instead of creating a second one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveProgress {
    /// The Spotify playlist created for it.
    pub playlist_id: String,
    /// Its page on open.spotify.com.
    pub url: String,
    /// The name it was created with.
    pub name: String,
    /// Tracks added so far, from the start of the playlist.
    pub added: usize,
}

/// The last generated playlist as the pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedView {
    /// Generation id (forms send it back).
    pub id: u64,
    /// The playlist.
    pub playlist: Playlist,
    /// Saving progress, once saving started.
    pub saved: Option<SaveProgress>,
}

/// The playlist page's pictures as SVG documents (drawn by the server: the browser bundle
/// carries no chart code). Fetched by the playlist page alone ([`get_playlist_charts`]), so that
/// other pages never carry them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaylistCharts {
    /// The seeds and tracks placed in the model's space, flattened to 2-D.
    pub sound_map: String,
    /// How many tracks and seeds the sound map places.
    pub placed: usize,
    /// Energy, mood and tempo along the playlist order.
    pub flow: String,
}

/// Everything the pages show about the listener's session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// Spotify sign-in.
    pub spotify: SpotifyStatus,
    /// The picked seeds, in order.
    pub seeds: Vec<Track>,
    /// The ids of seeds the catalog lacks, whose sound is estimated from their artists'
    /// catalog tracks.
    #[serde(default)]
    pub estimated: Vec<String>,
    /// The options of the picker.
    pub options: PlaylistOptions,
    /// The last generated playlist.
    pub generated: Option<GeneratedView>,
    /// What the last [`add_link`] did, shown once: a plain form post cannot carry its
    /// answer back to the page otherwise.
    #[serde(default)]
    pub link_added: Option<LinkAdded>,
    /// What the last action on the playlist did, in a sentence the page announces once.
    #[serde(default)]
    pub notice: Option<String>,
}

/// The text of a server function error as the page shows it: the listener's words, without
/// any framework prefix.
pub fn error_text(e: &AppError) -> String {
    e.to_string()
}

/// Size of the loaded catalog.
#[server]
pub async fn catalog_summary() -> Result<CatalogStats, AppError> {
    let state = crate::state::current()?;
    Ok(state.catalog_summary())
}

/// One page (from 1) of catalog tracks matching `query` (title, artist or album), best first.
#[server]
pub async fn search_tracks(query: String, page: usize) -> Result<SearchPage, AppError> {
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(AppError::invalid("q", "at most 200 characters"));
    }
    if !(1..=MAX_SEARCH_PAGES).contains(&page) {
        return Err(AppError::invalid(
            "page",
            format!("must be 1..={MAX_SEARCH_PAGES}, got {page}"),
        ));
    }
    if query.is_empty() {
        return Ok(SearchPage {
            page,
            ..SearchPage::default()
        });
    }
    let state = crate::state::current()?;
    let link = match crate::links::parse(query, "q")? {
        Some(link) => {
            let session = crate::session::current().await?;
            Some(link_offer(&state, &session, link, query).await?)
        }
        None => None,
    };
    // One more than the page needs tells whether a next page exists. Searching is CPU work:
    // a blocking thread, so that other requests keep being answered.
    let mut hits = {
        let (state, query) = (state.clone(), query.to_string());
        tokio::task::spawn_blocking(move || state.search(&query, page * SEARCH_PAGE_SIZE + 1))
            .await
            .map_err(|e| AppError::Internal(format!("the search failed: {e}")))?
    };
    let has_next = hits.len() > page * SEARCH_PAGE_SIZE && page < MAX_SEARCH_PAGES;
    hits.truncate(page * SEARCH_PAGE_SIZE);
    let tracks = hits.split_off(((page - 1) * SEARCH_PAGE_SIZE).min(hits.len()));
    Ok(SearchPage {
        tracks,
        page,
        has_next,
        link,
    })
}

/// What the page offers for a pasted link: a playlist needs the listener, anything the
/// catalog does not hold by id needs Spotify.
#[cfg(feature = "ssr")]
async fn link_offer(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
    link: crate::links::Link,
    query: &str,
) -> Result<LinkOffer, AppError> {
    let signed_in = crate::auth::status(state, session).await?.signed_in();
    let in_catalog = link.kind == LinkKind::Track && state.has_track(&link.id);
    let blocked = if link.kind == LinkKind::Playlist && !signed_in {
        Some(LinkBlocked::SignIn)
    } else if !in_catalog && !signed_in && !state.lookup.has_app_credentials() {
        Some(LinkBlocked::NoSpotify)
    } else {
        None
    };
    Ok(LinkOffer {
        kind: link.kind,
        link: query.to_string(),
        blocked,
    })
}

/// The listener's session as the pages show it.
#[server]
pub async fn get_page_state() -> Result<PageState, AppError> {
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let picker = crate::session::picker(&session).await?;
    let generated = crate::session::generated(&session).await?;
    let spotify = crate::auth::status(&state, &session).await?;
    Ok(PageState {
        spotify,
        seeds: state.seed_tracks(&picker.seeds, &picker.known),
        estimated: picker.known.iter().map(|t| t.id.clone()).collect(),
        options: picker.options,
        generated: generated.map(|g| GeneratedView {
            id: g.id,
            playlist: g.playlist,
            saved: g.saved,
        }),
        link_added: crate::session::take_link_added(&session).await?,
        notice: crate::session::take_notice(&session).await?,
    })
}

/// Adds a track to the seeds: a catalog track, or a Spotify track the catalog lacks, looked
/// up (with the listener's token when signed in) and kept when its artists' catalog tracks
/// can stand in for it.
#[server]
pub async fn add_seed(id: String) -> Result<(), AppError> {
    let state = crate::state::current()?;
    let id = id.trim();
    // Checked before anything else: a long id would cost a catalog probe and an echo.
    if id.len() > selecta_types::MAX_SEED_CHARS {
        return Err(AppError::invalid(
            "id",
            format!(
                "at most {} characters, got {}",
                selecta_types::MAX_SEED_CHARS,
                id.len()
            ),
        ));
    }
    let session = crate::session::current().await?;
    let mut picker = crate::session::picker(&session).await?;
    if !state.has_track(id) {
        if !selecta_catalog::spotify::looks_like_spotify_id(id) {
            return Err(AppError::invalid(
                "id",
                format!(
                    "track `{}` is not in the catalog",
                    selecta_catalog::shown(id)
                ),
            ));
        }
        let t = crate::auth::look_up_track(&state, &session, id).await?;
        let view = state.views.get();
        if selecta_engine::known::match_track(&view.model, &view.index, &t).is_none() {
            return Err(AppError::invalid(
                "id",
                format!(
                    "{} is not in the catalog, and neither is anything by its artists",
                    t.label()
                ),
            ));
        }
        picker.known.retain(|k| k.id != t.id);
        picker.known.push(t);
    }
    picker.add(id)?;
    crate::session::set_picker(&session, &picker).await
}

/// Adds the tracks of a pasted Spotify link (a track, an album, or one of the listener's
/// playlists) as seeds, as many as fit: catalog tracks as they are, the others estimated from
/// their artists' catalog tracks when it holds any. Answers (and keeps for the next page, for
/// a plain form post) a sentence saying what was added and what was not.
#[server]
pub async fn add_link(link: String) -> Result<LinkAdded, AppError> {
    use crate::links;
    use crate::options::MAX_SEEDS;

    let Some(parsed) = links::parse(&link, "link")? else {
        return Err(AppError::invalid(
            "link",
            "paste a Spotify track, album or playlist link (open.spotify.com/... or spotify:...)",
        ));
    };
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let (origin, read, picks) = links::gather(&state, &session, &parsed).await?;
    let mut picker = crate::session::picker(&session).await?;
    let plan = links::plan(&picker.seeds, picks, MAX_SEEDS);
    let text = links::summary(&origin, read, &plan, MAX_SEEDS);
    let nothing_happened = plan.add.is_empty() && plan.already + plan.repeats == 0;
    if nothing_happened {
        return Err(AppError::invalid("link", text));
    }
    let added = plan.add.len();
    links::apply(&mut picker, plan)?;
    crate::session::set_picker(&session, &picker).await?;

    tracing::info!(
        kind = parsed.kind.as_str(),
        added,
        "seeds added from a link"
    );
    let done = LinkAdded {
        link: link.trim().to_string(),
        message: text,
    };
    crate::session::set_link_added(&session, &done).await?;
    Ok(done)
}

/// Removes a seed.
#[server]
pub async fn remove_seed(id: String) -> Result<(), AppError> {
    let session = crate::session::current().await?;
    let mut picker = crate::session::picker(&session).await?;
    if picker.remove(id.trim()) {
        crate::session::set_picker(&session, &picker).await?;
    }
    Ok(())
}

/// Removes every seed.
#[server]
pub async fn clear_seeds() -> Result<(), AppError> {
    let session = crate::session::current().await?;
    let mut picker = crate::session::picker(&session).await?;
    picker.seeds.clear();
    crate::session::set_picker(&session, &picker).await
}

/// Generates a playlist from the picked seeds and the submitted options, keeps both in the
/// session and goes to the playlist page. `options` is the options form as posted, its fields
/// named `options[length]`, `options[energy_on]`... (missing ones take the defaults).
#[server]
pub async fn generate_playlist(#[server(default)] options: OptionsForm) -> Result<(), AppError> {
    let form = options;
    let options = form.parse()?;
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let mut picker = crate::session::picker(&session).await?;
    // The options are kept even when they fail, so the form shows what was typed.
    picker.options = options;
    playlist::regenerate(&state, &session, &picker).await?;
    leptos_axum::redirect("/playlist");
    Ok(())
}

mod playlist;
mod spotify;
pub use playlist::*;
pub use spotify::*;
