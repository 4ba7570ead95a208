//! The one error type of jc-bulk.

use http::StatusCode;
use jc_models::Violations;
use jc_transport::TransportError;
use serde_json::Value;
use std::time::Duration;

/// A non-2xx answer, with the JumpCloud error body read leniently ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 9).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `code`, when the body had one (a number, or a numeric string).
    pub code: Option<i64>,
    /// `message`, when the body had one.
    pub message: Option<String>,
    /// `status` text of the body, when it had one.
    pub status_text: Option<String>,
    /// `error`, when the body had one.
    pub error: Option<String>,
    /// `details`, when the body had them.
    pub details: Vec<Value>,
    /// The body as received (lossy UTF-8, at most 4 KiB).
    pub body: String,
    /// The server's request id, from the response headers.
    pub request_id: Option<String>,
    /// `Retry-After`, when the server sent one.
    pub retry_after: Option<Duration>,
    /// The service account's token endpoint gave this answer: the API was never contacted.
    pub token_endpoint: bool,
}

impl ApiError {
    /// The most helpful text of the body: `message`, else `error`, else the body itself.
    pub fn summary(&self) -> String {
        let useful = |text: &Option<String>| text.clone().filter(|t| !t.trim().is_empty());
        useful(&self.message)
            .or_else(|| useful(&self.error))
            .unwrap_or_else(|| {
                if self.body.trim().is_empty() {
                    self.status
                        .canonical_reason()
                        .unwrap_or("no message")
                        .to_owned()
                } else {
                    self.body.clone()
                }
            })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.token_endpoint {
            // The summary says it: "the service-account token endpoint answered ...".
            write!(f, "{}", self.summary())?;
        } else {
            write!(f, "JumpCloud answered {}: {}", self.status, self.summary())?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (Retry-After {} s)", wait.as_secs())?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Input the SDK refuses before sending.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// Records that break the contract's rules: (position in the call, every violation).
    #[error("{} invalid record(s): {}", .0.len(), describe(.0))]
    Records(Vec<(usize, Violations)>),
    /// Any other argument.
    #[error("{0}")]
    Argument(String),
}

fn describe(records: &[(usize, Violations)]) -> String {
    records
        .iter()
        .map(|(i, violations)| format!("record {i}: {violations}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that can go wrong in jc-bulk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// JumpCloud answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No response arrived; the error says whether the request may have reached the server.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A 2xx answer whose body is not what the contract says.
    #[error("cannot read the answer to {operation}: {source} at `{path}`; the body starts with: {excerpt}")]
    Decode {
        /// The operation.
        operation: &'static str,
        /// JSON path of the problem.
        path: String,
        /// What serde said.
        #[source]
        source: serde_json::Error,
        /// The start of the body.
        excerpt: String,
    },
    /// Input refused before sending, with every violation.
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidInput),
    /// A wait for a job ended without every result: timed out or stopped.
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// A setting refused by a checked setter (a rate, an interval, a count out of range).
    #[error("invalid setting: {0}")]
    Setting(#[from] jc_transport::InvalidSetting),
    /// The client is misconfigured (missing API key, bad base URL, TLS settings).
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The server paged inconsistently (for example, ignored `skip`).
    #[error("pagination: {0}")]
    Pagination(String),
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// The API error, if it is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The server's request id, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.api()?.request_id.as_deref()
    }

    /// True when trying again later may succeed: 429, 5xx (but 501), transient transport
    /// failures (connect, reset, timeout; never an insecure URL, an invalid request, a body over
    /// the cap or a TLS failure), and wait timeouts. Whether a retry is *safe* is another question: see [`Error::outcome_unknown`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => {
                api.status == StatusCode::TOO_MANY_REQUESTS
                    || (api.status.is_server_error() && api.status != StatusCode::NOT_IMPLEMENTED)
            }
            Self::Transport(error) => error.is_transient(),
            Self::Wait(WaitError::Timeout { .. }) => true,
            _ => false,
        }
    }

    /// True when the request may have taken effect although no usable answer came back: a
    /// transport failure after writing, or a 502/504/500 from a gateway. Re-sending a job
    /// submission in that state could create the job twice.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Transport(error) => error.may_have_been_sent(),
            Self::Api(api) => matches!(
                api.status,
                StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            _ => false,
        }
    }

    /// True when the request provably did not take effect: not sent, or refused with 429/503
    /// or a 4xx.
    pub fn provably_not_applied(&self) -> bool {
        match self {
            Self::Transport(error) => error.is_not_sent(),
            Self::Api(api) => {
                api.status.is_client_error() || api.status == StatusCode::SERVICE_UNAVAILABLE
            }
            Self::InvalidInput(_) | Self::Config(_) | Self::Setting(_) => true,
            _ => false,
        }
    }

    /// True for 401 and 403: every further call will fail the same way.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }
}

/// Why a wait for a job ended before every result was read (the results read so far come
/// with it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The job did not complete in time.
    #[error("job {job_id} did not complete within {waited:?}: {done} of {expected} records done{}", .cause.as_ref().map(|c| format!(" (the last poll failed: {c})")).unwrap_or_default())]
    Timeout {
        /// The job.
        job_id: jc_models::JobId,
        /// How long it was waited for.
        waited: Duration,
        /// Records settled so far.
        done: usize,
        /// Records submitted.
        expected: usize,
        /// Every result read so far.
        partial: Box<Vec<jc_models::JobWorkresult>>,
        /// Why the last polls failed, when they did (no result could be read).
        cause: Option<String>,
        /// The last read reached the end of the job's listing: a record without a result in
        /// `partial` is one JumpCloud did not list (otherwise its page was not read).
        listed_all: bool,
    },
    /// The wait was stopped (see [`crate::ImportControl::stop_waiting`]).
    #[error("the wait for job {job_id} was stopped before the job finished")]
    Stopped {
        /// The job.
        job_id: jc_models::JobId,
        /// Every result read so far.
        partial: Box<Vec<jc_models::JobWorkresult>>,
        /// As for [`WaitError::Timeout`].
        listed_all: bool,
    },
    /// Every result of the job carried a status this SDK does not know (`completed`, say), on
    /// three reads in a row spanning at least 10 s: the wait ends rather than run to its timeout
    /// ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 2).
    #[error(
        "every result of job {job_id} carries the status `{status}`, which this SDK does not know"
    )]
    UnrecognisedStatus {
        /// The job.
        job_id: jc_models::JobId,
        /// The status (one of them, when they differ).
        status: String,
        /// Every result read.
        partial: Box<Vec<jc_models::JobWorkresult>>,
    },
    /// The waiter was awaited after its stream had already handed out its result.
    #[error("the wait's result was already taken")]
    ResultTaken,
}

/// Why a client cannot be built, or a request cannot be made, from its settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither an API key nor a service account.
    #[error("no credentials: set an API key (ClientBuilder::api_key) or a service account (ClientBuilder::credentials)")]
    NoCredentials,
    /// A base URL that cannot be used.
    #[error("base URL `{url}`: {reason}")]
    BaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A service account's token URL that cannot be used (plain `http://` to a host that is not
    /// loopback would carry the client secret unencrypted).
    #[error("token URL `{url}`: {reason}")]
    TokenUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A base URL whose port is 0 or over 65535.
    #[error("base URL `{0}` has an invalid port (1 to 65535)")]
    BaseUrlPort(String),
    /// A base URL that is not an absolute http(s) URL.
    #[error("base URL `{0}` must be an absolute http(s) URL")]
    BaseUrlNotAbsolute(String),
    /// A base URL without `/v2` and no v1 root set.
    #[error("the base URL `{0}` does not end in /v2, so the v1 root for user lookups is not known: set it (ClientBuilder::v1_base_url, jcbulk --v1-base-url)")]
    NoV1Root(String),
    /// A `User-Agent` a header cannot hold.
    #[error("invalid user agent `{0}`")]
    UserAgent(String),
    /// An org id a header cannot hold.
    #[error("invalid org id `{0}`")]
    OrgId(String),
    /// An API key a header cannot hold.
    #[error("the API key holds characters a header cannot")]
    ApiKeyHeader,
    /// A URL off the API's origin, which would get the API key.
    #[error("refusing to send the API key to `{url}`, which is not on {origin}")]
    ForeignUrl {
        /// The URL.
        url: String,
        /// The API's origin.
        origin: String,
    },
    /// A request that `http` cannot build.
    #[error("cannot build {method} {url}: {reason}")]
    Request {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The default transport cannot be built (a CA file, TLS or proxy setting).
    #[error("{0}")]
    Transport(String),
    /// Built without the `hyper` feature and given no transport.
    #[error("built without the `hyper` feature: pass a transport with ClientBuilder::transport")]
    NoTransport,
}
