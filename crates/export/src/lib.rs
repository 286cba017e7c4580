//! Playlist exports: M3U8, XSPF, JSPF and CSV, as pure functions of a [`Playlist`].
//!
//! Web-free on purpose: the HTTP API (`POST /api/export`) and the web app's download buttons
//! render the same bytes from the same code.
//!
//! ```
//! use selecta_export::{export, Format};
//! use selecta_types::Playlist;
//!
//! let text = export(&Playlist::default(), Format::M3u8).unwrap();
//! assert!(text.starts_with("#EXTM3U\n"));
//! ```
//!
//! Every format points at the track on Spotify (`https://open.spotify.com/track/ID` as the
//! location, `spotify:track:ID` as the identifier where the format has one), since the catalog
//! holds no audio files.

mod csv_out;
mod jspf;
mod m3u;
mod xspf;

use std::fmt;
use std::str::FromStr;

use selecta_types::Playlist;

pub use csv_out::csv;
pub use jspf::jspf;
pub use m3u::m3u8;
pub use xspf::xspf;

/// The name written as the creator of XSPF and JSPF playlists.
pub const CREATOR: &str = "Selecta";

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Extended M3U in UTF-8: `#EXTINF` lines and Spotify links (players, VLC, Soundiiz...).
    M3u8,
    /// XML Shareable Playlist Format, <https://xspf.org/spec>.
    Xspf,
    /// JSPF, XSPF's JSON form (ListenBrainz imports it).
    Jspf,
    /// A spreadsheet: one row per track with its reason.
    Csv,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::M3u8, Format::Xspf, Format::Jspf, Format::Csv];

    /// The format's name as accepted by [`FromStr`] (`m3u8`, `xspf`, `jspf`, `csv`).
    pub fn name(self) -> &'static str {
        match self {
            Format::M3u8 => "m3u8",
            Format::Xspf => "xspf",
            Format::Jspf => "jspf",
            Format::Csv => "csv",
        }
    }

    /// The file extension (without the dot).
    pub fn extension(self) -> &'static str {
        self.name()
    }

    /// The media type to serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::M3u8 => "audio/x-mpegurl; charset=utf-8",
            Format::Xspf => "application/xspf+xml; charset=utf-8",
            Format::Jspf => "application/jspf+json; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format '{0}' (expected one of: m3u8, xspf, jspf, csv)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m3u8" | "m3u" => Ok(Format::M3u8),
            "xspf" => Ok(Format::Xspf),
            "jspf" => Ok(Format::Jspf),
            "csv" => Ok(Format::Csv),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// Why a playlist could not be exported (the writers only fail on I/O into memory, which
/// does not happen in practice; the error keeps the cause rather than panicking).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the XML failed.
    #[error("writing XSPF: {0}")]
    Xml(String),
    /// Writing the CSV failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// Writing the JSON failed.
    #[error("writing JSPF: {0}")]
    Json(#[from] serde_json::Error),
    /// A track cannot be written: its id is not a Spotify track id, so its link and
    /// identifier would carry whatever the id holds (a line break, another `#EXTINF`...).
    #[error("{field}: {message}")]
    InvalidTrack {
        /// The field, e.g. `entries[3].track.id`.
        field: String,
        /// What is wrong, quoting at most 40 characters of the value.
        message: String,
    },
}

/// Longest part of a bad value an error quotes.
const QUOTED_CHARS: usize = 40;

/// Checks that every track id is a Spotify track id (22 ASCII letters and digits), the one
/// value every format writes unescaped into a link or URI.
pub fn check(playlist: &Playlist) -> Result<(), ExportError> {
    for (i, e) in playlist.entries.iter().enumerate() {
        let id = &e.track.id;
        if !(id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())) {
            let mut quoted: String = one_line(id).chars().take(QUOTED_CHARS).collect();
            if id.chars().count() > QUOTED_CHARS {
                quoted.push('…');
            }
            return Err(ExportError::InvalidTrack {
                field: format!("entries[{i}].track.id"),
                message: format!(
                    "must be a Spotify track id (22 letters and digits), got '{quoted}'"
                ),
            });
        }
    }
    Ok(())
}

/// The playlist in `format`, as text; [`check`]ed first.
pub fn export(playlist: &Playlist, format: Format) -> Result<String, ExportError> {
    check(playlist)?;
    match format {
        Format::M3u8 => Ok(m3u8(playlist)),
        Format::Xspf => xspf(playlist),
        Format::Jspf => jspf(playlist),
        Format::Csv => csv(playlist),
    }
}

/// A safe file name for the export: the playlist's name reduced to letters, digits, `-` and
/// `_` (at most 80 characters; `playlist` when nothing is left), plus the extension.
pub fn file_name(playlist: &Playlist, format: Format) -> String {
    let mut stem = String::new();
    let mut gap = false;
    for c in playlist.name.chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            if gap && !stem.is_empty() {
                stem.push('_');
            }
            gap = false;
            stem.push(c);
        } else {
            gap = true;
        }
        if stem.chars().count() >= 80 {
            break;
        }
    }
    if stem.is_empty() {
        stem.push_str("playlist");
    }
    format!("{stem}.{}", format.extension())
}

/// A line of text with line breaks and other control characters turned into spaces, for
/// line-based formats (M3U) and XML (which cannot hold most control characters at all).
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use selecta_types::{PlaylistEntry, Reason, Track};

    /// Two tracks with hand-picked values; the second has no duration and odd characters.
    pub fn sample() -> Playlist {
        let track = |id: &str, name: &str, artists: &[&str], ms: Option<u32>| Track {
            id: id.into(),
            name: name.into(),
            artists: artists.iter().map(|&a| a.into()).collect(),
            album: "Album & Co".into(),
            duration_ms: ms,
            ..Track::default()
        };
        let entry = |t: Track, score: f32, why: &str| PlaylistEntry {
            track: t,
            score,
            reason: Reason {
                text: why.into(),
                ..Reason::default()
            },
        };
        Playlist {
            name: "Mix: Queen / ABBA".into(),
            seeds: vec![track("seed0000000000000000aa", "Seed", &["Queen"], None)],
            entries: vec![
                entry(
                    track(
                        "4u7EnebtmKWzUH433cf5Qv",
                        "Bohemian Rhapsody",
                        &["Queen"],
                        Some(354_947),
                    ),
                    0.9,
                    "Close to Queen - Seed: similar energy",
                ),
                entry(
                    track(
                        "0GjEhVFGZW8afUYGChu3Rr",
                        "Dancing \"Queen\"\nLive <1977>",
                        &["ABBA", "Björn"],
                        None,
                    ),
                    0.5,
                    "same genre, ok",
                ),
            ],
            ..Playlist::default()
        }
    }

    #[test]
    fn a_track_id_that_is_not_a_spotify_id_is_refused_by_every_format() {
        let mut p = sample();
        p.entries[1].track.id =
            "4u7EnebtmKWzUH433cf5Qv\n#EXTINF:1,injected\nfile:///etc/passwd".into();
        for f in Format::ALL {
            let err = export(&p, f).unwrap_err();
            assert!(matches!(err, ExportError::InvalidTrack { .. }), "{f}");
            assert_eq!(
                err.to_string(),
                "entries[1].track.id: must be a Spotify track id (22 letters and digits), \
                 got '4u7EnebtmKWzUH433cf5Qv #EXTINF:1,injecte…'"
            );
        }
        for bad in [
            "",
            "short",
            "4u7EnebtmKWzUH433cf5Q-",
            "4u7EnebtmKWzUH433cf5Qvé",
        ] {
            p.entries[1].track.id = bad.into();
            assert!(check(&p).is_err(), "{bad:?}");
        }
        assert!(check(&sample()).is_ok());
    }

    #[test]
    fn formats_parse_case_insensitively_and_name_the_bad_value() {
        assert_eq!("M3U8".parse::<Format>().unwrap(), Format::M3u8);
        assert_eq!("m3u".parse::<Format>().unwrap(), Format::M3u8);
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
        }
        let err = "pdf".parse::<Format>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown export format 'pdf' (expected one of: m3u8, xspf, jspf, csv)"
        );
    }

    #[test]
    fn file_names_are_safe() {
        let p = sample();
        assert_eq!(file_name(&p, Format::Csv), "Mix_Queen_ABBA.csv");
        let weird = Playlist {
            name: "../../etc/passwd".into(),
            ..Playlist::default()
        };
        assert_eq!(file_name(&weird, Format::Xspf), "etc_passwd.xspf");
        assert_eq!(
            file_name(&Playlist::default(), Format::M3u8),
            "playlist.m3u8"
        );
        let long = Playlist {
            name: "a".repeat(500),
            ..Playlist::default()
        };
        assert_eq!(file_name(&long, Format::Jspf).len(), 80 + ".jspf".len());
    }

    #[test]
    fn every_format_exports_every_track() {
        let p = sample();
        for f in Format::ALL {
            let text = export(&p, f).unwrap();
            for e in &p.entries {
                assert!(text.contains(e.track.id.as_str()), "{f}: {}", e.track.id);
            }
        }
    }
}
