//! The three exact searches agree on the real catalog: blocked scan, ball tree, brute force.

mod common;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use selecta_model::Neighbour;

fn pairs(v: &[Neighbour]) -> Vec<(usize, f32)> {
    v.iter().map(|n| (n.index, n.distance)).collect()
}

#[test]
fn tree_scan_and_brute_force_return_the_same_neighbours() {
    let model = common::model();
    let index = model.index();
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let mut ties = 0;
    for q in 0..150 {
        // Catalog tracks, and points between two of them (not on any track).
        let a = rng.random_range(0..model.len());
        let point: Vec<f32> = if q % 2 == 0 {
            model.vector(a).to_vec()
        } else {
            let b = rng.random_range(0..model.len());
            let t: f32 = rng.random_range(0.2..0.8);
            model
                .vector(a)
                .iter()
                .zip(model.vector(b))
                .map(|(x, y)| x * t + y * (1.0 - t))
                .collect()
        };
        let k = [1, 10, 70][q % 3];
        let brute = index.nearest_brute_force(&point, k);
        let tree = index.nearest_tree(&point, k);
        let scan = index.nearest(&point, k);
        assert_eq!(brute.len(), k);
        assert_eq!(
            pairs(&tree),
            pairs(&brute),
            "tree, query {q} (row {a}, k {k})"
        );
        assert_eq!(
            pairs(&scan),
            pairs(&brute),
            "scan, query {q} (row {a}, k {k})"
        );
        assert!(brute.windows(2).all(|w| w[0].distance <= w[1].distance));
        ties += brute
            .windows(2)
            .filter(|w| w[0].distance == w[1].distance)
            .count();
        if q % 2 == 0 {
            // A catalog track is its own nearest neighbour (or ties with a duplicate).
            assert_eq!(brute[0].distance, 0.0);
        }
    }
    // The catalog holds duplicate tracks (same audio, other ids), so ties were exercised.
    assert!(ties > 0, "no tie among the sampled queries");
}

#[test]
fn batched_scan_equals_single_queries() {
    let model = common::model();
    let index = model.index();
    let seeds = [3usize, 17_000, 25_555, 9_999, 12];
    let queries: Vec<&[f32]> = seeds.iter().map(|&s| model.vector(s)).collect();
    let many = index.nearest_many(&queries, 40);
    for (q, got) in queries.iter().zip(many) {
        assert_eq!(pairs(&got), pairs(&index.nearest_brute_force(q, 40)));
    }
}
