//! XSPF, the XML Shareable Playlist Format (version 1).

use std::io::Cursor;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use selecta_types::Playlist;

use crate::{one_line, ExportError, CREATOR};

/// XSPF's namespace.
pub const XSPF_NS: &str = "http://xspf.org/ns/0/";

/// The playlist as XSPF. Track children follow the order of the specification (location,
/// identifier, title, creator, annotation, album, duration); characters XML cannot hold are
/// dropped, and line breaks become spaces.
pub fn xspf(playlist: &Playlist) -> Result<String, ExportError> {
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    write(&mut w, playlist).map_err(|e| ExportError::Xml(e.to_string()))?;
    let mut bytes = w.into_inner().into_inner();
    bytes.push(b'\n');
    // Only &str went in, so the bytes are UTF-8.
    String::from_utf8(bytes).map_err(|e| ExportError::Xml(e.to_string()))
}

fn write(w: &mut Writer<Cursor<Vec<u8>>>, p: &Playlist) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = BytesStart::new("playlist");
    root.push_attribute(("version", "1"));
    root.push_attribute(("xmlns", XSPF_NS));
    w.write_event(Event::Start(root))?;
    if !p.name.is_empty() {
        text_element(w, "title", &p.name)?;
    }
    text_element(w, "creator", CREATOR)?;
    w.write_event(Event::Start(BytesStart::new("trackList")))?;
    for e in &p.entries {
        let t = &e.track;
        w.write_event(Event::Start(BytesStart::new("track")))?;
        text_element(w, "location", &t.spotify_url())?;
        text_element(w, "identifier", &t.spotify_uri())?;
        text_element(w, "title", &t.name)?;
        if !t.artists.is_empty() {
            text_element(w, "creator", &t.artists.join(", "))?;
        }
        if !e.reason.text.is_empty() {
            text_element(w, "annotation", &e.reason.text)?;
        }
        if !t.album.is_empty() {
            text_element(w, "album", &t.album)?;
        }
        if let Some(ms) = t.duration_ms {
            text_element(w, "duration", &ms.to_string())?;
        }
        w.write_event(Event::End(BytesEnd::new("track")))?;
    }
    w.write_event(Event::End(BytesEnd::new("trackList")))?;
    w.write_event(Event::End(BytesEnd::new("playlist")))?;
    Ok(())
}

fn text_element(w: &mut Writer<Cursor<Vec<u8>>>, name: &str, text: &str) -> std::io::Result<()> {
    let text = xml_text(text);
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(&text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

/// One line of text XML 1.0 can hold: tabs and line breaks become spaces, characters outside
/// its `Char` production (other C0 controls, U+FFFE, U+FFFF) are dropped, and the C1
/// controls, which it allows but no player shows, become spaces as in every other format.
fn xml_text(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|&c| {
            !matches!(
                c,
                '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'
            )
        })
        .collect();
    one_line(&allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sample;
    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    #[test]
    fn characters_xml_cannot_hold_are_dropped() {
        let mut p = sample();
        p.entries[0].track.name = "Bo\u{1}hemian\u{fffe} Rhap\u{ffff}sody\nLive\u{85}".into();
        let xml = xspf(&p).unwrap();
        assert!(texts(&xml).contains(&(
            "playlist/trackList/track/title".to_string(),
            "Bohemian Rhapsody Live".to_string()
        )));
    }

    /// (element path, text) pairs of a document, read back with an XML parser (text arrives
    /// in pieces: plain runs and entity references such as `&amp;`).
    fn texts(xml: &str) -> Vec<(String, String)> {
        let mut reader = Reader::from_str(xml);
        let mut path: Vec<String> = Vec::new();
        let mut text = String::new();
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(s) => {
                    text.clear();
                    path.push(String::from_utf8(s.name().as_ref().to_vec()).unwrap());
                }
                Event::End(_) => {
                    if !text.trim().is_empty() {
                        out.push((path.join("/"), text.trim().to_string()));
                    }
                    text.clear();
                    path.pop();
                }
                Event::Text(t) => text.push_str(&t.decode().unwrap()),
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap();
                    text.push_str(resolve_predefined_entity(&name).expect("known entity"));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn writes_well_formed_xspf_that_reads_back() {
        let xml = xspf(&sample()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains("<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\">"));
        let t = texts(&xml);
        let get = |path: &str| -> Vec<&str> {
            t.iter()
                .filter(|(p, _)| p == path)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(get("playlist/title"), ["Mix: Queen / ABBA"]);
        assert_eq!(get("playlist/creator"), ["Selecta"]);
        assert_eq!(
            get("playlist/trackList/track/title"),
            ["Bohemian Rhapsody", "Dancing \"Queen\" Live <1977>"]
        );
        assert_eq!(
            get("playlist/trackList/track/identifier"),
            [
                "spotify:track:4u7EnebtmKWzUH433cf5Qv",
                "spotify:track:0GjEhVFGZW8afUYGChu3Rr"
            ]
        );
        assert_eq!(get("playlist/trackList/track/album"), ["Album & Co"; 2]);
        // Only the first track has a known length.
        assert_eq!(get("playlist/trackList/track/duration"), ["354947"]);
        assert_eq!(
            get("playlist/trackList/track/creator"),
            ["Queen", "ABBA, Björn"]
        );
    }

    #[test]
    fn characters_xml_cannot_hold_are_dropped_from_the_name() {
        let mut p = sample();
        p.name = "bad\u{1}\u{8}name".into();
        let xml = xspf(&p).unwrap();
        assert!(!xml.contains('\u{1}'));
        assert_eq!(texts(&xml)[0], ("playlist/title".into(), "badname".into()));
    }
}
