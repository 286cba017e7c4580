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
        if q % 2 == 0 {
            // A catalog track is its own nearest neighbour.
            assert_eq!(brute[0].distance, 0.0);
        }
    }
}

#[test]
fn ties_resolve_alike_on_duplicated_real_vectors() {
    // The real vectors plus exact copies of 200 of them: every query on a copied row meets
    // ties, which all three searches must break by index.
    let model = common::model();
    let v = model.index().vectors();
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let copied: Vec<usize> = (0..200).map(|_| rng.random_range(0..v.nrows())).collect();
    let mut rows: Vec<f32> = v.iter().copied().collect();
    for &r in &copied {
        rows.extend_from_slice(model.vector(r));
    }
    let n = v.nrows() + copied.len();
    let vectors = ndarray::Array2::from_shape_vec((n, v.ncols()), rows).unwrap();
    let index = selecta_model::NeighbourIndex::build(vectors).unwrap();
    for (q, &r) in copied.iter().enumerate().take(60) {
        let k = [1, 2, 15][q % 3];
        let brute = index.nearest_brute_force(model.vector(r), k);
        assert_eq!(brute[0].index, r.min(brute[0].index));
        assert_eq!(
            pairs(&index.nearest_tree(model.vector(r), k)),
            pairs(&brute)
        );
        assert_eq!(pairs(&index.nearest(model.vector(r), k)), pairs(&brute));
    }
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

#[test]
fn the_neighbour_table_answers_like_the_search() {
    // 3,000 real vectors (with some exact duplicates, for ties): every row's table entry
    // equals the brute force, and shorter requests read the first k of it.
    let model = common::model();
    let dim = model.vector(0).len();
    let mut rows: Vec<f32> = Vec::new();
    for r in 0..3000 {
        let source = if r % 97 == 0 { r / 2 } else { r * 9 };
        rows.extend_from_slice(model.vector(source % model.len()));
    }
    let vectors = ndarray::Array2::from_shape_vec((3000, dim), rows).unwrap();
    let index = selecta_model::NeighbourIndex::build(vectors).unwrap();
    let all: Vec<usize> = (0..3000).collect();
    let searched = index.nearest_rows(&all, 12);
    assert_eq!(index.table_k(), None);
    index.precompute(12);
    assert_eq!(index.table_k(), Some(12));
    for k in [1, 5, 12] {
        let read = index.nearest_rows(&all, k);
        for (r, got) in read.iter().enumerate() {
            assert_eq!(pairs(got), pairs(&searched[r][..k]), "row {r}, k {k}");
        }
    }
    for r in (0..3000).step_by(37) {
        assert_eq!(
            pairs(&index.nearest_rows(&[r], 12)[0]),
            pairs(&index.nearest_brute_force(index.vector(r), 12))
        );
    }
    // Longer requests than the table holds are searched.
    let long = index.nearest_rows(&[5], 30);
    assert_eq!(
        pairs(&long[0]),
        pairs(&index.nearest_brute_force(index.vector(5), 30))
    );
}
