//! Spotify's search query language, as far as track search uses it: field filters
//! (`track:`, `artist:`, `album:`, `isrc:`, `year:`) and plain words.

use selecta_catalog::normalize;

use crate::world::StandinTrack;

/// A parsed `q` of `GET /v1/search`.
#[derive(Debug, Default, PartialEq)]
pub struct Query {
    /// Words every title must hold (`track:`).
    track: Vec<String>,
    /// Words one of the artists must hold (`artist:`).
    artist: Vec<String>,
    /// Words the album title must hold (`album:`).
    album: Vec<String>,
    /// The ISRC, upper case (`isrc:`).
    isrc: Option<String>,
    /// Release years, inclusive (`year:`).
    years: Option<(u16, u16)>,
    /// Plain words: each in the title, an artist or the album.
    words: Vec<String>,
}

/// Splits a query into `(field, value)` pieces; `field` is empty for plain words. A value is
/// one word or a "quoted phrase".
fn pieces(q: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = q.trim_start();
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (field, value_start) = match rest[..word_end].split_once(':') {
            Some((f, _)) if !f.is_empty() && f.chars().all(|c| c.is_ascii_alphabetic()) => {
                (f.to_ascii_lowercase(), f.len() + 1)
            }
            _ => (String::new(), 0),
        };
        let after = &rest[value_start..];
        let (value, consumed) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            (
                quoted[..end].to_string(),
                value_start + 1 + (end + 1).min(quoted.len()),
            )
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_string(), value_start + end)
        };
        out.push((field, value));
        rest = rest[consumed.min(rest.len())..].trim_start();
    }
    out
}

fn words(text: &str) -> Vec<String> {
    normalize(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Every query word starts a word of `text` (Spotify matches word prefixes).
fn holds(text: &str, query: &[String]) -> bool {
    let have = words(text);
    query
        .iter()
        .all(|q| have.iter().any(|w| w.starts_with(q.as_str())))
}

impl Query {
    /// Parses a query; unknown filters (`genre:`, `tag:`) count as plain words, which
    /// narrows rather than widens the answer.
    pub fn parse(q: &str) -> Query {
        let mut query = Query::default();
        for (field, value) in pieces(q) {
            match field.as_str() {
                "track" => query.track.extend(words(&value)),
                "artist" => query.artist.extend(words(&value)),
                "album" => query.album.extend(words(&value)),
                "isrc" => query.isrc = Some(value.trim().to_ascii_uppercase()),
                "year" => {
                    let (a, b) = value.split_once('-').unwrap_or((&value, &value));
                    query.years = match (a.trim().parse(), b.trim().parse()) {
                        (Ok(a), Ok(b)) => Some((a, b)),
                        // Spotify ignores a year it cannot read.
                        _ => None,
                    };
                }
                "" => query.words.extend(words(&value)),
                _ => query.words.extend(words(&format!("{field} {value}"))),
            }
        }
        query
    }

    /// Whether any field filter is given.
    pub fn has_filters(&self) -> bool {
        !self.track.is_empty()
            || !self.artist.is_empty()
            || !self.album.is_empty()
            || self.isrc.is_some()
            || self.years.is_some()
    }

    /// Whether a track matches every part.
    pub fn matches(&self, t: &StandinTrack) -> bool {
        if self.isrc.is_some() && t.isrc.as_deref().map(str::to_ascii_uppercase) != self.isrc {
            return false;
        }
        if let Some((from, to)) = self.years {
            match t.release_date.get(..4).and_then(|y| y.parse::<u16>().ok()) {
                Some(y) if (from..=to).contains(&y) => {}
                _ => return false,
            }
        }
        if !holds(&t.name, &self.track) || !holds(&t.album, &self.album) {
            return false;
        }
        if !self.artist.is_empty() && !t.artists.iter().any(|(_, a)| holds(a, &self.artist)) {
            return false;
        }
        if self.words.is_empty() {
            return self.has_filters();
        }
        let artists: Vec<&str> = t.artists.iter().map(|(_, a)| a.as_str()).collect();
        holds(
            &format!("{} {} {}", t.name, artists.join(" "), t.album),
            &self.words,
        )
    }

    /// Whether the title is exactly the `track:` filter (ranked first).
    pub fn exact_title(&self, t: &StandinTrack) -> bool {
        !self.track.is_empty() && words(&t.name) == self.track
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_quoted_phrases() {
        let q = Query::parse(r#"remaster track:Doxy artist:"Miles Davis" isrc:usrc17607839"#);
        assert_eq!(q.track, ["doxy"]);
        assert_eq!(q.artist, ["miles", "davis"]);
        assert_eq!(q.isrc.as_deref(), Some("USRC17607839"));
        assert_eq!(q.words, ["remaster"]);
        assert!(q.has_filters());
        let q = Query::parse("year:1990-1999 queen");
        assert_eq!(q.years, Some((1990, 1999)));
        assert_eq!(q.words, ["queen"]);
        let q = Query::parse("http://x a:b");
        assert!(!q.has_filters());
    }

    #[test]
    fn an_unclosed_quote_takes_the_rest() {
        let q = Query::parse(r#"artist:"The Weeknd"#);
        assert_eq!(q.artist, ["the", "weeknd"]);
    }
}
