//! Acting on the generated playlist track by track: remove a track (refilled from the
//! candidates kept with it), "less like this" (a negative seed) and "more like this" (a seed).
//! Each posts the generation the page shows, so a stale page cannot change a newer playlist.

use leptos::prelude::*;

use crate::api::PlaylistCharts;
use crate::error::AppError;

/// Removes a track from the generated playlist (`generation`: the one the page shows); the
/// next candidate in line takes its place, without another search. Answers what happened, in
/// a sentence the next page announces (kept in the session until then).
#[server]
pub async fn remove_track(generation: String, track: String) -> Result<String, AppError> {
    let session = crate::session::current().await?;
    let mut generated = current_generation(&session, &generation).await?;
    let removed = in_playlist(&generated, &track).map(|id| {
        let e = generated.playlist.entries.iter().find(|e| e.track.id == id);
        e.map(|e| e.track.label()).unwrap_or_default()
    })?;
    let refill = generated.remove(track.trim())?;
    tracing::info!(
        refilled = refill.is_some(),
        "track removed from the playlist"
    );
    crate::session::set_generated(&session, &generated).await?;
    let said = match refill {
        Some(e) => format!(
            "Removed “{removed}”; “{}” joins at the end.",
            e.track.label()
        ),
        None => {
            format!("Removed “{removed}”; no other track fits, so the playlist is one shorter.")
        }
    };
    crate::session::set_notice(&session, &said).await?;
    Ok(said)
}

/// "Less like this": adds a track of the playlist to the negative seeds and re-generates.
#[server]
pub async fn less_like_this(generation: String, track: String) -> Result<(), AppError> {
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let generated = current_generation(&session, &generation).await?;
    let id = in_playlist(&generated, &track)?;
    let mut picker = crate::session::picker(&session).await?;
    let negatives = &mut picker.options.negative_seeds;
    if !negatives.iter().any(|n| n == id) {
        if negatives.len() >= crate::options::MAX_SEEDS {
            return Err(AppError::invalid(
                "negative_seeds",
                format!(
                    "at most {} tracks; remove one in the options first",
                    crate::options::MAX_SEEDS
                ),
            ));
        }
        negatives.push(id.to_string());
    }
    regenerate(&state, &session, &picker).await
}

/// "More like this": adds a track of the playlist to the seeds and re-generates.
#[server]
pub async fn more_like_this(generation: String, track: String) -> Result<(), AppError> {
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let generated = current_generation(&session, &generation).await?;
    let id = in_playlist(&generated, &track)?;
    let mut picker = crate::session::picker(&session).await?;
    picker.add(id)?;
    regenerate(&state, &session, &picker).await
}

/// The sound map and the flow line of the session's playlist (`generation`: the one the page
/// shows), drawn for the model in service.
#[server]
pub async fn get_playlist_charts(generation: String) -> Result<PlaylistCharts, AppError> {
    let state = crate::state::current()?;
    let session = crate::session::current().await?;
    let generated = current_generation(&session, &generation).await?;
    Ok(crate::charts::playlist_charts(
        &state.model(),
        &generated.playlist,
    ))
}

/// The session's playlist, when it is the one the page shows.
#[cfg(feature = "ssr")]
async fn current_generation(
    session: &tower_sessions::Session,
    generation: &str,
) -> Result<crate::session::Generated, AppError> {
    let Some(generated) = crate::session::generated(session).await? else {
        return Err(AppError::NotFound(
            "no playlist to change: generate one first".into(),
        ));
    };
    if generation.trim() != generated.id.to_string() {
        return Err(AppError::invalid(
            "generation",
            "this page shows an older playlist than the one in your session; reload the page",
        ));
    }
    Ok(generated)
}

/// The posted track id, when the playlist holds it.
#[cfg(feature = "ssr")]
fn in_playlist<'a>(
    generated: &'a crate::session::Generated,
    track: &str,
) -> Result<&'a str, AppError> {
    let track = track.trim();
    generated
        .playlist
        .entries
        .iter()
        .map(|e| e.track.id.as_str())
        .find(|id| *id == track)
        .ok_or_else(|| {
            AppError::invalid(
                "track",
                format!(
                    "`{}` is not in this playlist; reload the page",
                    selecta_catalog::shown(track)
                ),
            )
        })
}

/// Generates the playlist of the picker's seeds and options, and keeps both in the session:
/// the picker even when generating fails, so that the form shows what was typed.
#[cfg(feature = "ssr")]
pub(crate) async fn regenerate(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
    picker: &crate::session::Picker,
) -> Result<(), AppError> {
    let options = &picker.options;
    let exclude_ids = if options.exclude_saved {
        crate::auth::saved_track_ids(state, session).await?
    } else {
        Vec::new()
    };
    let view = state.views.get();
    let started = std::time::Instant::now();
    // Seeds the catalog lacks are looked up with the listener's token when signed in.
    let listener = match crate::auth::status(state, session).await?.signed_in() {
        true => Some(crate::auth::client(state, session).await?),
        false => None,
    };
    let lookup = selecta_engine::Lookup {
        spotify: &state.lookup,
        acting: match &listener {
            Some(c) => selecta_spotify::Acting::Listener(c),
            None => selecta_spotify::Acting::App,
        },
    };
    let made =
        crate::generate::playlist_looking_up(view, lookup, &picker.seeds, options, exclude_ids)
            .await;
    if let Some(c) = &listener {
        crate::auth::keep_refreshed(session, c).await?;
    }
    crate::session::set_picker(session, picker).await?;
    let (playlist, spares) = made?;
    tracing::info!(
        seeds = picker.seeds.len(),
        tracks = playlist.entries.len(),
        spares = spares.len(),
        ms = started.elapsed().as_millis() as u64,
        "playlist generated"
    );
    let generated = crate::session::Generated {
        id: crate::session::new_generation_id(),
        playlist,
        saved: None,
        spares,
    };
    crate::session::set_generated(session, &generated).await
}
