//! Scoring: the signals a pool was gathered with, weighed into one score per candidate, and
//! the order of candidates by it. Cheap next to retrieval, so the learner re-scores the same
//! pools under every weight setting it tries.

use crate::params::SignalWeights;

use super::Pool;

impl Pool {
    /// Scores every candidate: the weighted sum of its signals, times `other_genre` when its
    /// genres are all foreign to the seeds', times the request's factors.
    pub(crate) fn score(&mut self, weights: &SignalWeights, other_genre: f32) {
        let w = weights.as_array();
        for c in &mut self.candidates {
            let sum: f32 = w.iter().zip(&c.signals).map(|(w, s)| w * s).sum();
            let genre = if c.foreign { other_genre } else { 1.0 };
            c.score = sum * genre * c.factor;
        }
    }

    /// Orders two candidates (positions in the pool) best first; ties by catalog index, so the
    /// same request gives the same playlist.
    pub(crate) fn by_score(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (ca, cb) = (&self.candidates[a], &self.candidates[b]);
        cb.score.total_cmp(&ca.score).then(ca.index.cmp(&cb.index))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Candidate;
    use super::*;

    fn candidate(index: usize, signals: [f32; crate::params::SIGNALS], foreign: bool) -> Candidate {
        Candidate {
            index,
            score: 0.0,
            owner: 0,
            signals,
            foreign,
            factor: 1.0,
            counts: [0.0; 4],
        }
    }

    #[test]
    fn weights_decide_the_order_and_ties_go_to_the_lower_index() {
        let mut sound = [0.0; crate::params::SIGNALS];
        sound[0] = 1.0;
        let mut artist = [0.0; crate::params::SIGNALS];
        artist[1] = 1.0;
        let mut pool = Pool {
            candidates: vec![
                candidate(7, sound, false),
                candidate(3, artist, false),
                candidate(5, artist, true),
                candidate(1, sound, false),
            ],
            per_seed: Vec::new(),
            exhausted: false,
        };
        let order = |pool: &Pool| {
            let mut slots: Vec<usize> = (0..pool.candidates.len()).collect();
            slots.sort_by(|&a, &b| pool.by_score(a, b));
            slots
                .iter()
                .map(|&s| pool.candidates[s].index)
                .collect::<Vec<_>>()
        };
        let mut w = SignalWeights::from_array([0.0; crate::params::SIGNALS]);
        w.sound = 2.0;
        w.artist = 1.0;
        pool.score(&w, 0.5);
        // Sound first (tied at 2: index 1 before 7), then the artist's (foreign one halved).
        assert_eq!(order(&pool), [1, 7, 3, 5]);
        assert_eq!(pool.candidates[2].score, 0.5);
        w.artist = 3.0;
        pool.score(&w, 1.0);
        assert_eq!(order(&pool), [3, 5, 1, 7]);
    }
}
