//! `Client` and its builder.

use crate::credentials::Credentials;
use crate::error::{Error, InvalidInput};
use crate::import::{BulkRecord, ImportOptions};
use crate::request::Endpoint;
use crate::response;
use crate::secret::ApiKey;
use bytes::Bytes;
use http::{Request, Response};
use jc_models::{JobId, OrgId};
use jc_transport::{check_count, check_duration, check_f64, InvalidSetting, Transport};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// JumpCloud's data centers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// `https://console.jumpcloud.com/api/v2` (the default).
    #[default]
    Us,
    /// `https://console.eu.jumpcloud.com/api/v2`.
    Eu,
    /// `https://console.in.jumpcloud.com/api/v2`.
    In,
}

impl Region {
    /// The API v2 base URL of the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Us => "https://console.jumpcloud.com/api/v2",
            Self::Eu => "https://console.eu.jumpcloud.com/api/v2",
            Self::In => "https://console.in.jumpcloud.com/api/v2",
        }
    }
}

impl std::str::FromStr for Region {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "us" => Ok(Self::Us),
            "eu" => Ok(Self::Eu),
            "in" => Ok(Self::In),
            _ => Err(format!("unknown region `{text}`: use us, eu or in")),
        }
    }
}

/// Settings of the default transport (ignored when a transport is given). Fields are private:
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
            max_attempts: 5,
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
    pub fn attempt_timeout(mut self, timeout: Duration) -> Result<Self, InvalidSetting> {
        let day = Duration::from_secs(24 * 3600);
        self.attempt_timeout =
            check_duration("attempt timeout", timeout, Duration::from_millis(1), day)?;
        Ok(self)
    }

    /// Attempts in all per request, the first included: 1 to 100. Default 5.
    ///
    /// # Errors
    /// A count outside the range.
    pub fn max_attempts(mut self, attempts: u32) -> Result<Self, InvalidSetting> {
        self.max_attempts = check_count("max_attempts", attempts, 1, jc_transport::MAX_ATTEMPTS)?;
        Ok(self)
    }

    /// Client-side rate limit in requests per second: 0.001 to 1,000,000. Default 20.
    ///
    /// # Errors
    /// A rate outside the range (0, negative, NaN and infinities included).
    pub fn max_requests_per_second(mut self, rate: f64) -> Result<Self, InvalidSetting> {
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
    pub fn max_concurrency(mut self, requests: usize) -> Result<Self, InvalidSetting> {
        self.max_concurrency = check_count("max_concurrency", requests, 1, 10_000)?;
        Ok(self)
    }

    /// Extra CA certificates (PEM files) to trust.
    #[must_use]
    pub fn ca_files(mut self, files: Vec<std::path::PathBuf>) -> Self {
        self.ca_files = files;
        self
    }

    /// Allow plain `http://` to hosts that are not loopback.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
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
    transport: Option<Arc<dyn Transport>>,
    http: HttpSettings,
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

    /// The v1 root for user lookups (CONTRACT.md section 19); by default the base URL without
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

    /// Any transport: a custom HTTP stack, a recorder, a mock. Layers are not added to it.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
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
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config(
                "no credentials: set an API key (ClientBuilder::api_key) or a service account (ClientBuilder::credentials)"
                    .into(),
            )
        })?;
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
        let transport = match self.transport {
            Some(transport) => transport,
            None => default_transport(&self.http, &base)?,
        };
        let (transport, secrets) = match credentials {
            Credentials::ApiKey(key) => (transport, vec![key.expose().as_bytes().to_vec()]),
            Credentials::ServiceAccount {
                client_id,
                client_secret,
                token_url,
            } => {
                let secrets = vec![client_secret.expose().as_bytes().to_vec()];
                let account = jc_transport::ServiceAccount {
                    client_id,
                    client_secret,
                    token_url: token_url
                        .unwrap_or_else(|| crate::credentials::token_url_for(&base)),
                };
                let layered: Arc<dyn Transport> =
                    Arc::new(jc_transport::BearerAuth::new(transport, account));
                (layered, secrets)
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint,
                transport,
                secrets,
            }),
        })
    }
}

#[cfg(feature = "hyper")]
fn default_transport(settings: &HttpSettings, base: &str) -> Result<Arc<dyn Transport>, Error> {
    use jc_transport::{
        HyperTransport, RateLimit, RateLimitConfig, Retry, RetryPolicy, Timeout, Trace,
    };
    let mut builder = HyperTransport::builder()
        .allow_insecure_http(settings.allow_insecure_http)
        .request_timeout(None);
    for file in &settings.ca_files {
        builder = builder
            .add_ca_file(file)
            .map_err(|e| Error::Config(e.to_string()))?;
    }
    let hyper = builder.build().map_err(|e| Error::Config(e.to_string()))?;
    // Refused before anything is sent: plain http:// to a host that is not loopback.
    let uri: http::Uri = base
        .parse()
        .map_err(|e| Error::Config(format!("base URL `{base}`: {e}")))?;
    hyper
        .check_url(&uri)
        .map_err(|e| Error::Config(format!("base URL `{base}`: {}", e.message())))?;
    let limits = RateLimitConfig::per_second(settings.max_requests_per_second, 10)?
        .with_max_concurrency(settings.max_concurrency)?;
    let limited = RateLimit::new(Timeout::new(hyper, settings.attempt_timeout), limits);
    let policy = RetryPolicy::default().with_max_attempts(settings.max_attempts)?;
    Ok(Arc::new(Retry::new(Trace::new(limited), policy)))
}

#[cfg(not(feature = "hyper"))]
fn default_transport(_: &HttpSettings, _: &str) -> Result<Arc<dyn Transport>, Error> {
    Err(Error::Config(
        "built without the `hyper` feature: pass a transport with ClientBuilder::transport".into(),
    ))
}

struct Inner {
    endpoint: Endpoint,
    transport: Arc<dyn Transport>,
    /// Removed from every response before it is read (see `scrub`).
    secrets: Vec<Vec<u8>>,
}

/// The JumpCloud Bulk Job Requests client. Cheap to clone; clones share the transport.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Where requests go and who sends them.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Sends a request as is and returns the raw response (any status): the escape hatch for
    /// endpoints this crate does not wrap. Build it with [`Endpoint::request`].
    ///
    /// # Errors
    /// A transport failure.
    ///
    /// The response is scrubbed of the API key first: a server that echoes it never gets it
    /// into a report, a log or an error.
    pub async fn send_raw(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Error> {
        let response = self.inner.transport.send(request).await?;
        Ok(crate::scrub::scrub_response(response, &self.inner.secrets))
    }

    /// Sends a request and decodes a 2xx JSON answer into `T`.
    ///
    /// # Errors
    /// A transport failure, a non-2xx status, or a body that is not a `T`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        request: Request<Bytes>,
    ) -> Result<T, Error> {
        self.fetch("raw request", request).await
    }

    /// Sends `request` and decodes a 2xx JSON answer of `operation`.
    pub(crate) async fn fetch<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: Request<Bytes>,
    ) -> Result<T, Error> {
        let response = self.send_raw(request).await?;
        response::decode_json(operation, &response)
    }

    /// Submits `records` as one bulk job (no chunking, no waiting) and returns its id: the
    /// building block of [`Client::import`], for callers who schedule jobs themselves.
    /// `options` gives `creation-source`, `suppressEmail` and the org; with validation on (the
    /// default), every record is checked first.
    ///
    /// # Errors
    /// Invalid records, a transport failure, or a non-2xx answer.
    pub async fn submit<R: BulkRecord>(
        &self,
        records: &[R],
        options: &ImportOptions,
    ) -> Result<JobId, Error> {
        if options.validates() {
            let invalid: Vec<_> = records
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.validate().err().map(|v| (i, v)))
                .collect();
            if !invalid.is_empty() {
                return Err(InvalidInput::Records(invalid).into());
            }
        }
        let request = R::submission(self.endpoint(), records, options)?;
        self.submit_job(R::OPERATION, request).await
    }

    /// Sends a job submission and returns the job id of its answer.
    pub(crate) async fn submit_job(
        &self,
        operation: &'static str,
        request: Request<Bytes>,
    ) -> Result<JobId, Error> {
        let response = self.send_raw(request).await?;
        response::decode_job_id(operation, &response)
    }
}
