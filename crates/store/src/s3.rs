//! Object-store operations and the translation of SDK failures into [`StoreError`]s.

use std::sync::Arc;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use tokio::task::JoinSet;

use crate::error::{chain_text, StoreError};
use crate::location::{dir_prefix, Location};

/// How many objects `get_many` fetches at once: enough to hide per-request latency, few enough
/// not to trip request-rate limits of small self-hosted stores.
const FETCH_CONCURRENCY: usize = 16;

/// A connected S3 client and the endpoint name used in error messages. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct S3 {
    client: aws_sdk_s3::Client,
    endpoint: Arc<str>,
}

impl S3 {
    pub(crate) fn new(client: aws_sdk_s3::Client, endpoint: String) -> Self {
        S3 {
            client,
            endpoint: endpoint.into(),
        }
    }

    pub(crate) async fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self.get_versioned(bucket, key).await?.0)
    }

    /// The object's bytes and its ETag, from one GetObject: the ETag describes exactly the
    /// bytes returned, even when the object is replaced meanwhile.
    pub(crate) async fn get_versioned(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(Vec<u8>, Option<String>), StoreError> {
        let loc = s3_location(bucket, key);
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.classify(e, &loc, "GetObject"))?;
        let etag = out.e_tag().map(str::to_string);
        let body = out.body.collect().await.map_err(|e| {
            let detail = format!("reading the object body: {}", chain_text(&e));
            if looks_like_timeout(&detail) {
                self.timeout(&loc, detail)
            } else {
                self.other(&loc, "GetObject", detail)
            }
        })?;
        Ok((body.into_bytes().to_vec(), etag))
    }

    /// The object's ETag (HeadObject: no body is transferred).
    pub(crate) async fn etag(&self, bucket: &str, key: &str) -> Result<Option<String>, StoreError> {
        let loc = s3_location(bucket, key);
        let out = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.classify(e, &loc, "HeadObject"))?;
        Ok(out.e_tag().map(str::to_string))
    }

    pub(crate) async fn put(
        &self,
        bucket: &str,
        key: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let loc = s3_location(bucket, key);
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_length(bytes.len() as i64)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map_err(|e| self.classify(e, &loc, "PutObject"))?;
        Ok(())
    }

    /// Keys under `prefix` (taken as a directory), relative to it, sorted.
    pub(crate) async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let loc = s3_location(bucket, prefix);
        let dir = dir_prefix(prefix);
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(&dir)
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.classify(e, &loc, "ListObjectsV2"))?;
            for object in page.contents() {
                let Some(rel) = object.key().and_then(|k| k.strip_prefix(dir.as_str())) else {
                    continue;
                };
                // "folder/" marker objects made by consoles hold no data.
                if !rel.is_empty() && !rel.ends_with('/') {
                    keys.push(rel.to_string());
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// Fetch `(relative key, full key)` pairs concurrently; results keep the input order.
    pub(crate) async fn get_many(
        &self,
        bucket: &str,
        items: Vec<(String, String)>,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut results: Vec<Option<(String, Vec<u8>)>> = vec![None; items.len()];
        let mut pending = items.into_iter().enumerate();
        let mut tasks = JoinSet::new();
        loop {
            while tasks.len() < FETCH_CONCURRENCY {
                let Some((i, (rel, key))) = pending.next() else {
                    break;
                };
                let (s3, bucket) = (self.clone(), bucket.to_string());
                tasks.spawn(async move { (i, rel, s3.get(&bucket, &key).await) });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let (i, rel, bytes) = match joined {
                Ok(done) => done,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => unreachable!("fetch task cancelled while its JoinSet is alive: {e}"),
            };
            // Returning here drops the JoinSet, which aborts the remaining fetches.
            results[i] = Some((rel, bytes?));
        }
        Ok(results.into_iter().flatten().collect())
    }

    fn classify<E>(
        &self,
        err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
        loc: &Location,
        operation: &'static str,
    ) -> StoreError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match &err {
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let code = service.err().code().unwrap_or("");
                let message = service.err().message().unwrap_or("");
                self.service_error(loc, operation, status, code, message)
            }
            SdkError::TimeoutError(_) => self.timeout(loc, chain_text(&err)),
            SdkError::DispatchFailure(dispatch) => {
                let detail = chain_text(&err);
                if dispatch.is_timeout() || looks_like_timeout(&detail) {
                    self.timeout(loc, detail)
                } else if !dispatch.is_io() && detail.to_ascii_lowercase().contains("credential") {
                    // Credential resolution runs inside dispatch; a failure there is no
                    // connection problem.
                    StoreError::Credentials {
                        location: loc.clone(),
                        detail,
                    }
                } else {
                    StoreError::Connect {
                        location: loc.clone(),
                        endpoint: self.endpoint.to_string(),
                        detail,
                    }
                }
            }
            SdkError::ConstructionFailure(_) => {
                let detail = chain_text(&err);
                if detail.to_ascii_lowercase().contains("credential") {
                    StoreError::Credentials {
                        location: loc.clone(),
                        detail,
                    }
                } else {
                    self.other(loc, operation, detail)
                }
            }
            _ => self.other(loc, operation, chain_text(&err)),
        }
    }

    fn service_error(
        &self,
        loc: &Location,
        operation: &'static str,
        status: u16,
        code: &str,
        message: &str,
    ) -> StoreError {
        let endpoint = self.endpoint.to_string();
        let denied = |detail: &str| StoreError::AccessDenied {
            location: loc.clone(),
            endpoint: endpoint.clone(),
            detail: format!("{code}: {detail}"),
        };
        match (code, status) {
            // HeadObject has no body to name the error: its 404 comes as `NotFound`.
            ("NoSuchKey", _) | ("NotFound" | "", 404) => match loc {
                Location::S3 { bucket, .. } => StoreError::NotFound {
                    location: loc.clone(),
                    detail: format!("no such key in bucket `{bucket}`"),
                },
                Location::Local(_) => unreachable!("S3 errors are only made for S3 locations"),
            },
            ("NoSuchBucket", _) => match loc {
                Location::S3 { bucket, .. } => StoreError::NoSuchBucket {
                    location: loc.clone(),
                    bucket: bucket.clone(),
                    endpoint,
                },
                Location::Local(_) => unreachable!("S3 errors are only made for S3 locations"),
            },
            ("InvalidAccessKeyId", _) => denied("the access key id is not known to this store"),
            ("SignatureDoesNotMatch", _) => {
                denied("the secret key does not match the access key id, or the region is wrong")
            }
            ("ExpiredToken" | "InvalidToken" | "TokenRefreshRequired", _) => {
                denied("the session token is expired or invalid")
            }
            ("AccessDenied" | "AllAccessDisabled", _) | ("", 403) => {
                denied("these credentials are not allowed to do this")
            }
            _ => {
                // Server messages name the resource, never the secret key; keep them.
                let detail = match (code.is_empty(), message.is_empty()) {
                    (true, _) => format!("HTTP status {status}"),
                    (false, true) => format!("{code} (HTTP status {status})"),
                    (false, false) => format!("{code}: {message} (HTTP status {status})"),
                };
                self.other(loc, operation, detail)
            }
        }
    }

    fn timeout(&self, loc: &Location, detail: String) -> StoreError {
        StoreError::Timeout {
            location: loc.clone(),
            endpoint: self.endpoint.to_string(),
            detail,
        }
    }

    fn other(&self, loc: &Location, operation: &'static str, detail: String) -> StoreError {
        StoreError::S3 {
            location: loc.clone(),
            operation,
            endpoint: self.endpoint.to_string(),
            detail,
        }
    }
}

fn s3_location(bucket: &str, key: &str) -> Location {
    Location::S3 {
        bucket: bucket.to_string(),
        key: key.to_string(),
    }
}

fn looks_like_timeout(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("timeout") || lower.contains("timed out")
}
