//! [`DynamoDb`]: the driver value, its URL, and how the AWS configuration is resolved.

use crate::connection::DdbConnection;
use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{Credentials, ProvideCredentials};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::{Error, Result};
use tokio::sync::OnceCell;

/// How long one operation (a read with all its pages, a write) may take before it fails
/// with a connection error (see [`DynamoDb::operation_timeout`]).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// How long creating or dropping a table (waiting until it is `ACTIVE` or gone) may take
/// (see [`DynamoDb::ddl_timeout`]).
pub const DEFAULT_DDL_TIMEOUT: Duration = Duration::from_secs(600);

/// How many attempts the SDK makes for a request that failed in a retryable way
/// (throttling, a 5xx, a dropped connection), with exponential backoff.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// The access key the driver signs with for an emulator (see [`DynamoDb::emulator`]).
const EMULATOR_KEY: &str = "toasty";

/// The DynamoDB driver.
///
/// [`DynamoDb::new`] parses a `dynamodb://<region>` URL and does no I/O; the AWS
/// configuration (credentials, region, endpoint) is resolved at the first
/// [`Driver::connect`] and shared by every connection of the driver and its clones.
#[derive(Clone)]
pub struct DynamoDb {
    settings: Arc<Settings>,
    /// The resolved AWS configuration, once.
    config: Arc<OnceCell<Resolved>>,
    capability: Capability,
}

struct Settings {
    region: Option<String>,
    endpoint: Option<String>,
    static_credentials: bool,
    operation_timeout: Duration,
    ddl_timeout: Duration,
    max_attempts: u32,
}

/// The AWS configuration, resolved.
#[derive(Clone)]
pub(crate) struct Resolved {
    pub(crate) sdk: aws_config::SdkConfig,
    /// Where requests go, for messages.
    pub(crate) target: Arc<str>,
}

impl fmt::Debug for DynamoDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDb")
            .field("region", &self.settings.region)
            .field("endpoint", &self.settings.endpoint)
            .field("operation_timeout", &self.settings.operation_timeout)
            .finish()
    }
}

impl DynamoDb {
    /// Parses `dynamodb://<region>` (the scheme in any case), e.g. `dynamodb://us-east-1`,
    /// or `dynamodb://` to take the region from the standard AWS configuration
    /// (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile). Credentials and the endpoint
    /// always come from the standard AWS configuration (`AWS_ACCESS_KEY_ID`,
    /// `AWS_PROFILE`, instance roles, ...; `AWS_ENDPOINT_URL_DYNAMODB` or
    /// `AWS_ENDPOINT_URL` for an emulator). Anything else in the URL (a user, a port, a
    /// path, a query) is a [`toasty_core::ErrorKind::Config`] error.
    pub fn new(url: &str) -> Result<DynamoDb> {
        let region = parse_url(url)?;
        Ok(DynamoDb::with_settings(Settings {
            region,
            endpoint: None,
            static_credentials: false,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            ddl_timeout: DEFAULT_DDL_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }))
    }

    /// A driver for a DynamoDB emulator (moto, DynamoDB Local) at `endpoint`
    /// (`http://127.0.0.1:8000`): region `us-east-1` (or `AWS_REGION`), and fixed dummy
    /// credentials rather than the machine's real ones, which are never sent to it.
    pub fn emulator(endpoint: &str) -> Result<DynamoDb> {
        check_endpoint(endpoint)?;
        let region = std::env::var("AWS_REGION")
            .ok()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "us-east-1".to_string());
        Ok(DynamoDb::with_settings(Settings {
            region: Some(region),
            endpoint: Some(endpoint.to_string()),
            static_credentials: true,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            ddl_timeout: DEFAULT_DDL_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }))
    }

    fn with_settings(settings: Settings) -> DynamoDb {
        DynamoDb {
            settings: Arc::new(settings),
            config: Arc::new(OnceCell::new()),
            capability: Capability {
                name: "dynamodb",
                ..Capability::KV
            },
        }
    }

    fn edit(self, f: impl FnOnce(&mut Settings)) -> DynamoDb {
        let mut settings = Settings {
            region: self.settings.region.clone(),
            endpoint: self.settings.endpoint.clone(),
            static_credentials: self.settings.static_credentials,
            operation_timeout: self.settings.operation_timeout,
            ddl_timeout: self.settings.ddl_timeout,
            max_attempts: self.settings.max_attempts,
        };
        f(&mut settings);
        DynamoDb::with_settings(settings)
    }

    /// Sends requests to `endpoint` instead of the one the AWS configuration names.
    pub fn endpoint_url(self, endpoint: &str) -> Result<DynamoDb> {
        check_endpoint(endpoint)?;
        Ok(self.edit(|s| s.endpoint = Some(endpoint.to_string())))
    }

    /// Sets how long one operation may take, all its requests, pages and retries
    /// included (default 60 s); past it the operation fails with
    /// [`toasty_core::ErrorKind::Connection`].
    pub fn operation_timeout(self, limit: Duration) -> DynamoDb {
        self.edit(|s| s.operation_timeout = limit)
    }

    /// Sets how long creating or dropping a table may take, waiting until the table
    /// and its indexes are `ACTIVE` (or gone) included (default 10 minutes).
    pub fn ddl_timeout(self, limit: Duration) -> DynamoDb {
        self.edit(|s| s.ddl_timeout = limit)
    }

    /// Sets how many attempts the SDK makes for a request that failed in a retryable
    /// way, throttling included (default 8, at least 1).
    pub fn max_attempts(self, attempts: u32) -> DynamoDb {
        self.edit(|s| s.max_attempts = attempts.max(1))
    }

    /// Opens one connection, as [`Driver::connect`] does, with its concrete type.
    pub async fn open(&self) -> Result<DdbConnection> {
        let resolved = self
            .config
            .get_or_try_init(|| resolve(&self.settings))
            .await?
            .clone();
        Ok(DdbConnection::new(
            client(&resolved, &self.settings),
            resolved.target,
            self.capability.clone(),
            self.settings.operation_timeout,
            self.settings.ddl_timeout,
        ))
    }
}

#[async_trait]
impl Driver for DynamoDb {
    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(self.open().await?))
    }

    fn max_connections(&self) -> usize {
        // A connection is an HTTP client; DynamoDB serves many requests at once.
        32
    }
}

/// The region of a `dynamodb://` URL (`None` for `dynamodb://`).
fn parse_url(url: &str) -> Result<Option<String>> {
    let shown = || {
        // A DynamoDB URL holds no secret, but a mistyped one might (user info, a
        // query): show it only when it is plainly a scheme and a region-like word.
        let plain = url.len() <= 80
            && url
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '-' | '.' | '_'));
        if plain {
            url.to_string()
        } else {
            let scheme = url.split(':').next().unwrap_or("");
            format!("{}:***", scheme.chars().take(20).collect::<String>())
        }
    };
    let rest = url
        .split_once(':')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("dynamodb"))
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.strip_prefix("//"))
        .ok_or_else(|| {
            Error::config(format!(
                "`{}` is not a DynamoDB URL; use dynamodb://<region> (e.g. \
                 dynamodb://us-east-1), or dynamodb:// for the region of the AWS \
                 configuration",
                shown()
            ))
        })?;
    let region = rest.strip_suffix('/').unwrap_or(rest);
    if region.is_empty() {
        return Ok(None);
    }
    let valid = region
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(Error::config(format!(
            "`{}`: after dynamodb:// the URL holds only an AWS region such as us-east-1 \
             (lower-case letters, digits, dashes); credentials and the endpoint come from \
             the AWS configuration (AWS_ACCESS_KEY_ID, AWS_PROFILE, \
             AWS_ENDPOINT_URL_DYNAMODB, ...)",
            shown()
        )));
    }
    Ok(Some(region.to_string()))
}

fn check_endpoint(endpoint: &str) -> Result<()> {
    let lower = endpoint.to_ascii_lowercase();
    if (lower.starts_with("http://") || lower.starts_with("https://")) && endpoint.len() > 8 {
        Ok(())
    } else {
        Err(Error::config(format!(
            "the DynamoDB endpoint `{endpoint}` is not an http:// or https:// URL"
        )))
    }
}

/// Resolves the AWS configuration, and checks that a region and credentials exist.
async fn resolve(settings: &Settings) -> Result<Resolved> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if settings.static_credentials {
        loader = loader.credentials_provider(Credentials::new(
            EMULATOR_KEY,
            EMULATOR_KEY,
            None,
            None,
            "toasty-emulator",
        ));
    }
    let sdk = loader.load().await;
    let Some(region) = sdk.region().map(|r| r.to_string()) else {
        return Err(Error::config(
            "no AWS region for DynamoDB: name it in the URL (dynamodb://us-east-1) or set \
             AWS_REGION (or a region in the AWS profile)",
        ));
    };
    let Some(provider) = sdk.credentials_provider() else {
        return Err(Error::config(
            "no AWS credentials provider is configured for DynamoDB",
        ));
    };
    if let Err(e) = provider.provide_credentials().await {
        return Err(Error::config(format!(
            "no AWS credentials for DynamoDB: {}; set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, a profile (AWS_PROFILE, ~/.aws/credentials), or run \
             where an IAM role is available",
            aws_sdk_dynamodb::error::DisplayErrorContext(&e)
        )));
    }
    let endpoint = settings
        .endpoint
        .clone()
        .or_else(|| env_nonempty("AWS_ENDPOINT_URL_DYNAMODB"))
        .or_else(|| env_nonempty("AWS_ENDPOINT_URL"));
    let target = match endpoint {
        Some(e) => format!("{e} (region {region})"),
        None => format!("the AWS endpoint of region {region}"),
    };
    Ok(Resolved {
        sdk,
        target: target.into(),
    })
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// An HTTPS client on rustls with ring (the workspace's TLS stack).
fn http_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// A DynamoDB client with its own HTTP client (so its connections live on the runtime
/// of the Toasty connection that uses it), the retry and timeout settings, and the
/// endpoint override.
fn client(resolved: &Resolved, settings: &Settings) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&resolved.sdk)
        .http_client(http_client())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(settings.max_attempts)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_secs(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(endpoint) = &settings.endpoint {
        builder = builder.endpoint_url(endpoint.clone());
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::ErrorKind;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("dynamodb://us-east-1").ok(),
            Some(Some("us-east-1".into()))
        );
        assert_eq!(
            parse_url("DynamoDB://eu-west-3/").ok(),
            Some(Some("eu-west-3".into()))
        );
        assert_eq!(parse_url("dynamodb://").ok(), Some(None));
        for bad in [
            "dynamodb:us-east-1",
            "dynamodb://user:secret@us-east-1",
            "dynamodb://us-east-1?endpoint=x",
            "dynamodb://localhost:8000",
            "postgres://x",
        ] {
            let err = parse_url(bad).err().map(|e| e.kind());
            assert_eq!(err, Some(ErrorKind::Config), "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        assert!(check_endpoint("http://127.0.0.1:8000").is_ok());
        assert!(check_endpoint("127.0.0.1:8000").is_err());
    }
}
