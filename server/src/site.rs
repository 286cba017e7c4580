//! The built site's assets: which names the bundle and the stylesheet carry, and how long
//! browsers may keep them.
//!
//! A release build (`scripts/build.sh`, Trunk with `filehash`) names each file after its
//! content: `frontend-<hash>.js` with `frontend-<hash>_bg.wasm`, and `main-<hash>.css`. Such a
//! name never changes meaning, so browsers keep it for a year without asking again, and an
//! upgrade is new names that the pages link. Unhashed names (`frontend.js`, as a development
//! build or a test writes them) are served too, but must be revalidated.

use std::path::Path;

use anyhow::bail;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The name Trunk gives the bundle (the `frontend` crate).
pub const BUNDLE: &str = "frontend";
/// The stylesheet's name before Trunk hashes it.
pub const STYLESHEET: &str = "main";
/// The folder of the built files under the site root, and their URL path.
pub const PKG_DIR: &str = "pkg";

/// `Cache-Control` of a file whose name carries its content's hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of any other built file: kept, but checked before each use.
pub const REVALIDATE: &str = "no-cache";

/// The built site's bundle and stylesheet names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAssets {
    /// The bundle's name without extension: `frontend-<hash>` (or `frontend`). Leptos'
    /// hydration scripts load `<stem>.js` and `<stem>_bg.wasm`.
    pub stem: String,
    /// The stylesheet's URL path (`/pkg/main-<hash>.css` or `/pkg/main.css`).
    pub stylesheet: String,
}

impl SiteAssets {
    /// Finds the bundle and stylesheet in `site_root/pkg`, hashed names first; an error names
    /// what is missing, or the files of more than one build.
    pub fn discover(site_root: &Path) -> anyhow::Result<SiteAssets> {
        let pkg = site_root.join(PKG_DIR);
        let names: Vec<String> = std::fs::read_dir(&pkg)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        let has = |name: &str| names.iter().any(|n| n == name);
        let one = |prefix: &str, suffix: &str, plain: &str| -> anyhow::Result<Option<String>> {
            let mut hashed: Vec<&String> = names
                .iter()
                .filter(|n| {
                    n.strip_prefix(prefix)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .and_then(|rest| rest.strip_suffix(suffix))
                        .is_some_and(is_hash)
                })
                .collect();
            hashed.sort();
            match hashed.as_slice() {
                [] => Ok(has(plain).then(|| plain.to_string())),
                [name] => Ok(Some((*name).clone())),
                several => bail!(
                    "{} holds the files of several builds ({}): rebuild the site with \
                     scripts/build.sh",
                    pkg.display(),
                    several
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        };
        let js = one(BUNDLE, ".js", &format!("{BUNDLE}.js"))?;
        let css = one(STYLESHEET, ".css", &format!("{STYLESHEET}.css"))?;
        let stem = js.as_deref().and_then(|j| j.strip_suffix(".js"));
        let wasm = stem.map(|s| format!("{s}_bg.wasm"));
        let mut missing = Vec::new();
        if js.is_none() {
            missing.push(format!("{BUNDLE}-<hash>.js (or {BUNDLE}.js)"));
        }
        match &wasm {
            Some(w) if !has(w) => missing.push(w.clone()),
            None => missing.push(format!("{BUNDLE}-<hash>_bg.wasm (or {BUNDLE}_bg.wasm)")),
            _ => {}
        }
        if css.is_none() {
            missing.push(format!("{STYLESHEET}-<hash>.css (or {STYLESHEET}.css)"));
        }
        if !missing.is_empty() {
            bail!(
                "the site's assets are not built: {} lacks {} (build them with scripts/build.sh, \
                 or point --site-root / SELECTA_SITE_ROOT at a built site)",
                pkg.display(),
                missing.join(", ")
            );
        }
        Ok(SiteAssets {
            stem: stem.unwrap_or(BUNDLE).to_string(),
            stylesheet: format!("/{PKG_DIR}/{}", css.unwrap_or_default()),
        })
    }
}

/// Trunk's content hash in a name: hexadecimal digits (a 64-bit hash, written without leading
/// zeros, so 8 to 16 of them in practice).
fn is_hash(s: &str) -> bool {
    (8..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a file name under `/pkg/` carries a content hash: `<name>-<hash>.<ext>` or the
/// bundle's `<name>-<hash>_bg.wasm`.
pub fn is_hashed(file: &str) -> bool {
    let Some((_, rest)) = file.rsplit_once('-') else {
        return false;
    };
    let hash = rest.strip_suffix("_bg.wasm").unwrap_or(rest);
    let hash = hash.split_once('.').map_or(hash, |(h, _)| h);
    is_hash(hash)
}

/// Sets `Cache-Control` on the built files: a year and `immutable` for hashed names, a
/// revalidation for the others. Not on errors (a 404 must not be kept).
pub async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path().rsplit('/').next().unwrap_or(""));
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status().as_u16() == 304 {
        let value = if hashed { IMMUTABLE } else { REVALIDATE };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(PKG_DIR)).unwrap();
        for f in files {
            std::fs::write(dir.path().join(PKG_DIR).join(f), b"x").unwrap();
        }
        dir
    }

    #[test]
    fn hashed_names_are_found_and_linked() {
        let dir = site(&[
            "frontend-4f2a9c1d0e3b7a65.js",
            "frontend-4f2a9c1d0e3b7a65_bg.wasm",
            "frontend-4f2a9c1d0e3b7a65_bg.wasm.br",
            "main-9ab01cd2ef345678.css",
            "main-9ab01cd2ef345678.css.gz",
        ]);
        let a = SiteAssets::discover(dir.path()).unwrap();
        assert_eq!(a.stem, "frontend-4f2a9c1d0e3b7a65");
        assert_eq!(a.stylesheet, "/pkg/main-9ab01cd2ef345678.css");
    }

    #[test]
    fn a_rebuild_with_a_change_is_new_names() {
        let before = site(&[
            "frontend-1111aaaa2222bbbb.js",
            "frontend-1111aaaa2222bbbb_bg.wasm",
            "main-33334444cccc.css",
        ]);
        let after = site(&[
            "frontend-5555eeee6666ffff.js",
            "frontend-5555eeee6666ffff_bg.wasm",
            "main-33334444cccc.css",
        ]);
        let (b, a) = (
            SiteAssets::discover(before.path()).unwrap(),
            SiteAssets::discover(after.path()).unwrap(),
        );
        assert_ne!(b.stem, a.stem);
        // An unchanged stylesheet keeps its name, so browsers keep their copy.
        assert_eq!(b.stylesheet, a.stylesheet);
    }

    #[test]
    fn plain_names_still_serve() {
        let dir = site(&["frontend.js", "frontend_bg.wasm", "main.css"]);
        let a = SiteAssets::discover(dir.path()).unwrap();
        assert_eq!(
            a,
            SiteAssets {
                stem: "frontend".into(),
                stylesheet: "/pkg/main.css".into()
            }
        );
    }

    #[test]
    fn missing_files_and_mixed_builds_are_errors_naming_them() {
        let dir = site(&["frontend-1234abcd5678ef90.js", "main.css"]);
        let err = SiteAssets::discover(dir.path()).unwrap_err().to_string();
        assert!(err.contains("frontend-1234abcd5678ef90_bg.wasm"), "{err}");
        assert!(err.contains("scripts/build.sh"), "{err}");
        let dir = site(&[]);
        let err = SiteAssets::discover(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("frontend-<hash>.js") && err.contains("main-<hash>.css"),
            "{err}"
        );
        let dir = site(&[
            "frontend-1234abcd5678ef90.js",
            "frontend-1234abcd5678ef91.js",
            "main.css",
        ]);
        let err = SiteAssets::discover(dir.path()).unwrap_err().to_string();
        assert!(err.contains("several builds"), "{err}");
    }

    #[test]
    fn which_names_are_hashed() {
        for name in [
            "frontend-4f2a9c1d0e3b7a65.js",
            "frontend-4f2a9c1d0e3b7a65_bg.wasm",
            "main-9ab01cd2ef345678.css",
            "main-9ab01cd2ef345678.css.br",
        ] {
            assert!(is_hashed(name), "{name}");
        }
        for name in [
            "frontend.js",
            "frontend_bg.wasm",
            "main.css",
            "favicon.svg",
            "x-y.css",
            "a-zz12345678.js",
        ] {
            assert!(!is_hashed(name), "{name}");
        }
    }
}
