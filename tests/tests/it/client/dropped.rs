//! Issue 18 point 3: an `Import` owns its work. Dropping it cancels every chunk task it started:
//! the mock receives no further request and the journal no further line.

use futures::StreamExt;
use jc_bulk::*;
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Counts every call it gets.
#[derive(Default)]
struct CountingJournal(AtomicUsize);

#[async_trait::async_trait]
impl Journal for CountingJournal {
    async fn before_submit(&self, _: &ChunkInfo) -> JournalDecision {
        self.0.fetch_add(1, Ordering::SeqCst);
        JournalDecision::Submit
    }
    async fn submitted(&self, _: &ChunkInfo, _: &JobId) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    async fn not_submitted(&self, _: &ChunkInfo, _: &str) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    async fn outcome_unknown(&self, _: &ChunkInfo, _: &str) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    async fn settled(&self, _: &ChunkInfo) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .build()
        .unwrap()
}

fn options(journal: Arc<CountingJournal>) -> ImportOptions {
    let wait = WaitOptions::new()
        .with_intervals(Duration::from_millis(5), Duration::from_millis(20), 1.2)
        .unwrap();
    ImportOptions::new()
        .with_wait(wait)
        .with_chunk_size(10)
        .unwrap()
        .with_concurrency(4)
        .unwrap()
        .with_journal(journal)
}

fn users(n: usize) -> Vec<BulkUserCreate> {
    (0..n)
        .map(|i| BulkUserCreate::new(format!("u{i}"), format!("u{i}@example.com")))
        .collect()
}

/// `n` users as an input stream, positions 0, 1, 2 ...
fn records(n: usize) -> impl futures::Stream<Item = InputRecord<BulkUserCreate>> + Send + 'static {
    let users = users(n).into_iter().enumerate();
    futures::stream::iter(users.map(|(i, record)| InputRecord {
        position: i as u64,
        record,
    }))
}

/// After the import is dropped, a request already on the wire may still land: settle for a
/// moment, then nothing may change while chunk tasks, had they survived, would poll many times.
async fn assert_quiet_after_drop(mock: &MockServer, journal: &CountingJournal) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (requests, lines) = (mock.request_count(), journal.0.load(Ordering::SeqCst));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(mock.request_count(), requests, "no request after the drop");
    assert_eq!(
        journal.0.load(Ordering::SeqCst),
        lines,
        "no journal line after the drop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_import_after_its_first_submission_stops_every_task() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    mock.pause_jobs();
    let journal = Arc::new(CountingJournal::default());
    let records = records(40);
    let mut import = client(&mock).import(records, &options(journal.clone()));
    while let Some(event) = import.next().await {
        if matches!(event, ImportEvent::Submitted { .. }) {
            break;
        }
    }
    drop(import);
    assert_quiet_after_drop(&mock, &journal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_import_after_its_first_record_stops_every_task() {
    let config = MockConfig::default().process_rate(Some(50.0));
    let mock = MockServer::start(config).await.unwrap();
    let journal = Arc::new(CountingJournal::default());
    let records = records(80);
    let mut import = client(&mock).import(records, &options(journal.clone()));
    while let Some(event) = import.next().await {
        if matches!(event, ImportEvent::Record(_)) {
            break;
        }
    }
    drop(import);
    assert_quiet_after_drop(&mock, &journal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_job_waiter_after_its_first_progress_stops_its_reads() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    mock.pause_jobs();
    let client = client(&mock);
    let job = client
        .create_users(&users(5), &CreateUsersOptions::default())
        .await
        .unwrap();
    let wait = WaitOptions::new()
        .with_intervals(Duration::from_millis(5), Duration::from_millis(20), 1.2)
        .unwrap();
    let mut waiter = client.wait_for_job(&job, 5, &wait);
    assert!(waiter.next().await.is_some(), "a first progress event");
    drop(waiter);
    assert_quiet_after_drop(&mock, &CountingJournal::default()).await;
}
