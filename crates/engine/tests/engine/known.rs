//! Seeds the catalog lacks: matching a track or artist known from Spotify (pure), and the
//! whole path against the stand-in serving the same tiny catalog over real HTTP.

use std::sync::Arc;

use selecta_catalog::Catalog;
use selecta_engine::known::{match_artist, match_track, same_recording};
use selecta_engine::{CatalogView, Lookup, MatchKind, RequestError, Unmatched};
use selecta_model::{Model, ModelParams};
use selecta_spotify::{Acting, CacheSettings, LookupCache, SpotifyConfig, SpotifyLookup};
use selecta_spotify_standin::{Standin, StandinConfig};
use selecta_types::{PlaylistRequest, SeedRef, SpotifyArtist, SpotifyTrack};

use super::{id, tracks};

/// The tiny catalog (`n` tracks) with lengths (180 s + 5 s per index) and a Spotify artist
/// id for artist A.
fn catalog(n: usize) -> Catalog {
    let mut tracks = tracks(n);
    for (i, t) in tracks.iter_mut().enumerate() {
        t.duration_ms = Some(180_000 + 5_000 * i as u32);
        if t.artists[0] == "Artist A" {
            t.artist_ids = vec!["000000000000000ArtistA".into()];
        }
    }
    Catalog::from_tracks(tracks, Vec::new())
}

fn view(n: usize) -> CatalogView {
    let model = Model::fit(catalog(n), &ModelParams::default(), &mut |_| {}).expect("fits");
    CatalogView::build(Arc::new(model))
}

fn spotify(name: &str, artist: &str, album: &str) -> SpotifyTrack {
    SpotifyTrack {
        id: "4uLU6hMCjMI75M1A2tKUQC".into(),
        name: name.into(),
        artists: vec![artist.into()],
        album: album.into(),
        ..SpotifyTrack::default()
    }
}

#[test]
fn another_release_of_a_catalog_song_is_the_same_recording() {
    let view = view(48);
    let (model, index) = (&*view.model, &view.index);
    // Track 7 is "Song 7" by Artist B, 215 s long.
    let mut t = spotify("Song 7 - Remastered 2011", "Artist B", "Greatest Hits");
    t.duration_ms = Some(216_500);
    assert_eq!(same_recording(model, index, &t), Some(7));
    let m = match_track(model, index, &t).unwrap();
    assert_eq!(
        (m.tracks.clone(), m.how),
        (vec![7], MatchKind::SameRecording)
    );
    let note = m.note.unwrap();
    assert!(
        note.contains("Song 7 - Remastered 2011 (Greatest Hits)"),
        "{note}"
    );
    assert!(note.contains("Album 1"), "{note}");

    // A radio edit a minute shorter is another recording: a proxy from Artist B's tracks.
    t.name = "Song 7 (Radio Edit)".into();
    t.duration_ms = Some(155_000);
    assert_eq!(same_recording(model, index, &t), None);
    assert_eq!(match_track(model, index, &t).unwrap().how, MatchKind::Proxy);
}

#[test]
fn a_new_song_is_estimated_from_its_artists_tracks_toward_its_album_and_era() {
    let view = view(48);
    let (model, index) = (&*view.model, &view.index);
    let mut t = spotify("Brand New Song", "artist c", "Album 5");
    t.year = Some(2010);
    let m = match_track(model, index, &t).unwrap();
    assert_eq!(m.how, MatchKind::Proxy);
    let p = m.proxy.as_ref().unwrap();
    let tracks = model.tracks();
    // Every track by Artist C (indices 2, 8, 14...: 8 of 48), found by normalised name.
    assert_eq!(p.from.len(), 8);
    assert!(p
        .from
        .iter()
        .all(|&(i, _)| tracks[i].artists[0] == "Artist C"));
    // Album 5 holds tracks 20..=23, of which 20 is Artist C's: it weighs the most.
    assert_eq!(p.from[0].0, 20);
    // Then by era: 2010 is track 20's year; the farthest years weigh the least.
    let last = p.from.last().unwrap().0;
    assert!(last == 44 || last == 2, "{last}");
    assert_eq!(p.track.id, t.id);
    let note = m.note.unwrap();
    assert_eq!(
        note,
        "Brand New Song is not in the catalog: its sound is estimated from 8 catalog tracks by artist c"
    );

    // By Spotify artist id, whatever the name.
    let mut t = spotify("Other", "A. (renamed)", "");
    t.artist_ids = vec!["000000000000000ArtistA".into()];
    let m = match_track(model, index, &t).unwrap();
    assert!(m.tracks.iter().all(|&i| tracks[i].artists[0] == "Artist A"));

    // Nothing by its artists: no match.
    assert!(match_track(model, index, &spotify("X", "Nobody Known", "Y")).is_none());
}

#[test]
fn an_artist_from_spotify_matches_by_id_name_or_genre() {
    let view = view(48);
    let index = &view.index;
    let artist = |id: &str, name: &str, genres: &[&str]| SpotifyArtist {
        id: id.into(),
        name: name.into(),
        genres: genres.iter().map(|g| g.to_string()).collect(),
    };
    let m = match_artist(index, &artist("000000000000000ArtistA", "?", &[]), 3).unwrap();
    assert_eq!((m.how, m.tracks.len()), (MatchKind::Artist, 3));
    assert_eq!(m.tracks[0], 42, "Artist A's most popular track");
    let m = match_artist(index, &artist("1dfeR4HaWDbWqFHLkxsg1d", "ARTIST D", &[]), 1).unwrap();
    assert_eq!(m.tracks, [45]);
    let m = match_artist(index, &artist("x", "Someone", &["Hard Rock", "jazz"]), 2).unwrap();
    assert_eq!(m.how, MatchKind::Genre);
    assert_eq!(
        m.note.as_deref(),
        Some("Someone is not in the catalog: matched by their genre, Hard Rock")
    );
    assert!(match_artist(index, &artist("x", "Someone", &["jazz"]), 2).is_none());
}

const STANDIN_TRACKS: usize = 360;

struct Env {
    view: CatalogView,
    lookup: SpotifyLookup,
    examples: selecta_spotify_standin::world::Examples,
}

async fn env(configured: bool) -> Env {
    let config = StandinConfig::new("engine-test", "engine-secret", "http://127.0.0.1:1/cb");
    // The stand-in draws listeners' libraries, so it needs a few hundred tracks.
    let standin = Standin::new(config, catalog(STANDIN_TRACKS)).expect("stand-in");
    let examples = standin.world().examples();
    let addr = standin.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut c = SpotifyConfig::new("engine-test", "engine-secret");
    c.accounts_url = format!("http://{addr}");
    c.api_url = format!("http://{addr}/v1");
    let cache = LookupCache::memory(None, CacheSettings::default());
    let lookup = SpotifyLookup::new(configured.then_some(&c), cache).unwrap();
    Env {
        view: view(STANDIN_TRACKS),
        lookup,
        examples,
    }
}

impl Env {
    fn with(&self) -> Lookup<'_> {
        Lookup {
            spotify: &self.lookup,
            acting: Acting::App,
        }
    }
}

fn request(seeds: Vec<SeedRef>) -> PlaylistRequest {
    PlaylistRequest {
        seeds,
        length: 10,
        ..PlaylistRequest::default()
    }
}

#[tokio::test]
async fn ids_the_catalog_lacks_are_looked_up_matched_and_reported() {
    let env = env(true).await;
    let e = &env.examples;
    let (other, original) = e.other_release[0].clone();
    let same_artist = e.same_artist[0].clone();
    let unknown = e.unknown_artist[0].clone();
    let req = request(vec![
        SeedRef::Track(format!("spotify:track:{other}")),
        SeedRef::Track(same_artist.clone()),
        SeedRef::Track(unknown.clone()),
        SeedRef::Track(id(3)),
    ]);
    let engine = env.view.engine();
    let g = engine.playlist_looking_up(&req, env.with()).await.unwrap();

    let tracks = env.view.tracks();
    assert_eq!(g.seeds.len(), 3);
    assert_eq!(g.seeds[0].matched.how, MatchKind::SameRecording);
    assert_eq!(tracks[g.seeds[0].matched.tracks[0]].id, original);
    assert_eq!(g.seeds[1].matched.how, MatchKind::Proxy);
    assert_eq!(g.seeds[2].matched.how, MatchKind::Id);
    // The unknown artist's track is left out, saying why.
    assert_eq!(g.skipped.len(), 1);
    assert_eq!(g.skipped[0].index, 2);
    let why = g.skipped[0].reason.to_string();
    assert!(why.contains("neither is anything by its artists"), "{why}");

    // The playlist starts from the proxy too, and says so where it is the closest seed.
    assert_eq!(g.playlist.seeds.len(), 3);
    assert!(g.playlist.seeds.iter().any(|t| t.id == same_artist));
    assert_eq!(g.playlist.entries.len(), 10);
    let noted: Vec<&str> = g
        .playlist
        .entries
        .iter()
        .filter_map(|en| en.reason.seed_match.as_deref())
        .collect();
    assert!(
        noted.iter().any(
            |n| n.contains("is not in the catalog: its sound is estimated")
                || n.contains("same recording")
        ),
        "{noted:?}"
    );
    for en in &g.playlist.entries {
        if let Some(n) = &en.reason.seed_match {
            assert!(en.reason.text.ends_with(&format!("({n})")));
        }
    }

    // A repeated request gives the same playlist (its lookups come from the cache).
    let again = engine.playlist_looking_up(&req, env.with()).await.unwrap();
    assert_eq!(again.playlist, g.playlist);

    // Only unusable seeds: the first one's reason is the error.
    let req = request(vec![SeedRef::Track(unknown)]);
    let err = engine
        .playlist_looking_up(&req, env.with())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        RequestError::Unmatched {
            reason: Unmatched::NothingByArtists(_),
            index: 0,
            ..
        }
    ));
    // An id Spotify does not know either.
    let req = request(vec![SeedRef::Track("0000000000000000000000".into())]);
    let err = engine
        .playlist_looking_up(&req, env.with())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Spotify has no such track"),
        "{err}"
    );
}

#[tokio::test]
async fn artists_by_spotify_id_and_the_missing_setting_named() {
    let env = env(true).await;
    let (artist_id, name) = env.examples.catalog_artists[0].clone();
    let engine = env.view.engine();
    let req = request(vec![SeedRef::Artist(format!(
        "https://open.spotify.com/artist/{artist_id}"
    ))]);
    let g = engine.playlist_looking_up(&req, env.with()).await.unwrap();
    assert_eq!(g.seeds[0].matched.how, MatchKind::Artist);
    let tracks = env.view.tracks();
    assert!(g.seeds[0]
        .matched
        .tracks
        .iter()
        .all(|&i| tracks[i].artists[0] == name));

    // Without Selecta's Spotify app, the error says what to set.
    let unconfigured = self::env(false).await;
    let other = unconfigured.examples.other_release[0].0.clone();
    let req = request(vec![SeedRef::Track(other)]);
    let err = unconfigured
        .view
        .engine()
        .playlist_looking_up(&req, unconfigured.with())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("SPOTIFY_CLIENT_ID"), "{text}");
    assert!(text.starts_with("seeds[0]: "), "{text}");
}

#[test]
fn tracks_learned_through_lookups_fold_into_the_next_catalog() {
    let base = catalog(48);
    let tracks = base.tracks().to_vec();
    let mut new = spotify("Brand New Song", "Artist C", "Album 5");
    new.id = "1111111111111111111111".into();
    new.year = Some(2010);
    let mut again = spotify("Song 7 - Remastered", "Artist B", "Hits");
    again.id = "2222222222222222222222".into();
    let mut nobody = spotify("X", "Nobody Known", "Y");
    nobody.id = "3333333333333333333333".into();
    let (folded, added, left_out) =
        selecta_engine::known::fold_into(base, &[new.clone(), again, nobody]);
    assert_eq!((added, left_out), (1, 2));
    assert_eq!(folded.len(), 49);
    let t = folded.get(&new.id).unwrap();
    assert_eq!(t.name, "Brand New Song");
    // Its sound lies within that of Artist C's tracks (indices 2, 8, ... 44).
    let energies: Vec<f32> = tracks
        .iter()
        .filter(|t| t.artists[0] == "Artist C")
        .map(|t| t.features.energy.get().unwrap())
        .collect();
    let e = t.features.energy.get().unwrap();
    let (lo, hi) = energies
        .iter()
        .fold((1.0f32, 0.0f32), |(l, h), &x| (l.min(x), h.max(x)));
    assert!(lo < e && e < hi, "{lo} < {e} < {hi}");
    // Track 20 (Album 5, 2010) weighs the most: the mean leans toward it.
    let mid = (lo + hi) / 2.0;
    assert!(
        (e - tracks[20].features.energy.get().unwrap()).abs()
            < (mid - tracks[20].features.energy.get().unwrap()).abs() + 1e-6
    );
    assert_eq!(t.genres, tracks[20].genres);
}
