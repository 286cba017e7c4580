//! Where bytes live: a local path or an object in an S3-compatible bucket.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::StoreError;

/// A place to read bytes from or write them to.
///
/// Parsed from the strings operators type: `s3://bucket/key/with/slashes` for an object store,
/// `file:///abs/path` or any plain path for the local file system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A file (or, for listing, a directory) on the local file system.
    Local(PathBuf),
    /// An object (or, for listing, a key prefix) in a bucket.
    S3 {
        /// Bucket name, never empty.
        bucket: String,
        /// Object key (or prefix) inside the bucket, never empty, without a leading `/`.
        key: String,
    },
}

impl Location {
    /// A local location for `path`.
    pub fn local(path: impl Into<PathBuf>) -> Self {
        Location::Local(path.into())
    }

    /// An S3 location; fails if bucket or key is empty.
    pub fn s3(bucket: impl Into<String>, key: impl Into<String>) -> Result<Self, StoreError> {
        let (bucket, key) = (bucket.into(), key.into());
        let shown = format!("s3://{bucket}/{key}");
        if bucket.is_empty() {
            return Err(invalid(&shown, "the bucket name is empty"));
        }
        let key = key.trim_start_matches('/').to_string();
        if key.is_empty() {
            return Err(invalid(&shown, "the object key is empty"));
        }
        Ok(Location::S3 { bucket, key })
    }

    /// The location of `relative` (a `/`-separated key, as returned by `Store::list`) under this one,
    /// which is taken as a directory / key prefix.
    pub fn join(&self, relative: &str) -> Location {
        let relative = relative.trim_start_matches('/');
        match self {
            Location::Local(dir) => Location::Local(
                relative
                    .split('/')
                    .fold(dir.clone(), |p, part| p.join(part)),
            ),
            Location::S3 { bucket, key } => Location::S3 {
                bucket: bucket.clone(),
                key: format!("{}{relative}", dir_prefix(key)),
            },
        }
    }

    /// The local path, if this is a local location.
    pub fn as_local(&self) -> Option<&Path> {
        match self {
            Location::Local(p) => Some(p),
            Location::S3 { .. } => None,
        }
    }
}

/// `key` as a directory-like prefix: ends with exactly one `/`.
pub(crate) fn dir_prefix(key: &str) -> String {
    format!("{}/", key.trim_end_matches('/'))
}

fn invalid(input: &str, reason: &str) -> StoreError {
    StoreError::InvalidLocation {
        input: input.to_string(),
        reason: reason.to_string(),
    }
}

impl FromStr for Location {
    type Err = StoreError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(invalid(input, "the location is empty"));
        }
        let Some((scheme, rest)) = trimmed.split_once("://") else {
            return Ok(Location::Local(PathBuf::from(trimmed)));
        };
        // A path may legitimately contain "://" further on (`./odd://dir`); only a leading
        // URL-like scheme counts as one.
        let is_scheme = !scheme.is_empty()
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !is_scheme {
            return Ok(Location::Local(PathBuf::from(trimmed)));
        }
        match scheme.to_ascii_lowercase().as_str() {
            "s3" => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(invalid(
                        input,
                        "no bucket name after s3:// (expected s3://bucket/key)",
                    ));
                }
                let key = key.trim_start_matches('/');
                if key.is_empty() {
                    return Err(invalid(
                        input,
                        "no object key after the bucket (expected s3://bucket/key)",
                    ));
                }
                Ok(Location::S3 {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                })
            }
            "file" => {
                if rest.is_empty() {
                    return Err(invalid(input, "no path after file://"));
                }
                Ok(Location::Local(PathBuf::from(rest)))
            }
            other => Err(invalid(
                input,
                &format!("unsupported scheme `{other}://` (use a local path or s3://bucket/key)"),
            )),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(p) => write!(f, "{}", p.display()),
            Location::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Location, StoreError> {
        s.parse()
    }

    #[test]
    fn parses_s3_with_nested_key() {
        assert_eq!(
            parse("s3://models/prod/artifact.bin").unwrap(),
            Location::S3 {
                bucket: "models".into(),
                key: "prod/artifact.bin".into()
            }
        );
    }

    #[test]
    fn parses_plain_and_file_paths_as_local() {
        assert_eq!(
            parse("data/x.bin").unwrap(),
            Location::Local("data/x.bin".into())
        );
        assert_eq!(
            parse("/tmp/a b/x").unwrap(),
            Location::Local("/tmp/a b/x".into())
        );
        assert_eq!(
            parse("file:///tmp/x").unwrap(),
            Location::Local("/tmp/x".into())
        );
        // "://" after something that is not a scheme stays part of the path.
        assert_eq!(
            parse("./odd://dir").unwrap(),
            Location::Local("./odd://dir".into())
        );
    }

    #[test]
    fn rejects_s3_without_bucket_or_key_naming_the_input() {
        for bad in [
            "s3://",
            "s3:///key",
            "s3://bucket",
            "s3://bucket/",
            "s3://bucket//",
        ] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err:?} should name {bad:?}");
        }
        assert!(parse("s3://bucket")
            .unwrap_err()
            .to_string()
            .contains("no object key"));
        assert!(parse("s3:///k")
            .unwrap_err()
            .to_string()
            .contains("no bucket"));
    }

    #[test]
    fn rejects_unknown_schemes_and_empty_input() {
        let err = parse("gs://bucket/key").unwrap_err().to_string();
        assert!(err.contains("gs://bucket/key") && err.contains("unsupported scheme `gs://`"));
        assert!(parse("  ").unwrap_err().to_string().contains("empty"));
        assert!(parse("file://").is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in ["s3://b/k/x.json", "/tmp/x"] {
            assert_eq!(parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn join_treats_the_base_as_a_directory() {
        let base = parse("s3://b/seed/tracks").unwrap();
        assert_eq!(
            base.join("pop/a/meta.json").to_string(),
            "s3://b/seed/tracks/pop/a/meta.json"
        );
        let base = parse("s3://b/seed/tracks/").unwrap();
        assert_eq!(base.join("x").to_string(), "s3://b/seed/tracks/x");
        let base = Location::local("/data");
        assert_eq!(
            base.join("pop/a/meta.json"),
            Location::local("/data/pop/a/meta.json")
        );
    }

    #[test]
    fn constructor_validates() {
        assert!(Location::s3("", "k").is_err());
        assert!(Location::s3("b", "/").is_err());
        assert_eq!(Location::s3("b", "/k").unwrap().to_string(), "s3://b/k");
    }
}
