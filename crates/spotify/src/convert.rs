//! rspotify's models to Selecta's small shared types.

// rspotify marks `popularity` deprecated (Spotify stopped sending it to new apps); Selecta
// keeps it when it is there.
#![allow(deprecated)]

use rspotify::model::{
    FullPlaylist, FullTrack, Page, PlayableItem, PlaylistItem, PublicUser, SimplifiedPlaylist,
};
use rspotify::prelude::Id;
use selecta_types::{SpotifyPage, SpotifyPlaylist, SpotifyTrack};
use serde::de::DeserializeOwned;

/// A track; `None` for local files (no Spotify id, nothing to match or save).
pub(crate) fn track(t: &FullTrack) -> Option<SpotifyTrack> {
    let id = t.id.as_ref()?.id().to_string();
    if t.is_local {
        return None;
    }
    let release_date = t.album.release_date.clone().filter(|d| !d.is_empty());
    let year = release_date
        .as_deref()
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse::<u16>().ok());
    let url = link(
        t.external_urls.get("spotify").map(String::as_str),
        "track",
        &id,
    );
    let artist_ids: Vec<String> = t
        .artists
        .iter()
        .filter_map(|a| a.id.as_ref().map(|id| id.id().to_string()))
        .collect();
    Some(SpotifyTrack {
        name: t.name.clone(),
        // Parallel to the names or empty: an artist without an id would misalign them.
        artist_ids: if artist_ids.len() == t.artists.len() {
            artist_ids
        } else {
            Vec::new()
        },
        album_id: t.album.id.as_ref().map(|id| id.id().to_string()),
        explicit: Some(t.explicit),
        isrc: t.external_ids.get("isrc").map(|i| i.to_ascii_uppercase()),
        artists: t.artists.iter().map(|a| a.name.clone()).collect(),
        album: t.album.name.clone(),
        release_date,
        year,
        duration_ms: u32::try_from(t.duration.num_milliseconds()).ok(),
        // rspotify reads a missing popularity as 0: treat 0 as unknown.
        popularity: u8::try_from(t.popularity.min(100)).ok().filter(|p| *p > 0),
        url,
        id,
    })
}

/// A playlist item that is a Spotify track.
pub(crate) fn playlist_item(item: &PlaylistItem) -> Option<SpotifyTrack> {
    if item.is_local {
        return None;
    }
    match item.item.as_ref()? {
        PlayableItem::Track(t) => track(t),
        PlayableItem::Episode(_) | PlayableItem::Unknown(_) => None,
    }
}

/// A page of anything, mapped item by item (items that map to `None` are left out).
pub(crate) fn page<T: DeserializeOwned, U>(
    p: &Page<T>,
    requested_limit: u32,
    f: impl Fn(&T) -> Option<U>,
) -> SpotifyPage<U> {
    SpotifyPage {
        items: p.items.iter().filter_map(f).collect(),
        offset: p.offset,
        limit: requested_limit,
        total: Some(p.total),
        has_more: p.next.is_some(),
    }
}

fn owner_name(owner: &PublicUser) -> String {
    owner
        .display_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| owner.id.id().to_string())
}

fn playlist_url(urls: &std::collections::HashMap<String, String>, id: &str) -> String {
    link(urls.get("spotify").map(String::as_str), "playlist", id)
}

/// The page of a Spotify item as the app links it: the answer's `external_urls.spotify` when
/// it is an https URL, else the canonical open.spotify.com page of `kind` and `id`. Pages
/// put the link in an `href`, where a `javascript:` or `data:` URL from an answer would run.
pub(crate) fn link(given: Option<&str>, kind: &str, id: &str) -> String {
    match given.map(str::trim) {
        Some(url) if url.starts_with("https://") && !url.contains(char::is_whitespace) => {
            url.to_string()
        }
        _ => format!("https://open.spotify.com/{kind}/{id}"),
    }
}

pub(crate) fn simplified_playlist(p: &SimplifiedPlaylist) -> Option<SpotifyPlaylist> {
    let id = p.id.id().to_string();
    Some(SpotifyPlaylist {
        name: p.name.clone(),
        owner: owner_name(&p.owner),
        total: p.items.total,
        public: p.public,
        url: playlist_url(&p.external_urls, &id),
        id,
    })
}

pub(crate) fn full_playlist(p: &FullPlaylist) -> SpotifyPlaylist {
    let id = p.id.id().to_string();
    SpotifyPlaylist {
        name: p.name.clone(),
        owner: owner_name(&p.owner),
        total: p.items.total,
        public: p.public,
        url: playlist_url(&p.external_urls, &id),
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full_track(id: serde_json::Value, popularity: Option<u32>, is_local: bool) -> FullTrack {
        let mut t = json!({
            "album": {
                "album_type": "album", "artists": [], "external_urls": {},
                "href": null, "id": "4aawyAB9vmqN3uQ7FjRGTy", "images": [],
                "name": "Whenever You Need Somebody", "release_date": "1987-11-12",
                "release_date_precision": "day"
            },
            "artists": [
                {"external_urls": {}, "href": null, "id": "0gxyHStUsqpMadRV0Di1Qt", "name": "Rick Astley"},
                {"external_urls": {}, "href": null, "id": null, "name": "Guest"}
            ],
            "disc_number": 1, "duration_ms": 213573, "explicit": false,
            "external_ids": {}, "external_urls": {"spotify": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"},
            "href": null, "id": id, "is_local": is_local, "name": "Never Gonna Give You Up",
            "preview_url": null, "track_number": 1, "type": "track"
        });
        if let Some(p) = popularity {
            t["popularity"] = json!(p);
        }
        serde_json::from_value(t).unwrap()
    }

    #[test]
    fn links_are_https_or_the_canonical_page() {
        assert_eq!(
            link(
                Some("https://open.spotify.com/playlist/p1"),
                "playlist",
                "p1"
            ),
            "https://open.spotify.com/playlist/p1"
        );
        for bad in [
            Some("javascript:alert(1)"),
            Some("http://open.spotify.com/playlist/p1"),
            Some("data:text/html,x"),
            Some("https://a b"),
            None,
        ] {
            assert_eq!(
                link(bad, "playlist", "p1"),
                "https://open.spotify.com/playlist/p1",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_track_keeps_what_matching_needs() {
        let t = track(&full_track(
            json!("4uLU6hMCjMI75M1A2tKUQC"),
            Some(77),
            false,
        ))
        .unwrap();
        assert_eq!(t.id, "4uLU6hMCjMI75M1A2tKUQC");
        assert_eq!(t.artists, ["Rick Astley", "Guest"]);
        assert_eq!(t.album, "Whenever You Need Somebody");
        assert_eq!(t.year, Some(1987));
        assert_eq!(t.release_date.as_deref(), Some("1987-11-12"));
        assert_eq!(t.duration_ms, Some(213573));
        assert_eq!(t.popularity, Some(77));
        assert_eq!(
            t.url,
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
        );
    }

    #[test]
    fn missing_popularity_is_unknown_and_local_files_are_left_out() {
        let t = track(&full_track(json!("4uLU6hMCjMI75M1A2tKUQC"), None, false)).unwrap();
        assert_eq!(t.popularity, None);
        assert!(track(&full_track(json!(null), None, true)).is_none());
    }
}
