//! The command-line subcommands other than `serve`.

pub mod bench;
pub mod bot;
pub mod describe;
pub mod fit;
pub mod recommend;

use anyhow::anyhow;
use selecta_catalog::Catalog;

/// Resolves each query to a catalog index; an error names the flag and the query.
pub fn resolve_all(
    catalog: &Catalog,
    queries: &[String],
    flag: &str,
) -> anyhow::Result<Vec<usize>> {
    queries
        .iter()
        .map(|q| catalog.resolve(q).map_err(|e| anyhow!("{flag} `{q}`: {e}")))
        .collect()
}

/// A 0..1 value as a bar of 10 cells, e.g. `███████░░░`.
pub fn bar(value: f32) -> String {
    let filled = (value.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_round_to_tenths() {
        assert_eq!(bar(0.0), "░░░░░░░░░░");
        assert_eq!(bar(0.74), "███████░░░");
        assert_eq!(bar(1.5), "██████████");
    }
}
