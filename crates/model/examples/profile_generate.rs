use selecta_catalog::Catalog;
use selecta_model::*;
fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/spotify_songs.csv.gz");
    let model = Model::fit(Catalog::load(path).unwrap(), &ModelParams::default(), &mut |_| {}).unwrap();
    let t = std::time::Instant::now();
    for i in 0..3000usize {
        let seeds: Vec<usize> = (0..5).map(|j| (i * 7919 + j * 104729) % model.len()).collect();
        std::hint::black_box(generate(&model, &seeds, &GenerateOptions::default()).unwrap());
    }
    eprintln!("{:?}", t.elapsed() / 3000);
}
