//! Tolerant readers of Spotify's track and artist objects for the lookups: only `id` and
//! `name` are required; a missing, null or oddly typed optional field, or an enum value
//! Spotify adds later, leaves that field unknown instead of failing the whole answer.

use selecta_types::{SpotifyArtist, SpotifyTrack};
use serde_json::Value;

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A `TrackObject`; `None` when it has no id or name, or is a local file.
pub(crate) fn track(v: &Value) -> Option<SpotifyTrack> {
    track_on(v, v.get("album").unwrap_or(&Value::Null))
}

/// A track whose album fields (name, id, release date) come from `album`: its own `album`
/// for a `TrackObject`, the album it was listed in for a `SimplifiedTrackObject` (which has
/// none). `None` as for [`track`].
pub(crate) fn track_on(v: &Value, album: &Value) -> Option<SpotifyTrack> {
    let id = text(v, "id")?;
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
    let artist_ids: Vec<String> = artists.iter().filter_map(|a| text(a, "id")).collect();
    let artist_ids = if artist_ids.len() == artist_names.len() {
        artist_ids
    } else {
        Vec::new()
    };
    let release_date = text(album, "release_date");
    let year = release_date
        .as_deref()
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse::<u16>().ok());
    let given = v.get("external_urls").and_then(|u| text(u, "spotify"));
    let url = crate::convert::link(given.as_deref(), "track", &id);
    Some(SpotifyTrack {
        name,
        artists: artist_names,
        artist_ids,
        album: text(album, "name").unwrap_or_default(),
        album_id: text(album, "id"),
        release_date,
        year,
        duration_ms: v
            .get("duration_ms")
            .and_then(Value::as_u64)
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| *d > 0),
        // A 0 is what Spotify sends apps it no longer gives popularity to: unknown.
        popularity: v
            .get("popularity")
            .and_then(Value::as_u64)
            .and_then(|p| u8::try_from(p.min(100)).ok())
            .filter(|p| *p > 0),
        explicit: v.get("explicit").and_then(Value::as_bool),
        isrc: v
            .get("external_ids")
            .and_then(|e| text(e, "isrc"))
            .map(|i| i.to_ascii_uppercase()),
        url,
        id,
    })
}

/// An `ArtistObject`; `None` without an id or name.
pub(crate) fn artist(v: &Value) -> Option<SpotifyArtist> {
    Some(SpotifyArtist {
        id: text(v, "id")?,
        name: text(v, "name")?,
        genres: v
            .get("genres")
            .and_then(Value::as_array)
            .map(|g| {
                g.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The tracks of a search answer (`tracks.items`), skipping items that are not tracks.
pub(crate) fn search_tracks(v: &Value) -> Option<Vec<SpotifyTrack>> {
    let items = v.get("tracks")?.get("items")?.as_array()?;
    Some(items.iter().filter_map(track).collect())
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
        ]}}))
        .unwrap();
        assert_eq!(found.len(), 1);
        assert!(search_tracks(&json!({"albums": {}})).is_none());
    }
}
