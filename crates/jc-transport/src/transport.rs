//! The `Transport` trait: the one seam between the SDK and the network.

use crate::error::TransportError;
use bytes::Bytes;
use http::{Request, Response};
use std::sync::Arc;

/// Sends one HTTP request and returns its response, fully buffered.
///
/// Every HTTP status is `Ok(response)`: status semantics belong to the layer above. An `Err` means
/// no response arrived; [`TransportError::delivery`] says whether the server may have acted on
/// the request. Implementations must be cheap to share (`Arc<dyn Transport>`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// Sends `request` and returns the response.
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError>;
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for &T {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}
