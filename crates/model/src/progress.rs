//! Progress of a long fit, reported through a callback so that a CLI can draw a bar.

use std::fmt;

/// A stage of fitting a model, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FitStage {
    /// Learning the scoring weights from the playlists (only when asked for; it refits the
    /// model once per fold, so it comes before the other stages and has its own bar).
    Learn,
    /// Means, standard deviations and genre vocabularies.
    Statistics,
    /// The covariance matrix of the encoded tracks.
    Covariance,
    /// Projecting every track onto the principal components.
    Projection,
    /// Building the nearest-neighbour index.
    Index,
}

impl FitStage {
    /// Every stage, in order.
    pub const ALL: [FitStage; 4] = [
        FitStage::Statistics,
        FitStage::Covariance,
        FitStage::Projection,
        FitStage::Index,
    ];

    /// Rough share of the total fitting time each stage takes, used to turn a stage fraction
    /// into an overall one (a progress bar needs monotone, not exact).
    fn weight(self) -> f32 {
        match self {
            FitStage::Statistics => 0.1,
            FitStage::Covariance => 0.2,
            FitStage::Projection => 0.2,
            FitStage::Index => 0.5,
            FitStage::Learn => 0.0,
        }
    }
}

impl fmt::Display for FitStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FitStage::Statistics => "statistics",
            FitStage::Covariance => "covariance",
            FitStage::Projection => "projection",
            FitStage::Index => "index",
            FitStage::Learn => "learning",
        })
    }
}

/// One progress report: the stage running and how far it is (0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitProgress {
    /// The stage running.
    pub stage: FitStage,
    /// Fraction of the stage done, 0..=1.
    pub fraction: f32,
}

impl FitProgress {
    /// Fraction of the whole fit done, 0..=1 (stages weighted by their usual duration).
    pub fn overall(&self) -> f32 {
        if self.stage == FitStage::Learn {
            // Its own bar, never complete: the fit proper follows.
            return 0.99 * self.fraction.clamp(0.0, 1.0);
        }
        let before: f32 = FitStage::ALL
            .iter()
            .take_while(|&&s| s != self.stage)
            .map(|s| s.weight())
            .sum();
        (before + self.stage.weight() * self.fraction.clamp(0.0, 1.0)).min(1.0)
    }
}

/// A callback that ignores progress.
pub fn no_progress(_: FitProgress) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_fraction_runs_from_zero_to_one() {
        let p = |stage, fraction| FitProgress { stage, fraction }.overall();
        assert_eq!(p(FitStage::Statistics, 0.0), 0.0);
        assert!((p(FitStage::Covariance, 0.5) - 0.2).abs() < 1e-6);
        assert!((p(FitStage::Index, 1.0) - 1.0).abs() < 1e-6);
        assert!(p(FitStage::Projection, 0.0) < p(FitStage::Projection, 1.0));
    }
}
