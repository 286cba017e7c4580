//! Tolerant readers of Spotify's answers, field by field: only what an item cannot be used
//! without (an id and a name) is required; a missing, null or oddly typed optional field, an
//! out-of-range number, or an enum value Spotify adds later (its contract asks clients to
//! handle unknown values safely) leaves that field unknown instead of failing the answer. An
//! item that cannot be used (an episode, a local file, a removed track, a track without an id)
//! is left out of its page and counted ([`SpotifyPage::skipped`]), so the page still works.

use std::ops::RangeInclusive;

use selecta_types::{SpotifyArtist, SpotifyPage, SpotifyPlaylist, SpotifyTrack, SpotifyUser};
use serde_json::Value;

use crate::PageRequest;

/// Release years Selecta believes (a `0000` or `99999` date is unknown, not a year).
pub(crate) const YEARS: RangeInclusive<u16> = 1850..=2100;
/// Longest track Selecta believes (a day); a longer or zero duration is unknown.
pub(crate) const MAX_DURATION_MS: u32 = 24 * 60 * 60 * 1000;

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A Spotify id (base62, as [`crate::api::check_id`] accepts): anything else cannot be
/// saved, matched or linked, so it counts as no id.
fn spotify_id(v: &Value, key: &str) -> Option<String> {
    text(v, key).filter(|id| crate::api::check_id("id", id).is_ok())
}

/// A number that fits `u32`; a negative, fractional or huge one is unknown.
fn count(v: &Value, key: &str) -> Option<u32> {
    v.get(key)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

/// A release date of the forms Spotify uses (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) with a year in
/// [`YEARS`], and that year.
fn release(album: &Value) -> Option<(String, u16)> {
    let date = text(album, "release_date")?;
    let mut parts = date.split('-');
    let year = parts.next().filter(|y| y.len() == 4)?.parse::<u16>().ok()?;
    let rest_ok = parts.all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()));
    (rest_ok && date.len() <= 10 && YEARS.contains(&year)).then_some((date, year))
}

/// A `TrackObject`; `None` when it has no id or name, or is a local file.
pub(crate) fn track(v: &Value) -> Option<SpotifyTrack> {
    track_on(v, v.get("album").unwrap_or(&Value::Null))
}

/// A track whose album fields (name, id, release date) come from `album`: its own `album`
/// for a `TrackObject`, the album it was listed in for a `SimplifiedTrackObject` (which has
/// none). `None` as for [`track`].
pub(crate) fn track_on(v: &Value, album: &Value) -> Option<SpotifyTrack> {
    let id = spotify_id(v, "id")?;
    let name = text(v, "name")?;
    if v.get("is_local").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let artists: Vec<&Value> = v
        .get("artists")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|a| text(a, "name").is_some()).collect())
        .unwrap_or_default();
    let artist_names: Vec<String> = artists.iter().filter_map(|a| text(a, "name")).collect();
    // Ids parallel to the names, or none at all: a gap would misalign them.
    let artist_ids: Vec<String> = artists.iter().filter_map(|a| spotify_id(a, "id")).collect();
    let artist_ids = if artist_ids.len() == artist_names.len() {
        artist_ids
    } else {
        Vec::new()
    };
    let (release_date, year) = release(album).unzip();
    let given = v.get("external_urls").and_then(|u| text(u, "spotify"));
    let url = crate::convert::link(given.as_deref(), "track", &id);
    Some(SpotifyTrack {
        name,
        artists: artist_names,
        artist_ids,
        album: text(album, "name").unwrap_or_default(),
        album_id: spotify_id(album, "id"),
        release_date,
        year,
        duration_ms: count(v, "duration_ms").filter(|d| (1..=MAX_DURATION_MS).contains(d)),
        // A 0 is what Spotify sends apps it no longer gives popularity to: unknown.
        popularity: v
            .get("popularity")
            .and_then(Value::as_u64)
            .and_then(|p| u8::try_from(p.min(100)).ok())
            .filter(|p| *p > 0),
        explicit: v.get("explicit").and_then(Value::as_bool),
        // An ISRC is 12 letters and digits (some answers put hyphens in).
        isrc: v
            .get("external_ids")
            .and_then(|e| text(e, "isrc"))
            .map(|i| i.replace('-', "").to_ascii_uppercase())
            .filter(|i| i.len() == 12 && i.chars().all(|c| c.is_ascii_alphanumeric())),
        url,
        id,
    })
}

/// An `ArtistObject`; `None` without an id or name.
pub(crate) fn artist(v: &Value) -> Option<SpotifyArtist> {
    Some(SpotifyArtist {
        id: spotify_id(v, "id")?,
        name: text(v, "name")?,
        genres: v
            .get("genres")
            .and_then(Value::as_array)
            .map(|g| {
                g.iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The tracks of a search answer (`tracks.items`), skipping items that are not tracks. An
/// answer without `tracks` (the contract makes each kind optional) found none.
pub(crate) fn search_tracks(v: &Value) -> Vec<SpotifyTrack> {
    v.get("tracks")
        .and_then(|t| t.get("items"))
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(track).collect())
        .unwrap_or_default()
}

/// A `SavedTrackObject`'s track.
pub(crate) fn saved_track(v: &Value) -> Option<SpotifyTrack> {
    track(v.get("track")?)
}

/// A `PrivateUserObject`; `None` without an id.
pub(crate) fn user(v: &Value) -> Option<SpotifyUser> {
    Some(SpotifyUser {
        id: text(v, "id")?,
        display_name: text(v, "display_name"),
    })
}

/// A `SimplifiedPlaylistObject` or `PlaylistObject`; `None` without an id or name.
pub(crate) fn playlist(v: &Value) -> Option<SpotifyPlaylist> {
    let id = spotify_id(v, "id")?;
    let name = text(v, "name")?;
    Some(playlist_with(v, id, name))
}

/// A playlist Selecta just created, named `asked` when the answer does not say; `None`
/// without an id.
pub(crate) fn created_playlist(v: &Value, asked: &str) -> Option<SpotifyPlaylist> {
    let id = spotify_id(v, "id")?;
    let name = text(v, "name").unwrap_or_else(|| asked.to_string());
    Some(playlist_with(v, id, name))
}

fn playlist_with(v: &Value, id: String, name: String) -> SpotifyPlaylist {
    let owner = v.get("owner").unwrap_or(&Value::Null);
    // `items` is the newer name of `tracks` (a link and a total).
    let total = ["items", "tracks"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|t| count(t, "total")))
        .unwrap_or(0);
    let given = v.get("external_urls").and_then(|u| text(u, "spotify"));
    SpotifyPlaylist {
        owner: text(owner, "display_name")
            .or_else(|| text(owner, "id"))
            .unwrap_or_default(),
        total,
        public: v.get("public").and_then(Value::as_bool),
        url: crate::convert::link(given.as_deref(), "playlist", &id),
        name,
        id,
    }
}

/// A page of `request` read item by item with `item`: what it cannot read is left out and
/// counted in `skipped`. `None` without an `items` array.
pub(crate) fn spotify_page<T>(
    v: &Value,
    request: PageRequest,
    item: impl Fn(&Value) -> Option<T>,
) -> Option<SpotifyPage<T>> {
    let page = page(v)?;
    let items: Vec<T> = page.items.iter().filter_map(item).collect();
    Some(SpotifyPage {
        skipped: u32::try_from(page.items.len() - items.len()).unwrap_or(u32::MAX),
        items,
        offset: request.offset,
        limit: request.limit,
        total: page.total,
        has_more: page.more,
    })
}

/// One page of a `PagingObject`, read tolerantly.
pub(crate) struct Page<'a> {
    /// The items as sent (`null`s included: the caller counts them).
    pub items: &'a [Value],
    /// Spotify's `total`, when it is a number.
    pub total: Option<u32>,
    /// Whether a further page exists: `next` is a link, or (without a `next` field at all)
    /// `total` says more items follow.
    pub more: bool,
}

/// A `PagingObject`; `None` without an `items` array.
pub(crate) fn page(v: &Value) -> Option<Page<'_>> {
    let items = v.get("items")?.as_array()?;
    let total = v
        .get("total")
        .and_then(Value::as_u64)
        .and_then(|t| u32::try_from(t).ok());
    let offset = v.get("offset").and_then(Value::as_u64).unwrap_or(0);
    let more = match v.get("next") {
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => false,
        None => total.is_some_and(|t| offset + (items.len() as u64) < u64::from(t)),
    };
    Some(Page { items, total, more })
}

/// A `PlaylistTrackObject`'s track: `item` (or the deprecated `track` of older answers) when
/// it is a track; `None` for an episode, a local file, a removed (`null`) track, or a `type`
/// Spotify adds later.
pub(crate) fn playlist_item(v: &Value) -> Option<SpotifyTrack> {
    if v.get("is_local").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let item = match v.get("item") {
        Some(i) if !i.is_null() => i,
        _ => v.get("track").filter(|t| !t.is_null())?,
    };
    match item.get("type").and_then(Value::as_str) {
        Some("track") | None => track(item),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_full_track_keeps_ids_isrc_and_explicit() {
        let t = track(&json!({
            "id": "0VjIjW4GlUZAMYd2vXMi3b", "name": "Blinding Lights",
            "artists": [{"id": "1Xyo4u8uXC1ZmMpatF05PJ", "name": "The Weeknd"}],
            "album": {"id": "4yP0hdKOZPNshxUOjY0cZj", "name": "After Hours",
                      "release_date": "2020-03-20", "album_type": "a-new-kind"},
            "duration_ms": 200040, "explicit": false, "popularity": 0,
            "external_ids": {"isrc": "usug11904206"}, "type": "track"
        }))
        .unwrap();
        assert_eq!(t.artist_ids, ["1Xyo4u8uXC1ZmMpatF05PJ"]);
        assert_eq!(t.album_id.as_deref(), Some("4yP0hdKOZPNshxUOjY0cZj"));
        assert_eq!(t.year, Some(2020));
        assert_eq!(t.isrc.as_deref(), Some("USUG11904206"));
        assert_eq!(t.explicit, Some(false));
        assert_eq!(t.popularity, None);
        assert_eq!(
            t.url,
            "https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b"
        );
    }

    #[test]
    fn odd_optional_fields_are_unknown_not_fatal() {
        let t = track(&json!({
            "id": "x1", "name": "Song", "album": null, "duration_ms": "long",
            "explicit": null, "external_ids": [], "popularity": -3,
            "artists": [{"name": "A", "id": "a1"}, {"name": "B", "id": null}, {"id": "c"}]
        }))
        .unwrap();
        assert_eq!(t.artists, ["A", "B"]);
        assert!(t.artist_ids.is_empty(), "misaligned ids are dropped");
        assert_eq!(t.album, "");
        assert_eq!(
            (t.duration_ms, t.explicit, t.isrc, t.popularity),
            (None, None, None, None)
        );
        assert!(track(&json!({"id": "x", "name": "", "artists": []})).is_none());
        assert!(track(&json!({"id": "x", "name": "L", "is_local": true})).is_none());
    }

    #[test]
    fn artists_and_search_pages() {
        let a = artist(&json!({"id": "q", "name": "Queen", "genres": ["rock", 3]})).unwrap();
        assert_eq!(a.genres, ["rock"]);
        assert!(artist(&json!({"name": "Nameless"})).is_none());
        let found = search_tracks(&json!({"tracks": {"items": [
            {"id": "t1", "name": "One"}, null, {"id": "t2"}
        ]}}));
        assert_eq!(found.len(), 1);
        assert!(search_tracks(&json!({"albums": {}})).is_empty());
    }

    #[test]
    fn numbers_and_dates_out_of_range_are_unknown() {
        let t = track(&json!({
            "id": "4uLU6hMCjMI75M1A2tKUQC", "name": "Song", "popularity": 250,
            "duration_ms": 90_000_000_000u64, "external_ids": {"isrc": "<b>"},
            "album": {"id": "../x", "name": "Album", "release_date": "0000"}
        }))
        .unwrap();
        assert_eq!(t.popularity, Some(100), "clamped");
        assert_eq!((t.duration_ms, t.isrc, t.album_id), (None, None, None));
        assert_eq!((t.release_date, t.year), (None, None));
        for (date, year) in [
            ("1987-11", Some(1987)),
            ("99999-01-01", None),
            ("1987-1", None),
        ] {
            let t = track(&json!({"id": "a", "name": "b", "album": {"release_date": date}}));
            assert_eq!(t.unwrap().year, year, "{date}");
        }
        // An id that is not a Spotify id cannot be saved or linked: the track is unusable.
        assert!(track(&json!({"id": "with space", "name": "Song"})).is_none());
        assert!(track(&json!({"id": "../../me", "name": "Song"})).is_none());
    }

    #[test]
    fn pages_leave_out_and_count_what_cannot_be_used() {
        let answer = json!({
            "items": [
                {"added_at": "2026-01-01T00:00:00Z", "track": {"id": "t1", "name": "One",
                  "restrictions": {"reason": "a-reason-spotify-adds-later"}}},
                {"added_at": "2026-01-01T00:00:00Z", "track": null},
                {"track": {"id": null, "name": "Local", "is_local": true}},
                7,
                {"track": {"id": "t2", "name": "Two", "type": "a-new-type"}}
            ],
            "total": -1, "offset": "zero", "next": "https://api.spotify.com/v1/me/tracks?offset=5"
        });
        let request = PageRequest {
            offset: 20,
            limit: 5,
        };
        let p = spotify_page(&answer, request, saved_track).unwrap();
        let ids: Vec<&str> = p.items.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t1", "t2"]);
        assert_eq!(p.skipped, 3);
        assert_eq!(
            (p.offset, p.limit, p.total, p.has_more),
            (20, 5, None, true)
        );
        assert!(spotify_page(&json!({"items": null}), request, saved_track).is_none());
    }

    #[test]
    fn playlists_and_users_need_an_id() {
        let p = playlist(&json!({
            "id": "37i9dQZF1DXcBWIGoYBM5M", "name": "Hits", "public": null,
            "owner": {"id": "spotify", "display_name": null},
            "items": {"total": 50}, "external_urls": {"spotify": "javascript:x"}
        }))
        .unwrap();
        assert_eq!((p.owner.as_str(), p.total, p.public), ("spotify", 50, None));
        assert_eq!(
            p.url,
            "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"
        );
        // The older `tracks` total; a negative total is unknown.
        let p = playlist(&json!({"id": "p", "name": "Old", "tracks": {"total": 3}})).unwrap();
        assert_eq!((p.total, p.owner.as_str()), (3, ""));
        let p = playlist(&json!({"id": "p", "name": "N", "items": {"total": -3}})).unwrap();
        assert_eq!(p.total, 0);
        assert!(playlist(&json!({"name": "No id"})).is_none());
        assert!(playlist(&json!({"id": "p", "name": " "})).is_none());
        let made = created_playlist(&json!({"id": "p1", "name": null}), "Road trip").unwrap();
        assert_eq!(made.name, "Road trip");
        assert!(created_playlist(&json!({"name": "Road trip"}), "Road trip").is_none());
        let u = user(&json!({"id": "smedjan", "display_name": "", "product": "a-new-tier"}));
        assert_eq!(u.unwrap().display_name, None);
        assert!(user(&json!({"display_name": "Nobody"})).is_none());
    }
}
