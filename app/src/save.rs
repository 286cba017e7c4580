//! Saving a generated playlist to the listener's Spotify account: create the playlist once,
//! then add the tracks in chunks of at most 100. A failure part-way leaves a [`SaveProgress`]
//! that says what was saved; retrying with it adds the rest to the same playlist instead of
//! creating a second one.

use selecta_spotify::{NewPlaylist, SpotifyApi};

use crate::api::SaveProgress;
use crate::error::AppError;
use crate::Playlist;

/// Where saving got, and the error that stopped it if it did not finish.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome {
    /// The progress to remember (`None` when not even the playlist could be created).
    pub progress: Option<SaveProgress>,
    /// Why it stopped, in words for the listener (`None` when every track was added).
    pub error: Option<AppError>,
}

/// The `spotify:track:` URIs of a playlist, in playing order.
pub fn uris(playlist: &Playlist) -> Vec<String> {
    playlist
        .entries
        .iter()
        .map(|e| e.track.spotify_uri())
        .collect()
}

/// Saves `playlist`, continuing from `progress` when an earlier attempt created the Spotify
/// playlist already (then `request` is not used to create another one). A playlist created
/// here is handed to `record` before any track is added (the web app writes it to the session
/// store at once), so that whatever happens next, a retry finds it instead of creating a
/// second one; when recording fails, nothing is added.
pub async fn save<F, Fut>(
    api: &dyn SpotifyApi,
    playlist: &Playlist,
    request: &NewPlaylist,
    progress: Option<SaveProgress>,
    record: F,
) -> SaveOutcome
where
    F: FnOnce(SaveProgress) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let uris = uris(playlist);
    let mut progress = match progress {
        Some(p) => p,
        None => {
            let request = NewPlaylist {
                name: request.name.trim().to_string(),
                ..request.clone()
            };
            if let Err(e) = request.check() {
                return SaveOutcome {
                    progress: None,
                    error: Some(AppError::from(e)),
                };
            }
            match api.create_playlist(&request).await {
                Ok(created) => {
                    let progress = SaveProgress {
                        playlist_id: created.id,
                        url: created.url,
                        name: created.name,
                        added: 0,
                    };
                    if let Err(e) = record(progress.clone()).await {
                        return SaveOutcome {
                            progress: Some(progress),
                            error: Some(e),
                        };
                    }
                    progress
                }
                Err(e) => {
                    return SaveOutcome {
                        progress: None,
                        error: Some(AppError::spotify(
                            &e,
                            format!("The playlist was not created: {e}."),
                        )),
                    }
                }
            }
        }
    };
    let rest = &uris[progress.added.min(uris.len())..];
    let result = api.add_all_items(&progress.playlist_id, rest).await;
    let error = match result {
        Ok(n) => {
            progress.added += n;
            None
        }
        Err(e) => {
            progress.added += e.added;
            let text = format!(
                "Saved {} of {} tracks to “{}” before Spotify failed: {}. Press Save again to \
                 add the rest to the same playlist.",
                progress.added,
                uris.len(),
                progress.name,
                e.error
            );
            Some(AppError::spotify(&e.error, text))
        }
    };
    SaveOutcome {
        progress: Some(progress),
        error,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use selecta_spotify::{PageRequest, SpotifyError, TimeRange, MAX_ITEMS_PER_ADD};
    use selecta_types::{
        PlaylistEntry, Reason, SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser, Track,
    };

    use super::*;

    /// A Spotify that records playlists and can fail the n-th add call.
    #[derive(Default)]
    struct FakeSpotify {
        playlists: Mutex<Vec<(String, Vec<String>)>>,
        add_calls: Mutex<usize>,
        fail_add_call: Mutex<Option<(usize, SpotifyError)>>,
        fail_create: Mutex<Option<SpotifyError>>,
    }

    fn unused<T>() -> Result<T, SpotifyError> {
        Err(SpotifyError::Protocol("not used by saving".into()))
    }

    #[async_trait]
    impl SpotifyApi for FakeSpotify {
        async fn current_user(&self) -> Result<SpotifyUser, SpotifyError> {
            unused()
        }
        async fn saved_tracks(
            &self,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unused()
        }
        async fn top_tracks(
            &self,
            _: TimeRange,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unused()
        }
        async fn recently_played(&self, _: u32) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unused()
        }
        async fn playlists(
            &self,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyPlaylist>, SpotifyError> {
            unused()
        }
        async fn playlist_items(
            &self,
            _: &str,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unused()
        }
        async fn search_tracks(
            &self,
            _: &str,
            _: PageRequest,
        ) -> Result<SpotifyPage<SpotifyTrack>, SpotifyError> {
            unused()
        }
        async fn track(&self, _: &str) -> Result<SpotifyTrack, SpotifyError> {
            unused()
        }
        async fn create_playlist(&self, p: &NewPlaylist) -> Result<SpotifyPlaylist, SpotifyError> {
            if let Some(e) = self.fail_create.lock().unwrap().take() {
                return Err(e);
            }
            let mut all = self.playlists.lock().unwrap();
            let id = format!("pl{}", all.len());
            all.push((id.clone(), Vec::new()));
            Ok(SpotifyPlaylist {
                url: format!("https://open.spotify.com/playlist/{id}"),
                id,
                name: p.name.clone(),
                ..SpotifyPlaylist::default()
            })
        }
        async fn add_items(
            &self,
            playlist_id: &str,
            uris: &[String],
        ) -> Result<String, SpotifyError> {
            assert!(uris.len() <= MAX_ITEMS_PER_ADD, "chunk of {}", uris.len());
            let call = {
                let mut n = self.add_calls.lock().unwrap();
                *n += 1;
                *n
            };
            let mut fail = self.fail_add_call.lock().unwrap();
            if fail.as_ref().is_some_and(|(n, _)| *n == call) {
                return Err(fail.take().unwrap().1);
            }
            let mut all = self.playlists.lock().unwrap();
            let list =
                all.iter_mut()
                    .find(|(id, _)| id == playlist_id)
                    .ok_or(SpotifyError::NotFound {
                        message: playlist_id.into(),
                    })?;
            list.1.extend(uris.iter().cloned());
            Ok("snapshot".into())
        }
    }

    fn playlist(n: usize) -> Playlist {
        Playlist {
            name: "Mix".into(),
            seeds: Vec::new(),
            entries: (0..n)
                .map(|i| PlaylistEntry {
                    track: Track {
                        id: format!("id{i:03}").into(),
                        ..Track::default()
                    },
                    score: 1.0,
                    reason: Reason::default(),
                })
                .collect(),
            ..Playlist::default()
        }
    }

    async fn ignore(_: SaveProgress) -> Result<(), AppError> {
        Ok(())
    }

    #[tokio::test]
    async fn the_created_playlist_is_recorded_before_any_track_is_added() {
        let api = FakeSpotify::default();
        *api.fail_add_call.lock().unwrap() = Some((1, SpotifyError::Unavailable { status: 503 }));
        let p = playlist(30);
        let recorded = Mutex::new(None);
        let out = save(&api, &p, &request("Mix"), None, |progress| {
            // Nothing was added when it is recorded.
            assert!(api.playlists.lock().unwrap()[0].1.is_empty());
            *recorded.lock().unwrap() = Some(progress);
            async { Ok(()) }
        })
        .await;
        assert!(out.error.is_some());
        // Save again from what was recorded (as after a lost connection): the same playlist.
        let recorded = recorded.lock().unwrap().take().unwrap();
        assert_eq!(recorded.added, 0);
        let again = save(&api, &p, &request("Mix"), Some(recorded), ignore).await;
        assert_eq!(again.error, None);
        {
            let all = api.playlists.lock().unwrap();
            assert_eq!(all.len(), 1);
            assert_eq!(all[0].1, uris(&p));
        }

        // When the record cannot be written, no track is added.
        let fresh = FakeSpotify::default();
        let out = save(&fresh, &p, &request("Mix"), None, |_| async {
            Err(AppError::StorageUnavailable)
        })
        .await;
        assert_eq!(out.error, Some(AppError::StorageUnavailable));
        assert_eq!(*fresh.add_calls.lock().unwrap(), 0);
        assert_eq!(out.progress.map(|p| p.added), Some(0));
    }

    fn request(name: &str) -> NewPlaylist {
        NewPlaylist {
            name: name.into(),
            description: "From Selecta".into(),
            public: false,
        }
    }

    #[tokio::test]
    async fn saves_everything_in_chunks_in_order() {
        let api = FakeSpotify::default();
        let p = playlist(250);
        let out = save(&api, &p, &request(" My mix "), None, ignore).await;
        assert_eq!(out.error, None);
        let progress = out.progress.unwrap();
        assert_eq!(progress.added, 250);
        assert_eq!(progress.name, "My mix");
        assert_eq!(progress.url, "https://open.spotify.com/playlist/pl0");
        assert_eq!(*api.add_calls.lock().unwrap(), 3);
        let all = api.playlists.lock().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1, uris(&p));
        assert_eq!(all[0].1[0], "spotify:track:id000");
    }

    #[tokio::test]
    async fn a_retry_after_a_failure_half_way_finishes_the_same_playlist() {
        let api = FakeSpotify::default();
        *api.fail_add_call.lock().unwrap() = Some((2, SpotifyError::Unavailable { status: 502 }));
        let p = playlist(250);
        let first = save(&api, &p, &request("Mix"), None, ignore).await;
        let progress = first.progress.clone().unwrap();
        assert_eq!(progress.added, 100);
        let message = first.error.unwrap().to_string();
        assert!(
            message.starts_with("Saved 100 of 250 tracks to “Mix”"),
            "{message}"
        );
        assert!(message.contains("HTTP 502"), "{message}");

        let second = save(&api, &p, &request("Another name"), Some(progress), ignore).await;
        assert_eq!(second.error, None);
        let progress = second.progress.unwrap();
        assert_eq!(progress.added, 250);
        assert_eq!(progress.playlist_id, "pl0");
        // One playlist, holding every track once, in order.
        {
            let all = api.playlists.lock().unwrap();
            assert_eq!(all.len(), 1);
            assert_eq!(all[0].1, uris(&p));
        }

        // Saving once more adds nothing and creates nothing.
        let third = save(&api, &p, &request("Mix"), Some(progress.clone()), ignore).await;
        assert_eq!(third.progress, Some(progress));
        assert_eq!(api.playlists.lock().unwrap()[0].1.len(), 250);
        assert_eq!(api.playlists.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn failures_before_anything_was_saved_say_so() {
        let api = FakeSpotify::default();
        let out = save(&api, &playlist(3), &request("  "), None, ignore).await;
        assert_eq!(out.progress, None);
        // A bad name is the listener's to fix (400); Spotify failing is a 502.
        assert_eq!(out.error.as_ref().map(AppError::status), Some(400));
        assert_eq!(
            out.error.map(|e| e.to_string()).as_deref(),
            Some("name: is empty")
        );

        *api.fail_create.lock().unwrap() = Some(SpotifyError::RateLimited {
            retry_after: std::time::Duration::from_secs(30),
        });
        let out = save(&api, &playlist(3), &request("Mix"), None, ignore).await;
        assert_eq!(out.progress, None);
        assert_eq!(out.error.as_ref().map(AppError::status), Some(502));
        let message = out.error.unwrap().to_string();
        assert!(
            message.starts_with("The playlist was not created"),
            "{message}"
        );
        assert!(message.contains("try again in 30 s"), "{message}");
        assert!(api.playlists.lock().unwrap().is_empty());
    }
}
