//! Last-good cache: serve a validated local copy when the primary location fails.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::StoreError;
use crate::location::Location;

/// Where [`Store::load_with_cache`](crate::Store::load_with_cache) got its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Fetched from the requested location (and the cache was refreshed).
    Remote,
    /// The location failed; the last-good local copy was used instead.
    Cache {
        /// Why the location was not used, in words (fetch error or validation error).
        reason: String,
    },
}

/// Why one source (the location or the cached copy) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SourceFailure<E> {
    /// The bytes could not be read.
    #[error("{0}")]
    Read(StoreError),
    /// The bytes were read but refused by the validator.
    #[error("refused by validation: {0}")]
    Invalid(E),
}

/// Neither the location nor the cached copy gave usable bytes.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot load {location}: {remote}; and no usable last-good copy at {}: {cache}",
    cache_path.display()
)]
pub struct LoadError<E> {
    /// The primary location.
    pub location: Location,
    /// The last-good copy's path.
    pub cache_path: PathBuf,
    /// Why the primary location failed.
    pub remote: SourceFailure<E>,
    /// Why the cached copy failed.
    pub cache: SourceFailure<E>,
}

impl crate::Store {
    /// Load and validate the bytes at `location`, keeping a last-good copy at `cache_path`.
    ///
    /// - Fetched bytes that pass `validate` are written to `cache_path` (atomically) and returned
    ///   with [`Origin::Remote`]. A failure to write the cache is logged, not returned.
    /// - If the fetch fails (unreachable store, timeout, missing object) or `validate` refuses
    ///   the bytes, the cached copy is read and validated instead and returned with
    ///   [`Origin::Cache`] and the reason; this is logged with `tracing::warn!`.
    /// - If that fails too, the error names both failures.
    pub async fn load_with_cache<T, E, F>(
        &self,
        location: &Location,
        cache_path: &Path,
        validate: F,
    ) -> Result<(T, Origin), LoadError<E>>
    where
        F: Fn(&[u8]) -> Result<T, E> + Send + Sync + 'static,
        T: Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        let validate = std::sync::Arc::new(validate);
        let remote = match self.get(location).await {
            Ok(bytes) => match off_the_runtime(&validate, bytes).await {
                (bytes, Ok(value)) => {
                    if let Err(e) = crate::local::put(cache_path, &bytes).await {
                        tracing::warn!(
                            location = %location,
                            error = %e,
                            "loaded, but could not refresh the last-good copy"
                        );
                    }
                    tracing::debug!(location = %location, bytes = bytes.len(), "loaded");
                    return Ok((value, Origin::Remote));
                }
                (_, Err(e)) => SourceFailure::Invalid(e),
            },
            Err(e) => SourceFailure::Read(e),
        };

        let cached = match crate::local::get(cache_path).await {
            Ok(bytes) => off_the_runtime(&validate, bytes)
                .await
                .1
                .map_err(SourceFailure::Invalid),
            Err(e) => Err(SourceFailure::Read(e)),
        };
        match cached {
            Ok(value) => {
                let reason = remote.to_string();
                tracing::warn!(
                    location = %location,
                    cache = %cache_path.display(),
                    reason = %reason,
                    "serving the last-good cached copy"
                );
                Ok((value, Origin::Cache { reason }))
            }
            Err(cache) => Err(LoadError {
                location: location.clone(),
                cache_path: cache_path.to_path_buf(),
                remote,
                cache,
            }),
        }
    }
}

/// Runs the validator (for a model: checksum and decoding, a CPU-bound second) on a blocking
/// thread, so that the async workers keep answering requests meanwhile; gives the bytes back.
async fn off_the_runtime<T, E, F>(
    validate: &std::sync::Arc<F>,
    bytes: Vec<u8>,
) -> (Vec<u8>, Result<T, E>)
where
    F: Fn(&[u8]) -> Result<T, E> + Send + Sync + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let validate = validate.clone();
    match tokio::task::spawn_blocking(move || {
        let result = validate(&bytes);
        (bytes, result)
    })
    .await
    {
        Ok(done) => done,
        // A validator that panicked: the panic is the caller's bug, raised where it happened.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
