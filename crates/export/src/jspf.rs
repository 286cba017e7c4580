//! JSPF: XSPF written as JSON (<https://www.xspf.org/jspf>).

use selecta_types::Playlist;
use serde_json::{json, Map, Value};

use crate::{ExportError, CREATOR};

/// The playlist as JSPF: `{"playlist": {"title", "creator", "track": [...]}}`, each track
/// with `location` and `identifier` arrays and the optional fields it has.
pub fn jspf(playlist: &Playlist) -> Result<String, ExportError> {
    let tracks: Vec<Value> = playlist
        .entries
        .iter()
        .map(|e| {
            let t = &e.track;
            let mut o = Map::new();
            o.insert("location".into(), json!([t.spotify_url()]));
            o.insert("identifier".into(), json!([t.spotify_uri()]));
            o.insert("title".into(), json!(t.name));
            if !t.artists.is_empty() {
                o.insert("creator".into(), json!(t.artists.join(", ")));
            }
            if !e.reason.text.is_empty() {
                o.insert("annotation".into(), json!(e.reason.text));
            }
            if !t.album.is_empty() {
                o.insert("album".into(), json!(t.album));
            }
            if let Some(ms) = t.duration_ms {
                o.insert("duration".into(), json!(ms));
            }
            Value::Object(o)
        })
        .collect();
    let mut head = Map::new();
    if !playlist.name.is_empty() {
        head.insert("title".into(), json!(playlist.name));
    }
    head.insert("creator".into(), json!(CREATOR));
    head.insert("track".into(), Value::Array(tracks));
    let mut text = serde_json::to_string_pretty(&json!({ "playlist": head }))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sample;

    #[test]
    fn writes_jspf_with_optional_fields_only_when_known() {
        let v: Value = serde_json::from_str(&jspf(&sample()).unwrap()).unwrap();
        let p = &v["playlist"];
        assert_eq!(p["title"], "Mix: Queen / ABBA");
        assert_eq!(p["creator"], "Selecta");
        let tracks = p["track"].as_array().unwrap();
        assert_eq!(tracks.len(), 2);
        assert_eq!(
            tracks[0],
            json!({
                "location": ["https://open.spotify.com/track/4u7EnebtmKWzUH433cf5Qv"],
                "identifier": ["spotify:track:4u7EnebtmKWzUH433cf5Qv"],
                "title": "Bohemian Rhapsody",
                "creator": "Queen",
                "annotation": "Close to Queen - Seed: similar energy",
                "album": "Album & Co",
                "duration": 354947
            })
        );
        assert!(
            tracks[1].get("duration").is_none(),
            "unknown length left out"
        );
        assert_eq!(tracks[1]["title"], "Dancing \"Queen\"\nLive <1977>");
    }
}
