//! Parameters of ranking: how a playlist's candidates are scored ([`ScoringParams`], with the
//! weights of the signals) and how a track's similar tracks are ([`SimilarParams`]). Both are
//! kept in the artifact, so that tuned or learned values travel with the model. The formula
//! they feed is documented with the retrieval of the signals (`crate::pool::retrieve`).

use serde::{Deserialize, Serialize};

/// How much each signal counts in a candidate's score (`crate::pool::retrieve` documents the
/// formula).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalWeights {
    /// Sound: reciprocal-rank fusion of the seeds' neighbour lists.
    pub sound: f32,
    /// Seeds sharing an artist with the candidate.
    pub artist: f32,
    /// Seeds on the candidate's album.
    pub album: f32,
    /// Playlists holding both a seed and the candidate.
    pub cooccurrence: f32,
    /// Artists who share playlists with the seeds' artists.
    pub related_artists: f32,
    /// Seeds sharing the candidate's genre and subgenre labels.
    pub label: f32,
    /// Release-era proximity to the seeds.
    pub era: f32,
    /// Seeds in the candidate's key and mode (harmonic mixing; the seed's sound metric counts
    /// a different key or mode as a large difference).
    pub harmony: f32,
    /// Closeness in model space to each seed, on the scale of that seed's neighbourhood: it
    /// orders every candidate by sound, also those no neighbour list reached (an artist's
    /// other tracks, co-occurring ones), where `sound` gives nothing.
    #[serde(default)]
    pub closeness: f32,
}

impl Default for SignalWeights {
    fn default() -> Self {
        SignalWeights {
            sound: 8.0,
            artist: 20.0,
            album: 10.0,
            cooccurrence: 0.2,
            related_artists: 0.3,
            label: 0.3,
            era: 0.3,
            harmony: 0.0,
            closeness: 0.0,
        }
    }
}

/// Constants of the ranking, kept in the model artifact so that tuned or learned values
/// travel with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringParams {
    /// Reciprocal-rank-fusion constant (the rank offset).
    pub rrf_k: f32,
    /// Neighbours fetched per seed: `max(min_neighbours, neighbours_per_track · length)`,
    /// grown fourfold while filters leave the playlist short.
    pub neighbours_per_track: usize,
    /// Lower bound of the neighbours fetched per seed.
    pub min_neighbours: usize,
    /// How hard targets pull (per standard deviation of distance).
    pub target_strength: f32,
    /// How hard negative seeds push.
    pub negative_strength: f32,
    /// Share of the playlist reserved for the seeds in turn, so that every seed is heard.
    pub seed_share: f32,
    /// Weights of the signals.
    pub weights: SignalWeights,
    /// Width of the era kernel, in years (release dates are read to the month).
    pub era_years: f32,
    /// Related artists followed per seed artist.
    pub related_per_artist: usize,
    /// Tracks taken per related artist (its most popular).
    pub tracks_per_related: usize,
    /// Factor of a candidate whose genres are all foreign to the seeds'.
    pub other_genre: f32,
    /// How much a shared artist or album counts less when it has many tracks the seeds left
    /// out: a seed count `s` over a group of `N` tracks counts `s / max(1, N − s)^power`.
    /// `0` counts every shared seed alike; `1` makes the count an estimate of the odds that one
    /// of the group's other tracks belongs with the seeds (about as many are left to find as
    /// were picked). Parameters written before it existed read 0: the bare count their
    /// weights were tuned with.
    #[serde(default)]
    pub group_size_power: f32,
}

impl Default for ScoringParams {
    fn default() -> Self {
        ScoringParams {
            rrf_k: 5.0,
            neighbours_per_track: 1,
            min_neighbours: 20,
            target_strength: 1.0,
            negative_strength: 1.0,
            seed_share: 0.1,
            weights: SignalWeights::default(),
            era_years: 4.0,
            related_per_artist: 10,
            tracks_per_related: 5,
            other_genre: 0.01,
            group_size_power: 1.0,
        }
    }
}

/// The signals of [`SignalWeights`], in its field order.
pub(crate) const SIGNALS: usize = 9;

impl SignalWeights {
    /// The weights in the order of a candidate's signals (its field order).
    pub(crate) fn as_array(&self) -> [f32; SIGNALS] {
        [
            self.sound,
            self.artist,
            self.album,
            self.cooccurrence,
            self.related_artists,
            self.label,
            self.era,
            self.harmony,
            self.closeness,
        ]
    }

    /// Weights from that order.
    pub(crate) fn from_array(w: [f32; SIGNALS]) -> Self {
        let [sound, artist, album, cooccurrence, related_artists, label, era, harmony, closeness] =
            w;
        SignalWeights {
            sound,
            artist,
            album,
            cooccurrence,
            related_artists,
            label,
            era,
            harmony,
            closeness,
        }
    }
}

/// How a shared artist or album raises a similar track (kept in the artifact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarParams {
    /// Bonus for sharing an artist with the described track.
    pub artist: f32,
    /// Bonus for being on its album.
    pub album: f32,
}

impl Default for SimilarParams {
    fn default() -> Self {
        SimilarParams {
            artist: 0.5,
            album: 1.0,
        }
    }
}
