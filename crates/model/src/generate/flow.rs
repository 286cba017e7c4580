//! Ordering a playlist so that it flows: each track close to the previous one in tempo,
//! energy and key.

use selecta_types::Track;

use crate::attributes::{Attribute, AttributeStats};

/// Position on the Camelot wheel (the circle of fifths with each minor key beside its relative
/// major), where neighbouring positions mix harmonically.
fn camelot(key: u8, mode: u8) -> u8 {
    let major_equivalent = if mode == 0 { (key + 3) % 12 } else { key % 12 };
    (major_equivalent * 7) % 12
}

/// How jarring it is to go from `a` to `b`: tempo and energy gaps in standard deviations plus
/// the key step on the Camelot wheel (three steps weigh like one standard deviation; the
/// relative major/minor switch a quarter). An unknown value costs a neutral half.
pub(crate) fn transition_cost(a: &Track, b: &Track, stats: &AttributeStats) -> f32 {
    let gap = |attr: Attribute| match (attr.value(a), attr.value(b)) {
        (Some(x), Some(y)) => stats.gap(attr, x, y),
        _ => 0.5,
    };
    let (fa, fb) = (&a.features, &b.features);
    let key = match (fa.key, fa.mode, fb.key, fb.mode) {
        (Some(ka), Some(ma), Some(kb), Some(mb)) => {
            let (pa, pb) = (camelot(ka, ma), camelot(kb, mb));
            let step = pa.abs_diff(pb);
            let step = step.min(12 - step);
            f32::from(step) / 3.0 + if ma != mb { 0.25 } else { 0.0 }
        }
        _ => 0.5,
    };
    gap(Attribute::Tempo) + gap(Attribute::Energy) + key
}

/// A greedy nearest-next walk: start with the first track (the most relevant), then always
/// go to the remaining track with the smallest transition cost (ties: the earlier one).
/// Returns positions into `tracks`.
pub(crate) fn flow_order(tracks: &[&Track], stats: &AttributeStats) -> Vec<usize> {
    let mut left: Vec<usize> = (1..tracks.len()).collect();
    let mut order = Vec::with_capacity(tracks.len());
    if tracks.is_empty() {
        return order;
    }
    order.push(0);
    while !left.is_empty() {
        let last = tracks[*order.last().expect("not empty")];
        let (best, _) = left
            .iter()
            .enumerate()
            .map(|(i, &j)| (i, transition_cost(last, tracks[j], stats)))
            .fold(
                (0, f32::INFINITY),
                |acc, (i, c)| if c < acc.1 { (i, c) } else { acc },
            );
        order.push(left.remove(best));
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use selecta_types::AudioFeatures;

    fn t(tempo: f32, energy: f32, key: u8, mode: u8) -> Track {
        Track {
            features: AudioFeatures {
                tempo: Some(tempo).into(),
                energy: Some(energy).into(),
                key: Some(key),
                mode: Some(mode),
                ..AudioFeatures::default()
            },
            ..Track::default()
        }
    }

    #[test]
    fn camelot_neighbours() {
        // C major and A minor share a position; G major is one step away, F# major six.
        assert_eq!(camelot(0, 1), camelot(9, 0));
        assert_eq!(camelot(7, 1).abs_diff(camelot(0, 1)), 1);
        let step = camelot(6, 1).abs_diff(camelot(0, 1));
        assert_eq!(step.min(12 - step), 6);
    }

    #[test]
    fn walk_climbs_tempo_smoothly() {
        let tracks = [
            t(90.0, 0.5, 0, 1),
            t(130.0, 0.5, 0, 1),
            t(95.0, 0.5, 0, 1),
            t(125.0, 0.5, 0, 1),
            t(100.0, 0.5, 0, 1),
        ];
        let stats = AttributeStats::measure(&tracks);
        let refs: Vec<&Track> = tracks.iter().collect();
        assert_eq!(flow_order(&refs, &stats), [0, 2, 4, 3, 1]);
        // Same tempo and energy: the harmonically close key comes first.
        let tracks = [
            t(120.0, 0.5, 0, 1),
            t(120.0, 0.5, 6, 1),
            t(120.0, 0.5, 7, 1),
        ];
        let refs: Vec<&Track> = tracks.iter().collect();
        assert_eq!(flow_order(&refs, &stats), [0, 2, 1]);
    }
}
