use selecta_catalog::normalize::*;
use selecta_catalog::*;
use std::time::Instant;
#[test]
fn profile() {
    let (c, _) = load_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/spotify_songs.csv.gz"), &LoadOptions::default()).unwrap();
    let tracks = c.tracks().to_vec();
    for _ in 0..2 {
    let t = Instant::now(); let mut n = 0; for x in &tracks { n += normalize(&x.name).len(); } println!("normalize titles {:?} {n}", t.elapsed());
    let t = Instant::now(); for x in &tracks { n += normalize(&x.album).len(); } println!("normalize albums {:?}", t.elapsed());
    let t = Instant::now(); for x in &tracks { n += title_without_featuring(&x.name).len(); } println!("without feat {:?}", t.elapsed());
    let t = Instant::now(); for x in &tracks { n += collapse_title(&x.name).len(); } println!("collapse {:?}", t.elapsed());
    let t = Instant::now(); for x in &tracks { n += deunicode_len(&x.name); } println!("deunicode {:?}", t.elapsed());
    let t = Instant::now(); let c2 = Catalog::from_tracks(tracks.clone(), vec![]); println!("from_tracks {:?} {}", t.elapsed(), c2.len());
    let t = Instant::now(); let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/spotify_songs.csv.gz")).unwrap(); let _ = load_csv_bytes("x", &bytes, &LoadOptions::default()).unwrap(); println!("load {:?}", t.elapsed());
    }
}
fn deunicode_len(s: &str) -> usize { s.chars().filter(|c| !c.is_ascii()).count() }
