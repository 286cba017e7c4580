//! S3 connection settings and the client built from them.

use std::time::Duration;

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::config::{RequestChecksumCalculation, SharedHttpClient};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

/// Region used when none is configured; S3-compatible stores mostly ignore it, but it is signed.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How to reach an S3-compatible object store (AWS, MinIO, Yandex Object Storage, Ceph, moto).
///
/// A plain struct so the binary can fill it from its command line. Credentials are not part of it:
/// they come from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`), or else
/// from the profile named by `AWS_PROFILE` (default `default`) in `~/.aws/credentials` and
/// `~/.aws/config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// Endpoint URL, e.g. `http://127.0.0.1:9000` or `https://storage.yandexcloud.net`.
    /// `None` means AWS itself (or `AWS_ENDPOINT_URL` if set).
    pub endpoint: Option<String>,
    /// Signing region; `None` means [`DEFAULT_REGION`].
    pub region: Option<String>,
    /// Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`; most
    /// self-hosted stores (MinIO, Ceph, moto) need this.
    pub force_path_style: bool,
    /// Limit for establishing a TCP/TLS connection; keeps an unreachable endpoint a matter of seconds.
    pub connect_timeout: Duration,
    /// Limit for waiting on the next bytes of a response (not the whole transfer, so large
    /// objects on slow links still work).
    pub read_timeout: Duration,
    /// Attempts per request, including the first (transient errors and throttling are retried).
    pub max_attempts: u32,
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            endpoint: None,
            region: None,
            force_path_style: false,
            connect_timeout: Duration::from_secs(3),
            read_timeout: Duration::from_secs(30),
            max_attempts: 3,
        }
    }
}

impl S3Config {
    /// The region that will be signed into requests.
    pub fn region_name(&self) -> &str {
        self.region
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or(DEFAULT_REGION)
    }

    /// How errors name the endpoint.
    pub fn endpoint_name(&self) -> String {
        match &self.endpoint {
            Some(url) => url.clone(),
            None => match std::env::var("AWS_ENDPOINT_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => format!("AWS S3 ({})", self.region_name()),
            },
        }
    }

    /// Build an S3 client from these settings.
    pub(crate) async fn client(&self) -> aws_sdk_s3::Client {
        let region = Region::new(self.region_name().to_string());
        // rustls with ring: no C toolchain beyond `cc`, and it verifies against the OS roots.
        let http: SharedHttpClient = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .build();
        let retries = RetryConfig::standard()
            .with_max_attempts(self.max_attempts.max(1))
            .with_initial_backoff(Duration::from_millis(200))
            .with_max_backoff(Duration::from_secs(2));

        // Only env vars and profile files: the SDK's default chain would also probe the EC2/ECS
        // metadata services, which on other hosts costs seconds before failing.
        let provider_config = ProviderConfig::default()
            .with_http_client(http.clone())
            .with_region(Some(region.clone()))
            .with_timeout_config(timeouts.clone())
            .with_retry_config(retries.clone());
        let credentials = CredentialsProviderChain::first_try(
            "Environment",
            EnvironmentVariableCredentialsProvider::new(),
        )
        .or_else(
            "Profile",
            ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .build(),
        );

        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(region)
            .credentials_provider(credentials)
            .timeout_config(timeouts)
            .retry_config(retries);
        if let Some(url) = &self.endpoint {
            loader = loader.endpoint_url(url);
        }
        let shared = loader.load().await;
        let s3 = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(self.force_path_style)
            // Many S3-compatible stores reject the SDK's newer default checksum trailers on
            // uploads; send checksums only where the API demands them.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .build();
        aws_sdk_s3::Client::from_conf(s3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_defaults_to_us_east_1() {
        let mut c = S3Config::default();
        assert_eq!(c.region_name(), "us-east-1");
        c.region = Some(" ".into());
        assert_eq!(c.region_name(), "us-east-1");
        c.region = Some("ru-central1".into());
        assert_eq!(c.region_name(), "ru-central1");
    }

    #[test]
    fn explicit_endpoint_names_itself() {
        let c = S3Config {
            endpoint: Some("http://127.0.0.1:9000".into()),
            ..S3Config::default()
        };
        assert_eq!(c.endpoint_name(), "http://127.0.0.1:9000");
    }
}
