//! `selecta describe`: one track's card and its similar tracks (the nearest in sound, its artist's and album's raised).

use selecta_model::similar;
use selecta_types::{Track, AUDIO_FEATURE_NAMES};
use serde::Serialize;

use super::bar;
use crate::config::DescribeArgs;
use crate::model_source;

#[derive(Serialize)]
struct Description<'a> {
    track: &'a Track,
    neighbours: Vec<NeighbourOut<'a>>,
}

#[derive(Serialize)]
struct NeighbourOut<'a> {
    track: &'a Track,
    distance: f32,
}

/// Resolves the track and prints its card.
pub async fn run(args: DescribeArgs) -> anyhow::Result<()> {
    let model = model_source::read_model(&args.model).await?;
    let catalog = model.catalog();
    let index = selecta_engine::resolve::resolve(
        &model,
        &selecta_engine::CatalogIndex::default(),
        &selecta_types::SeedRef::Query(args.track.clone()),
        1,
    )
    .map_err(|e| anyhow::anyhow!("track `{}`: {e}", args.track))?
    .tracks[0];
    let near = similar(&model, index, args.neighbours)?;
    let d = Description {
        track: &catalog.tracks()[index],
        neighbours: near
            .iter()
            .map(|n| NeighbourOut {
                track: &catalog.tracks()[n.index],
                distance: n.distance,
            })
            .collect(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print!("{}", card(&d));
    }
    Ok(())
}

fn card(d: &Description) -> String {
    let t = d.track;
    let mut s = format!("{}\n", t.label());
    s.push_str(&format!("  album:     {}\n", t.album));
    if let Some(date) = &t.release_date {
        s.push_str(&format!("  released:  {date}\n"));
    }
    s.push_str(&format!("  genres:    {}\n", t.genres.join(", ")));
    s.push_str(&format!("  subgenres: {}\n", t.subgenres.join(", ")));
    if let Some(p) = t.popularity {
        s.push_str(&format!("  popularity {p:.0}/100\n"));
    }
    s.push_str(&format!("  spotify:   {}\n  features:\n", t.spotify_url()));
    for name in AUDIO_FEATURE_NAMES {
        let Some(v) = t.features.get(name) else {
            continue;
        };
        let line = match name {
            "tempo" => format!("{v:.0} BPM"),
            "loudness" => format!("{v:.1} dB"),
            "key" => selecta_types::KEY_NAMES
                .get(v as usize)
                .unwrap_or(&"?")
                .to_string(),
            "mode" => (if v >= 0.5 { "major" } else { "minor" }).to_string(),
            "time_signature" => format!("{v:.0}/4"),
            _ => format!("{} {v:.2}", bar(v)),
        };
        s.push_str(&format!("    {name:<17}{line}\n"));
    }
    s.push_str("  similar:\n");
    for n in &d.neighbours {
        s.push_str(&format!("    {:>6.2}  {}\n", n.distance, n.track.label()));
    }
    s
}
