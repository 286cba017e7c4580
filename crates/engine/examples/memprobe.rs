fn rss() -> f64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: f64 = s.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096.0 / 1048576.0
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    println!(
        "size_of Track {}",
        std::mem::size_of::<selecta_types::Track>()
    );
    println!("start {:.0} MiB", rss());
    let model = selecta_model::Model::load(&path).unwrap();
    println!("model loaded {:.0} MiB", rss());
    let t = model.tracks();
    let (mut s, mut n) = (0usize, 0usize);
    for x in t {
        for st in [&x.id, &x.name, &x.album] {
            s += st.len();
            n += 1;
        }
        for st in [&x.album_id, &x.release_date, &x.isrc]
            .into_iter()
            .flatten()
        {
            s += st.len();
            n += 1;
        }
        for v in [&x.artists, &x.artist_ids, &x.genres, &x.subgenres] {
            if !v.is_empty() {
                n += 1;
            }
            for st in v {
                s += st.len();
                n += 1;
            }
        }
    }
    println!(
        "tracks {} heap strings {} bytes {} allocs ({:.1}/track)",
        t.len(),
        s,
        n,
        n as f64 / t.len() as f64
    );
    let mut c = [0usize; 12];
    for x in t {
        c[0] += !x.id.is_empty() as usize;
        c[1] += (x.name.len() > 24) as usize;
        c[2] += (x.album.len() > 24) as usize;
        c[3] += x.album_id.is_some() as usize;
        c[4] += x.release_date.is_some() as usize;
        c[5] += x.isrc.is_some() as usize;
        c[6] += x.artists.len();
        c[7] += x.artist_ids.len();
        c[8] += x.genres.len();
        c[9] += x.subgenres.len();
        c[10] += x.artists.iter().filter(|a| a.len() > 24).count();
        c[11] += (!x.genres.is_empty()) as usize;
    }
    println!("id {} name>24 {} album>24 {} album_id {} date {} isrc {} artists {} artist_ids {} genres {} subgenres {} artist>24 {} with genres {}", c[0],c[1],c[2],c[3],c[4],c[5],c[6],c[7],c[8],c[9],c[10],c[11]);
    let long = t.iter().filter(|x| x.name.len() > 24).count();
    println!("names > 24: {long}");
    let idx = selecta_engine::CatalogIndex::build(t);
    println!("engine index built {:.0} MiB", rss());
    drop(idx);
    println!("engine index dropped {:.0} MiB", rss());
    println!("dim {}", model.vector(0).len());
}
