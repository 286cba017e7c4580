//! What a listener asks of a playlist in the web app, and the parsing of the options form into
//! it (one error per bad field, naming the field). Shared by the server and the browser.

use selecta_types::{
    Attribute, Order, PlaylistRequest, SeedRef, MAX_ARTIST_CHARS, MAX_BLOCKED_ARTISTS,
    MAX_SEED_CHARS,
};
use serde::{Deserialize, Serialize};

/// Most seed tracks one playlist may start from, and the longest playlist: the engine's
/// limits, shared with the browser through `selecta-types`.
pub use selecta_types::{MAX_LENGTH, MAX_SEEDS};

/// An audio feature the sliders can aim at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// 0..1
    Energy,
    /// 0..1
    Danceability,
    /// 0..1 (sad to happy)
    Valence,
    /// Beats per minute
    Tempo,
}

impl Target {
    /// Every slider, in the order the form shows them.
    pub const ALL: [Target; 4] = [
        Target::Energy,
        Target::Danceability,
        Target::Valence,
        Target::Tempo,
    ];

    /// The attribute the slider aims at.
    pub fn attribute(self) -> Attribute {
        match self {
            Target::Energy => Attribute::Energy,
            Target::Danceability => Attribute::Danceability,
            Target::Valence => Attribute::Valence,
            Target::Tempo => Attribute::Tempo,
        }
    }

    /// The form field and attribute name.
    pub fn name(self) -> &'static str {
        self.attribute().name()
    }

    /// The label next to the slider.
    pub fn label(self) -> &'static str {
        match self {
            Target::Energy => "Energy",
            Target::Danceability => "Danceability",
            Target::Valence => "Mood (sad → happy)",
            Target::Tempo => "Tempo (BPM)",
        }
    }

    /// Slider range and step: `(min, max, step)`.
    pub fn range(self) -> (f32, f32, f32) {
        match self {
            Target::Tempo => (60.0, 200.0, 1.0),
            _ => (0.0, 1.0, 0.05),
        }
    }

    /// Where a slider sits before it is switched on.
    pub fn midpoint(self) -> f32 {
        match self {
            Target::Tempo => 120.0,
            _ => 0.5,
        }
    }
}

/// The playlist options of the web app. `Default` is what a new listener starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaylistOptions {
    /// Number of tracks, 1..=100.
    pub length: usize,
    /// Most tracks per artist; 0 for no cap.
    pub artist_cap: usize,
    /// Leave out tracks in the listener's Spotify library (signed in only).
    pub exclude_saved: bool,
    /// Artists never to include, as typed.
    pub blocked_artists: Vec<String>,
    /// "Less like these": tracks as typed (`artist - title`, an id or a Spotify link).
    pub negative_seeds: Vec<String>,
    /// Slider targets that are switched on.
    pub targets: Vec<(Target, f32)>,
    /// Order for listening (smooth tempo, energy and key) instead of by relevance.
    pub flow: bool,
}

impl Default for PlaylistOptions {
    fn default() -> Self {
        let engine = PlaylistRequest::default();
        PlaylistOptions {
            length: engine.length,
            artist_cap: engine.max_per_artist.unwrap_or(0),
            exclude_saved: false,
            blocked_artists: Vec::new(),
            negative_seeds: Vec::new(),
            targets: Vec::new(),
            flow: false,
        }
    }
}

impl PlaylistOptions {
    /// The target of a slider, when switched on.
    pub fn target(&self, t: Target) -> Option<f32> {
        self.targets.iter().find(|(k, _)| *k == t).map(|&(_, v)| v)
    }

    /// The engine's request for these options, from the picked seeds (catalog ids) and
    /// without `exclude_ids` (the listener's saved tracks when asked).
    pub fn request(&self, seeds: &[String], exclude_ids: Vec<String>) -> PlaylistRequest {
        let mut request = PlaylistRequest {
            seeds: seeds.iter().cloned().map(SeedRef::Track).collect(),
            // Typed by the listener: `artist - title`, an id or a Spotify link.
            negative_seeds: self
                .negative_seeds
                .iter()
                .cloned()
                .map(SeedRef::Query)
                .collect(),
            length: self.length,
            max_per_artist: (self.artist_cap > 0).then_some(self.artist_cap),
            block_artists: self.blocked_artists.clone(),
            exclude_ids,
            order: if self.flow {
                Order::Flow
            } else {
                Order::Similarity
            },
            ..PlaylistRequest::default()
        };
        for &(t, v) in &self.targets {
            request = request.with_target(t.attribute(), v);
        }
        request
    }
}

/// The options form as submitted: every field optional text, as browsers send it (an unchecked
/// box is absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OptionsForm {
    pub length: Option<String>,
    pub artist_cap: Option<String>,
    pub exclude_saved: Option<String>,
    pub blocked_artists: Option<String>,
    pub negative_seeds: Option<String>,
    pub energy_on: Option<String>,
    pub energy: Option<String>,
    pub danceability_on: Option<String>,
    pub danceability: Option<String>,
    pub valence_on: Option<String>,
    pub valence: Option<String>,
    pub tempo_on: Option<String>,
    pub tempo: Option<String>,
    pub flow: Option<String>,
}

/// A form field with a bad value; the message starts with the field's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The form field (`length`, `energy`...).
    pub field: &'static str,
    /// What is wrong, with the value given.
    pub message: String,
}

fn bad(field: &'static str, message: String) -> FieldError {
    FieldError { field, message }
}

/// A checkbox: present and not "off"/"false" means checked.
fn checked(v: &Option<String>) -> bool {
    v.as_deref()
        .is_some_and(|v| !matches!(v.trim(), "" | "off" | "false" | "0"))
}

fn int_field(
    field: &'static str,
    v: &Option<String>,
    default: usize,
    lo: usize,
    hi: usize,
) -> Result<usize, FieldError> {
    let Some(text) = v.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(default);
    };
    let n: usize = text
        .parse()
        .map_err(|_| bad(field, format!("must be a whole number, got `{text}`")))?;
    if !(lo..=hi).contains(&n) {
        return Err(bad(field, format!("must be {lo}..={hi}, got {n}")));
    }
    Ok(n)
}

/// A list typed by a person, split and checked in one bounded pass: one entry per line, or
/// comma-separated on a line. Empty entries are skipped and repeats (ignoring ASCII case) kept
/// once, found by hashing. Each entry is length-checked as it is split and the scan stops at
/// the first entry past `max`, so a huge field costs one linear pass at most, and the error
/// names the field and the limit without echoing the input.
fn list(
    field: &'static str,
    v: &Option<String>,
    commas: bool,
    max: usize,
    max_chars: usize,
    what: &str,
) -> Result<Vec<String>, FieldError> {
    let text = v.as_deref().unwrap_or("");
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let separators: &[char] = if commas { &['\n', ','] } else { &['\n'] };
    for part in text.split(separators) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        let chars = p.chars().take(max_chars + 1).count();
        if chars > max_chars {
            return Err(bad(
                field,
                format!(
                    "each entry at most {max_chars} characters; entry {} has more",
                    out.len() + 1
                ),
            ));
        }
        if !seen.insert(p.to_ascii_lowercase()) {
            continue;
        }
        if out.len() == max {
            return Err(bad(field, format!("at most {max} {what}, got more")));
        }
        out.push(p.to_string());
    }
    Ok(out)
}

impl OptionsForm {
    /// Parses the form. Missing fields take the defaults; a bad value is an error naming the
    /// field and the value.
    pub fn parse(&self) -> Result<PlaylistOptions, FieldError> {
        let d = PlaylistOptions::default();
        let length = int_field("length", &self.length, d.length, 1, MAX_LENGTH)?;
        let artist_cap = int_field("artist_cap", &self.artist_cap, d.artist_cap, 0, MAX_LENGTH)?;
        let blocked_artists = list(
            "blocked_artists",
            &self.blocked_artists,
            true,
            MAX_BLOCKED_ARTISTS,
            MAX_ARTIST_CHARS,
            "artists",
        )?;
        // Track names hold commas ("Hello, Goodbye"): one negative seed per line.
        let negative_seeds = list(
            "negative_seeds",
            &self.negative_seeds,
            false,
            MAX_SEEDS,
            MAX_SEED_CHARS,
            "tracks",
        )?;
        let mut targets = Vec::new();
        for t in Target::ALL {
            let (on, value) = match t {
                Target::Energy => (&self.energy_on, &self.energy),
                Target::Danceability => (&self.danceability_on, &self.danceability),
                Target::Valence => (&self.valence_on, &self.valence),
                Target::Tempo => (&self.tempo_on, &self.tempo),
            };
            if !checked(on) {
                continue;
            }
            let text = value.as_deref().unwrap_or("").trim();
            let v: f32 = text
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| bad(t.name(), format!("must be a number, got `{text}`")))?;
            let (lo, hi, _) = t.range();
            if !(lo..=hi).contains(&v) {
                return Err(bad(t.name(), format!("must be {lo}..={hi}, got {v}")));
            }
            targets.push((t, v));
        }
        Ok(PlaylistOptions {
            length,
            artist_cap,
            exclude_saved: checked(&self.exclude_saved),
            blocked_artists,
            negative_seeds,
            targets,
            flow: checked(&self.flow),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> OptionsForm {
        let mut f = OptionsForm::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "length" => f.length = v,
                "artist_cap" => f.artist_cap = v,
                "exclude_saved" => f.exclude_saved = v,
                "blocked_artists" => f.blocked_artists = v,
                "negative_seeds" => f.negative_seeds = v,
                "energy_on" => f.energy_on = v,
                "energy" => f.energy = v,
                "tempo_on" => f.tempo_on = v,
                "tempo" => f.tempo = v,
                "flow" => f.flow = v,
                other => panic!("{other}"),
            }
        }
        f
    }

    #[test]
    fn an_empty_form_gives_the_defaults() {
        assert_eq!(
            OptionsForm::default().parse().unwrap(),
            PlaylistOptions::default()
        );
    }

    #[test]
    fn fields_parse() {
        let o = form(&[
            ("length", " 20 "),
            ("artist_cap", "0"),
            ("exclude_saved", "on"),
            ("blocked_artists", "Drake, Queen\nqueen\n\n ABBA "),
            (
                "negative_seeds",
                "Queen - Bohemian Rhapsody\n\nHello, Goodbye",
            ),
            ("energy_on", "on"),
            ("energy", "0.8"),
            ("tempo", "150"),
            ("flow", "on"),
        ])
        .parse()
        .unwrap();
        assert_eq!(o.length, 20);
        assert_eq!(o.artist_cap, 0);
        assert!(o.exclude_saved && o.flow);
        assert_eq!(o.blocked_artists, ["Drake", "Queen", "ABBA"]);
        assert_eq!(
            o.negative_seeds,
            ["Queen - Bohemian Rhapsody", "Hello, Goodbye"]
        );
        // The tempo slider was moved but not switched on.
        assert_eq!(o.targets, [(Target::Energy, 0.8)]);
        assert_eq!(o.target(Target::Energy), Some(0.8));
        assert_eq!(o.target(Target::Tempo), None);
    }

    #[test]
    fn bad_values_name_the_field() {
        let e = form(&[("length", "0")]).parse().unwrap_err();
        assert_eq!(e.to_string(), "length: must be 1..=100, got 0");
        let e = form(&[("length", "many")]).parse().unwrap_err();
        assert_eq!(e.to_string(), "length: must be a whole number, got `many`");
        let e = form(&[("artist_cap", "-1")]).parse().unwrap_err();
        assert_eq!(e.field, "artist_cap");
        let e = form(&[("energy_on", "on"), ("energy", "1.5")])
            .parse()
            .unwrap_err();
        assert_eq!(e.to_string(), "energy: must be 0..=1, got 1.5");
        let e = form(&[("tempo_on", "on"), ("tempo", "NaN")])
            .parse()
            .unwrap_err();
        assert_eq!(e.to_string(), "tempo: must be a number, got `NaN`");
        let many = (0..51)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let e = form(&[("negative_seeds", many.as_str())])
            .parse()
            .unwrap_err();
        assert_eq!(e.to_string(), "negative_seeds: at most 50 tracks, got more");
    }

    #[test]
    fn long_lists_are_refused_in_one_bounded_pass() {
        // 10x and 100x the 20,000 blocked artists that once took 0.45 s and answered 500.
        for n in [200_000usize, 2_000_000] {
            let many = (0..n)
                .map(|i| format!("a{i}"))
                .collect::<Vec<_>>()
                .join(",");
            let started = std::time::Instant::now();
            let e = form(&[("blocked_artists", many.as_str())])
                .parse()
                .unwrap_err();
            assert_eq!(
                e.to_string(),
                "blocked_artists: at most 100 artists, got more"
            );
            // The scan stopped at the 101st entry: nowhere near the size of the field.
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
        // Repeats do not count, however many (hashing, not a scan per entry).
        let repeats = vec!["Queen, QUEEN"; 100_000].join("\n");
        let o = form(&[("blocked_artists", repeats.as_str())])
            .parse()
            .unwrap();
        assert_eq!(o.blocked_artists, ["Queen"]);
        // An entry over the length limit is named by position, its text not echoed.
        let long = format!("Queen, {}", "x".repeat(100_000));
        let e = form(&[("blocked_artists", long.as_str())])
            .parse()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "blocked_artists: each entry at most 200 characters; entry 2 has more"
        );
        let long = format!("Queen - Bohemian Rhapsody\n{}", "y".repeat(301));
        let e = form(&[("negative_seeds", long.as_str())])
            .parse()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "negative_seeds: each entry at most 300 characters; entry 2 has more"
        );
    }
}
