//! The public seam (the `Transport` trait, README "jc-transport"): a transport written outside
//! our crates, plugged into the client, carries a whole import.

use bytes::Bytes;
use http::{Request, Response};
use jc_bulk::{Client, ImportOptions, WaitOptions};
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;
use jc_transport::{HyperTransport, Proxy, Transport, TransportError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Counts requests per method and adds a header, around any inner transport.
struct Auditing<T> {
    inner: T,
    posts: AtomicUsize,
    gets: AtomicUsize,
}

#[async_trait::async_trait]
impl<T: Transport> Transport for Auditing<T> {
    async fn send(&self, mut request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        match *request.method() {
            http::Method::POST => self.posts.fetch_add(1, Ordering::SeqCst),
            _ => self.gets.fetch_add(1, Ordering::SeqCst),
        };
        request
            .headers_mut()
            .insert("x-audit", "jc-e2e".parse().unwrap());
        self.inner.send(request).await
    }
}

#[tokio::test]
async fn a_transport_from_outside_carries_an_import() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let auditing = Arc::new(Auditing {
        inner: HyperTransport::builder()
            .proxy(Proxy::None)
            .build()
            .unwrap(),
        posts: AtomicUsize::new(0),
        gets: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .transport(auditing.clone())
        .build()
        .unwrap();
    let users =
        (0..1000).map(|i| BulkUserCreate::new(format!("t{i}"), format!("t{i}@example.com")));
    let wait = WaitOptions::new()
        .intervals(Duration::from_millis(5), Duration::from_millis(50), 1.5)
        .unwrap();
    let report = client
        .import_users(users, &ImportOptions::new().wait(wait))
        .await;
    assert!(report.summary.all_applied());
    assert_eq!(
        auditing.posts.load(Ordering::SeqCst),
        2,
        "two chunks of at most 800"
    );
    assert!(
        auditing.gets.load(Ordering::SeqCst) >= 10,
        "every result page was read through it"
    );
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.header("x-audit") == Some("jc-e2e")));
}
