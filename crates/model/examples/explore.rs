use selecta_catalog::Catalog;
use selecta_model::*;
use std::time::Instant;

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    let t = Instant::now();
    let catalog = Catalog::load(path).unwrap();
    eprintln!("load {:?} {} tracks", t.elapsed(), catalog.len());
    let args: Vec<f32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let (gw, sw, ratio) = (args[0], args[1], args[2] as f64);
    let mut params = ModelParams::default();
    params.features.encoder.weights.genre = gw;
    params.features.encoder.weights.subgenre = sw;
    params.features.pca.variance_ratio = ratio;
    let t = Instant::now();
    let model = Model::fit(catalog, &params, &mut |_| {}).unwrap();
    eprintln!("fit {:?}", t.elapsed());
    let ev = &model.features().pca.explained_variance_ratio;
    eprintln!("dim {} explained {:.3}", ev.len(), ev.iter().sum::<f64>());
    // neighbour genre agreement: share of 10-NN sharing a genre / subgenre / artist
    let tracks = model.tracks();
    let (mut g, mut s, mut a, mut n) = (0, 0, 0, 0);
    for i in (0..model.len()).step_by(37) {
        for nb in neighbours(&model, i, 10).unwrap() {
            let (x, y) = (&tracks[i], &tracks[nb.index]);
            n += 1;
            if x.genres.iter().any(|q| y.genres.contains(q)) {
                g += 1;
            }
            if x.subgenres.iter().any(|q| y.subgenres.contains(q)) {
                s += 1;
            }
            if x.artists.iter().any(|q| y.artists.contains(q)) {
                a += 1;
            }
        }
    }
    eprintln!(
        "10-NN share: genre {:.3} subgenre {:.3} artist {:.3}",
        g as f64 / n as f64,
        s as f64 / n as f64,
        a as f64 / n as f64
    );
    // playlist from 5 seeds
    let seeds: Vec<usize> = (0..5).map(|i| i * 5000 + 17).collect();
    let t = Instant::now();
    let p = generate(&model, &seeds, &GenerateOptions::default()).unwrap();
    eprintln!("generate {:?}", t.elapsed());
    for k in [10usize, 40, 70, 200] {
        let t = Instant::now();
        let mut tot = 0;
        for &s in &seeds {
            tot += model.index().nearest_tree(model.vector(s), k).len();
        }
        let tree = t.elapsed();
        let t = Instant::now();
        for &s in &seeds {
            tot += model.index().nearest_brute_force(model.vector(s), k).len();
        }
        let brute = t.elapsed();
        let t = Instant::now();
        let q: Vec<&[f32]> = seeds.iter().map(|&s| model.vector(s)).collect();
        for _ in 0..10 {
            tot += model.index().nearest_many(&q, k).len();
        }
        eprintln!(
            "k={k} tree {:?} brute {:?} scan5 {:?} ({tot})",
            tree,
            brute,
            t.elapsed() / 10
        );
    }
    let t = Instant::now();
    for _ in 0..20 {
        let _ = generate(&model, &seeds, &GenerateOptions::default()).unwrap();
    }
    eprintln!("generate x20 avg {:?}", t.elapsed() / 20);
    println!("{}", p.name);
    for s in &p.seeds {
        println!("  seed {} {:?} {:?}", s.label(), s.genres, s.subgenres);
    }
    for e in p.entries.iter().take(12) {
        println!(
            "{:.4} {} {:?} | {}",
            e.score,
            e.track.label(),
            e.track.subgenres,
            e.reason.text
        );
    }
}

#[allow(dead_code)]
fn _unused() {}
