//! Request-efficient waiting against jc-mock over real HTTP (issue 15): an import with the
//! default wait options, against a server that takes time, costs about the protocol's floor of
//! requests: one POST per job and one read per results page once the job has settled.

use jc_bulk::*;
use jc_mock::{FaultConfig, MockConfig, MockServer, STATS_PATH};
use jc_models::*;
use jc_transport::{HyperTransport, Proxy, RateLimit, RateLimitConfig, Transport};
use std::sync::Arc;
use std::time::Duration;

/// Requests the mock has answered, from `GET /_mock/stats`.
async fn stats_requests(mock: &MockServer, transport: &HyperTransport) -> u64 {
    let uri = format!(
        "{}{STATS_PATH}",
        mock.base_url().trim_end_matches("/api/v2")
    );
    let request = http::Request::get(uri).body(bytes::Bytes::new()).unwrap();
    let response = transport.send(request).await.unwrap();
    let stats: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    stats["requests"].as_u64().unwrap()
}

/// CONTRACT.md section 2 (results pages of 100, every record listed): 10 jobs of 800 records
/// at 2,000 records/s, with the CLI's default request rate (20/s) and default wait options.
#[tokio::test(flavor = "multi_thread")]
async fn a_ten_job_import_at_2000_records_per_second_costs_at_most_115_percent_of_the_floor() {
    let config = MockConfig::default()
        .process_rate(Some(2000.0))
        .faults(FaultConfig::default().latency(Duration::from_millis(5), Duration::ZERO));
    let mock = MockServer::start(config).await.unwrap();
    let hyper = HyperTransport::builder()
        .proxy(Proxy::None)
        .build()
        .unwrap();
    let limited = RateLimit::new(hyper.clone(), RateLimitConfig::default());
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .bare_transport(Arc::new(limited))
        .build()
        .unwrap();
    let users =
        (0..8000).map(|i| BulkUserCreate::new(format!("user{i}"), format!("user{i}@example.com")));
    let report = client.import_users(users, &ImportOptions::new()).await;
    let s = &report.summary;
    assert_eq!((s.applied, s.jobs.len()), (8000, 10), "{s:?}");
    let floor = 10 + 10 * 8;
    let requests = stats_requests(&mock, &hyper).await;
    assert!(
        requests as f64 <= 1.15 * floor as f64,
        "{requests} requests for a floor of {floor}"
    );
}
