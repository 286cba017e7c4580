//! Tracks on a plane: the two directions along which a few tracks' model vectors vary most
//! (a principal component analysis of just those vectors). What the playlist page's sound
//! map draws; the distances it shows are the model's, flattened.

use ndarray::Array2;

use crate::model::Model;
use crate::params::PcaParams;
use crate::seed::Seed;

/// The model vectors of seeds: a catalog track's own, or for a track the catalog lacks,
/// its estimated position (the proxy's vector).
pub fn seed_vector(model: &Model, seed: &Seed) -> Vec<f32> {
    match seed {
        Seed::Track(i) => model.vector(*i).to_vec(),
        Seed::Proxy(p) => model.transform(&p.estimated(model)).to_vec(),
    }
}

/// The 2-D positions of `vectors` (all of one length): their coordinates along the first two
/// principal components of these vectors alone, centred on their mean. A direction with no
/// variance gives 0 (one vector, or identical ones, sit at the origin). Empty in, empty out.
pub fn plane(vectors: &[Vec<f32>]) -> Vec<[f64; 2]> {
    let Some(dim) = vectors.first().map(Vec::len) else {
        return Vec::new();
    };
    if dim == 0 || vectors.iter().any(|v| v.len() != dim) {
        return vec![[0.0, 0.0]; vectors.len()];
    }
    let x = Array2::from_shape_fn((vectors.len(), dim), |(r, c)| f64::from(vectors[r][c]));
    let params = PcaParams {
        variance_ratio: 1.0,
        max_components: Some(2),
    };
    let Ok(pca) = params.fit(x.view()) else {
        return vec![[0.0, 0.0]; vectors.len()];
    };
    let mut out = [0.0f32; 2];
    vectors
        .iter()
        .map(|v| {
            let row: Vec<f64> = v.iter().map(|&a| f64::from(a)).collect();
            let k = pca.n_components();
            pca.transform_row(&row, &mut out[..k]);
            // Fewer than two components (one column of input): the second axis is flat.
            [
                f64::from(out[0]),
                if k > 1 { f64::from(out[1]) } else { 0.0 },
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-5 && (a[1] - b[1]).abs() < 1e-5
    }

    #[test]
    fn points_on_a_line_in_3d_lie_on_the_first_axis() {
        // Mean (1, 1, 1); the points vary along (1, 1, 1)/√3 only, at -√3, 0 and +√3.
        let p = plane(&[
            vec![0.0, 0.0, 0.0],
            vec![1.0, 1.0, 1.0],
            vec![2.0, 2.0, 2.0],
        ]);
        let r = 3f64.sqrt();
        assert!(close(p[0], [-r, 0.0]), "{p:?}");
        assert!(close(p[1], [0.0, 0.0]), "{p:?}");
        assert!(close(p[2], [r, 0.0]), "{p:?}");
    }

    #[test]
    fn the_wider_spread_comes_first() {
        // Mean (0, 0, 5): x spreads ±2, y ±1, z not at all. Components have their largest
        // entry positive, so the axes are +x then +y.
        let p = plane(&[
            vec![2.0, 0.0, 5.0],
            vec![-2.0, 0.0, 5.0],
            vec![0.0, 1.0, 5.0],
            vec![0.0, -1.0, 5.0],
        ]);
        assert!(close(p[0], [2.0, 0.0]), "{p:?}");
        assert!(close(p[1], [-2.0, 0.0]), "{p:?}");
        assert!(close(p[2], [0.0, 1.0]), "{p:?}");
        assert!(close(p[3], [0.0, -1.0]), "{p:?}");
    }

    #[test]
    fn degenerate_inputs_sit_at_the_origin() {
        assert!(plane(&[]).is_empty());
        assert_eq!(plane(&[vec![3.0, 4.0]]), [[0.0, 0.0]]);
        assert_eq!(plane(&[vec![1.0], vec![1.0, 2.0]]), [[0.0, 0.0]; 2]);
    }
}
