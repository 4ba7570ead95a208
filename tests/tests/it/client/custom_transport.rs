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
        .with_intervals(Duration::from_millis(5), Duration::from_millis(50), 1.5)
        .unwrap();
    let report = client
        .import_users(users, &ImportOptions::new().with_wait(wait))
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

/// Issue 18 point 5: a custom transport keeps the standard layers; `bare_transport` opts out.
mod layers_kept {
    use super::*;
    use jc_bulk::{CallOptions, Credentials, HttpSettings, JobId, Page};
    use jc_transport::test_util::{json_response, FnTransport};

    /// Answers 503 to the first request and an empty results page afterwards; counts requests.
    fn flaky(calls: Arc<AtomicUsize>) -> Arc<dyn Transport> {
        Arc::new(FnTransport(move |_request: Request<Bytes>| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(match n {
                    0 => json_response(503, r#"{"message":"try later"}"#),
                    _ => json_response(200, "[]"),
                })
            }
        }))
    }

    async fn page(client: &Client) -> Result<Vec<jc_models::JobWorkresult>, jc_bulk::Error> {
        let job = JobId::new("j");
        client
            .job_results_page(&job, Page::default(), &CallOptions::default())
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn a_custom_transport_answering_503_then_200_is_retried_through_the_client() {
        let calls = Arc::new(AtomicUsize::new(0));
        let client = Client::builder()
            .api_key("k")
            .transport(flaky(calls.clone()))
            .build()
            .unwrap();
        assert_eq!(page(&client).await.unwrap(), vec![]);
        assert_eq!(calls.load(Ordering::SeqCst), 2, "the 503, then the retry");

        let bare_calls = Arc::new(AtomicUsize::new(0));
        let bare = Client::builder()
            .api_key("k")
            .bare_transport(flaky(bare_calls.clone()))
            .build()
            .unwrap();
        assert!(
            page(&bare).await.is_err(),
            "no retry layer: the 503 is the answer"
        );
        assert_eq!(bare_calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_custom_transport_is_rate_limited() {
        let calls = Arc::new(AtomicUsize::new(0));
        calls.store(1, Ordering::SeqCst); // never the 503
        let client = Client::builder()
            .api_key("k")
            .http(
                HttpSettings::new()
                    .with_max_requests_per_second(2.0)
                    .unwrap(),
            )
            .transport(flaky(calls.clone()))
            .build()
            .unwrap();
        let start = tokio::time::Instant::now();
        for _ in 0..20 {
            page(&client).await.unwrap();
        }
        // A burst of 10, then 2 per second for the other 10: 5 s of (virtual) time.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(4900), "{took:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 21);
    }

    #[tokio::test(start_paused = true)]
    async fn a_service_account_works_over_a_custom_transport() {
        let (tokens, bearer) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (t, b) = (tokens.clone(), bearer.clone());
        let transport = Arc::new(FnTransport(move |request: Request<Bytes>| {
            let is_token = request.uri().path() == "/oauth2/token";
            let authorized = request
                .headers()
                .get(http::header::AUTHORIZATION)
                .is_some_and(|v| v == "Bearer tok-1");
            if is_token {
                t.fetch_add(1, Ordering::SeqCst);
            } else if authorized {
                b.fetch_add(1, Ordering::SeqCst);
            }
            async move {
                Ok(match (is_token, authorized) {
                    (true, _) => json_response(
                        200,
                        r#"{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}"#,
                    ),
                    (false, true) => json_response(200, "[]"),
                    (false, false) => json_response(401, r#"{"message":"no token"}"#),
                })
            }
        }));
        let client = Client::builder()
            .base_url("https://jumpcloud.invalid/api/v2")
            .credentials(Credentials::ServiceAccount {
                client_id: "id".into(),
                client_secret: jc_bulk::Secret::new("s3cret"),
                token_url: Some("https://jumpcloud.invalid/oauth2/token".into()),
            })
            .transport(transport)
            .build()
            .unwrap();
        for _ in 0..3 {
            assert_eq!(page(&client).await.unwrap(), vec![]);
        }
        assert_eq!(
            tokens.load(Ordering::SeqCst),
            1,
            "one token for three calls"
        );
        assert_eq!(bearer.load(Ordering::SeqCst), 3);
    }
}
