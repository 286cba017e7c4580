//! Errors an operator can act on: each names the location and the cause in plain words.
//!
//! Credentials never appear here: S3 failures are described from their error codes and the
//! transport's error chain, neither of which carries the secret key.

use std::io;

use crate::location::Location;

/// Why moving bytes to or from a [`Location`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The location string could not be understood.
    #[error("invalid location `{input}`: {reason}")]
    InvalidLocation {
        /// The string as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },

    /// No such local file / directory or no such S3 key.
    #[error("{location}: not found ({detail})")]
    NotFound {
        /// What was looked up.
        location: Location,
        /// "no such file", "no such key in bucket `b`", ...
        detail: String,
    },

    /// The bucket does not exist on the endpoint.
    #[error("{location}: no such bucket `{bucket}` at {endpoint}")]
    NoSuchBucket {
        /// What was looked up.
        location: Location,
        /// The missing bucket.
        bucket: String,
        /// The endpoint that answered.
        endpoint: String,
    },

    /// The store refused the request (permissions, unknown access key, bad signature).
    #[error("{location}: access denied by {endpoint} ({detail})")]
    AccessDenied {
        /// What was accessed.
        location: Location,
        /// The endpoint that refused.
        endpoint: String,
        /// The store's error code and what it usually means.
        detail: String,
    },

    /// No credentials could be found for S3.
    #[error(
        "{location}: no usable S3 credentials ({detail}); set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials"
    )]
    Credentials {
        /// What was accessed.
        location: Location,
        /// Why the credential providers failed.
        detail: String,
    },

    /// The endpoint could not be reached (refused, DNS failure, TLS failure).
    #[error("{location}: cannot connect to endpoint {endpoint}: {detail}")]
    Connect {
        /// What was accessed.
        location: Location,
        /// The endpoint that could not be reached.
        endpoint: String,
        /// The transport's error chain.
        detail: String,
    },

    /// The endpoint did not answer in time.
    #[error("{location}: timed out talking to endpoint {endpoint} ({detail})")]
    Timeout {
        /// What was accessed.
        location: Location,
        /// The endpoint that was too slow.
        endpoint: String,
        /// Which timeout fired.
        detail: String,
    },

    /// Any other S3 failure, with the operation and the store's error code.
    #[error("{location}: S3 {operation} failed at {endpoint}: {detail}")]
    S3 {
        /// What was accessed.
        location: Location,
        /// The S3 operation (GetObject, PutObject, ListObjectsV2).
        operation: &'static str,
        /// The endpoint used.
        endpoint: String,
        /// Error code and message, or the transport's error chain.
        detail: String,
    },

    /// A local file-system operation failed.
    #[error("{location}: cannot {action}: {cause}")]
    Io {
        /// The path involved.
        location: Location,
        /// What was being done ("read", "write a temporary file", ...).
        action: &'static str,
        /// The operating system's error.
        cause: io::Error,
    },

    /// A local file name is not valid UTF-8 and so cannot be returned as a key.
    #[error("{location}: file name is not valid UTF-8 and cannot be used as a key")]
    NonUtf8Name {
        /// The offending path.
        location: Location,
    },
}

impl StoreError {
    /// True for failures that say the object store could not be reached or did not answer
    /// (as opposed to an answer that refused the request).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            StoreError::Connect { .. } | StoreError::Timeout { .. }
        )
    }

    /// True when the location does not exist (missing file, key or bucket).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound { .. } | StoreError::NoSuchBucket { .. }
        )
    }

    pub(crate) fn io(location: &Location, action: &'static str, cause: io::Error) -> Self {
        if cause.kind() == io::ErrorKind::NotFound {
            StoreError::NotFound {
                location: location.clone(),
                detail: format!("no such file or directory (while trying to {action})"),
            }
        } else {
            StoreError::Io {
                location: location.clone(),
                action,
                cause,
            }
        }
    }
}

/// An error and its sources as one line, skipping repeats (wrappers often repeat their cause).
pub(crate) fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        // One line, whatever the sources print (some list attempts on separate lines).
        let text = e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn chain_text_joins_sources_without_repeats() {
        let e = Outer(io::Error::other("connection refused"));
        assert_eq!(chain_text(&e), "outer: connection refused");
        let same = io::Error::other("outer");
        assert_eq!(chain_text(&Outer(same)), "outer");
        let multi = io::Error::other("tried:\n  a\n  b");
        assert_eq!(chain_text(&Outer(multi)), "outer: tried: a b");
    }

    #[test]
    fn missing_file_becomes_not_found_naming_the_path() {
        let loc = Location::local("/no/such/file.bin");
        let e = StoreError::io(&loc, "read", io::Error::from(io::ErrorKind::NotFound));
        assert!(e.is_not_found());
        // One line, whatever the sources print (some list attempts on separate lines).
        let text = e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.starts_with("/no/such/file.bin: not found"), "{text}");
        let e = StoreError::io(
            &loc,
            "read",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(!e.is_not_found());
        assert!(e.to_string().contains("cannot read"));
    }
}
