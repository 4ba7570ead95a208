//! Service accounts (issue 14, CONTRACT.md section 24): the bearer-token layer against the mock's
//! token endpoint, with tokens that expire every 2 seconds, and on the wire.

use bytes::Bytes;
use jc_bulk::*;
use jc_mock::{MockConfig, MockServer, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use jc_models::BulkUserCreate;
use jc_transport::MockTransport;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn account(mock: &MockServer, secret: &str) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .credentials(Credentials::service_account(DEFAULT_CLIENT_ID, secret))
        .http(
            HttpSettings::new()
                .with_max_requests_per_second(100_000.0)
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn user(i: usize) -> BulkUserCreate {
    BulkUserCreate::new(format!("sa{i}"), format!("sa{i}@example.com"))
}

fn fast() -> ImportOptions {
    ImportOptions::new()
        .with_concurrency(8)
        .unwrap()
        .with_chunk_size(100)
        .unwrap()
        .with_wait(
            WaitOptions::new()
                .with_intervals(Duration::from_millis(20), Duration::from_millis(200), 1.5)
                .unwrap(),
        )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_spanning_several_token_lifetimes_fetches_each_token_once() {
    let mock = MockServer::start(
        MockConfig::default()
            .token_lifetime(2)
            .process_rate(Some(1000.0)),
    )
    .await
    .unwrap();
    let client = account(&mock, DEFAULT_CLIENT_SECRET);
    let started = Instant::now();
    let report = client.import_users((0..5000).map(user), &fast()).await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(
        report.summary.applied,
        5000,
        "{:?}",
        report.outcomes.first()
    );
    assert!(took > 4.0, "several lifetimes: {took} s");
    // A token lives 2 s and is refreshed 0.2 s early: one fetch per 1.8 s, no storm from 8 jobs.
    let minimum = (took / 1.8).ceil() as u64;
    let fetched = mock.token_requests();
    assert!(
        fetched >= 2 && fetched <= minimum + 1,
        "{fetched} token requests in {took:.1} s"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_is_refreshed_once_and_the_run_goes_on() {
    let mock = MockServer::start(MockConfig::default().process_rate(Some(2000.0)))
        .await
        .unwrap();
    let client = account(&mock, DEFAULT_CLIENT_SECRET);
    let options = fast();
    let import = client.import_users((0..2000).map(user), &options);
    let revoke = async {
        while mock.jobs(&mock.default_org()).is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        mock.revoke_tokens();
    };
    let (report, ()) = tokio::join!(import, revoke);
    assert_eq!(report.summary.applied, 2000);
    assert_eq!(
        mock.token_requests(),
        2,
        "the first token, and one after the revocation"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_secret_is_an_authentication_error_and_nothing_reaches_the_api() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let client = account(&mock, "wrong-secret");
    let report = client.import_users((0..10).map(user), &fast()).await;
    let stopped = report.summary.stopped.clone().unwrap_or_default();
    assert!(
        stopped.contains("invalid_client") && stopped.contains("401"),
        "{stopped}"
    );
    assert!(!stopped.contains("wrong-secret"));
    assert_eq!(report.summary.not_submitted, 10);
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.path == jc_mock::TOKEN_PATH),
        "no API call"
    );
}

#[tokio::test]
async fn every_request_carries_the_right_headers() {
    let seen: Arc<Mutex<Vec<http::Request<Bytes>>>> = Arc::default();
    let record = seen.clone();
    let mut mock = MockTransport::new();
    mock.expect_send().returning(move |request| {
        let token = request.uri().path() == "/oauth2/token";
        record.lock().unwrap().push(request);
        let body = if token {
            r#"{"access_token":"T0K3N","token_type":"Bearer","expires_in":3600}"#
        } else {
            "[]"
        };
        Ok(jc_transport::test_util::json_response(200, body))
    });
    let client = Client::builder()
        .base_url("https://console.eu.jumpcloud.com/api/v2")
        .org_id("5f0c1b2c3d4e5f6a7b8c9d0e")
        .credentials(Credentials::service_account("my-client", "my-secret"))
        .bare_transport(Arc::new(mock))
        .build()
        .unwrap();
    for _ in 0..2 {
        client
            .scheduled_states_page(&ListScheduledOptions::new(), Page::first())
            .await
            .unwrap();
    }
    let requests = seen.lock().unwrap();
    assert_eq!(requests.len(), 3, "one token, two calls");
    let token = &requests[0];
    assert_eq!(token.method(), http::Method::POST);
    assert_eq!(
        token.uri().to_string(),
        "https://admin-oauth.id.eu.jumpcloud.com/oauth2/token"
    );
    assert_eq!(
        token.headers()["authorization"],
        "Basic bXktY2xpZW50Om15LXNlY3JldA=="
    );
    assert_eq!(
        token.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        token.body().as_ref(),
        b"grant_type=client_credentials&scope=api"
    );
    for call in &requests[1..] {
        assert_eq!(call.headers()["authorization"], "Bearer T0K3N");
        assert!(call.headers()["authorization"].is_sensitive());
        assert!(call.headers().get("x-api-key").is_none());
        assert_eq!(call.headers()["x-org-id"], "5f0c1b2c3d4e5f6a7b8c9d0e");
    }
    assert!(!format!("{client:?}").contains("my-secret"));
}
