//! The tracks of an album (`GET /albums/{id}`, then `GET /albums/{id}/tracks` for further
//! pages) or of one of the listener's playlists (`GET /playlists/{id}/items`), read for seeds:
//! at most [`MAX_SEEDS`] tracks and [`MAX_LIST_PAGES`] pages, so that a long list costs a few
//! calls. Albums are cached (the same for everyone); playlists are not (they are personal and
//! change). Every call follows the client's retry rules.

use selecta_types::{SpotifyTrack, MAX_SEEDS};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::check_id;
use crate::cache::Cached;
use crate::lookup::{Acting, SpotifyLookup};
use crate::read;
use crate::{SpotifyClient, SpotifyError, MAX_PAGE_LIMIT};

/// Most pages read of one album or playlist (of [`MAX_PAGE_LIMIT`] items): a playlist of
/// episodes or local files stops here rather than being read to its end.
pub const MAX_LIST_PAGES: usize = 4;

/// What a list of tracks is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// An album (or single, compilation).
    Album,
    /// A playlist.
    Playlist,
}

impl ListKind {
    /// `album` or `playlist`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Album => "album",
            ListKind::Playlist => "playlist",
        }
    }
}

/// The tracks read from an album or a playlist, in its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackList {
    /// Album or playlist.
    pub kind: ListKind,
    /// Its Spotify id.
    pub id: String,
    /// The album's name (`None` for a playlist: its items do not carry it, or for an album
    /// Spotify sends without one).
    pub name: Option<String>,
    /// The tracks read, at most the number asked for.
    pub tracks: Vec<SpotifyTrack>,
    /// How many items Spotify says the list holds (episodes and local files included).
    pub total: Option<u32>,
    /// Items read that cannot be seeds: episodes, local files, removed (`null`) tracks.
    pub skipped: usize,
    /// Whether items were left unread (more tracks than asked for, or [`MAX_LIST_PAGES`]).
    pub more: bool,
}

impl TrackList {
    fn new(kind: ListKind, id: &str) -> Self {
        TrackList {
            kind,
            id: id.to_string(),
            name: None,
            tracks: Vec::new(),
            total: None,
            skipped: 0,
            more: false,
        }
    }

    /// Adds one page's items (read by `item`, `None` for what is skipped) up to `max` tracks;
    /// returns whether to read the next page.
    fn take(
        &mut self,
        page: &read::Page<'_>,
        max: usize,
        item: impl Fn(&Value) -> Option<SpotifyTrack>,
    ) -> bool {
        self.total = page.total.or(self.total);
        for (k, v) in page.items.iter().enumerate() {
            if self.tracks.len() >= max {
                self.more = true;
                return false;
            }
            match item(v) {
                Some(t) if !self.tracks.iter().any(|x| x.id == t.id) => self.tracks.push(t),
                // A repeat of a track already read is neither a new track nor a skip.
                Some(_) => {}
                None => self.skipped += 1,
            }
            if k + 1 == page.items.len() && self.tracks.len() >= max && page.more {
                self.more = true;
            }
        }
        page.more && !page.items.is_empty() && self.tracks.len() < max
    }
}

/// `max` within 1..=[`MAX_SEEDS`].
fn bounded(max: usize) -> usize {
    max.clamp(1, MAX_SEEDS)
}

impl SpotifyLookup {
    /// The first `max` tracks (at most [`MAX_SEEDS`]) of an album: `GET /albums/{id}`, whose
    /// first page of tracks the album carries, then `GET /albums/{id}/tracks` while more are
    /// wanted. Each track gets the album's name, id and release date (Spotify's simplified
    /// tracks lack them). Cached, a 404 too ([`SpotifyError::NotFound`]).
    pub async fn album_tracks(
        &self,
        acting: Acting<'_>,
        id: &str,
        max: usize,
    ) -> Result<TrackList, SpotifyError> {
        check_id("album_id", id)?;
        let max = bounded(max);
        let key = format!("album:{max}:{id}");
        match self.cache().get(&key).await {
            Some(Cached::List(l)) => return Ok(l),
            Some(Cached::NotFound) => return Err(not_found("album", id)),
            _ => {}
        }
        let list = self.read_album(acting, id, max).await;
        self.remember(&key, list, Cached::List, || not_found("album", id))
            .await
    }

    async fn read_album(
        &self,
        acting: Acting<'_>,
        id: &str,
        max: usize,
    ) -> Result<TrackList, SpotifyError> {
        let mut album = self
            .get(acting, "album", &format!("albums/{id}"), &[], || {
                format!("album {id}")
            })
            .await?;
        let mut list = TrackList::new(ListKind::Album, id);
        list.name = album
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from);
        let first = album
            .get_mut("tracks")
            .map(Value::take)
            .filter(|t| t.is_object())
            .ok_or_else(|| SpotifyError::Protocol(format!("album {id} came without tracks")))?;
        let limit = MAX_PAGE_LIMIT.to_string();
        let fetch = |offset: usize| {
            let limit = limit.clone();
            async move {
                let offset = offset.to_string();
                let query = [("limit", limit.as_str()), ("offset", offset.as_str())];
                self.get(
                    acting,
                    "album tracks",
                    &format!("albums/{id}/tracks"),
                    &query,
                    || format!("the tracks of album {id}"),
                )
                .await
            }
        };
        let on_album = |v: &Value| read::track_on(v, &album);
        read_pages(&mut list, max, Some(first), fetch, on_album).await?;
        Ok(list)
    }

    /// The first `max` tracks (at most [`MAX_SEEDS`]) of one of the listener's playlists:
    /// `GET /playlists/{id}/items`, paged. Spotify lets an app read the items of the
    /// listener's own and collaborative playlists only, so this needs the listener's token;
    /// its 403 for any other playlist is [`SpotifyError::PlaylistNotReadable`]. Episodes,
    /// local files and removed tracks are skipped and counted. Not cached.
    pub async fn playlist_tracks(
        &self,
        listener: &SpotifyClient,
        id: &str,
        max: usize,
    ) -> Result<TrackList, SpotifyError> {
        check_id("playlist_id", id)?;
        let max = bounded(max);
        let acting = Acting::Listener(listener);
        let mut list = TrackList::new(ListKind::Playlist, id);
        let limit = MAX_PAGE_LIMIT.to_string();
        let fetch = |offset: usize| {
            let limit = limit.clone();
            async move {
                let offset = offset.to_string();
                let query = [
                    ("limit", limit.as_str()),
                    ("offset", offset.as_str()),
                    // Episodes come as episodes, not as tracks missing their fields.
                    ("additional_types", "track,episode"),
                ];
                self.get(
                    acting,
                    "playlist items",
                    &format!("playlists/{id}/items"),
                    &query,
                    || format!("the items of playlist {id}"),
                )
                .await
                .map_err(|e| match e {
                    SpotifyError::Forbidden { .. } => SpotifyError::PlaylistNotReadable,
                    SpotifyError::NotFound { .. } => not_found("playlist", id),
                    other => other,
                })
            }
        };
        read_pages(&mut list, max, None, fetch, read::playlist_item).await?;
        Ok(list)
    }
}

/// Reads pages into `list`: `first` when the list came with its first page (an album does),
/// then `fetch(offset)` for each further one, until `max` tracks, the last page, or
/// [`MAX_LIST_PAGES`] pages (then `list.more` says items were left).
async fn read_pages<Fut>(
    list: &mut TrackList,
    max: usize,
    mut first: Option<Value>,
    fetch: impl Fn(usize) -> Fut,
    item: impl Fn(&Value) -> Option<SpotifyTrack>,
) -> Result<(), SpotifyError>
where
    Fut: std::future::Future<Output = Result<Value, SpotifyError>>,
{
    let mut offset = 0;
    for _ in 0..MAX_LIST_PAGES {
        let answer = match first.take() {
            Some(v) => v,
            None => fetch(offset).await?,
        };
        let page = read::page(&answer).ok_or_else(|| {
            SpotifyError::Protocol(format!(
                "a page of {} {} had no items",
                list.kind.as_str(),
                list.id
            ))
        })?;
        offset += page.items.len();
        if !list.take(&page, max, &item) {
            return Ok(());
        }
    }
    list.more = true;
    Ok(())
}

fn not_found(kind: &str, id: &str) -> SpotifyError {
    SpotifyError::NotFound {
        message: format!("no {kind} with id {id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A `SimplifiedTrackObject` as the contract describes it.
    fn simplified(id: &str, name: &str, artist: &str) -> Value {
        json!({
            "artists": [{"external_urls": {"spotify": "https://open.spotify.com/artist/a1"},
                         "href": "https://api.spotify.com/v1/artists/a1", "id": "a1",
                         "name": artist, "type": "artist", "uri": "spotify:artist:a1"}],
            "available_markets": [], "disc_number": 1, "duration_ms": 201_000,
            "explicit": false, "external_urls": {"spotify": format!("https://open.spotify.com/track/{id}")},
            "href": format!("https://api.spotify.com/v1/tracks/{id}"), "id": id,
            "is_playable": true, "name": name, "preview_url": null, "track_number": 1,
            "type": "track", "uri": format!("spotify:track:{id}"), "is_local": false,
        })
    }

    fn paging(items: Vec<Value>, offset: usize, total: usize, next: bool) -> Value {
        json!({
            "href": "https://api.spotify.com/v1/albums/x/tracks", "items": items, "limit": 50,
            "next": if next { json!("https://api.spotify.com/v1/albums/x/tracks?offset=50") } else { Value::Null },
            "offset": offset, "previous": null, "total": total,
        })
    }

    #[test]
    fn album_tracks_take_the_albums_fields() {
        let album = json!({
            "album_type": "a-kind-spotify-adds-later", "total_tracks": 2, "id": "4yP0hdKOZPNshxUOjY0cZj",
            "name": "After Hours", "release_date": "2020-03-20", "release_date_precision": "day",
            "type": "album", "tracks": paging(vec![
                simplified("t1", "Alone Again", "The Weeknd"),
                simplified("t2", "Too Late", "The Weeknd"),
            ], 0, 2, false),
        });
        let page = read::page(&album["tracks"]).unwrap();
        let mut list = TrackList::new(ListKind::Album, "4yP0hdKOZPNshxUOjY0cZj");
        let read_on = list.take(&page, 50, |v| read::track_on(v, &album));
        assert!(!read_on && !list.more);
        assert_eq!(list.total, Some(2));
        let t = &list.tracks[1];
        assert_eq!((t.id.as_str(), t.name.as_str()), ("t2", "Too Late"));
        assert_eq!(t.album, "After Hours");
        assert_eq!(t.album_id.as_deref(), Some("4yP0hdKOZPNshxUOjY0cZj"));
        assert_eq!(t.release_date.as_deref(), Some("2020-03-20"));
        assert_eq!(t.year, Some(2020));
        assert_eq!(t.artist_ids, ["a1"]);
        assert_eq!(t.duration_ms, Some(201_000));
        assert_eq!(t.isrc, None, "simplified tracks carry no ISRC");
    }

    #[test]
    fn reading_stops_at_the_cap_and_says_more_are_left() {
        let items: Vec<Value> = (0..50)
            .map(|i| simplified(&format!("t{i}"), "Song", "A"))
            .collect();
        let page_value = paging(items, 0, 120, true);
        let page = read::page(&page_value).unwrap();
        let mut list = TrackList::new(ListKind::Album, "x");
        // Room for 50: a full first page, more to read.
        assert!(list.take(&page, 60, read::track));
        let mut list = TrackList::new(ListKind::Album, "x");
        assert!(!list.take(&page, 10, read::track));
        assert_eq!(list.tracks.len(), 10);
        assert!(list.more);
        // Exactly full at the end of a page that has a next one.
        let mut list = TrackList::new(ListKind::Album, "x");
        assert!(!list.take(&page, 50, read::track));
        assert!(list.more);
        // The last page: nothing more.
        let last_value = paging(vec![simplified("z", "Z", "A")], 50, 51, false);
        let last = read::page(&last_value).unwrap();
        let mut list = TrackList::new(ListKind::Album, "x");
        assert!(!list.take(&last, 50, read::track));
        assert!(!list.more);
        assert_eq!(bounded(0), 1);
        assert_eq!(bounded(500), MAX_SEEDS);
    }

    #[test]
    fn playlist_items_skip_episodes_local_files_and_removed_tracks() {
        let full = |id: &str| {
            let mut t = simplified(id, "Song", "A");
            t["album"] = json!({"id": "al", "name": "Album", "release_date": "1999",
                                "album_type": "album", "type": "album"});
            t["external_ids"] = json!({"isrc": "usabc9900001"});
            t
        };
        let wrap = |item: Value| {
            json!({"added_at": "2026-01-01T00:00:00Z", "added_by": null, "is_local": false,
                   "item": item.clone(), "track": item})
        };
        let episode = json!({"id": "e1", "name": "Episode", "type": "episode",
                             "duration_ms": 1000});
        let local = json!({"added_at": null, "is_local": true,
                           "item": {"id": null, "name": "My rip", "type": "track",
                                    "is_local": true, "artists": []}});
        let items = vec![
            wrap(full("t1")),
            wrap(episode),
            local,
            wrap(Value::Null),
            Value::Null,
            // An older answer: the deprecated `track` only.
            json!({"is_local": false, "track": full("t2")}),
            // A kind of item Spotify adds later.
            wrap(json!({"id": "x1", "name": "?", "type": "audiobook-chapter"})),
            wrap(full("t1")),
        ];
        let v = json!({"items": items, "total": 8, "offset": 0, "limit": 50,
                       "next": null, "previous": null, "href": ""});
        let page = read::page(&v).unwrap();
        let mut list = TrackList::new(ListKind::Playlist, "p");
        assert!(!list.take(&page, 50, read::playlist_item));
        let ids: Vec<&str> = list.tracks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t1", "t2"]);
        assert_eq!(list.tracks[0].isrc.as_deref(), Some("USABC9900001"));
        assert_eq!(list.tracks[0].year, Some(1999));
        assert_eq!(list.skipped, 5);
        assert_eq!(list.total, Some(8));
    }

    /// Serves `total` simplified tracks in pages of `size` from `fetch(offset)`, counting calls.
    fn pages(total: usize, size: usize) -> (Vec<Value>, impl Fn(usize) -> Value) {
        let all: Vec<Value> = (0..total)
            .map(|i| simplified(&format!("t{i}"), "Song", "A"))
            .collect();
        let serve = move |offset: usize| {
            let items: Vec<Value> = all.iter().skip(offset).take(size).cloned().collect();
            paging(items, offset, total, offset + size < total)
        };
        let first = vec![serve(0)];
        (first, serve)
    }

    async fn read_all(total: usize, size: usize, max: usize) -> (TrackList, Vec<usize>) {
        let (first, serve) = pages(total, size);
        let asked = std::sync::Mutex::new(Vec::new());
        let fetch = |offset: usize| {
            asked.lock().unwrap().push(offset);
            let page = serve(offset);
            async move { Ok(page) }
        };
        let mut list = TrackList::new(ListKind::Album, "x");
        read_pages(&mut list, max, first.into_iter().next(), fetch, read::track)
            .await
            .unwrap();
        let asked = asked.into_inner().unwrap();
        (list, asked)
    }

    #[tokio::test]
    async fn further_pages_are_fetched_from_where_the_last_ended() {
        // 45 tracks in pages of 20 after the first: offsets 20 and 40.
        let (list, asked) = read_all(45, 20, 50).await;
        assert_eq!(asked, [20, 40]);
        assert_eq!(list.tracks.len(), 45);
        assert_eq!(list.tracks[44].id, "t44");
        assert!(!list.more);
        // The cap ends the reading mid-page.
        let (list, asked) = read_all(45, 20, 30).await;
        assert_eq!(asked, [20]);
        assert_eq!(list.tracks.len(), 30);
        assert!(list.more);
        // A long list stops after MAX_LIST_PAGES pages.
        let (list, asked) = read_all(1000, 5, 50).await;
        assert_eq!(asked.len(), MAX_LIST_PAGES - 1);
        assert_eq!(list.tracks.len(), 5 * MAX_LIST_PAGES);
        assert!(list.more);
        // A failing page fails the reading.
        let mut list = TrackList::new(ListKind::Playlist, "p");
        let e = read_pages(
            &mut list,
            50,
            None,
            |_| async { Err(SpotifyError::Unavailable { status: 503 }) },
            read::playlist_item,
        )
        .await
        .unwrap_err();
        assert_eq!(e, SpotifyError::Unavailable { status: 503 });
    }

    #[test]
    fn odd_pages_are_read_tolerantly() {
        // No `next` field: `total` decides; a string total is unknown.
        let p = json!({"items": [simplified("a", "A", "X")], "offset": 0, "total": 3});
        assert!(read::page(&p).unwrap().more);
        let p = json!({"items": [], "total": "many"});
        let page = read::page(&p).unwrap();
        assert!(!page.more && page.total.is_none());
        assert!(read::page(&json!({"tracks": []})).is_none());
        // An empty page with a `next` link does not loop.
        let p = json!({"items": [], "next": "https://x", "total": 9});
        let mut list = TrackList::new(ListKind::Playlist, "p");
        assert!(!list.take(&read::page(&p).unwrap(), 50, read::playlist_item));
    }
}
