//! Runs the evaluation on the bundled catalog without building the server: a fast loop for
//! tuning. `SELECTA_EVAL_PARAMS` may hold `ModelParams` as JSON; `SELECTA_EVAL_PROTOCOL`
//! `seed`, `strict` or `both`; `SELECTA_EVAL_SAMPLE` the query sample; `SELECTA_EVAL_SEED` its
//! seed; `SELECTA_EVAL_SPLIT` the split seed; `SELECTA_EVAL_SET` comma-separated `path=value` edits
//! (`scoring.seed_share=0`); `SELECTA_EVAL_LEARN=0` measures the weights as given instead of
//! learning them; `SELECTA_EVAL_COLD_GROUP` the most playlists whose seeds leave the catalog
//! together in the cold run (`EvalConfig::cold_group`); `SELECTA_EVAL_KNOWN_LABELS=1` takes
//! the seed protocol's labels from the known playlists only (`EvalConfig::known_labels`).
//!
//! `cargo run --release -p selecta-eval --example eval`

use selecta_catalog::Catalog;
use selecta_eval::{evaluate, parse_protocols, EvalConfig};
use selecta_model::ModelParams;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/spotify_songs.csv.gz"
    );
    let catalog = Catalog::load(path)?;
    let mut params: ModelParams = match std::env::var("SELECTA_EVAL_PARAMS") {
        Ok(json) => serde_json::from_str(&json)?,
        Err(_) => ModelParams::default(),
    };
    if let Ok(set) = std::env::var("SELECTA_EVAL_SET") {
        // Comma-separated `path=value` edits of the parameters, e.g. `scoring.seed_share=0`.
        let mut v = serde_json::to_value(&params)?;
        for edit in set.split(',').filter(|e| !e.is_empty()) {
            let (path, value) = edit.split_once('=').ok_or("SELECTA_EVAL_SET: path=value")?;
            let mut at = &mut v;
            for key in path.split('.') {
                at = at
                    .get_mut(key)
                    .ok_or_else(|| format!("no parameter {path}"))?;
            }
            *at = serde_json::from_str(value)?;
        }
        params = serde_json::from_value(v)?;
    }
    let mut config = EvalConfig::default();
    if let Ok(p) = std::env::var("SELECTA_EVAL_PROTOCOL") {
        config.protocols = parse_protocols(&p)?;
    }
    if let Ok(s) = std::env::var("SELECTA_EVAL_SAMPLE") {
        config.sample = s.parse()?;
    }
    if let Ok(s) = std::env::var("SELECTA_EVAL_SEED") {
        config.seed = s.parse()?;
    }
    if let Ok(s) = std::env::var("SELECTA_EVAL_SPLIT") {
        config.split_seed = s.parse()?;
    }
    if std::env::var("SELECTA_EVAL_LEARN").is_ok_and(|v| v == "0") {
        config.learn = false;
    }
    if let Ok(s) = std::env::var("SELECTA_EVAL_COLD_GROUP") {
        config.cold_group = s.parse()?;
    }
    if std::env::var("SELECTA_EVAL_KNOWN_LABELS").is_ok_and(|v| v == "1") {
        config.known_labels = true;
    }
    if let Ok(s) = std::env::var("SELECTA_EVAL_CAP") {
        config.max_per_artist = Some(s.parse()?);
    }
    let report = evaluate(&catalog, &params, &config, &mut |p| {
        if p.done == p.total {
            eprintln!("{} {}/{}", p.stage, p.done, p.total);
        }
    })?;
    print!("{report}");
    Ok(())
}
