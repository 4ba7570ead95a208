//! [`ClientBuilder`] and the [`HttpSettings`] of the standard layers and the default transport.

use super::Client;
use crate::checked::{check_count, check_duration, check_f64};
use crate::credentials::Credentials;
use crate::error::{ConfigError, Error};
use crate::region::Region;
use crate::request::Endpoint;
use crate::secret::ApiKey;
use crate::session::Session;
use jc_models::OrgId;
use jc_transport::{InvalidSetting, Transport};
use std::sync::Arc;
use std::time::Duration;

/// Settings of the standard layers (retry, rate limit, per-attempt timeout: kept around a custom
/// transport given with [`ClientBuilder::transport`]) and of the default hyper transport (CA
/// files, insecure http: ignored with a custom transport). Fields are private:
/// the checked setters refuse values that would make a layer panic or spin ([`InvalidSetting`]).
#[derive(Debug, Clone)]
pub struct HttpSettings {
    attempt_timeout: Duration,
    max_attempts: u32,
    max_requests_per_second: f64,
    max_concurrency: usize,
    ca_files: Vec<std::path::PathBuf>,
    allow_insecure_http: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(60),
            max_attempts: jc_transport::DEFAULT_MAX_ATTEMPTS,
            max_requests_per_second: 20.0,
            max_concurrency: 16,
            ca_files: Vec::new(),
            allow_insecure_http: false,
        }
    }
}

impl HttpSettings {
    /// The defaults: 60 s per attempt, 5 attempts, 20 requests per second, 16 in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Per-attempt timeout, 1 ms to 1 day. Default 60 s.
    ///
    /// # Errors
    /// A timeout outside the range.
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Result<Self, InvalidSetting> {
        let day = Duration::from_secs(24 * 3600);
        self.attempt_timeout =
            check_duration("attempt timeout", timeout, Duration::from_millis(1), day)?;
        Ok(self)
    }

    /// Attempts in all per request, the first included: 1 to 100. Default 5.
    ///
    /// # Errors
    /// A count outside the range.
    pub fn with_max_attempts(mut self, attempts: u32) -> Result<Self, InvalidSetting> {
        self.max_attempts = check_count("max_attempts", attempts, 1, jc_transport::MAX_ATTEMPTS)?;
        Ok(self)
    }

    /// Client-side rate limit in requests per second: 0.001 to 1,000,000. Default 20.
    ///
    /// # Errors
    /// A rate outside the range (0, negative, NaN and infinities included).
    pub fn with_max_requests_per_second(mut self, rate: f64) -> Result<Self, InvalidSetting> {
        self.max_requests_per_second = check_f64(
            "requests per second",
            rate,
            jc_transport::MIN_RATE,
            jc_transport::MAX_RATE,
        )?;
        Ok(self)
    }

    /// Requests in flight at most: 1 to 10,000. Default 16.
    ///
    /// # Errors
    /// A count outside the range.
    pub fn with_max_concurrency(mut self, requests: usize) -> Result<Self, InvalidSetting> {
        self.max_concurrency = check_count("max_concurrency", requests, 1, 10_000)?;
        Ok(self)
    }

    /// Extra CA certificates (PEM files) to trust.
    #[must_use]
    pub fn with_ca_files(mut self, files: Vec<std::path::PathBuf>) -> Self {
        self.ca_files = files;
        self
    }

    /// Allow plain `http://` to hosts that are not loopback.
    #[must_use]
    pub fn with_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The standard layers these settings describe (see [`jc_transport::Stack`] for the order).
    fn stack(&self) -> Result<jc_transport::Stack, InvalidSetting> {
        use jc_transport::{RateLimitConfig, RetryPolicy, Stack};
        let limits = RateLimitConfig::per_second(self.max_requests_per_second, 10)?
            .with_max_concurrency(self.max_concurrency)?;
        let policy = RetryPolicy::default().with_max_attempts(self.max_attempts)?;
        Stack::new()
            .with_rate_limit(Some(limits))
            .with_retry(Some(policy))
            .with_attempt_timeout(Some(self.attempt_timeout))
    }
}

/// Builds a [`Client`].
#[derive(Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    org_id: Option<OrgId>,
    user_agent: Option<String>,
    v1_base_url: Option<String>,
    transport: Option<(Arc<dyn Transport>, Layers)>,
    http: HttpSettings,
}

/// Whether a given transport gets the standard layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layers {
    /// Retry, rate limit, attempt timeout and trace from [`HttpSettings`] (and auth).
    Standard,
    /// Only the service account's auth layer.
    None,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("org_id", &self.org_id)
            .field("custom_transport", &self.transport.is_some())
            .field("http", &self.http)
            .finish()
    }
}

impl ClientBuilder {
    /// The API key (or [`ClientBuilder::credentials`]: one of them is required).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.credentials = Some(Credentials::ApiKey(key.into()));
        self
    }

    /// The credentials: an API key or a service account.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The base URL; default the US region's.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The base URL of a region.
    pub fn region(self, region: Region) -> Self {
        self.base_url(region.base_url())
    }

    /// The org every call acts on (`x-org-id`), unless a call says otherwise.
    pub fn org_id(mut self, org_id: impl Into<OrgId>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// The v1 root for user lookups ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 19); by default the base URL without
    /// its trailing `/v2`.
    pub fn v1_base_url(mut self, url: impl Into<String>) -> Self {
        self.v1_base_url = Some(url.into());
        self
    }

    /// Another `User-Agent` than `jc-bulk/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Any transport in place of the default hyper one: a custom HTTP stack, a proxy client, a
    /// recorder. It keeps the standard layers ([`jc_transport::Stack`]: retry, rate limit,
    /// per-attempt timeout and trace, configured by [`ClientBuilder::http`], and the service
    /// account's auth); only the hyper-specific settings (CA files, insecure http) are ignored.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some((transport, Layers::Standard));
        self
    }

    /// A transport used as it is: no retry, rate limit, timeout or trace layer is added (a
    /// service account still gets its auth layer, without which it could not authenticate).
    /// For tests that count exact requests, and for stacks that bring their own policies.
    pub fn bare_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some((transport, Layers::None));
        self
    }

    /// Settings of the default transport.
    pub fn http(mut self, settings: HttpSettings) -> Self {
        self.http = settings;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// No API key, a bad base URL, or (default transport) a TLS or proxy setting that does not
    /// work; without the `hyper` feature, no transport.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or(ConfigError::NoCredentials)?;
        let base = self
            .base_url
            .unwrap_or_else(|| Region::Us.base_url().to_owned());
        let key = match &credentials {
            Credentials::ApiKey(key) => Some(key.clone()),
            _ => None,
        };
        let endpoint = match &key {
            Some(key) => Endpoint::new(&base, key.clone())?,
            None => Endpoint::without_key(&base)?,
        };
        let mut endpoint = endpoint
            .with_org(self.org_id)
            .with_v1_base_url(self.v1_base_url);
        if let Some(agent) = &self.user_agent {
            endpoint = endpoint.with_user_agent(agent)?;
        }
        let account = match credentials {
            Credentials::ApiKey(_) => None,
            Credentials::ServiceAccount {
                client_id,
                client_secret,
                token_url,
            } => Some(jc_transport::ServiceAccount {
                client_id,
                client_secret,
                token_url: token_url.unwrap_or_else(|| crate::region::token_url_for(&base)),
            }),
        };
        // Every form of the secret a server could echo: plain, percent-encoded, base64 (alone
        // and as the `id:secret` of HTTP Basic).
        let forms = match (&key, &account) {
            (Some(key), _) => jc_transport::secret_forms(key.expose(), None),
            (None, Some(account)) => {
                jc_transport::secret_forms(account.client_secret.expose(), Some(&account.client_id))
            }
            (None, None) => Vec::new(),
        };
        let secrets = forms.into_iter().map(String::into_bytes).collect();
        let transport = match self.transport {
            Some((custom, Layers::Standard)) => self
                .http
                .stack()?
                .with_service_account(account)
                .wrap(custom),
            Some((custom, Layers::None)) => jc_transport::Stack::none()
                .with_service_account(account)
                .wrap(custom),
            None => {
                let token_url = account.as_ref().map(|a| a.token_url.clone());
                let hyper = default_transport(&self.http, &base, token_url.as_deref())?;
                let stack = self.http.stack()?.with_service_account(account);
                stack.wrap(hyper)
            }
        };
        Ok(Client::over(Session::new(endpoint, transport, secrets)))
    }
}

#[cfg(feature = "hyper")]
fn default_transport(
    settings: &HttpSettings,
    base: &str,
    token_url: Option<&str>,
) -> Result<Arc<dyn Transport>, Error> {
    use jc_transport::HyperTransport;
    let mut builder = HyperTransport::builder()
        .allow_insecure_http(settings.allow_insecure_http)
        .request_timeout(None);
    for file in &settings.ca_files {
        builder = builder
            .add_ca_file(file)
            .map_err(|e| ConfigError::Transport(e.to_string()))?;
    }
    let hyper = builder
        .build()
        .map_err(|e| ConfigError::Transport(e.to_string()))?;
    // Refused before anything is sent: plain http:// to a host that is not loopback.
    let uri: http::Uri = base
        .parse()
        .map_err(|e: http::uri::InvalidUri| ConfigError::BaseUrl {
            url: base.to_owned(),
            reason: e.to_string(),
        })?;
    hyper.check_url(&uri).map_err(|e| ConfigError::BaseUrl {
        url: base.to_owned(),
        reason: e.message().to_owned(),
    })?;
    // The same for a service account's token endpoint: it receives the client secret.
    if let Some(url) = token_url {
        let refused = |reason: String| ConfigError::TokenUrl {
            url: url.to_owned(),
            reason,
        };
        let uri: http::Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| refused(e.to_string()))?;
        hyper.check_url(&uri).map_err(|_| {
            refused("plain http:// to a host that is not loopback: the service account's client secret would cross the network unencrypted; use https".into())
        })?;
    }
    Ok(Arc::new(hyper))
}

#[cfg(not(feature = "hyper"))]
fn default_transport(
    _: &HttpSettings,
    _: &str,
    _: Option<&str>,
) -> Result<Arc<dyn Transport>, Error> {
    Err(ConfigError::NoTransport.into())
}
