//! A Spotify link pasted into the search: a track, an album or a playlist whose tracks become
//! seeds. Parsing ([`parse`]), what each track becomes ([`pick`]: the catalog's track by id or
//! by artist and title, else an estimated seed when the catalog holds tracks by its artists,
//! else nothing), which of them fit the seeds ([`plan`], [`apply`]) and the sentence that
//! tells the listener ([`summary`]) are plain functions; [`gather`] reads the link's tracks,
//! and `api::add_link` runs them.

use selecta_catalog::spotify::{parse_spotify_ref, SpotifyRef};
use selecta_engine::CatalogView;

use crate::api::LinkKind;
use crate::error::AppError;
use crate::session::Picker;
use crate::SpotifyTrack;

/// Longest link taken (Spotify's are under 100 characters, tracking parameters included).
pub const MAX_LINK_CHARS: usize = 300;
/// Most characters of the listener's input (or of a name) a message repeats.
const ECHO_CHARS: usize = 100;

/// A link whose tracks can be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What it points to.
    pub kind: LinkKind,
    /// The Spotify id.
    pub id: String,
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// Reads a pasted text: `Ok(None)` when it is not a Spotify reference at all (plain search
/// words); an error, naming `field`, for a Spotify link that holds no tracks to add (an
/// artist, a show...) or is malformed.
pub fn parse(text: &str, field: &str) -> Result<Option<Link>, AppError> {
    let text = text.trim();
    if text.chars().count() > MAX_LINK_CHARS {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_LINK_CHARS} characters"),
        ));
    }
    let bad = |message: String| Err(AppError::invalid(field, message));
    match parse_spotify_ref(text) {
        SpotifyRef::NotSpotify => Ok(None),
        SpotifyRef::Track(id) => Ok(Some(Link {
            kind: LinkKind::Track,
            id,
        })),
        SpotifyRef::NotATrack { kind, id } => {
            let kind = match kind.as_str() {
                "album" => LinkKind::Album,
                "playlist" => LinkKind::Playlist,
                "artist" => {
                    return bad(
                        "an artist link can't be a seed in the picker; paste a link to \
                         one of their tracks or albums"
                            .into(),
                    )
                }
                other => {
                    return bad(format!(
                        "a Spotify {} link holds no tracks to add; paste a track, album or \
                         playlist link",
                        clip(other, 20)
                    ))
                }
            };
            match id {
                Some(id) => Ok(Some(Link { kind, id })),
                None => bad(format!(
                    "the {} link has no Spotify id (22 letters and digits) after /{}/",
                    kind.as_str(),
                    kind.as_str()
                )),
            }
        }
        SpotifyRef::Invalid { reason } => bad(clip(&reason, ECHO_CHARS)),
    }
}

/// What one track of a link becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    /// A catalog track (its catalog id): the same id, or the same song by artist and title.
    Catalog(String),
    /// Not in the catalog; its sound is estimated from its artists' catalog tracks.
    Estimated(Box<SpotifyTrack>),
    /// Neither it nor anything by its artists is in the catalog.
    Unmatched,
}

/// Matches a Spotify track as the library does: by id, else by artist and title, else an
/// estimate from its artists' catalog tracks.
pub fn pick(view: &CatalogView, t: &SpotifyTrack) -> Pick {
    if let Some(m) = crate::library::match_track(view, t) {
        return Pick::Catalog(view.tracks()[m.index].id.to_string());
    }
    match selecta_engine::known::match_track(&view.model, &view.index, t) {
        Some(_) => Pick::Estimated(Box::new(t.clone())),
        None => Pick::Unmatched,
    }
}

/// Which picks become seeds, and why the others do not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// New seeds in order: the id, and the Spotify track for an estimated one.
    pub add: Vec<(String, Option<SpotifyTrack>)>,
    /// Picks that were seeds already.
    pub already: usize,
    /// Picks that are the same track as an earlier one of the list.
    pub repeats: usize,
    /// Picks left out because the seeds were full.
    pub no_room: usize,
    /// Tracks with nothing by their artists in the catalog.
    pub unmatched: usize,
}

impl Plan {
    /// New seeds whose sound is estimated.
    pub fn estimated(&self) -> usize {
        self.add.iter().filter(|(_, t)| t.is_some()).count()
    }
}

/// Decides, in the list's order, what of `picks` joins `seeds` (at most `max` seeds in all).
pub fn plan(seeds: &[String], picks: Vec<Pick>, max: usize) -> Plan {
    let mut p = Plan::default();
    for pick in picks {
        let (id, track) = match pick {
            Pick::Catalog(id) => (id, None),
            Pick::Estimated(t) => (t.id.clone(), Some(*t)),
            Pick::Unmatched => {
                p.unmatched += 1;
                continue;
            }
        };
        if seeds.contains(&id) {
            p.already += 1;
        } else if p.add.iter().any(|(a, _)| *a == id) {
            p.repeats += 1;
        } else if seeds.len() + p.add.len() >= max {
            p.no_room += 1;
        } else {
            p.add.push((id, track));
        }
    }
    p
}

/// Adds the plan's seeds to the picker (estimated ones with their Spotify track).
pub fn apply(picker: &mut Picker, plan: Plan) -> Result<(), AppError> {
    for (id, track) in plan.add {
        if let Some(t) = track {
            picker.known.retain(|k| k.id != t.id);
            picker.known.push(t);
        }
        picker.add(&id)?;
    }
    Ok(())
}

/// Where the tracks came from, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// One track: its `Artist - Title`.
    Track(String),
    /// An album, by name when Spotify gave one.
    Album(Option<String>),
    /// A playlist.
    Playlist,
}

/// What was read of the link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Read {
    /// Tracks read.
    pub tracks: usize,
    /// Items skipped: episodes, local files, removed tracks.
    pub skipped: usize,
    /// Whether the list holds more than was read.
    pub more: bool,
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The sentence the page shows, e.g. "Added 9 of 12 tracks from “After Hours” (4 estimated
/// from their artists' catalog tracks); 3 have nothing by their artists in the catalog".
pub fn summary(from: &Origin, read: Read, plan: &Plan, max: usize) -> String {
    let added = plan.add.len();
    let estimated = plan.estimated();
    if let Origin::Track(label) = from {
        let label = clip(label, ECHO_CHARS);
        return if added == 1 && estimated == 1 {
            format!("Added {label}, estimated from its artists' catalog tracks")
        } else if added == 1 {
            format!("Added {label}")
        } else if plan.already + plan.repeats > 0 {
            format!("{label} is already a seed")
        } else if plan.no_room > 0 {
            format!("{label} did not fit: at most {max} seeds; remove one first")
        } else {
            format!("{label} is not in the catalog, and neither is anything by its artists")
        };
    }
    let source = match from {
        Origin::Album(Some(name)) => format!("“{}”", clip(name, ECHO_CHARS)),
        Origin::Album(None) => "the album".into(),
        _ => "the playlist".into(),
    };
    let of = if read.more {
        format!("the first {}", read.tracks)
    } else {
        read.tracks.to_string()
    };
    let tracks = if read.tracks == 1 && !read.more {
        "track"
    } else {
        "tracks"
    };
    let mut text = if added == 0 {
        format!("Added none of {of} {tracks} from {source}")
    } else {
        format!("Added {added} of {of} {tracks} from {source}")
    };
    if estimated > 0 {
        text.push_str(&format!(
            " ({estimated} estimated from their artists' catalog tracks)"
        ));
    }
    let mut why = Vec::new();
    if plan.unmatched > 0 {
        why.push(if plan.unmatched == 1 {
            "1 has nothing by its artists in the catalog".to_string()
        } else {
            format!(
                "{} have nothing by their artists in the catalog",
                plan.unmatched
            )
        });
    }
    if plan.already > 0 {
        why.push(if plan.already == 1 {
            "1 was a seed already".to_string()
        } else {
            format!("{} were seeds already", plan.already)
        });
    }
    if plan.repeats > 0 {
        why.push(format!(
            "{} of another track on it",
            count(plan.repeats, "is a repeat", "are repeats")
        ));
    }
    if plan.no_room > 0 {
        why.push(format!(
            "{} (at most {max} seeds)",
            count(plan.no_room, "did not fit", "did not fit")
        ));
    }
    if read.skipped > 0 {
        why.push(format!(
            "{} skipped",
            count(
                read.skipped,
                "episode, local file or unavailable track",
                "episodes, local files or unavailable tracks"
            )
        ));
    }
    for w in why {
        text.push_str("; ");
        text.push_str(&w);
    }
    text
}

/// Reads a link's tracks (a catalog track without any lookup) and picks what each becomes;
/// also says where they came from and what was read, for [`summary`].
pub async fn gather(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
    link: &Link,
) -> Result<(Origin, Read, Vec<Pick>), AppError> {
    let view = state.views.get();
    if link.kind == LinkKind::Track {
        if let Some(i) = view.track(&link.id) {
            let read = Read {
                tracks: 1,
                ..Read::default()
            };
            let t = &view.tracks()[i];
            return Ok((
                Origin::Track(t.label()),
                read,
                vec![Pick::Catalog(t.id.to_string())],
            ));
        }
    }
    let list = crate::auth::read_link(state, session, link).await?;
    let origin = match link.kind {
        LinkKind::Track => Origin::Track(
            list.tracks
                .first()
                .map(|t| t.label())
                .unwrap_or_else(|| link.id.clone()),
        ),
        LinkKind::Album => Origin::Album(list.name.clone()),
        LinkKind::Playlist => Origin::Playlist,
    };
    if list.tracks.is_empty() {
        return Err(AppError::invalid(
            "link",
            format!(
                "the {} holds no Spotify tracks to add{}",
                link.kind.as_str(),
                if list.skipped > 0 {
                    " (only episodes, local files or unavailable tracks)"
                } else {
                    ""
                }
            ),
        ));
    }
    let read = Read {
        tracks: list.tracks.len(),
        skipped: list.skipped,
        more: list.more,
    };
    let picks = list.tracks.iter().map(|t| pick(&view, t)).collect();
    Ok((origin, read, picks))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spotify(id: &str) -> SpotifyTrack {
        SpotifyTrack {
            id: id.into(),
            name: format!("Song {id}"),
            artists: vec!["Someone".into()],
            ..SpotifyTrack::default()
        }
    }

    #[test]
    fn links_of_every_kind_are_read_and_others_refused() {
        let id = "4yP0hdKOZPNshxUOjY0cZj";
        assert_eq!(
            parse(&format!("https://open.spotify.com/album/{id}?si=x"), "q").unwrap(),
            Some(Link {
                kind: LinkKind::Album,
                id: id.into()
            })
        );
        assert_eq!(
            parse(&format!(" spotify:playlist:{id} "), "q").unwrap(),
            Some(Link {
                kind: LinkKind::Playlist,
                id: id.into()
            })
        );
        assert_eq!(
            parse(&format!("https://open.spotify.com/intl-de/track/{id}"), "q")
                .unwrap()
                .unwrap()
                .kind,
            LinkKind::Track
        );
        assert_eq!(parse("abba dancing queen", "q").unwrap(), None);
        let e = parse(&format!("https://open.spotify.com/artist/{id}"), "link").unwrap_err();
        assert!(matches!(&e, AppError::InvalidField { field, .. } if field == "link"));
        assert!(e.to_string().contains("artist link"), "{e}");
        assert_eq!(e.status(), 400);
        let e = parse("https://open.spotify.com/album/short", "link").unwrap_err();
        assert!(e.to_string().contains("has no Spotify id"), "{e}");
        let e = parse(&format!("spotify:show:{id}"), "link").unwrap_err();
        assert!(e.to_string().contains("Spotify show link"), "{e}");
    }

    #[test]
    fn messages_never_echo_long_input() {
        let long = format!("https://open.spotify.com/track/{}", "x".repeat(250));
        let e = parse(&long, "link").unwrap_err().to_string();
        assert!(e.chars().count() < 130, "{e}");
        let e = parse(&"y".repeat(400), "link").unwrap_err().to_string();
        assert_eq!(e, "link: at most 300 characters");
        let kind = format!("spotify:{}:{}", "k".repeat(200), "4yP0hdKOZPNshxUOjY0cZj");
        let e = parse(&kind, "link").unwrap_err().to_string();
        assert!(e.chars().count() < 140, "{e}");
        assert_eq!(clip("abc", 2), "ab…");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn plans_add_what_fits_in_order_and_count_the_rest() {
        let seeds = vec!["c1".to_string()];
        let picks = vec![
            Pick::Catalog("c1".into()),
            Pick::Catalog("c2".into()),
            Pick::Estimated(Box::new(spotify("s1"))),
            Pick::Unmatched,
            Pick::Catalog("c2".into()),
            Pick::Catalog("c3".into()),
            Pick::Estimated(Box::new(spotify("s2"))),
        ];
        let p = plan(&seeds, picks.clone(), 50);
        let ids: Vec<&str> = p.add.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["c2", "s1", "c3", "s2"]);
        assert_eq!((p.already, p.repeats, p.unmatched, p.no_room), (1, 1, 1, 0));
        assert_eq!(p.estimated(), 2);
        // Room for two more seeds only.
        let p = plan(&seeds, picks, 3);
        let ids: Vec<&str> = p.add.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["c2", "s1"]);
        assert_eq!(p.no_room, 2);

        let mut picker = Picker {
            seeds: seeds.clone(),
            ..Picker::default()
        };
        apply(&mut picker, p).unwrap();
        assert_eq!(picker.seeds, ["c1", "c2", "s1"]);
        assert_eq!(picker.known.len(), 1);
        assert_eq!(picker.known[0].id, "s1");
    }

    #[test]
    fn summaries_say_what_happened() {
        let mut p = Plan {
            add: (0..9)
                .map(|i| {
                    let t = (i < 4).then(|| spotify(&format!("s{i}")));
                    (format!("t{i}"), t)
                })
                .collect(),
            unmatched: 3,
            ..Plan::default()
        };
        let read = Read {
            tracks: 12,
            ..Read::default()
        };
        let album = Origin::Album(Some("After Hours".into()));
        assert_eq!(
            summary(&album, read, &p, 50),
            "Added 9 of 12 tracks from “After Hours” (4 estimated from their artists' catalog \
             tracks); 3 have nothing by their artists in the catalog"
        );
        p.add.truncate(4);
        p.already = 1;
        p.no_room = 4;
        p.unmatched = 1;
        p.repeats = 2;
        let read = Read {
            tracks: 50,
            skipped: 2,
            more: true,
        };
        assert_eq!(
            summary(&Origin::Playlist, read, &p, 50),
            "Added 4 of the first 50 tracks from the playlist (4 estimated from their artists' \
             catalog tracks); 1 has nothing by its artists in the catalog; 1 was a seed \
             already; 2 are repeats of another track on it; 4 did not fit (at most 50 seeds); \
             2 episodes, local files or unavailable tracks skipped"
        );
        let none = Plan {
            unmatched: 1,
            ..Plan::default()
        };
        let one = Read {
            tracks: 1,
            ..Read::default()
        };
        assert_eq!(
            summary(&Origin::Album(None), one, &none, 50),
            "Added none of 1 track from the album; 1 has nothing by its artists in the catalog"
        );
        let track = Origin::Track("Kite Theory - Paper Tram".into());
        assert_eq!(
            summary(&track, one, &none, 50),
            "Kite Theory - Paper Tram is not in the catalog, and neither is anything by its artists"
        );
        let estimated = Plan {
            add: vec![("s1".into(), Some(spotify("s1")))],
            ..Plan::default()
        };
        assert_eq!(
            summary(&track, one, &estimated, 50),
            "Added Kite Theory - Paper Tram, estimated from its artists' catalog tracks"
        );
        let full = Plan {
            no_room: 1,
            ..Plan::default()
        };
        assert!(summary(&track, one, &full, 50).contains("at most 50 seeds"));
        // A long album name is cut.
        let long = Origin::Album(Some("n".repeat(300)));
        assert!(summary(&long, read, &p, 50).chars().count() < 400);
    }
}
