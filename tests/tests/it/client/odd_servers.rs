//! Issue 19 defects 2-5: an import of 2,000 users against servers that are odd but plausible
//! (jc-mock's `Quirks`) ends when the work is done, with every record's true outcome: one
//! implausible `updatedAt` (Go's zero time, the year 2999), results listed in a new order on every
//! read, a record that never settles, a status word the client does not know. Each run prints
//! its wall time and requests beside the honest server's (`cargo test -p jc-e2e --test it
//! odd_servers -- --nocapture`); the tests assert the outcomes and the request counts, not times.

use jc_bulk::*;
use jc_mock::{MockConfig, MockServer, Quirks};
use jc_models::*;
use jc_transport::{HyperTransport, Proxy};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USERS: usize = 2000;
/// Records per second the mock processes: the honest import takes about a second of work.
const RATE: f64 = 2000.0;

/// What one import did.
struct Run {
    report: ImportReport,
    wall: Duration,
    requests: u64,
}

async fn import(quirks: Quirks, timeout: Duration) -> Run {
    let mock = MockServer::start(
        MockConfig::default()
            .process_rate(Some(RATE))
            .quirks(quirks),
    )
    .await
    .unwrap();
    let hyper = HyperTransport::builder()
        .proxy(Proxy::None)
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .bare_transport(Arc::new(hyper))
        .build()
        .unwrap();
    let users =
        (0..USERS).map(|i| BulkUserCreate::new(format!("user{i}"), format!("user{i}@example.com")));
    let options =
        ImportOptions::new().with_wait(WaitOptions::new().with_timeout(Some(timeout)).unwrap());
    let started = Instant::now();
    let report = client.import_users(users, &options).await;
    let wall = started.elapsed();
    Run {
        report,
        wall,
        requests: mock.request_count(),
    }
}

/// The honest server's figures, then `odd`'s, printed side by side.
async fn against_honest(name: &str, odd: Run) -> Run {
    let honest = import(Quirks::new(), Duration::from_secs(60)).await;
    eprintln!(
        "{name}: wall {:.2} s vs honest {:.2} s ({:.2}x); requests {} vs {} ({:.2}x)",
        odd.wall.as_secs_f64(),
        honest.wall.as_secs_f64(),
        odd.wall.as_secs_f64() / honest.wall.as_secs_f64(),
        odd.requests,
        honest.requests,
        odd.requests as f64 / honest.requests as f64
    );
    assert_eq!(honest.report.summary.applied, USERS as u64);
    assert!(
        odd.requests <= 2 * honest.requests,
        "{name}: {} requests, the honest server needed {}",
        odd.requests,
        honest.requests
    );
    honest
}

fn unknown_reasons(report: &ImportReport) -> Vec<String> {
    report
        .outcomes
        .iter()
        .filter(|o| o.outcome.name() == "unknown")
        .map(|o| format!("line {}: {}", o.position, o.outcome.reason().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_result_dated_at_the_zero_time_or_in_2999_does_not_freeze_the_wait() {
    for date in ["0001-01-01T00:00:00Z", "2999-01-01T00:00:00Z"] {
        let run = import(
            Quirks::new().odd_updated_at(3, date),
            Duration::from_secs(60),
        )
        .await;
        let unknown = unknown_reasons(&run.report);
        assert!(
            unknown.is_empty(),
            "{date}: {} unknown: {:?}",
            unknown.len(),
            unknown.first()
        );
        assert_eq!(run.report.summary.applied, USERS as u64);
        against_honest(date, run).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn results_listed_in_a_new_order_on_every_read_are_all_read() {
    let run = import(Quirks::new().reorder_results(), Duration::from_secs(60)).await;
    let unknown = unknown_reasons(&run.report);
    assert!(
        unknown.is_empty(),
        "{} unknown: {:?}",
        unknown.len(),
        unknown.first()
    );
    against_honest("reordered", run).await;
}

/// Record 5 of the first job the server created never settles: the other jobs are read after their own expected
/// finish, the first job's other records keep the results read, and record 5 alone ends
/// unknown, with a reason that says it was still pending (never "listed no result").
#[tokio::test(flavor = "multi_thread")]
async fn a_record_that_never_settles_holds_up_no_other_record() {
    let run = import(Quirks::new().stuck_record(0, 5), Duration::from_secs(8)).await;
    let unknown = unknown_reasons(&run.report);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    // Record 5 of whichever chunk's job the server created first (chunks are sent at once).
    let line: usize = unknown[0]["line ".len()..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(line % 800, 5, "{unknown:?}");
    assert!(unknown[0].contains("pending"), "{unknown:?}");
    assert!(!unknown[0].contains("listed no result"), "{unknown:?}");
    assert_eq!(run.report.summary.applied, USERS as u64 - 1);
    eprintln!(
        "stuck record: wall {:.2} s (the wait timeout is 8 s), {} requests",
        run.wall.as_secs_f64(),
        run.requests
    );
}

/// Every result says `completed`: after three reads over at least 10 s the wait ends, and the
/// records are unknown with a reason that names the status (not the 60 s timeout's).
#[tokio::test(flavor = "multi_thread")]
async fn a_status_the_client_does_not_know_ends_the_wait_explicitly() {
    let run = import(
        Quirks::new().finished_status("completed"),
        Duration::from_secs(60),
    )
    .await;
    let unknown = unknown_reasons(&run.report);
    assert_eq!(unknown.len(), USERS, "{:?}", unknown.first());
    assert!(
        unknown
            .iter()
            .all(|r| r.contains("unrecognised status `completed`")),
        "{:?}",
        unknown.first()
    );
    eprintln!(
        "unknown status: wall {:.2} s, {} requests",
        run.wall.as_secs_f64(),
        run.requests
    );
}
