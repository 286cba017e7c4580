//! `selecta recommend`: a playlist from seed tracks, as a table or JSON.

use anyhow::anyhow;
use selecta_engine::{CatalogView, Lookup, RequestError, SeedList};
use selecta_spotify::Acting;
use selecta_types::{Attribute, Order, Playlist, PlaylistRequest, SeedRef};

use crate::config::RecommendArgs;
use crate::model_source;

/// Resolves the seeds, generates, prints.
pub async fn run(args: RecommendArgs) -> anyhow::Result<()> {
    let request = request(&args)?;
    let model = model_source::read_model(&args.model).await?;
    let view = CatalogView::build(std::sync::Arc::new(model));
    let lookup = crate::serve::cli_lookups(&args.web, &args.model.model_cache).await?;
    let found = view
        .engine()
        .playlist_looking_up(
            &request,
            Lookup {
                spotify: &lookup,
                acting: Acting::App,
            },
        )
        .await;
    // Keep what was learned for the next run.
    if let Err(e) = lookup.cache().flush().await {
        tracing::warn!(error = %e, "could not save the lookup cache");
    }
    let playlist = found
        .map_err(|e| match e {
            RequestError::Unmatched {
                list, seed, reason, ..
            } => {
                let flag = match list {
                    SeedList::Seeds => "--seed",
                    SeedList::NegativeSeeds => "--negative",
                };
                anyhow!("{flag} `{seed}`: {reason}")
            }
            other => anyhow!("{other}"),
        })?
        .playlist;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&playlist)?);
    } else {
        print!("{}", table(&playlist));
    }
    Ok(())
}

/// The playlist request of the flags.
fn request(args: &RecommendArgs) -> anyhow::Result<PlaylistRequest> {
    let order = Order::from(args.order);
    let query = |list: &[String]| list.iter().cloned().map(SeedRef::Query).collect();
    let mut opts = PlaylistRequest {
        seeds: query(&args.seeds),
        negative_seeds: query(&args.negative),
        length: args.length,
        exclude_ids: args.exclude.clone(),
        max_per_artist: (args.artist_cap > 0).then_some(args.artist_cap),
        collapse_versions: !args.keep_versions,
        block_artists: args.block_artists.clone(),
        order,
        ..PlaylistRequest::default()
    };
    for (flag, specs) in [
        ("--min", &args.min),
        ("--max", &args.max),
        ("--target", &args.target),
    ] {
        for spec in specs {
            let (attribute, value) = parse_bound(spec, flag)?;
            let bounds = opts.attributes.entry(attribute).or_default();
            match flag {
                "--min" => bounds.min = Some(value),
                "--max" => bounds.max = Some(value),
                _ => bounds.target = Some(value),
            }
        }
    }
    Ok(opts)
}

/// `energy=0.6` -> (Energy, 0.6); errors name the flag and the text.
fn parse_bound(spec: &str, flag: &str) -> anyhow::Result<(Attribute, f32)> {
    let (name, value) = spec
        .split_once('=')
        .ok_or_else(|| anyhow!("{flag} `{spec}`: expected NAME=VALUE, e.g. energy=0.6"))?;
    let attribute: Attribute = name
        .trim()
        .parse()
        .map_err(|e| anyhow!("{flag} `{spec}`: {e}"))?;
    let value: f32 = value
        .trim()
        .parse()
        .ok()
        .filter(|v: &f32| v.is_finite())
        .ok_or_else(|| anyhow!("{flag} `{spec}`: `{}` is not a number", value.trim()))?;
    Ok((attribute, value))
}

/// The playlist as numbered lines with the reason under each track.
pub fn table(p: &Playlist) -> String {
    let mut out = format!(
        "{} — {} tracks from {} seed{}\n",
        p.name,
        p.entries.len(),
        p.seeds.len(),
        if p.seeds.len() == 1 { "" } else { "s" }
    );
    for m in p.matches.iter().filter(|m| m.note.is_some()) {
        let note = m.note.as_deref().unwrap_or_default();
        out.push_str(&format!("  seed {}: {note}\n", m.given));
    }
    for (i, e) in p.entries.iter().enumerate() {
        let t = &e.track;
        let year = t.year.map(|y| format!(" ({y})")).unwrap_or_default();
        let genres = if t.subgenres.is_empty() {
            t.genres.join(", ")
        } else {
            t.subgenres.join(", ")
        };
        out.push_str(&format!(
            "{:>3}. {}{}  [{}]  {}\n     {}\n",
            i + 1,
            t.label(),
            year,
            genres,
            t.spotify_uri(),
            e.reason.text
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse_and_name_the_flag_on_error() {
        let (a, v) = parse_bound("energy=0.6", "--min").unwrap();
        assert_eq!(a, Attribute::Energy);
        assert_eq!(v, 0.6);
        let e = parse_bound("energy", "--min").unwrap_err().to_string();
        assert!(
            e.contains("--min `energy`") && e.contains("NAME=VALUE"),
            "{e}"
        );
        let e = parse_bound("energy=lots", "--max").unwrap_err().to_string();
        assert!(
            e.contains("--max") && e.contains("`lots` is not a number"),
            "{e}"
        );
        let e = parse_bound("loudnes=1", "--target")
            .unwrap_err()
            .to_string();
        assert!(e.contains("--target `loudnes=1`"), "{e}");
        assert!(parse_bound("tempo=NaN", "--min").is_err());
    }
}
