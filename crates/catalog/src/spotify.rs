//! Spotify references people paste: `spotify:track:ID` URIs, `open.spotify.com` links (with
//! `?si=` tracking and `/intl-xx/` segments) and bare track ids.

/// What a pasted text refers to, as far as Spotify is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpotifyRef {
    /// A track id (from a URI, a link, or given bare).
    Track(String),
    /// A link or URI to something that is not a track (`album`, `playlist`, `artist`...).
    NotATrack {
        /// The kind named in the link.
        kind: String,
        /// The id after it, when it has the shape of a Spotify id.
        id: Option<String>,
    },
    /// A Spotify link or URI that cannot be used, and why.
    Invalid {
        /// Why, in words.
        reason: String,
    },
    /// Not a Spotify reference: free text.
    NotSpotify,
}

/// True for the shape of a Spotify id: 22 base62 characters, with a digit or both cases
/// (which rules out a 22-letter word typed as a title).
pub fn looks_like_spotify_id(s: &str) -> bool {
    s.len() == 22
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && (s.bytes().any(|b| b.is_ascii_digit())
            || (s.bytes().any(|b| b.is_ascii_uppercase())
                && s.bytes().any(|b| b.is_ascii_lowercase())))
}

fn track_or_invalid(id: &str) -> SpotifyRef {
    if id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        SpotifyRef::Track(id.to_string())
    } else if id.is_empty() {
        SpotifyRef::Invalid {
            reason: "the track id is missing".into(),
        }
    } else {
        SpotifyRef::Invalid {
            reason: format!("`{id}` is not a Spotify track id (22 letters and digits)"),
        }
    }
}

/// Classifies a pasted text.
pub fn parse_spotify_ref(text: &str) -> SpotifyRef {
    let text = text.trim();
    if let Some(rest) = strip_prefix_ci(text, "spotify:") {
        let mut parts = rest.split(':');
        let kind = parts.next().unwrap_or("").to_ascii_lowercase();
        let id = parts.next().unwrap_or("");
        return match kind.as_str() {
            "track" => track_or_invalid(id),
            "" => SpotifyRef::Invalid {
                reason: "the URI names nothing after `spotify:`".into(),
            },
            _ => SpotifyRef::NotATrack {
                kind,
                id: spotify_id(Some(id)),
            },
        };
    }
    let no_scheme = strip_prefix_ci(text, "https://")
        .or_else(|| strip_prefix_ci(text, "http://"))
        .unwrap_or(text);
    let (host, path) = no_scheme.split_once('/').unwrap_or((no_scheme, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    match host {
        "open.spotify.com" | "play.spotify.com" => {}
        "spotify.link" | "spotify.app.link" => {
            return SpotifyRef::Invalid {
                reason: "short links can't be followed offline; open it and copy the full open.spotify.com track link".into(),
            }
        }
        _ => {
            return if looks_like_spotify_id(text) {
                SpotifyRef::Track(text.to_string())
            } else {
                SpotifyRef::NotSpotify
            }
        }
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .filter(|s| !s.starts_with("intl-") && *s != "embed");
    match segments.next().map(str::to_ascii_lowercase) {
        Some(kind) if kind == "track" => track_or_invalid(segments.next().unwrap_or("")),
        Some(kind) => SpotifyRef::NotATrack {
            kind,
            id: spotify_id(segments.next()),
        },
        None => SpotifyRef::Invalid {
            reason: "the link names no track".into(),
        },
    }
}

fn spotify_id(segment: Option<&str>) -> Option<String> {
    segment
        .filter(|s| s.len() == 22 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_string)
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0hVXuCcriWRGvwMV1r5Yn9";

    #[test]
    fn uris_links_and_bare_ids() {
        let track = SpotifyRef::Track(ID.into());
        assert_eq!(parse_spotify_ref(&format!("spotify:track:{ID}")), track);
        assert_eq!(parse_spotify_ref(&format!("Spotify:Track:{ID}")), track);
        assert_eq!(
            parse_spotify_ref(&format!("https://open.spotify.com/track/{ID}?si=abc123")),
            track
        );
        assert_eq!(
            parse_spotify_ref(&format!(
                " https://open.spotify.com/intl-de/track/{ID}?si=x#t "
            )),
            track
        );
        assert_eq!(
            parse_spotify_ref(&format!("open.spotify.com/embed/track/{ID}")),
            track
        );
        assert_eq!(parse_spotify_ref(ID), track);
    }

    #[test]
    fn other_things_are_named() {
        assert_eq!(
            parse_spotify_ref("https://open.spotify.com/album/3oIFxDIo2fwuk4lwCmFZCx"),
            SpotifyRef::NotATrack {
                kind: "album".into(),
                id: Some("3oIFxDIo2fwuk4lwCmFZCx".into())
            }
        );
        assert_eq!(
            parse_spotify_ref("spotify:playlist:37i9dQZF1DX4OjfOteYnH8"),
            SpotifyRef::NotATrack {
                kind: "playlist".into(),
                id: Some("37i9dQZF1DX4OjfOteYnH8".into())
            }
        );
        assert_eq!(
            parse_spotify_ref("https://open.spotify.com/artist/1dfeR4HaWDbWqFHLkxsg1d?si=x"),
            SpotifyRef::NotATrack {
                kind: "artist".into(),
                id: Some("1dfeR4HaWDbWqFHLkxsg1d".into())
            }
        );
        assert!(matches!(
            parse_spotify_ref("https://open.spotify.com/track/abc"),
            SpotifyRef::Invalid { .. }
        ));
        assert!(matches!(
            parse_spotify_ref("https://spotify.link/xyz"),
            SpotifyRef::Invalid { .. }
        ));
        assert_eq!(
            parse_spotify_ref("Ed Sheeran - I Don't Care"),
            SpotifyRef::NotSpotify
        );
        assert_eq!(
            parse_spotify_ref("https://example.com/track/x"),
            SpotifyRef::NotSpotify
        );
        // 22 lowercase letters: a word, not an id.
        assert_eq!(
            parse_spotify_ref("supercalifragilisticex"),
            SpotifyRef::NotSpotify
        );
    }
}
