//! Spotify's JSON objects (as `spotify-open-api.yml` describes them) for the stand-in's data.

use serde_json::{json, Value};

use crate::world::{StandinAlbum, StandinArtist, StandinTrack};

/// Builds objects with links under one base URL (`http://127.0.0.1:PORT`).
#[derive(Debug, Clone)]
pub struct Objects {
    /// The stand-in's own address, for `href`s.
    pub base: String,
}

/// A fixed image, so that `images` lists are not empty (Spotify's URLs point to its CDN).
fn image(kind: &str, id: &str) -> Value {
    json!({"url": format!("https://i.scdn.co/image/standin-{kind}-{id}"), "height": 300, "width": 300})
}

/// A 12-digit UPC derived from an album id.
fn upc(id: &str) -> String {
    let n = id
        .bytes()
        .fold(0u64, |acc, b| (acc * 31 + u64::from(b)) % 1_000_000_000_000);
    format!("{n:012}")
}

fn precision(date: &str) -> &'static str {
    match date.len() {
        4 => "year",
        7 => "month",
        _ => "day",
    }
}

impl Objects {
    fn api(&self, path: &str) -> String {
        format!("{}/v1/{path}", self.base)
    }

    fn artist(&self, (id, name): &(String, String)) -> Value {
        json!({
            "external_urls": {"spotify": format!("https://open.spotify.com/artist/{id}")},
            "href": self.api(&format!("artists/{id}")),
            "id": id,
            "name": name,
            "type": "artist",
            "uri": format!("spotify:artist:{id}"),
        })
    }

    /// A `TrackObject`, number `track_number` of the `album_tracks` on its album.
    pub fn track(&self, t: &StandinTrack, track_number: usize, album_tracks: usize) -> Value {
        let artists: Vec<Value> = t.artists.iter().map(|a| self.artist(a)).collect();
        json!({
            "album": {
                "album_type": t.album_type,
                "total_tracks": album_tracks,
                "available_markets": [],
                "external_urls": {"spotify": format!("https://open.spotify.com/album/{}", t.album_id)},
                "href": self.api(&format!("albums/{}", t.album_id)),
                "id": t.album_id,
                "images": [image("album", &t.album_id)],
                "name": t.album,
                "release_date": t.release_date,
                "release_date_precision": precision(&t.release_date),
                "type": "album",
                "uri": format!("spotify:album:{}", t.album_id),
                "artists": artists[..1],
            },
            "artists": artists,
            "available_markets": [],
            "disc_number": 1,
            "duration_ms": t.duration_ms,
            "explicit": t.explicit,
            "external_ids": match &t.isrc {
                Some(isrc) => json!({"isrc": isrc}),
                None => json!({}),
            },
            "external_urls": {"spotify": format!("https://open.spotify.com/track/{}", t.id)},
            "href": self.api(&format!("tracks/{}", t.id)),
            "id": t.id,
            "is_playable": true,
            "name": t.name,
            "popularity": t.popularity,
            "preview_url": null,
            "track_number": track_number,
            "type": "track",
            "uri": format!("spotify:track:{}", t.id),
            "is_local": false,
        })
    }

    /// A `SimplifiedTrackObject` (an album's track list): no album, ISRC or popularity.
    pub fn simplified_track(&self, t: &StandinTrack, track_number: usize) -> Value {
        let artists: Vec<Value> = t.artists.iter().map(|a| self.artist(a)).collect();
        json!({
            "artists": artists,
            "available_markets": [],
            "disc_number": 1,
            "duration_ms": t.duration_ms,
            "explicit": t.explicit,
            "external_urls": {"spotify": format!("https://open.spotify.com/track/{}", t.id)},
            "href": self.api(&format!("tracks/{}", t.id)),
            "id": t.id,
            "is_playable": true,
            "name": t.name,
            "preview_url": null,
            "track_number": track_number,
            "type": "track",
            "uri": format!("spotify:track:{}", t.id),
            "is_local": false,
        })
    }

    /// A page of an album's tracks (`PagingSimplifiedTrackObject`).
    pub fn album_tracks(
        &self,
        a: &StandinAlbum,
        tracks: &[StandinTrack],
        offset: usize,
        limit: usize,
    ) -> Value {
        let items = a
            .tracks
            .iter()
            .enumerate()
            .skip(offset)
            .take(limit)
            .map(|(k, &i)| self.simplified_track(&tracks[i], k + 1))
            .collect();
        self.paging(
            &format!("albums/{}/tracks", a.id),
            "",
            items,
            offset,
            limit,
            a.tracks.len(),
        )
    }

    /// An `AlbumObject`, with the first page (up to 50) of its tracks as Spotify sends it.
    pub fn album(&self, a: &StandinAlbum, tracks: &[StandinTrack]) -> Value {
        let artists: Vec<Value> = a.artists.iter().map(|x| self.artist(x)).collect();
        let popularity = a
            .tracks
            .iter()
            .map(|&i| tracks[i].popularity)
            .max()
            .unwrap_or(0);
        let year = a.release_date.get(..4).unwrap_or("2000");
        let label = a
            .artists
            .first()
            .map_or("Stand-in Records".to_string(), |x| {
                format!("{} Records", x.1)
            });
        json!({
            "album_type": a.album_type,
            "total_tracks": a.tracks.len(),
            "available_markets": [],
            "external_urls": {"spotify": format!("https://open.spotify.com/album/{}", a.id)},
            "href": self.api(&format!("albums/{}", a.id)),
            "id": a.id,
            "images": [image("album", &a.id)],
            "name": a.name,
            "release_date": a.release_date,
            "release_date_precision": precision(&a.release_date),
            "type": "album",
            "uri": format!("spotify:album:{}", a.id),
            "artists": artists,
            "tracks": self.album_tracks(a, tracks, 0, 50),
            "copyrights": [
                {"text": format!("{year} {label}"), "type": "C"},
                {"text": format!("{year} {label}"), "type": "P"},
            ],
            "external_ids": {"upc": upc(&a.id)},
            // Spotify marks these deprecated and still sends them (genres always empty).
            "genres": [],
            "label": label,
            "popularity": popularity,
        })
    }

    /// An `ArtistObject`.
    pub fn full_artist(&self, a: &StandinArtist) -> Value {
        let mut v = self.artist(&(a.id.clone(), a.name.clone()));
        if let Some(m) = v.as_object_mut() {
            // Spotify still sends these, though it marks them deprecated.
            m.insert(
                "followers".into(),
                json!({"href": null, "total": a.popularity * 1000}),
            );
            m.insert("genres".into(), json!(a.genres));
            m.insert("images".into(), json!([image("artist", &a.id)]));
            m.insert("popularity".into(), json!(a.popularity));
        }
        v
    }

    /// A `PlaylistOwnerObject` / `PlaylistUserObject`.
    pub fn user_ref(&self, id: &str, display_name: &str) -> Value {
        json!({
            "external_urls": {"spotify": format!("https://open.spotify.com/user/{id}")},
            "href": self.api(&format!("users/{id}")),
            "id": id,
            "type": "user",
            "uri": format!("spotify:user:{id}"),
            "display_name": display_name,
        })
    }

    /// A `PrivateUserObject`.
    pub fn private_user(&self, id: &str, display_name: &str) -> Value {
        json!({
            "account_id": crate::world::base62_id(&format!("account:{id}"))[..10],
            "display_name": display_name,
            "external_urls": {"spotify": format!("https://open.spotify.com/user/{id}")},
            "href": self.api(&format!("users/{id}")),
            "id": id,
            "images": [],
            "type": "user",
            "uri": format!("spotify:user:{id}"),
        })
    }

    /// A `PagingObject` around `items` for `path` (e.g. `me/tracks`).
    pub fn paging(
        &self,
        path: &str,
        extra_query: &str,
        items: Vec<Value>,
        offset: usize,
        limit: usize,
        total: usize,
    ) -> Value {
        let link = |o: usize| {
            Value::String(format!(
                "{}?{extra_query}offset={o}&limit={limit}",
                self.api(path)
            ))
        };
        json!({
            "href": link(offset),
            "items": items,
            "limit": limit,
            "next": if offset + limit < total { link(offset + limit) } else { Value::Null },
            "offset": offset,
            "previous": if offset > 0 { link(offset.saturating_sub(limit)) } else { Value::Null },
            "total": total,
        })
    }

    /// The fields common to `PlaylistObject` and `SimplifiedPlaylistObject`.
    pub fn playlist_base(
        &self,
        p: &crate::state::Playlist,
        owner_name: &str,
    ) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("collaborative".into(), json!(false));
        m.insert("description".into(), json!(p.description));
        m.insert(
            "external_urls".into(),
            json!({"spotify": format!("https://open.spotify.com/playlist/{}", p.id)}),
        );
        m.insert(
            "href".into(),
            json!(self.api(&format!("playlists/{}", p.id))),
        );
        m.insert("id".into(), json!(p.id));
        m.insert("images".into(), json!([image("playlist", &p.id)]));
        m.insert("name".into(), json!(p.name));
        m.insert("owner".into(), self.user_ref(&p.owner, owner_name));
        m.insert("public".into(), json!(p.public));
        m.insert("snapshot_id".into(), json!(p.snapshot_id()));
        m.insert("type".into(), json!("playlist"));
        m.insert("uri".into(), json!(format!("spotify:playlist:{}", p.id)));
        m
    }

    /// A `SimplifiedPlaylistObject` (the list of `/me/playlists`).
    pub fn simplified_playlist(&self, p: &crate::state::Playlist, owner_name: &str) -> Value {
        let mut m = self.playlist_base(p, owner_name);
        let items = json!({"href": self.api(&format!("playlists/{}/items", p.id)), "total": p.tracks.len()});
        m.insert("items".into(), items.clone());
        // Still sent by Spotify beside `items` (deprecated); older clients read it.
        m.insert("tracks".into(), items);
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_follow_offsets() {
        let o = Objects {
            base: "http://h".into(),
        };
        let p = o.paging("me/tracks", "", vec![], 20, 20, 45);
        assert_eq!(p["next"], "http://h/v1/me/tracks?offset=40&limit=20");
        assert_eq!(p["previous"], "http://h/v1/me/tracks?offset=0&limit=20");
        let last = o.paging("me/tracks", "", vec![], 40, 20, 45);
        assert!(last["next"].is_null());
    }

    #[test]
    fn release_date_precision() {
        assert_eq!(precision("1999"), "year");
        assert_eq!(precision("1999-02"), "month");
        assert_eq!(precision("1999-02-03"), "day");
    }
}
