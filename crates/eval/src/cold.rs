//! The cold-seed protocol: the seeds of the scored playlists are taken out of the catalog the
//! model is fitted on and given to the engine only as what Spotify's `GET /v1/tracks/{id}`
//! returns (name, artists, album and its id, release date, duration, explicit, popularity).
//! The engine then matches them as it does a listener's track the catalog lacks
//! ([`selecta_engine::known`]): another release of the same song, else a proxy from the same
//! artists' catalog tracks, else the seed is left out. Scored on the same playlists and hidden
//! tracks as the warm run beside it.

use std::collections::HashSet;
use std::sync::Mutex;

use rand_chacha::ChaCha8Rng;
use selecta_catalog::{Catalog, PlaylistInfo};
use selecta_engine::known::match_track;
use selecta_engine::Unmatched;
use selecta_engine::{CatalogIndex, Engine, MatchKind, Resolved, ResolvedSeed, SkippedSeed};
use selecta_model::Model;
use selecta_types::{PlaylistRequest, SeedRef, SpotifyTrack, Track, MAX_LENGTH, MAX_SEEDS};
use serde::{Deserialize, Serialize};

use crate::protocol::Task;
use crate::recommender::Recommender;

/// What the cold run met, over every scored playlist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColdStats {
    /// Playlists scored cold.
    pub playlists: usize,
    /// Seeds given (at most the engine's 50 per playlist).
    pub seeds: usize,
    /// Seeds matched to another release of the same song still in the catalog.
    pub same_recording: usize,
    /// Seeds estimated from their artists' catalog tracks.
    pub proxy: usize,
    /// Seeds left out: no catalog track by their artists.
    pub skipped: usize,
    /// Playlists whose every seed was left out (they score 0).
    pub lost_all_seeds: usize,
    /// What the engine says to such a playlist (the first one met).
    pub lost_all_message: Option<String>,
    /// Hidden tracks that were another scored playlist's seed, so not in the cold catalog
    /// (they count as misses; [`groups`] keeps them at 0).
    pub hidden_removed: usize,
    /// Models the playlists were scored by (one per group of [`groups`]).
    pub models: usize,
    /// Wall-clock seconds of the cold run: learning its weights and ranker, fitting the
    /// groups' models, scoring.
    pub seconds: f64,
}

impl ColdStats {
    /// Adds another group's counts.
    pub fn add(&mut self, other: &ColdStats) {
        self.playlists += other.playlists;
        self.seeds += other.seeds;
        self.same_recording += other.same_recording;
        self.proxy += other.proxy;
        self.skipped += other.skipped;
        self.lost_all_seeds += other.lost_all_seeds;
        self.hidden_removed += other.hidden_removed;
        self.models += other.models;
        self.seconds += other.seconds;
        if self.lost_all_message.is_none() {
            self.lost_all_message.clone_from(&other.lost_all_message);
        }
    }
}

/// `seen` without the seeds of `tasks` (their ids also leave the playlists), and how many
/// hidden tracks of the tasks went with them.
pub fn cold_catalog(seen: &Catalog, tasks: &[Task]) -> (Catalog, usize) {
    let seeds: HashSet<usize> = tasks.iter().flat_map(|t| t.seeds.iter().copied()).collect();
    let hidden_removed = tasks
        .iter()
        .flat_map(|t| &t.hidden)
        .filter(|i| seeds.contains(i))
        .count();
    let tracks: Vec<Track> = seen
        .tracks()
        .iter()
        .enumerate()
        .filter(|(i, _)| !seeds.contains(i))
        .map(|(_, t)| t.clone())
        .collect();
    let kept: HashSet<&str> = tracks.iter().map(|t| t.id.as_str()).collect();
    let playlists: Vec<PlaylistInfo> = seen
        .playlists()
        .iter()
        .map(|p| PlaylistInfo {
            track_ids: p
                .track_ids
                .iter()
                .filter(|id| kept.contains(id.as_str()))
                .cloned()
                .collect(),
            ..p.clone()
        })
        .collect();
    (Catalog::from_tracks(tracks, playlists), hidden_removed)
}

/// The tasks (indices into `tasks`, visited in `order`) dealt into groups of at most `most`
/// whose seeds leave the catalog together: a task joins the first group it fits, and never one
/// where its seeds are another task's hidden tracks or the other way round (a hidden track
/// taken out of the catalog could not be found, and would count as a miss the protocol does
/// not make). A random `order` mixes playlists of different genres in a group, so that the
/// tracks its other playlists take out of the catalog are seldom ones a playlist would
/// confuse with its own.
pub fn groups(tasks: &[Task], order: &[usize], most: usize) -> Vec<Vec<usize>> {
    struct Group {
        tasks: Vec<usize>,
        seeds: HashSet<usize>,
        hidden: HashSet<usize>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for &k in order {
        let task = &tasks[k];
        let fits = |g: &Group| {
            g.tasks.len() < most
                && !task.seeds.iter().any(|i| g.hidden.contains(i))
                && !task.hidden.iter().any(|i| g.seeds.contains(i))
        };
        let g = match groups.iter().position(fits) {
            Some(g) => g,
            None => {
                groups.push(Group {
                    tasks: Vec::new(),
                    seeds: HashSet::new(),
                    hidden: HashSet::new(),
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[g];
        group.tasks.push(k);
        group.seeds.extend(task.seeds.iter().copied());
        group.hidden.extend(task.hidden.iter().copied());
    }
    groups.into_iter().map(|g| g.tasks).collect()
}

/// What Spotify's `GET /v1/tracks/{id}` tells of a catalog track: its metadata, album id and
/// popularity; no audio features, no genres. (The catalog's artist ids are its own, so
/// Spotify's would not match them: the artists are given by name.)
pub fn as_looked_up(t: &Track) -> SpotifyTrack {
    SpotifyTrack {
        id: t.id.to_string(),
        name: t.name.to_string(),
        artists: t.artists.iter().map(|a| a.to_string()).collect(),
        album: t.album.to_string(),
        album_id: t.album_id.clone().map(String::from),
        popularity: t.popularity.map(|p| p.clamp(0.0, 100.0).round() as u8),
        release_date: t.release_date.clone().map(String::from),
        year: t.year,
        duration_ms: t.duration_ms,
        explicit: t.explicit,
        url: t.spotify_url(),
        ..SpotifyTrack::default()
    }
}

/// Selecta on a cold model: seeds given as looked-up metadata, matched by the engine.
pub struct ColdRecommender<'m> {
    model: &'m Model,
    index: CatalogIndex,
    /// The catalog the tasks' indices refer to.
    full: &'m Catalog,
    request: PlaylistRequest,
    stats: Mutex<ColdStats>,
}

impl<'m> ColdRecommender<'m> {
    /// Measures `model` (fitted without the seeds) on tasks of `full`.
    pub fn new(model: &'m Model, full: &'m Catalog, request: PlaylistRequest) -> Self {
        ColdRecommender {
            model,
            index: CatalogIndex::build(model.tracks()),
            full,
            request,
            stats: Mutex::new(ColdStats::default()),
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> ColdStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Recommender for ColdRecommender<'_> {
    fn name(&self) -> &str {
        COLD
    }

    fn recommend(&self, seeds: &[usize], n: usize, _rng: &mut ChaCha8Rng) -> Vec<usize> {
        let given = &seeds[..seeds.len().min(MAX_SEEDS)];
        let mut request = self.request.clone();
        request.seeds = given
            .iter()
            .map(|&i| SeedRef::Track(self.full.tracks()[i].id.to_string()))
            .collect();
        request.length = n.clamp(1, MAX_LENGTH);
        let mut resolved = Resolved {
            seeds: Vec::new(),
            skipped: Vec::new(),
            negatives: Vec::new(),
        };
        let mut stats = ColdStats {
            playlists: 1,
            seeds: given.len(),
            ..ColdStats::default()
        };
        for (index, (&i, seed)) in given.iter().zip(&request.seeds).enumerate() {
            let t = as_looked_up(&self.full.tracks()[i]);
            match match_track(self.model, &self.index, &t) {
                Some(matched) => {
                    match matched.how {
                        MatchKind::SameRecording => stats.same_recording += 1,
                        _ => stats.proxy += 1,
                    }
                    resolved.seeds.push(ResolvedSeed {
                        seed: seed.clone(),
                        matched,
                    });
                }
                None => {
                    stats.skipped += 1;
                    resolved.skipped.push(SkippedSeed {
                        index,
                        seed: seed.clone(),
                        reason: Unmatched::NothingByArtists(t.label()),
                    });
                }
            }
        }
        let ranked = if resolved.seeds.is_empty() {
            stats.lost_all_seeds = 1;
            // What the engine answers a listener whose every seed is unusable.
            stats.lost_all_message = resolved
                .skipped
                .first()
                .map(|s| format!("{}[{}]: {}", "seeds", s.index, s.reason));
            Vec::new()
        } else {
            let engine = Engine::new(self.model, &self.index);
            match engine.generate_resolved(&request, resolved) {
                Ok(g) => g
                    .playlist
                    .entries
                    .iter()
                    .filter_map(|e| self.full.index_of(&e.track.id))
                    .collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "cold generate failed during evaluation");
                    Vec::new()
                }
            }
        };
        self.stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .add(&stats);
        ranked
    }
}

/// The cold row's name in reports.
pub const COLD: &str = "Selecta, cold seeds";

#[cfg(test)]
mod tests {
    use super::*;

    fn task(playlist: usize, seeds: &[usize], hidden: &[usize]) -> Task {
        Task {
            playlist,
            seeds: seeds.to_vec(),
            hidden: hidden.to_vec(),
        }
    }

    #[test]
    fn groups_keep_every_hidden_track_in_the_catalog_and_respect_the_size() {
        let tasks = [
            task(0, &[1, 2], &[3, 4]),
            // Its seed 3 is task 0's hidden track: another group.
            task(1, &[3, 5], &[6, 7]),
            task(2, &[8, 9], &[10, 11]),
            // Its hidden 9 is task 2's seed: not with task 2.
            task(3, &[12, 13], &[9, 14]),
            task(4, &[15, 16], &[17, 18]),
        ];
        let order: Vec<usize> = (0..tasks.len()).collect();
        let groups = groups(&tasks, &order, 2);
        assert_eq!(groups, vec![vec![0, 2], vec![1, 3], vec![4]]);
        for g in &groups {
            let group: Vec<Task> = g.iter().map(|&k| tasks[k].clone()).collect();
            let seeds: HashSet<usize> = group.iter().flat_map(|t| t.seeds.clone()).collect();
            assert!(group
                .iter()
                .flat_map(|t| &t.hidden)
                .all(|h| !seeds.contains(h)));
        }
        // One playlist a group is the protocol exactly.
        assert_eq!(super::groups(&tasks, &order, 1).len(), 5);
        assert_eq!(super::groups(&tasks, &order, 100).len(), 2);
        assert_eq!(
            super::groups(&tasks, &[4, 3, 2, 1, 0], 2),
            vec![vec![4, 3], vec![2, 1], vec![0]]
        );
    }
}
