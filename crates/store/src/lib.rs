//! Moving artifact and catalog bytes between the program and a local path or an S3-compatible
//! object store (AWS, MinIO, Yandex Object Storage, Ceph, moto).
//!
//! ```no_run
//! # async fn demo() -> Result<(), selecta_store::StoreError> {
//! use selecta_store::{Location, S3Config, Store};
//! let store = Store::new(S3Config {
//!     endpoint: Some("http://127.0.0.1:9000".into()),
//!     force_path_style: true,
//!     ..S3Config::default()
//! });
//! let loc: Location = "s3://models/artifact.bin".parse()?;
//! store.put(&loc, b"bytes").await?;
//! assert_eq!(store.get(&loc).await?, b"bytes");
//! # Ok(()) }
//! ```

mod cache;
mod config;
mod error;
mod local;
mod location;
mod s3;

pub use cache::{LoadError, Origin, SourceFailure};
pub use config::{S3Config, DEFAULT_REGION};
pub use error::StoreError;
pub use local::write_atomic;
pub use location::Location;

use tokio::sync::OnceCell;

/// Reads and writes bytes at [`Location`]s. The S3 client is made on first S3 use, so a
/// store used only with local paths never needs S3 settings or credentials.
#[derive(Debug)]
pub struct Store {
    config: S3Config,
    s3: OnceCell<s3::S3>,
}

impl Store {
    /// A store that reaches S3 with `config` (ignored for local paths).
    pub fn new(config: S3Config) -> Self {
        Store {
            config,
            s3: OnceCell::new(),
        }
    }

    /// The S3 settings this store uses.
    pub fn config(&self) -> &S3Config {
        &self.config
    }

    async fn s3(&self) -> &s3::S3 {
        self.s3
            .get_or_init(|| async {
                tracing::debug!(
                    endpoint = %self.config.endpoint_name(),
                    region = self.config.region_name(),
                    path_style = self.config.force_path_style,
                    "connecting to S3"
                );
                s3::S3::new(self.config.client().await, self.config.endpoint_name())
            })
            .await
    }

    /// All bytes of the file or object at `location`.
    pub async fn get(&self, location: &Location) -> Result<Vec<u8>, StoreError> {
        match location {
            Location::Local(path) => local::get(path).await,
            Location::S3 { bucket, key } => self.s3().await.get(bucket, key).await,
        }
    }

    /// All bytes at `location` and the version they are (see [`Store::version`]), read
    /// together: for S3 the ETag of the same GetObject; for a file, its version read just
    /// before the bytes (a file replaced in between is seen as changed at the next look).
    pub async fn get_versioned(
        &self,
        location: &Location,
    ) -> Result<(Vec<u8>, Option<String>), StoreError> {
        match location {
            Location::Local(path) => {
                let version = local::version(path).await?;
                Ok((local::get(path).await?, version))
            }
            Location::S3 { bucket, key } => self.s3().await.get_versioned(bucket, key).await,
        }
    }

    /// A cheap token that changes when the content at `location` changes, without reading it:
    /// the S3 object's ETag (one HeadObject), or a file's length and modification time. `None`
    /// when the store gives none.
    pub async fn version(&self, location: &Location) -> Result<Option<String>, StoreError> {
        match location {
            Location::Local(path) => local::version(path).await,
            Location::S3 { bucket, key } => self.s3().await.etag(bucket, key).await,
        }
    }

    /// Store `bytes` at `location`, replacing what is there. Local writes go to a temporary
    /// file in the same directory that is renamed into place when complete (missing parent
    /// directories are created); S3 uploads are atomic by nature.
    pub async fn put(&self, location: &Location, bytes: &[u8]) -> Result<(), StoreError> {
        match location {
            Location::Local(path) => local::put(path, bytes).await,
            Location::S3 { bucket, key } => self.s3().await.put(bucket, key, bytes).await,
        }
    }

    /// Keys of all files/objects under `prefix`, which is taken as a directory
    /// (`s3://b/seed/tracks` lists `seed/tracks/...`). Keys are `/`-separated, relative to the
    /// prefix, sorted; [`Location::join`] turns one back into a location.
    ///
    /// An S3 prefix with no objects gives an empty list; a missing local directory is
    /// [`StoreError::NotFound`].
    pub async fn list(&self, prefix: &Location) -> Result<Vec<String>, StoreError> {
        match prefix {
            Location::Local(dir) => local::list(dir).await,
            Location::S3 { bucket, key } => self.s3().await.list(bucket, key).await,
        }
    }

    /// `(relative key, bytes)` of every file/object under `prefix` whose key ends with
    /// `suffix` (e.g. `"/meta.json"`, or `""` for all), sorted by key. S3 objects are fetched
    /// concurrently.
    pub async fn get_all_under(
        &self,
        prefix: &Location,
        suffix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let keys: Vec<String> = self
            .list(prefix)
            .await?
            .into_iter()
            .filter(|k| k.ends_with(suffix))
            .collect();
        match prefix {
            Location::Local(dir) => {
                let items = keys
                    .into_iter()
                    .map(|k| {
                        let path = k.split('/').fold(dir.clone(), |p, part| p.join(part));
                        (k, path)
                    })
                    .collect();
                local::get_many(items).await
            }
            Location::S3 { bucket, key } => {
                let dir = location::dir_prefix(key);
                let items = keys
                    .into_iter()
                    .map(|k| {
                        let full = format!("{dir}{k}");
                        (k, full)
                    })
                    .collect();
                self.s3().await.get_many(bucket, items).await
            }
        }
    }
}

impl Default for Store {
    /// A store with default S3 settings (AWS, us-east-1); fine for local paths.
    fn default() -> Self {
        Store::new(S3Config::default())
    }
}
