//! A check of the bundled data, not of the model: how much of a playlist's hidden half any
//! signal of its seeds can point to. For the seed protocol's tasks (every playlist, shuffled
//! with the evaluation's seed, first half seeds, the rest hidden), it prints:
//!
//! - the share of hidden tracks that share an artist or an album with a seed (what the
//!   artist and album signals can find), and the share of all such tracks that are hidden;
//! - for the others, against the other tracks of the playlist's subgenre that share neither
//!   (what they compete with once the label has done its work), the share released on a
//!   seed's release day, within a week and within a month of one, and the precision of that
//!   cue;
//! - how many tracks are in one playlist only, and whether any is in two playlists of one
//!   subgenre (then a scored playlist's subgenre label reaches its tracks from it alone).
//!
//! `cargo run --release -p selecta-eval --example ties`

use std::collections::{HashMap, HashSet};

use selecta_catalog::normalize::normalize;
use selecta_catalog::Catalog;
use selecta_eval::protocol::tasks;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (civil calendar); `None` without a day.
fn days(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.get(..2)?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    let catalog = Catalog::load(path)?;
    let tracks = catalog.tracks();
    let playlists = catalog.playlists();
    let artists: Vec<HashSet<String>> = tracks
        .iter()
        .map(|t| t.artists.iter().map(|a| normalize(a)).collect())
        .collect();
    let day: Vec<Option<i64>> = tracks
        .iter()
        .map(|t| t.release_date.as_deref().and_then(days))
        .collect();

    let mut by_artist: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_album: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in tracks.iter().enumerate() {
        for a in &artists[i] {
            by_artist.entry(a.as_str()).or_default().push(i);
        }
        if let Some(a) = t.album_id.as_deref() {
            by_album.entry(a).or_default().push(i);
        }
    }

    // Membership: playlists per track, and per (track, subgenre).
    let mut member: Vec<usize> = vec![0; tracks.len()];
    let mut per_subgenre: HashMap<(usize, &str), usize> = HashMap::new();
    let mut subgenre_tracks: HashMap<&str, Vec<usize>> = HashMap::new();
    for p in playlists {
        for i in selecta_eval::protocol::playlist_tracks(&catalog, p) {
            member[i] += 1;
            *per_subgenre.entry((i, p.subgenre.as_str())).or_default() += 1;
            subgenre_tracks
                .entry(p.subgenre.as_str())
                .or_default()
                .push(i);
        }
    }
    for list in subgenre_tracks.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    let listed = member.iter().filter(|&&n| n > 0).count();
    let single = member.iter().filter(|&&n| n == 1).count();
    let twice_in_a_subgenre = per_subgenre.values().filter(|&&n| n > 1).count();
    println!(
        "tracks in playlists: {listed}; in one playlist only: {single} ({:.3}); \
         in two playlists of one subgenre: {twice_in_a_subgenre}",
        single as f64 / listed as f64
    );

    let all: Vec<usize> = (0..playlists.len()).collect();
    let (mut hidden, mut tied, mut tied_candidates) = (0usize, 0usize, 0usize);
    const WINDOWS: [i64; 3] = [0, 7, 31];
    // (untied hidden within the window, untied hidden), likewise for the other tracks.
    let mut h = [0usize; 3];
    let mut o = [0usize; 3];
    let (mut h_n, mut o_n) = (0usize, 0usize);
    for task in tasks(&catalog, &all, 42) {
        let seed_artists: HashSet<&String> =
            task.seeds.iter().flat_map(|&s| artists[s].iter()).collect();
        let seed_albums: HashSet<&str> = task
            .seeds
            .iter()
            .filter_map(|&s| tracks[s].album_id.as_deref())
            .collect();
        let mut seed_days: Vec<i64> = task.seeds.iter().filter_map(|&s| day[s]).collect();
        seed_days.sort_unstable();
        let is_tied = |c: usize| {
            artists[c].iter().any(|a| seed_artists.contains(a))
                || tracks[c]
                    .album_id
                    .as_deref()
                    .is_some_and(|a| seed_albums.contains(a))
        };
        let gap = |c: usize| {
            let d = day[c]?;
            let k = seed_days.partition_point(|&s| s < d);
            let after = seed_days.get(k).map(|&s| s - d);
            let before = k.checked_sub(1).map(|k| d - seed_days[k]);
            after.into_iter().chain(before).min()
        };
        let hidden_set: HashSet<usize> = task.hidden.iter().copied().collect();
        let seeds: HashSet<usize> = task.seeds.iter().copied().collect();
        let candidates: HashSet<usize> = seed_artists
            .iter()
            .flat_map(|a| by_artist[a.as_str()].iter())
            .chain(seed_albums.iter().flat_map(|a| by_album[a].iter()))
            .copied()
            .filter(|c| !seeds.contains(c))
            .collect();
        tied_candidates += candidates.len();
        hidden += task.hidden.len();
        tied += task.hidden.iter().filter(|&&c| is_tied(c)).count();
        let subgenre = playlists[task.playlist].subgenre.as_str();
        for &c in &subgenre_tracks[subgenre] {
            if seeds.contains(&c) || is_tied(c) {
                continue;
            }
            let (counts, n) = if hidden_set.contains(&c) {
                (&mut h, &mut h_n)
            } else {
                (&mut o, &mut o_n)
            };
            *n += 1;
            if let Some(g) = gap(c) {
                for (k, &w) in WINDOWS.iter().enumerate() {
                    counts[k] += usize::from(g <= w);
                }
            }
        }
    }
    println!(
        "hidden tracks: {hidden}; sharing an artist or album with a seed: {tied} ({:.3}), \
         of {tied_candidates} such tracks ({:.3} of them hidden)",
        tied as f64 / hidden as f64,
        tied as f64 / tied_candidates as f64
    );
    println!(
        "the others, against the untied rest of the playlist's subgenre ({h_n} hidden, {o_n} other):"
    );
    for (k, w) in WINDOWS.iter().enumerate() {
        println!(
            "  released within {w:>2} days of a seed: hidden {:.3}, other {:.3}, precision {:.3}",
            h[k] as f64 / h_n as f64,
            o[k] as f64 / o_n as f64,
            h[k] as f64 / (h[k] + o[k]).max(1) as f64
        );
    }
    Ok(())
}
