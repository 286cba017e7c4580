//! The bundled TidyTuesday catalog (data/spotify_songs.csv.gz), loaded for real. The facts
//! checked here were computed from the CSV with an independent script (Python's csv module).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::LazyLock;

use selecta_catalog::normalize::title_without_featuring;
use selecta_catalog::{load_path, song_key, Catalog, LoadOptions, ResolveError};

fn data_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/spotify_songs.csv.gz")
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let (catalog, report) = load_path(data_file(), &LoadOptions::default()).unwrap();
    assert_eq!(report.rows_read, 32_833);
    assert_eq!(report.rows_imported, 32_833);
    assert_eq!(report.rows_skipped, 0);
    assert_eq!(report.tracks, 28_356);
    assert_eq!(report.playlists, 471);
    catalog
});

fn track(id: &str) -> &'static selecta_types::Track {
    CATALOG
        .get(id)
        .unwrap_or_else(|| panic!("{id} not in catalog"))
}

#[test]
fn one_entry_per_track_id_in_first_seen_order() {
    let c = &*CATALOG;
    assert_eq!(c.len(), 28_356);
    assert_eq!(c.tracks()[0].id, "6f807x0ima9a1j3VPbc7VN");
    assert_eq!(c.tracks()[c.len() - 1].id, "29zWqhca3zt5NsckZqDf6c");
    let ids: HashSet<&str> = c.tracks().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), c.len());
    for (i, t) in c.tracks().iter().enumerate() {
        assert_eq!(c.index_of(&t.id), Some(i));
    }
}

#[test]
fn tracks_keep_every_genre_and_subgenre() {
    // Closer (feat. Halsey) sits in playlists of five genres.
    let t = track("7BKLCZ1jbUBVqRi2FVlTVw");
    assert_eq!(t.label(), "The Chainsmokers - Closer (feat. Halsey)");
    assert_eq!(t.genres, ["pop", "rap", "latin", "r&b", "edm"]);
    assert_eq!(
        t.subgenres,
        [
            "dance pop",
            "post-teen pop",
            "electropop",
            "indie poptimism",
            "southern hip hop",
            "tropical",
            "latin pop",
            "latin hip hop",
            "hip pop",
            "pop edm"
        ]
    );
    let t = track("0hVXuCcriWRGvwMV1r5Yn9");
    assert_eq!(t.genres, ["pop", "latin", "r&b", "edm"]);
    let multi = CATALOG
        .tracks()
        .iter()
        .filter(|t| t.genres.len() > 1)
        .count();
    assert_eq!(multi, 1_687);
    let five = CATALOG
        .tracks()
        .iter()
        .filter(|t| t.genres.len() == 5)
        .count();
    assert_eq!(five, 7);
}

#[test]
fn analysis_failures_are_missing_and_real_zeros_are_kept() {
    let t = track("51w6nRCU68klqNfYaaVP2j");
    assert_eq!(t.name, "Hi, How're You Doin'?");
    assert_eq!(t.features.tempo.get(), None);
    assert_eq!(t.features.danceability.get(), None);
    assert_eq!(t.features.valence.get(), None);
    assert_eq!(t.features.energy.get(), Some(0.315));
    assert_eq!(t.features.loudness.get(), Some(-26.087));
    assert_eq!(t.duration_ms, Some(4_000));
    let tracks = CATALOG.tracks();
    assert_eq!(
        tracks.iter().filter(|t| t.features.tempo.is_none()).count(),
        1
    );
    assert_eq!(
        tracks
            .iter()
            .filter(|t| t.features.danceability.is_none())
            .count(),
        1
    );
    // 10,175 tracks have instrumentalness 0; all but the failed one are real measurements.
    let zero = tracks
        .iter()
        .filter(|t| t.features.instrumentalness == Some(0.0).into())
        .count();
    assert_eq!(zero, 10_174);
    // No time signature column in this data set.
    assert!(tracks
        .iter()
        .all(|t| t.features.time_signature.is_none() && t.explicit.is_none()));
}

#[test]
fn rows_without_title_or_artist_are_kept_empty() {
    let empty: Vec<&str> = CATALOG
        .tracks()
        .iter()
        .filter(|t| t.name.is_empty())
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(empty.len(), 4);
    assert!(empty.contains(&"69gRFGOWY9OMpFJgFol1u0"));
    let t = track("69gRFGOWY9OMpFJgFol1u0");
    assert!(t.artists.is_empty());
    assert_eq!(t.album, "");
    assert_eq!(t.features.tempo.get(), Some(95.999));
    assert_eq!(t.year, Some(2012));
    assert_eq!(
        CATALOG.resolve("69gRFGOWY9OMpFJgFol1u0"),
        Ok(CATALOG.index_of(&t.id).unwrap())
    );
}

#[test]
fn release_years_from_every_date_form() {
    let t = track("6ZMda6mscE8eRkuwlw8yFB");
    assert_eq!(
        (t.release_date.as_deref(), t.year),
        (Some("1981-12"), Some(1981))
    );
    let t = track("2QtJA4gbwe1AcanB2p21aP");
    assert_eq!(
        (t.release_date.as_deref(), t.year),
        (Some("2012"), Some(2012))
    );
    let t = track("0hVXuCcriWRGvwMV1r5Yn9");
    assert_eq!(t.year, Some(2019));
    let years: Vec<u16> = CATALOG.tracks().iter().map(|t| t.year.unwrap()).collect();
    assert_eq!(years.iter().min(), Some(&1957));
    assert_eq!(years.iter().max(), Some(&2020));
}

#[test]
fn playlists_are_kept_for_evaluation() {
    let c = &*CATALOG;
    assert_eq!(c.playlists().len(), 471);
    let total: usize = c.playlists().iter().map(|p| p.track_ids.len()).sum();
    assert_eq!(total, 32_251);
    for p in c.playlists() {
        assert!(!p.track_ids.is_empty());
        let distinct: HashSet<&String> = p.track_ids.iter().collect();
        assert_eq!(distinct.len(), p.track_ids.len(), "{}", p.id);
        assert!(p.track_ids.iter().all(|id| c.index_of(id).is_some()));
    }
    assert_eq!(c.playlists()[0].id, "37i9dQZF1DXcZDD7cfEKhW");
    assert_eq!(c.playlists()[0].name, "Pop Remix");
    assert_eq!(c.playlists()[0].track_ids.len(), 70);
    // Collected under two labels (rap/trap, then latin/reggaeton): the first is kept.
    let p = c
        .playlists()
        .iter()
        .find(|p| p.id == "37i9dQZF1DX4OjfOteYnH8")
        .unwrap();
    assert_eq!(
        (p.name.as_str(), p.genre.as_str(), p.subgenre.as_str()),
        ("Flow Selecto", "rap", "trap")
    );
    assert_eq!(p.track_ids.len(), 39);
    assert_eq!(
        p.track_ids[..2],
        ["1W3PmIlBplo5X5T67yLmY5", "7JUvz8eMJTJYJ1dHYUcK7y"]
    );
}

#[test]
fn gzip_is_recognised_by_content_and_bom_crlf_are_accepted() {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(data_file()).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Plain text under a .gz name, with a BOM and CRLF line ends.
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    for line in text.split_inclusive(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        crlf.extend_from_slice(line);
        crlf.extend_from_slice(b"\r\n");
    }
    let plain = dir.path().join("songs.csv.gz");
    std::fs::write(&plain, &crlf).unwrap();
    let (c, _) = load_path(&plain, &LoadOptions::default()).unwrap();
    assert_eq!((c.len(), c.playlists().len()), (28_356, 471));
    assert_eq!(c.tracks(), CATALOG.tracks());
    // Gzip under a .csv name.
    let gz = dir.path().join("songs.csv");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&crlf).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    assert_eq!(Catalog::load(&gz).unwrap().len(), 28_356);
}

#[test]
fn catalog_survives_a_json_roundtrip() {
    let json = serde_json::to_vec(&*CATALOG).unwrap();
    let back: Catalog = serde_json::from_slice(&json).unwrap();
    assert_eq!(back.tracks(), CATALOG.tracks());
    assert_eq!(back.playlists(), CATALOG.playlists());
    assert_eq!(
        back.resolve("Ed Sheeran - I Don't Care"),
        CATALOG.resolve("Ed Sheeran - I Don't Care")
    );
}

fn resolved_id(query: &str) -> String {
    match CATALOG.resolve(query) {
        Ok(i) => CATALOG.tracks()[i].id.to_string(),
        Err(e) => panic!("{query}: {e}"),
    }
}

#[test]
fn resolves_text_with_typos_accents_and_case() {
    // Two releases of the same recording (84 and 90 popularity) and a remix: the most
    // popular exact match is taken, with no ambiguity.
    for q in [
        "Ed Sheeran - I Don't Care",
        "ed sheeran - i dont care",
        "ED SHEERAN — I DON’T CARE",
        "Éd Shéeran - I Don't Care!",
        "Ed Sheran - I Dont Car",
        "Ed Sheeran - I Don't Care (with Justin Bieber)",
        "I Don't Care - Ed Sheeran",
        "i don't care by ed sheeran",
        "ed sheeran i dont care",
    ] {
        assert_eq!(resolved_id(q), "3HVWdVOQ0ZA45FuZGSfvns", "{q}");
    }
    assert_eq!(
        resolved_id("Ed Sheeran - I Don't Care - Loud Luxury Remix"),
        "6f807x0ima9a1j3VPbc7VN"
    );
    assert_eq!(resolved_id("beyonce - hold up"), "0rzNMzZsubFcXSEh7dnem7");
    assert_eq!(
        resolved_id("Motley Crue - Kickstart My Heart"),
        "7GonnnalI2s19OCQO1J7Tf"
    );
    assert_eq!(
        resolved_id("Ed Sheeran - Shape of Yuo"),
        "7qiZfU4dY1lWllzX7mPBI3"
    );
    // Only remastered versions exist: the bare title finds the most popular one.
    let i = CATALOG.resolve("Queen - Bohemian Rhapsody").unwrap();
    assert_eq!(song_key(&CATALOG.tracks()[i]), "queen|bohemian rhapsody");
    assert_eq!(CATALOG.tracks()[i].id, "4u7EnebtmKWzUH433cf5Qv");
}

#[test]
fn resolves_ids_uris_and_links() {
    let idx = CATALOG.index_of("0hVXuCcriWRGvwMV1r5Yn9").unwrap();
    for q in [
        "0hVXuCcriWRGvwMV1r5Yn9",
        "spotify:track:0hVXuCcriWRGvwMV1r5Yn9",
        "https://open.spotify.com/track/0hVXuCcriWRGvwMV1r5Yn9?si=4f1c2a9b7e3d4c5a",
        "https://open.spotify.com/intl-de/track/0hVXuCcriWRGvwMV1r5Yn9?si=x",
        "  open.spotify.com/track/0hVXuCcriWRGvwMV1r5Yn9  ",
    ] {
        assert_eq!(CATALOG.resolve(q), Ok(idx), "{q}");
    }
    // Rick Astley's Never Gonna Give You Up: a real id, not in this catalog.
    let err = CATALOG
        .resolve("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=1")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Spotify track 4uLU6hMCjMI75M1A2tKUQC is not in the catalog"
    );
    let err = CATALOG
        .resolve("https://open.spotify.com/album/3oIFxDIo2fwuk4lwCmFZCx")
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::NotATrack { ref kind, .. } if kind == "album"),
        "{err}"
    );
}

#[test]
fn ambiguous_titles_list_one_candidate_per_song() {
    let err = CATALOG.resolve("Stay").unwrap_err();
    let ResolveError::Ambiguous { candidates, .. } = &err else {
        panic!("{err}");
    };
    let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    assert!(ids.contains(&"6uBhi9gBXWjanegOb2Phh0"), "{ids:?}"); // Zedd
    assert!(ids.contains(&"4H7WNRErSbONkM06blBoGc"), "{ids:?}"); // Post Malone
    let songs: HashSet<String> = candidates
        .iter()
        .map(|c| song_key(&CATALOG.tracks()[c.index]))
        .collect();
    assert_eq!(songs.len(), candidates.len());
    assert!(err
        .to_string()
        .contains("Zedd - Stay (spotify:track:6uBhi9gBXWjanegOb2Phh0)"));
    // Naming the artist settles it (Zedd also has "Stay (with Alessia Cara)": same song,
    // less popular).
    assert_eq!(resolved_id("Zedd - Stay"), "6uBhi9gBXWjanegOb2Phh0");
}

#[test]
fn unknown_text_suggests_close_tracks() {
    let err = CATALOG
        .resolve("Ed Sheeran - I Dont Cari Much")
        .unwrap_err();
    let ResolveError::NotFound { suggestions, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(suggestions[0].id, "3HVWdVOQ0ZA45FuZGSfvns");
    assert!(err.to_string().contains("did you mean:"), "{err}");
    // An artist alone is not a track: their songs are suggested.
    let err = CATALOG.resolve("Ed Sheeran").unwrap_err();
    let ResolveError::NotFound { suggestions, .. } = &err else {
        panic!("{err}");
    };
    assert!(!suggestions.is_empty());
    assert!(
        suggestions
            .iter()
            .all(|c| c.label.starts_with("Ed Sheeran - ")),
        "{err}"
    );
}

#[test]
fn search_ranks_exact_then_popular_without_duplicates() {
    let hits = CATALOG.search("sheeran care", 10);
    let labels: Vec<String> = hits.iter().map(|&i| CATALOG.tracks()[i].label()).collect();
    assert_eq!(
        labels,
        [
            "Ed Sheeran - I Don't Care (with Justin Bieber)",
            "Ed Sheeran - I Don't Care (with Justin Bieber) - Loud Luxury Remix"
        ]
    );
    assert_eq!(CATALOG.tracks()[hits[0]].id, "3HVWdVOQ0ZA45FuZGSfvns");
    let hits = CATALOG.search("Stay", 5);
    // "Stay" and "Stay (feat. Maty Noyes)" are whole-title matches alike.
    assert!(hits
        .iter()
        .all(|&i| title_without_featuring(&CATALOG.tracks()[i].name) == "stay"));
    let pops: Vec<f32> = hits
        .iter()
        .map(|&i| CATALOG.tracks()[i].popularity.unwrap())
        .collect();
    assert!(pops.windows(2).all(|w| w[0] >= w[1]), "{pops:?}");
    assert_eq!(CATALOG.search("a", 25).len(), 25);
    assert!(CATALOG.search("zzzzqqq", 10).is_empty());
    let hits = CATALOG.search("beyonc", 20);
    assert!(!hits.is_empty());
    assert!(hits
        .iter()
        .all(|&i| CATALOG.tracks()[i].label().contains("Beyonc")));
}

#[test]
fn song_keys_group_versions() {
    let key = |id: &str| song_key(track(id));
    assert_eq!(key("0hVXuCcriWRGvwMV1r5Yn9"), "ed sheeran|i dont care");
    assert_eq!(key("3HVWdVOQ0ZA45FuZGSfvns"), key("6f807x0ima9a1j3VPbc7VN"));
    assert_eq!(key("1AhDOtG9vPSOmsWgNW0BEY"), key("1pwE0jB6MTtTWx8fzqriAj"));
    assert_ne!(key("6uBhi9gBXWjanegOb2Phh0"), key("4H7WNRErSbONkM06blBoGc"));
    let c = &*CATALOG;
    let a = c.index_of("3HVWdVOQ0ZA45FuZGSfvns").unwrap();
    let b = c.index_of("6f807x0ima9a1j3VPbc7VN").unwrap();
    assert_eq!(c.song_id(a), c.song_id(b));
    let songs: HashSet<String> = c.tracks().iter().map(song_key).collect();
    assert!(
        songs.len() < c.len() && songs.len() > c.len() * 8 / 10,
        "{}",
        songs.len()
    );
}
