//! Tracks the bundled catalog lacks, drawn deterministically for a seed: other releases of
//! catalog songs (new ids, version tags, the same ISRC), other tracks by catalog artists, and
//! tracks by artists the catalog does not know. A real library mostly holds such tracks.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_catalog::Catalog;

use crate::world::{artist_id, base62_id, isrc, StandinTrack, TrackKind};

/// Other releases of catalog songs drawn besides the pinned one (see [`PINNED_RELEASES`]).
pub const OTHER_RELEASES: usize = 40;
/// Tracks by catalog artists that the catalog lacks.
pub const SAME_ARTIST_TRACKS: usize = 40;
/// Tracks by artists the catalog lacks.
pub const UNKNOWN_ARTIST_TRACKS: usize = 40;

/// Real Spotify releases of catalog songs, so that the examples people know work:
/// `(new id, catalog id, album id, album, release date, duration ms)`.
const PINNED_RELEASES: [(&str, &str, &str, &str, &str, u32); 1] = [(
    // Blinding Lights on After Hours; the catalog holds the single.
    "0VjIjW4GlUZAMYd2vXMi3b",
    "0sf12qNH5qcw8qpgymFOqD",
    "4yP0hdKOZPNshxUOjY0cZj",
    "After Hours",
    "2020-03-20",
    200_040,
)];

const WORDS: [&str; 12] = [
    "Midnight", "Paper", "Velvet", "Harbour", "Static", "Lantern", "Copper", "Orbit", "Willow",
    "Neon", "Quiet", "Marble",
];
const NOUNS: [&str; 10] = [
    "Tram", "Letters", "Garden", "Signal", "Rooftops", "Tides", "Parade", "Engines", "Summer",
    "Ghosts",
];
/// Artists no catalog track names (checked when drawing).
const UNKNOWN_ARTISTS: [&str; 8] = [
    "The Stand-ins",
    "Lumen Avenue",
    "Kite Theory",
    "Mara Vell",
    "Northbound Choir",
    "Sable & Finch",
    "Ohm Street",
    "Juniper Fold",
];
/// Guests of `(feat. X)` versions.
const GUESTS: [&str; 4] = ["Mara Vell", "Kite Theory", "Ohm Street", "Juniper Fold"];

/// Draws the tracks outside the catalog. `catalog_tracks` are the catalog's own (in the
/// world's order); `popular` indexes the ones a listener is likely to know.
pub fn draw(
    catalog: &Catalog,
    catalog_tracks: &[StandinTrack],
    popular: &[usize],
    seed: u64,
    rng: &mut ChaCha8Rng,
) -> Vec<StandinTrack> {
    let mut out = Vec::new();
    let taken = |id: &str, out: &[StandinTrack]| {
        catalog.get(id).is_some() || out.iter().any(|t| t.id == id)
    };
    for (id, of_id, album_id, album, date, duration) in PINNED_RELEASES {
        let Some(of) = catalog_tracks.iter().position(|t| t.id == of_id) else {
            continue;
        };
        if taken(id, &out) {
            continue;
        }
        let original = &catalog_tracks[of];
        out.push(StandinTrack {
            id: id.into(),
            album_id: album_id.into(),
            album: album.into(),
            album_type: "album",
            release_date: date.into(),
            duration_ms: duration,
            kind: TrackKind::OtherRelease { of },
            ..original.clone()
        });
    }

    // Other releases: a remaster, a single, a radio edit, a feature; same recording.
    let mut n = 0;
    let mut used = std::collections::HashSet::new();
    while out.len() < PINNED_RELEASES.len() + OTHER_RELEASES && n < 10 * OTHER_RELEASES {
        n += 1;
        let of = *popular.choose(rng).expect("popular tracks");
        if !used.insert(of) {
            continue;
        }
        let original = &catalog_tracks[of];
        let id = base62_id(&format!("standin-release:{seed}:{}", original.id));
        if taken(&id, &out) {
            continue;
        }
        let year: u16 = original.release_date[..4].parse().unwrap_or(2000);
        let mut t = StandinTrack {
            id,
            duration_ms: (i64::from(original.duration_ms) + rng.random_range(-1900..=1900))
                .max(30_000) as u32,
            popularity: original.popularity / 2,
            kind: TrackKind::OtherRelease { of },
            ..original.clone()
        };
        match n % 5 {
            0 => {
                let remastered = (year + 10 + (n as u16 % 15)).min(2025);
                t.name = format!("{} - Remastered {remastered}", original.name);
                t.album = format!("{} (Remastered {remastered})", original.album);
                t.release_date = format!("{remastered}-06-01");
            }
            1 => {
                t.album = original.name.clone();
                t.album_type = "single";
                t.release_date = shift(&original.release_date, -1);
            }
            2 => {
                t.name = format!("{} - Radio Edit", original.name);
                t.album = format!("{} (Radio Edit)", original.name);
                t.album_type = "single";
            }
            3 => {
                let guest = GUESTS.choose(rng).expect("guests");
                t.name = format!("{} (feat. {guest})", original.name);
                t.artists.push((artist_id(guest), guest.to_string()));
                t.album = format!("{} (feat. {guest})", original.name);
                t.album_type = "single";
            }
            _ => {
                t.name = format!("{} - {} Mix", original.name, year.max(1950) + 1);
                t.album = format!("{}: Greatest Hits", original.artists[0].1);
                t.album_type = "compilation";
                t.release_date = format!("{}", (year + 5).min(2025));
            }
        }
        t.album_id = base62_id(&format!("album:{}:{}", original.artists[0].1, t.album));
        out.push(t);
    }

    // Other tracks by catalog artists: half on an album the catalog has, half on a new one.
    let mut n = 0;
    let start = out.len();
    while out.len() < start + SAME_ARTIST_TRACKS && n < 10 * SAME_ARTIST_TRACKS {
        n += 1;
        let like = &catalog_tracks[*popular.choose(rng).expect("popular tracks")];
        let id = base62_id(&format!("standin-artist-track:{seed}:{n}"));
        if taken(&id, &out) {
            continue;
        }
        let name = format!(
            "{} {}",
            WORDS.choose(rng).expect("words"),
            NOUNS.choose(rng).expect("nouns")
        );
        let mut t = StandinTrack {
            id,
            isrc: Some(isrc(&format!("standin-artist-track:{seed}:{n}"), 2020)),
            name,
            artists: like.artists[..1].to_vec(),
            duration_ms: rng.random_range(150_000..300_000),
            popularity: rng.random_range(5..50),
            kind: TrackKind::SameArtist,
            ..like.clone()
        };
        if n % 2 == 0 {
            let album = format!("{} Sessions", WORDS.choose(rng).expect("words"));
            t.album_id = base62_id(&format!("album:{}:{album}", like.artists[0].1));
            t.album = album;
            t.album_type = "album";
            t.release_date = random_date(rng);
        }
        out.push(t);
    }

    // Tracks by artists the catalog lacks.
    let unknown: Vec<&str> = UNKNOWN_ARTISTS
        .iter()
        .copied()
        .filter(|a| {
            !catalog
                .tracks()
                .iter()
                .any(|t| t.artists.iter().any(|x| x == a))
        })
        .collect();
    let start = out.len();
    let mut n = 0;
    while out.len() < start + UNKNOWN_ARTIST_TRACKS && !unknown.is_empty() {
        let id = base62_id(&format!("standin-extra:{seed}:{n}"));
        n += 1;
        if taken(&id, &out) {
            continue;
        }
        let name = format!(
            "{} {}",
            WORDS.choose(rng).expect("words"),
            NOUNS.choose(rng).expect("nouns")
        );
        let artist = unknown.choose(rng).expect("artists").to_string();
        let album = format!("{} Sessions", WORDS.choose(rng).expect("words"));
        out.push(StandinTrack {
            isrc: Some(isrc(&id, 2023)),
            id,
            album_id: base62_id(&format!("album:{artist}:{album}")),
            album_type: "album",
            artists: vec![(artist_id(&artist), artist)],
            album,
            name,
            release_date: random_date(rng),
            duration_ms: rng.random_range(120_000..330_000),
            popularity: rng.random_range(5..60),
            explicit: false,
            kind: TrackKind::UnknownArtist,
        });
    }
    out
}

fn random_date(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.random_range(2021..2026),
        rng.random_range(1..13),
        rng.random_range(1..29)
    )
}

/// The first of the month `months` before or after `date` (always a valid day).
fn shift(date: &str, months: i32) -> String {
    let year: i32 = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    let month: i32 = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(6);
    let total = year * 12 + (month - 1) + months;
    format!("{}-{:02}-01", total / 12, total % 12 + 1)
}

/// Seeds the random draws of a world.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_dates_stay_valid() {
        assert_eq!(shift("2019-01-12", -1), "2018-12-01");
        assert_eq!(shift("2019", -1), "2019-05-01");
        assert_eq!(shift("2019-12-31", 1), "2020-01-01");
    }
}
