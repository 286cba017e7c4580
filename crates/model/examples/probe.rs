use ndarray::{ArrayView1, CowArray};
use petal_neighbors::{distance::Metric, BallTree};
use selecta_catalog::Catalog;
use selecta_model::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

static CALLS: AtomicUsize = AtomicUsize::new(0);
struct Counting;
impl Metric<f32> for Counting {
    fn distance(&self, a: &ArrayView1<f32>, b: &ArrayView1<f32>) -> f32 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        metric::manhattan(a.as_slice().unwrap(), b.as_slice().unwrap())
    }
    fn rdistance(&self, a: &ArrayView1<f32>, b: &ArrayView1<f32>) -> f32 {
        self.distance(a, b)
    }
    fn rdistance_to_distance(&self, d: f32) -> f32 {
        d
    }
    fn distance_to_rdistance(&self, d: f32) -> f32 {
        d
    }
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    let catalog = Catalog::load(path).unwrap();
    let args: Vec<f32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let mut params = ModelParams::default();
    params.features.encoder.weights.genre = args[0];
    params.features.encoder.weights.subgenre = args[1];
    params.features.pca.variance_ratio = args[2] as f64;
    let model = Model::fit(catalog, &params, &mut |_| {}).unwrap();
    let v = model.index().vectors().to_owned();
    let n = v.nrows();
    let tree = BallTree::new(CowArray::from(v.view()), Counting).unwrap();
    for k in [10usize, 70] {
        CALLS.store(0, Ordering::Relaxed);
        let t = Instant::now();
        let q = 200;
        let mut kth = 0.0;
        for i in 0..q {
            let (_, d) = tree.query(&v.row(i * 131 % n), k);
            kth += d[k - 1];
        }
        // median pairwise distance sample
        let mut pd: Vec<f32> = (0..2000)
            .map(|i| {
                metric::manhattan(
                    v.row(i * 7 % n).as_slice().unwrap(),
                    v.row(i * 13 % n + 1).as_slice().unwrap(),
                )
            })
            .collect();
        pd.sort_by(f32::total_cmp);
        println!("dim {} k={k}: {:.0} distance calls/query ({:.2} n), {:?}/query; mean kth dist {:.2}, median pair dist {:.2}",
            v.ncols(), CALLS.load(Ordering::Relaxed) as f64 / q as f64, CALLS.load(Ordering::Relaxed) as f64 / q as f64 / n as f64, t.elapsed() / q as u32, kth / q as f32, pd[1000]);
    }
}
