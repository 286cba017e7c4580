//! Server functions for the signed-in listener: their library in the picker, and saving the
//! generated playlist to their account.

use leptos::prelude::*;

use super::SaveProgress;
use crate::error::AppError;
use crate::library::LibraryPage;

/// One page (from 1) of a list of the listener's library (`source` as in the picker's query:
/// `saved`, `top-short`, `top-medium`, `top-long`, `recent`, `playlists`, `playlist` with
/// `list` the playlist id), each track matched to the catalog.
#[server]
pub async fn fetch_library(
    source: String,
    list: Option<String>,
    page: usize,
) -> Result<LibraryPage, AppError> {
    use crate::library::{items, Source, LIBRARY_PAGE_SIZE};
    use selecta_spotify::{PageRequest, SpotifyApi, TimeRange};

    let Some(source) = Source::parse(&source, list.as_deref())? else {
        return Err(AppError::invalid(
            "source",
            "the catalog is searched with search_tracks",
        ));
    };
    if !(1..=500).contains(&page) {
        return Err(AppError::invalid(
            "page",
            format!("must be 1..=500, got {page}"),
        ));
    }
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let request = PageRequest {
        offset: (page as u32 - 1) * LIBRARY_PAGE_SIZE,
        limit: LIBRARY_PAGE_SIZE,
    };
    let view = state.views.get();
    let tracks_page =
        |title: String, p: selecta_types::SpotifyPage<crate::SpotifyTrack>| LibraryPage {
            title,
            has_next: p.has_more,
            total: p.total,
            items: items(&view, p.items),
            playlists: Vec::new(),
            page,
            skipped: p.skipped,
        };
    let top = |range| {
        (
            format!(
                "Top tracks: {}",
                match range {
                    TimeRange::ShortTerm => "about 4 weeks",
                    TimeRange::MediumTerm => "about 6 months",
                    TimeRange::LongTerm => "about a year",
                }
            ),
            range,
        )
    };
    let out = match source {
        Source::Saved => {
            let p = crate::auth::call(&state, &session, |c| async move {
                let r = c.saved_tracks(request).await;
                (c, r)
            })
            .await?;
            tracks_page("Saved tracks".into(), p)
        }
        Source::TopShort | Source::TopMedium | Source::TopLong => {
            let (title, range) = top(match source {
                Source::TopShort => TimeRange::ShortTerm,
                Source::TopMedium => TimeRange::MediumTerm,
                _ => TimeRange::LongTerm,
            });
            let p = crate::auth::call(&state, &session, |c| async move {
                let r = c.top_tracks(range, request).await;
                (c, r)
            })
            .await?;
            tracks_page(title, p)
        }
        Source::Recent => {
            // Spotify pages recent plays by time cursors, up to 50: fetch them all, page here.
            let all = crate::auth::call(&state, &session, |c| async move {
                let r = c.recently_played(selecta_spotify::MAX_PAGE_LIMIT).await;
                (c, r)
            })
            .await?;
            let tracks = &all.items;
            let start = (request.offset as usize).min(tracks.len());
            let end = (start + LIBRARY_PAGE_SIZE as usize).min(tracks.len());
            LibraryPage {
                title: "Recently played".into(),
                has_next: end < tracks.len(),
                total: Some(tracks.len() as u32),
                items: items(&view, tracks[start..end].to_vec()),
                playlists: Vec::new(),
                page,
                // Every page of the list comes from the same plays: say it once, on the first.
                skipped: if page == 1 { all.skipped } else { 0 },
            }
        }
        Source::Playlists => {
            let p = crate::auth::call(&state, &session, |c| async move {
                let r = c.playlists(request).await;
                (c, r)
            })
            .await?;
            LibraryPage {
                title: "Your playlists".into(),
                has_next: p.has_more,
                total: p.total,
                items: Vec::new(),
                playlists: p.items,
                page,
                skipped: p.skipped,
            }
        }
        Source::Playlist(id) => {
            let p = crate::auth::call(&state, &session, |c| async move {
                // Spotify lists the items of the listener's own (and collaborative) playlists
                // only; say so rather than a bare "Forbidden".
                let r = c.playlist_items(&id, request).await.map_err(|e| match e {
                    selecta_spotify::SpotifyError::Forbidden { .. } => {
                        selecta_spotify::SpotifyError::Forbidden {
                            message: "Spotify shows the tracks of your own and collaborative \
                                      playlists only"
                                .into(),
                        }
                    }
                    other => other,
                });
                (c, r)
            })
            .await?;
            tracks_page("Playlist".into(), p)
        }
    };
    Ok(out)
}

/// Saves the generated playlist (`generation`: the one the page shows) to the listener's
/// Spotify account; a retry after a failure continues the same Spotify playlist.
#[server]
pub async fn save_playlist(
    generation: String,
    name: String,
    description: Option<String>,
    public: Option<String>,
) -> Result<SaveProgress, AppError> {
    use selecta_spotify::NewPlaylist;

    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let Some(mut generated) = crate::session::generated(&session).await? else {
        return Err(AppError::NotFound(
            "no playlist to save: generate one first".into(),
        ));
    };
    if generation.trim() != generated.id.to_string() {
        return Err(AppError::invalid(
            "generation",
            "this page shows an older playlist than the one in your session; reload the page",
        ));
    }
    let total = generated.playlist.entries.len();
    if let Some(done) = generated.saved.as_ref().filter(|s| s.added >= total) {
        // Already saved: the same playlist again, never a second one.
        return Ok(done.clone());
    }
    let request = NewPlaylist {
        name,
        description: description.unwrap_or_default().trim().to_string(),
        public: public.is_some_and(|p| !matches!(p.as_str(), "" | "off" | "false")),
    };
    let client = crate::auth::client(&state, &session).await?;
    // The new playlist's id reaches the session store before any track is added: a Save
    // again after a lost connection or a crash then continues it (see `session_lock` in the
    // server for two Saves at once).
    let record = |progress: SaveProgress| {
        let (session, mut generated) = (session.clone(), generated.clone());
        async move {
            generated.saved = Some(progress);
            crate::session::set_generated(&session, &generated).await?;
            session.save().await.map_err(crate::session::storage_error)
        }
    };
    let outcome = crate::save::save(
        &client,
        &generated.playlist,
        &request,
        generated.saved.clone(),
        record,
    )
    .await;
    // Progress first: even when this attempt failed, a retry must find the playlist created.
    crate::auth::keep_refreshed(&session, &client).await?;
    generated.saved = outcome.progress.clone();
    crate::session::set_generated(&session, &generated).await?;
    match (outcome.error, outcome.progress) {
        (None, Some(p)) => {
            tracing::info!(tracks = p.added, "playlist saved to Spotify");
            Ok(p)
        }
        (Some(e), _) => Err(e),
        (None, None) => Err(AppError::Internal(
            "saving stopped without a reason (a bug)".into(),
        )),
    }
}
