//! The session every operation sends through: where requests go ([`Endpoint`]: the v2 base, the
//! v1 root, the org, the API key header), the transport stack (credentials' auth layer
//! included), and the secrets to scrub from answers. It offers the few verbs the rest of the
//! crate needs: send a request, fetch and decode, submit a job. The public façade
//! ([`Client`](crate::Client)) holds one behind an `Arc`; operations, waits, imports and paging
//! take the session, never the façade.

use crate::error::Error;
use crate::request::Endpoint;
use crate::response;
use bytes::Bytes;
use http::{Request, Response};
use jc_models::JobId;
use jc_transport::Transport;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Endpoint, transport stack and secrets.
pub(crate) struct Session {
    endpoint: Endpoint,
    transport: Arc<dyn Transport>,
    /// Removed from every response before it is read (see `scrub`).
    secrets: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session over `transport` (already layered), scrubbing `secrets` from answers.
    pub(crate) fn new(
        endpoint: Endpoint,
        transport: Arc<dyn Transport>,
        secrets: Vec<Vec<u8>>,
    ) -> Self {
        Self {
            endpoint,
            transport,
            secrets,
        }
    }

    /// Where requests go and who sends them.
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sends `request` and returns the answer (any status), scrubbed of every secret.
    pub(crate) async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Error> {
        let response = self.transport.send(request).await?;
        Ok(crate::scrub::scrub_response(response, &self.secrets))
    }

    /// Sends `request` and decodes a 2xx JSON answer of `operation`.
    pub(crate) async fn fetch<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: Request<Bytes>,
    ) -> Result<T, Error> {
        let response = self.send(request).await?;
        response::decode_json(operation, &response)
    }

    /// Sends a job submission and returns the job id of its answer.
    pub(crate) async fn submit_job(
        &self,
        operation: &'static str,
        request: Request<Bytes>,
    ) -> Result<JobId, Error> {
        let response = self.send(request).await?;
        response::decode_job_id(operation, &response)
    }
}
