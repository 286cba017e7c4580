//! The bot's texts, as Telegram HTML: help, playlists, track cards, questions and problems.
//!
//! Every line is balanced HTML on its own (see [`crate::markup`]); catalog fields are escaped
//! and shortened so that no line can outgrow a message.

use selecta_types::{Playlist, Track};

use crate::input::{UsageError, DEFAULT_LENGTH, MAX_LENGTH};
use crate::markup::{bar, escape, link, shorten};

/// Longest artist list, title or album shown, in characters.
const FIELD_CHARS: usize = 120;
/// Longest reason shown.
const REASON_CHARS: usize = 300;

/// Tracks from the catalog used in the examples of the help, so that they always work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examples {
    /// `Artist - Title` of a popular track.
    pub first: String,
    /// `Artist - Title` of another one.
    pub second: String,
    /// The Spotify link of a third.
    pub link: String,
}

/// `Artist A, Artist B`, shortened.
fn artists(t: &Track) -> String {
    shorten(&t.artists.join(", "), FIELD_CHARS)
}

/// ` (2019)` or nothing.
fn year(t: &Track) -> String {
    t.year.map(|y| format!(" ({y})")).unwrap_or_default()
}

/// `Artist - Title (2019)`, plain (for buttons and lists), shortened.
pub fn plain_label(t: &Track, max: usize) -> String {
    shorten(&format!("{}{}", t.label(), year(t)), max)
}

/// One line: **Artist** — [Title](spotify link) (2019).
pub fn track_line(t: &Track) -> String {
    format!(
        "<b>{}</b> — {}{}",
        escape(&artists(t)),
        link(&t.spotify_url(), &shorten(&t.name, FIELD_CHARS)),
        year(t)
    )
}

/// What the bot does and how to ask, with examples from the catalog.
pub fn help(examples: &Examples, tracks: usize) -> String {
    format!(
        "<b>Selecta</b> makes playlists from tracks you like, out of a catalog of {tracks} \
         Spotify tracks.\n\
         \n\
         <b>/predict</b> <i>artist - title</i> — a playlist of {DEFAULT_LENGTH} tracks that \
         belong with it: artist, title, year, a Spotify link and why each was chosen.\n\
         Several tracks: separate them with <code>;</code> or new lines. Another length: add \
         <code>n=25</code> (1 to {MAX_LENGTH}).\n\
         <b>/describe</b> <i>artist - title</i> — the track's artists, album, release date, \
         genres, its sound as bars and its 3 nearest tracks.\n\
         Text without a command is described as a track. Spotify track links and \
         <code>spotify:track:…</code> URIs work as well as names.\n\
         \n\
         Examples:\n\
         <code>/predict {first}</code>\n\
         <code>/predict n=25 {first}; {second}</code>\n\
         <code>/describe {link}</code>\n\
         <code>{second}</code>",
        first = escape(&examples.first),
        second = escape(&examples.second),
        link = escape(&examples.link),
    )
}

/// The greeting of `/start`: a hello, then the help.
pub fn start(examples: &Examples, tracks: usize) -> String {
    format!(
        "👋 Hi! Send me a track you like and I will find tracks that go with it.\n\n{}",
        help(examples, tracks)
    )
}

/// A usage error of a command: what is wrong, then how to ask.
pub fn usage(command: &str, error: &UsageError, examples: &Examples) -> String {
    let how = if command == "predict" {
        format!(
            "Usage: <code>/predict artist - title</code>; several tracks separated by \
             <code>;</code> or new lines; <code>n=25</code> for another length (1 to \
             {MAX_LENGTH}).\nFor example: <code>/predict {}</code>",
            escape(&examples.first)
        )
    } else {
        format!(
            "Usage: <code>/describe artist - title</code>, a Spotify track link or a \
             <code>spotify:track:…</code> URI.\nFor example: <code>/describe {}</code>",
            escape(&examples.first)
        )
    };
    format!("⚠️ {}.\n{how}", escape(&capitalized(&error.to_string())))
}

/// A command the bot does not know.
pub fn unknown_command(name: &str) -> String {
    format!(
        "I don't know /{}. I understand /predict, /describe and /help.",
        escape(&shorten(name, 40))
    )
}

/// A problem with one query (not found, not a track link...).
pub fn problem(message: &str) -> String {
    format!("❌ {}", escape(&capitalized(message)))
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A playlist: its name and seeds, then one paragraph per track (the track line and, in
/// italics, the reason).
pub fn playlist(p: &Playlist) -> String {
    let seeds: Vec<String> = p.seeds.iter().map(|t| plain_label(t, 80)).collect();
    let mut out = format!(
        "🎧 <b>{}</b>\n{} track{} from {}",
        escape(&shorten(&p.name, FIELD_CHARS)),
        p.entries.len(),
        if p.entries.len() == 1 { "" } else { "s" },
        escape(&shorten(&seeds.join("; "), 600)),
    );
    // How seeds the catalog lacks were matched, or why one was left out.
    for note in p.matches.iter().filter_map(|m| m.note.as_deref()) {
        out.push_str(&format!(
            "\nℹ️ <i>{}</i>",
            escape(&shorten(note, REASON_CHARS))
        ));
    }
    for (i, e) in p.entries.iter().enumerate() {
        out.push_str(&format!(
            "\n\n{}. {}\n<i>{}</i>",
            i + 1,
            track_line(&e.track),
            escape(&shorten(&e.reason.text, REASON_CHARS))
        ));
    }
    out
}

/// A track's card: metadata, audio features as bars, and its nearest tracks.
pub fn card(t: &Track, nearest: &[&Track]) -> String {
    let mut out = format!("🎵 <b>{}</b>\n", escape(&shorten(&t.name, FIELD_CHARS)));
    let who = if t.artists.len() == 1 {
        "Artist"
    } else {
        "Artists"
    };
    out.push_str(&format!("👤 {who}: {}\n", escape(&artists(t))));
    if !t.album.is_empty() {
        out.push_str(&format!(
            "💿 Album: {}\n",
            escape(&shorten(&t.album, FIELD_CHARS))
        ));
    }
    if let Some(date) = &t.release_date {
        out.push_str(&format!("📅 Released: {}\n", escape(&shorten(date, 20))));
    }
    if !t.genres.is_empty() {
        let mut genres = t.genres.join(", ");
        if !t.subgenres.is_empty() {
            genres.push_str(&format!(" ({})", t.subgenres.join(", ")));
        }
        out.push_str(&format!(
            "🏷 Genres: {}\n",
            escape(&shorten(&genres, 2 * FIELD_CHARS))
        ));
    }
    if let Some(p) = t.popularity {
        out.push_str(&format!("⭐ Popularity: {p:.0}/100\n"));
    }
    out.push_str(&link(&t.spotify_url(), "Listen on Spotify"));
    out.push_str("\n\n<b>Sound</b>");
    for line in feature_lines(t) {
        out.push('\n');
        out.push_str(&line);
    }
    if !nearest.is_empty() {
        out.push_str("\n\n<b>Similar tracks</b>");
        for (i, n) in nearest.iter().enumerate() {
            out.push_str(&format!("\n{}. {}", i + 1, track_line(n)));
        }
    }
    out
}

/// One line per known audio feature: a bar for the 0..1 ones, units for the others.
fn feature_lines(t: &Track) -> Vec<String> {
    let f = &t.features;
    let mut lines = Vec::new();
    let row = |name: &str, value: String| format!("<code>{name:<16} {value}</code>");
    for (name, v) in [
        ("Danceability", f.danceability),
        ("Energy", f.energy),
        ("Valence (mood)", f.valence),
        ("Acousticness", f.acousticness),
        ("Instrumentalness", f.instrumentalness),
        ("Speechiness", f.speechiness),
        ("Liveness", f.liveness),
    ] {
        if let Some(v) = v.get() {
            lines.push(row(name, format!("{} {v:.2}", bar(v))));
        }
    }
    if let Some(v) = f.tempo.get() {
        lines.push(row("Tempo", format!("{v:.0} BPM")));
    }
    if let Some(v) = f.loudness.get() {
        lines.push(row("Loudness", format!("{v:.1} dB")));
    }
    if let Some(k) = f.key {
        let key = selecta_types::KEY_NAMES
            .get(usize::from(k))
            .copied()
            .unwrap_or("?");
        let mode = match f.mode {
            Some(1) => " major",
            Some(0) => " minor",
            _ => "",
        };
        lines.push(row("Key", format!("{key}{mode}")));
    }
    if let Some(ts) = f.time_signature {
        lines.push(row("Time signature", format!("{ts}/4")));
    }
    if lines.is_empty() {
        lines.push("<i>No audio features known.</i>".into());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::{AudioFeatures, PlaylistEntry, Reason};

    fn track(id: &str, name: &str, artists: &[&str]) -> Track {
        Track {
            id: id.into(),
            name: name.into(),
            artists: artists.iter().map(|&a| a.into()).collect(),
            album: "Album <1>".into(),
            release_date: Some("2019-06-14".into()),
            year: Some(2019),
            popularity: Some(66.0),
            genres: vec!["pop".into(), "r&b".into()],
            subgenres: vec!["dance pop".into()],
            features: AudioFeatures {
                danceability: Some(0.748).into(),
                energy: Some(0.916).into(),
                key: Some(6),
                mode: Some(1),
                tempo: Some(122.036).into(),
                loudness: Some(-2.634).into(),
                ..AudioFeatures::default()
            },
            ..Track::default()
        }
    }

    #[test]
    fn track_lines_escape_and_link() {
        let t = track("abc", "a<b & c>_*[]", &["X & Y", "Кино"]);
        assert_eq!(
            track_line(&t),
            "<b>X &amp; Y, Кино</b> — <a href=\"https://open.spotify.com/track/abc\">\
             a&lt;b &amp; c&gt;_*[]</a> (2019)"
        );
        assert_eq!(plain_label(&t, 100), "X & Y, Кино - a<b & c>_*[] (2019)");
    }

    #[test]
    fn cards_show_every_field() {
        let t = track("abc", "Song", &["Solo"]);
        let n = track("def", "Other", &["B"]);
        let c = card(&t, &[&n]);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(
            lines,
            [
                "🎵 <b>Song</b>",
                "👤 Artist: Solo",
                "💿 Album: Album &lt;1&gt;",
                "📅 Released: 2019-06-14",
                "🏷 Genres: pop, r&amp;b (dance pop)",
                "⭐ Popularity: 66/100",
                "<a href=\"https://open.spotify.com/track/abc\">Listen on Spotify</a>",
                "",
                "<b>Sound</b>",
                "<code>Danceability     ███████░░░ 0.75</code>",
                "<code>Energy           █████████░ 0.92</code>",
                "<code>Tempo            122 BPM</code>",
                "<code>Loudness         -2.6 dB</code>",
                "<code>Key              F♯/G♭ major</code>",
                "",
                "<b>Similar tracks</b>",
                "1. <b>B</b> — <a href=\"https://open.spotify.com/track/def\">Other</a> (2019)",
            ]
        );
        let two = track("x", "S", &["A", "B"]);
        assert!(card(&two, &[]).contains("👤 Artists: A, B\n"));
    }

    #[test]
    fn playlists_number_tracks_with_reasons() {
        let seed = track("s", "Seed", &["S"]);
        let entry = |id: &str| PlaylistEntry {
            track: track(id, "T", &["A"]),
            score: 1.0,
            reason: Reason {
                text: "Close to S - Seed: similar energy".into(),
                ..Reason::default()
            },
        };
        let p = Playlist {
            name: "Like S".into(),
            seeds: vec![seed],
            entries: vec![entry("1"), entry("2")],
            ..Playlist::default()
        };
        assert_eq!(
            playlist(&p),
            "🎧 <b>Like S</b>\n2 tracks from S - Seed (2019)\n\n\
             1. <b>A</b> — <a href=\"https://open.spotify.com/track/1\">T</a> (2019)\n\
             <i>Close to S - Seed: similar energy</i>\n\n\
             2. <b>A</b> — <a href=\"https://open.spotify.com/track/2\">T</a> (2019)\n\
             <i>Close to S - Seed: similar energy</i>"
        );
    }

    #[test]
    fn usage_names_the_problem() {
        let ex = Examples {
            first: "A - B".into(),
            second: "C - D".into(),
            link: "https://open.spotify.com/track/x".into(),
        };
        let u = usage("predict", &UsageError::Empty, &ex);
        assert!(
            u.starts_with("⚠️ Give a track.\nUsage: <code>/predict"),
            "{u}"
        );
        assert!(u.contains("<code>/predict A - B</code>"), "{u}");
        assert!(help(&ex, 3).contains("catalog of 3 Spotify tracks"));
        assert_eq!(
            unknown_command("f<o"),
            "I don't know /f&lt;o. I understand /predict, /describe and /help."
        );
    }
}
