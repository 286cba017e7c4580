//! The listener's state in the server-side session (tower-sessions): the picked seeds and
//! options, the generated playlist with its save progress, and the Spotify sign-in. The
//! browser holds only the session id; everything here stays on the server.

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tower_sessions::Session;

use crate::api::{LinkAdded, SaveProgress};
use crate::error::AppError;
use crate::options::{PlaylistOptions, MAX_SEEDS};
use crate::{Playlist, PlaylistEntry};

const PICKER: &str = "picker";
const GENERATED: &str = "generated";
const LINK_ADDED: &str = "link_added";
const NOTICE: &str = "notice";

/// The seeds picked so far and the options last used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Picker {
    /// Track ids, in the order picked: the catalog's, or Spotify's for tracks it lacks.
    pub seeds: Vec<String>,
    /// The options of the last generation (or the defaults).
    pub options: PlaylistOptions,
    /// The seeds the catalog lacks, as Spotify describes them (their sound is estimated).
    #[serde(default)]
    pub known: Vec<crate::SpotifyTrack>,
}

impl Picker {
    /// Adds a seed; false when it was already picked. Refuses a 51st seed.
    pub fn add(&mut self, id: &str) -> Result<bool, AppError> {
        if self.seeds.iter().any(|s| s == id) {
            return Ok(false);
        }
        if self.seeds.len() >= MAX_SEEDS {
            return Err(AppError::invalid(
                "seeds",
                format!("at most {MAX_SEEDS} tracks; remove one before adding another"),
            ));
        }
        self.seeds.push(id.to_string());
        Ok(true)
    }

    /// Removes a seed; false when it was not picked.
    pub fn remove(&mut self, id: &str) -> bool {
        self.known.retain(|t| t.id != id);
        let before = self.seeds.len();
        self.seeds.retain(|s| s != id);
        self.seeds.len() != before
    }
}

/// The last generated playlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    /// Changes with every generation: forms carry it, so a page showing an older playlist
    /// cannot save or export the newer one by mistake.
    pub id: u64,
    /// The playlist.
    pub playlist: Playlist,
    /// Saving progress, once saving started.
    pub saved: Option<SaveProgress>,
    /// The candidates next in line, best first: a removed track's replacement comes from
    /// here, without another search. Never sent to the browser.
    #[serde(default)]
    pub spares: Vec<PlaylistEntry>,
}

impl Generated {
    /// Removes a track and refills the playlist to its length with the first spare (any
    /// spare fits the artist cap and filters: they were picked under them with the whole
    /// playlist counted). Answers the track that came in, `None` when the spares ran out.
    /// The playlist changed: it gets a new id and starts unsaved.
    pub fn remove(&mut self, id: &str) -> Result<Option<PlaylistEntry>, AppError> {
        let Some(at) = self.playlist.entries.iter().position(|e| e.track.id == id) else {
            return Err(AppError::invalid(
                "track",
                format!(
                    "`{}` is not in this playlist (already removed?); reload the page",
                    selecta_catalog::shown(id)
                ),
            ));
        };
        self.playlist.entries.remove(at);
        let refill = (!self.spares.is_empty()).then(|| self.spares.remove(0));
        if let Some(e) = &refill {
            self.playlist.entries.push(e.clone());
        }
        self.id = new_generation_id();
        self.saved = None;
        Ok(refill)
    }
}

/// A fresh generation id (nanoseconds since the epoch: distinct for one listener's clicks).
pub fn new_generation_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

/// The store failed (Redis down...): a message for the page, details in the log.
pub fn storage_error(e: tower_sessions::session::Error) -> AppError {
    AppError::from(e)
}

/// The request's session (the session layer puts it in the request).
pub async fn current() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| AppError::Internal(format!("no session in the request (a bug): {e}")))
}

/// A value of the session.
pub async fn get<T: DeserializeOwned>(s: &Session, key: &str) -> Result<Option<T>, AppError> {
    s.get(key).await.map_err(storage_error)
}

/// Stores a value in the session.
pub async fn put<T: Serialize>(s: &Session, key: &str, value: &T) -> Result<(), AppError> {
    s.insert(key, value).await.map_err(storage_error)
}

/// The picker (empty with default options for a new listener).
pub async fn picker(s: &Session) -> Result<Picker, AppError> {
    Ok(get(s, PICKER).await?.unwrap_or_default())
}

/// Stores the picker.
pub async fn set_picker(s: &Session, p: &Picker) -> Result<(), AppError> {
    put(s, PICKER, p).await
}

/// Keeps what a link added for the next page to show once (see [`take_link_added`]).
pub async fn set_link_added(s: &Session, done: &LinkAdded) -> Result<(), AppError> {
    put(s, LINK_ADDED, done).await
}

/// What [`set_link_added`] kept, removed as it is read: a page shows it once.
pub async fn take_link_added(s: &Session) -> Result<Option<LinkAdded>, AppError> {
    s.remove::<LinkAdded>(LINK_ADDED)
        .await
        .map_err(storage_error)
}

/// Keeps what an action did, in a sentence, for the next page to announce once (see
/// [`take_notice`]).
pub async fn set_notice(s: &Session, text: &str) -> Result<(), AppError> {
    put(s, NOTICE, &text).await
}

/// What [`set_notice`] kept, removed as it is read: a page announces it once.
pub async fn take_notice(s: &Session) -> Result<Option<String>, AppError> {
    s.remove::<String>(NOTICE).await.map_err(storage_error)
}

/// The last generated playlist.
pub async fn generated(s: &Session) -> Result<Option<Generated>, AppError> {
    get(s, GENERATED).await
}

/// Stores the generated playlist.
pub async fn set_generated(s: &Session, g: &Generated) -> Result<(), AppError> {
    put(s, GENERATED, g).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picker_adds_once_removes_and_caps() {
        let mut p = Picker::default();
        assert_eq!(p.add("a"), Ok(true));
        assert_eq!(p.add("a"), Ok(false));
        assert!(p.remove("a"));
        assert!(!p.remove("a"));
        for i in 0..MAX_SEEDS {
            assert_eq!(p.add(&format!("t{i}")), Ok(true));
        }
        let err = p.add("one-more").unwrap_err().to_string();
        assert!(err.starts_with("seeds: at most 50"), "{err}");
        assert_eq!(p.seeds.len(), MAX_SEEDS);
    }

    fn entry(id: &str) -> PlaylistEntry {
        PlaylistEntry {
            track: crate::Track {
                id: id.into(),
                ..crate::Track::default()
            },
            score: 0.0,
            reason: Default::default(),
        }
    }

    #[test]
    fn a_removed_track_is_replaced_by_the_first_spare_until_none_is_left() {
        let mut g = Generated {
            id: 1,
            playlist: Playlist {
                entries: ["a", "b", "c"].map(entry).to_vec(),
                ..Playlist::default()
            },
            saved: Some(SaveProgress {
                playlist_id: "p".into(),
                url: "u".into(),
                name: "n".into(),
                added: 3,
            }),
            spares: vec![entry("s1")],
        };
        let ids = |g: &Generated| -> Vec<String> {
            g.playlist
                .entries
                .iter()
                .map(|e| e.track.id.to_string())
                .collect()
        };
        let refill = g.remove("b").unwrap();
        assert_eq!(
            refill.map(|e| e.track.id.to_string()).as_deref(),
            Some("s1")
        );
        assert_eq!(ids(&g), ["a", "c", "s1"]);
        // A changed playlist is a new one: forms of the old page are refused, saving starts over.
        assert_ne!(g.id, 1);
        assert_eq!(g.saved, None);
        // No spare left: the playlist gets shorter.
        assert_eq!(g.remove("a").unwrap(), None);
        assert_eq!(ids(&g), ["c", "s1"]);
        let e = g.remove("a").unwrap_err().to_string();
        assert!(e.starts_with("track: `a` is not in this playlist"), "{e}");
    }
}
