//! Text normalisation for matching what people type against catalog titles and names,
//! and the "same song" key that collapses versions (remasters, edits, live takes, features).

use selecta_types::Track;

/// Normalises text for matching: ASCII transliteration (accents stripped, other scripts
/// romanised), lowercase, apostrophes and dots dropped (`Don't` = `dont`, `R.E.M.` = `rem`),
/// `&` read as `and`, `$` as `s` (`Ke$ha`, `A$AP`), every other punctuation mark a space,
/// spaces collapsed. The result holds only `[a-z0-9 ]`.
pub fn normalize(text: &str) -> String {
    let ascii;
    let text = if text.is_ascii() {
        text
    } else {
        ascii = deunicode::deunicode(text);
        &ascii
    };
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let piece = match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            '\'' | '.' | '`' => continue,
            '$' => 's',
            '&' => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str("and");
                pending_space = true;
                continue;
            }
            _ => {
                pending_space = !out.is_empty();
                continue;
            }
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(piece);
    }
    out
}

/// Words that open a bracket or dash segment naming a guest or a source, not a title:
/// `(feat. X)`, `(with X)`, `- From "Frozen 2"`.
const LEAD_WORDS: &[&str] = &["feat", "ft", "featuring", "with", "prod", "from", "con"];

/// Words that mark a segment as a version of a song rather than part of its title.
const VERSION_WORDS: &[&str] = &[
    "remaster",
    "remastered",
    "remasterizado",
    "remasterizada",
    "remastering",
    "edit",
    "mix",
    "remix",
    "rmx",
    "version",
    "live",
    "vivo",
    "directo",
    "acoustic",
    "acustico",
    "acustica",
    "mono",
    "stereo",
    "demo",
    "instrumental",
    "extended",
    "radio",
    "rework",
    "bootleg",
    "vip",
    "unplugged",
    "soundtrack",
    "explicit",
    "clean",
    "deluxe",
    "bonus",
    "single",
    "original",
    "rerecorded",
];

/// True when a bracket or dash segment describes a version (`Remastered 2011`, `Radio Edit`,
/// `Live`, `feat. X`) rather than being part of the title.
fn is_version_marker(segment: &str) -> bool {
    let norm = normalize(segment);
    let mut words = norm.split(' ').filter(|w| !w.is_empty());
    match words.next() {
        None => false,
        // A lead word needs a name after it: `(With) You` is a title.
        Some(first) if LEAD_WORDS.contains(&first) => words.next().is_some(),
        Some(first) => VERSION_WORDS.contains(&first) || words.any(|w| VERSION_WORDS.contains(&w)),
    }
}

/// True when a segment names a guest artist (`feat. X`, `with X`).
fn is_featuring(segment: &str) -> bool {
    let norm = normalize(segment);
    let mut words = norm.split(' ');
    let first = words.next().unwrap_or("");
    matches!(first, "feat" | "ft" | "featuring" | "with" | "con") && words.next().is_some()
}

/// Removes `(...)`/`[...]` segments for which `drop` says so; unbalanced brackets are kept.
fn strip_brackets(title: &str, drop: fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find(['(', '[']) {
        let close_char = if rest.as_bytes()[open] == b'(' {
            ')'
        } else {
            ']'
        };
        let Some(len) = rest[open + 1..].find(close_char) else {
            break;
        };
        let inner = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..open]);
        if !drop(inner) {
            out.push_str(&rest[open..open + len + 2]);
        }
        rest = &rest[open + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Cuts trailing ` - Segment` parts for which `drop` says so (` - Remastered 2011`, ` - Live`).
fn strip_dash_suffixes(title: &str, drop: fn(&str) -> bool) -> &str {
    let mut end = title.len();
    loop {
        let head = &title[..end];
        // The last dash (hyphen, en or em dash) with a space on each side.
        let cut = head
            .rmatch_indices(['-', '–', '—'])
            .find(|&(at, dash)| {
                at > 0
                    && head.as_bytes()[at - 1] == b' '
                    && head.as_bytes().get(at + dash.len()) == Some(&b' ')
            })
            .map(|(at, dash)| (at - 1, dash.len() + 2));
        match cut {
            Some((at, sep_len)) if at > 0 && drop(&head[at + sep_len..]) => end = at,
            _ => return head,
        }
    }
}

/// True when a title may hold a bracket or dash segment (most titles hold neither).
fn has_segments(title: &str) -> bool {
    title.contains(['(', '[', '-', '–', '—'])
}

/// Cuts an unbracketed `feat. X` / `ft. X` tail from a normalised title.
fn cut_feat_tail(norm: &str) -> &str {
    let mut pos = 0;
    for word in norm.split(' ') {
        if pos > 0 && matches!(word, "feat" | "ft" | "featuring") {
            return norm[..pos].trim_end();
        }
        pos += word.len() + 1;
    }
    norm
}

/// The normalised title without guest credits: `I Don't Care (with Justin Bieber)` gives
/// `i dont care`. Version markers stay (`... - Radio Edit` keeps `radio edit`).
pub fn title_without_featuring(title: &str) -> String {
    strip_title(title, is_featuring, None)
}

/// The normalised title with every version marker removed: `Bohemian Rhapsody - Remastered
/// 2011`, `Rhythm Is A Dancer - 7" Edit` and `Stay (feat. X) [Radio Edit]` give their bare
/// titles. Falls back to the whole normalised title if nothing would be left.
pub fn collapse_title(title: &str) -> String {
    strip_title(title, is_version_marker, None)
}

/// Removes the segments `drop` selects and an unbracketed `feat.` tail, then normalises.
/// `normalized` is `normalize(title)` when the caller has it already.
fn strip_title(title: &str, drop: fn(&str) -> bool, normalized: Option<&str>) -> String {
    let whole = || normalized.map_or_else(|| normalize(title), str::to_string);
    let norm = if has_segments(title) {
        let stripped = strip_brackets(title, drop);
        normalize(strip_dash_suffixes(&stripped, drop))
    } else {
        whole()
    };
    let cut = cut_feat_tail(&norm);
    if cut.is_empty() {
        whole()
    } else if cut.len() == norm.len() {
        norm
    } else {
        cut.to_string()
    }
}

/// The three forms of a title the index keeps: whole, without guests, without versions
/// (each normalised), computed with the work shared.
pub(crate) fn title_forms(title: &str) -> (String, String, String) {
    let whole = normalize(title);
    let base = strip_title(title, is_featuring, Some(&whole));
    let key = strip_title(title, is_version_marker, Some(&whole));
    (whole, base, key)
}

/// A key shared by the versions of one song: the main artist and the title without version
/// markers, both normalised (`ed sheeran|i dont care` for the original, the album version and
/// the Loud Luxury remix alike). Different artists' songs of the same title get different keys.
pub fn song_key(track: &Track) -> String {
    let artist = track
        .artists
        .first()
        .map(|a| normalize(a))
        .unwrap_or_default();
    format!("{artist}|{}", collapse_title(&track.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_accents_and_punctuation() {
        assert_eq!(normalize("Beyoncé"), "beyonce");
        assert_eq!(normalize("  I Don't   Care!! "), "i dont care");
        assert_eq!(normalize("Mötley Crüe"), "motley crue");
        assert_eq!(normalize("Simon & Garfunkel"), "simon and garfunkel");
        assert_eq!(normalize("R&B"), "r and b");
        assert_eq!(normalize("A$AP Rocky"), "asap rocky");
        assert_eq!(normalize("R.E.M."), "rem");
        assert_eq!(normalize("AC/DC"), "ac dc");
        assert_eq!(normalize("Tony! Toni! Toné!"), "tony toni tone");
        assert_eq!(normalize("ÆON"), "aeon");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("?!"), "");
    }

    #[test]
    fn strips_guests_only() {
        assert_eq!(
            title_without_featuring("I Don't Care (with Justin Bieber)"),
            "i dont care"
        );
        assert_eq!(
            title_without_featuring("Hey (feat. X) - Radio Edit"),
            "hey radio edit"
        );
        assert_eq!(title_without_featuring("Lean On feat. MØ"), "lean on");
        assert_eq!(title_without_featuring("(With) You"), "with you");
        assert_eq!(title_without_featuring(""), "");
    }

    #[test]
    fn collapses_versions() {
        assert_eq!(
            collapse_title("Bohemian Rhapsody - Remastered 2011"),
            "bohemian rhapsody"
        );
        assert_eq!(collapse_title("Stay (feat. X) [Radio Edit]"), "stay");
        assert_eq!(
            collapse_title("I Don't Care (with Justin Bieber) - Loud Luxury Remix"),
            "i dont care"
        );
        assert_eq!(collapse_title("Song - Live"), "song");
        assert_eq!(collapse_title("Song - 2011 Remaster - Live"), "song");
        assert_eq!(
            collapse_title("Rhythm Is A Dancer - 7\" Edit"),
            "rhythm is a dancer"
        );
        assert_eq!(
            collapse_title("Mucho más allá - De \"Frozen 2\""),
            "mucho mas alla de frozen 2"
        );
        assert_eq!(
            collapse_title("All Too Well (Taylor's Version)"),
            "all too well"
        );
        // Parts of the title that are not version markers stay.
        assert_eq!(
            collapse_title("(Don't Fear) The Reaper"),
            "dont fear the reaper"
        );
        assert_eq!(collapse_title("Hey - Oh"), "hey oh");
        // A title that is nothing but a marker is kept whole.
        assert_eq!(collapse_title("Live"), "live");
        assert_eq!(collapse_title("Unbalanced (Live"), "unbalanced live");
        // Dashes inside words are not separators.
        assert_eq!(collapse_title("Jay-Z - Live"), "jay z");
        assert_eq!(collapse_title("Song -Live"), "song live");
        assert_eq!(collapse_title("Song — Radio Edit"), "song");
        assert_eq!(
            title_forms("Hey (feat. X) - Radio Edit"),
            (
                "hey feat x radio edit".into(),
                "hey radio edit".into(),
                "hey".into()
            )
        );
    }

    #[test]
    fn song_key_joins_main_artist_and_bare_title() {
        let t = Track {
            name: "Perfect - Acoustic".into(),
            artists: vec!["Ed Sheeran".into(), "Beyoncé".into()],
            ..Track::default()
        };
        assert_eq!(song_key(&t), "ed sheeran|perfect");
        let other = Track {
            name: "Perfect".into(),
            artists: vec!["One Direction".into()],
            ..Track::default()
        };
        assert_ne!(song_key(&t), song_key(&other));
        assert_eq!(song_key(&Track::default()), "|");
    }
}
