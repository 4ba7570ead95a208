//! Paged lists on the wire (CONTRACT.md section 4): offset pages, same-origin links, and the
//! guards against a server that ignores `skip` or pages forever.

use super::wire::{answer, scripted, BASE, KEY};
use futures::TryStreamExt;
use jc_bulk::Error;
use jc_bulk::*;
use jc_models::*;
use serde_json::{json, Value};
use std::sync::Arc;

#[tokio::test]
async fn job_results_stream_pages_by_100_until_a_short_page_section_4() {
    let full: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("r{i}"), "status": "finished"}))
        .collect();
    let short: Vec<Value> = (100..130)
        .map(|i| json!({"id": format!("r{i}"), "status": "finished"}))
        .collect();
    let (client, seen) = scripted(
        None,
        vec![
            answer(200, &Value::Array(full).to_string()),
            answer(200, &Value::Array(short).to_string()),
        ],
    );
    let all: Vec<JobWorkresult> = client
        .job_results(&JobId::new("j"), &CallOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 130);
    let urls: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.uri().to_string())
        .collect();
    assert_eq!(
        urls,
        [
            format!("{BASE}/bulk/users/j/results?limit=100&skip=0"),
            format!("{BASE}/bulk/users/j/results?limit=100&skip=100"),
        ]
    );
}

#[tokio::test]
async fn a_same_origin_link_header_is_followed_and_a_foreign_one_refused() {
    let full: Vec<Value> = (0..100).map(|i| json!({"id": format!("r{i}")})).collect();
    let mut first = answer(200, &Value::Array(full.clone()).to_string());
    first.headers_mut().insert(
        "link",
        format!("<{BASE}/bulk/users/j/results?cursor=abc>; rel=\"next\"")
            .parse()
            .unwrap(),
    );
    let (client, seen) = scripted(None, vec![first, answer(200, "[]")]);
    let all: Vec<JobWorkresult> = client
        .job_results(&JobId::new("j"), &CallOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(
        seen.lock().unwrap()[1].uri().to_string(),
        format!("{BASE}/bulk/users/j/results?cursor=abc")
    );

    let mut foreign = answer(200, &Value::Array(full).to_string());
    foreign.headers_mut().insert(
        "link",
        "<https://evil.example/steal>; rel=\"next\""
            .parse()
            .unwrap(),
    );
    let (client, seen) = scripted(None, vec![foreign]);
    let outcome: Result<Vec<JobWorkresult>, Error> = client
        .job_results(&JobId::new("j"), &CallOptions::new())
        .try_collect()
        .await;
    // Issue 12: a refused link is the server's fault (exit 1), not a usage error.
    assert!(matches!(outcome, Err(Error::Pagination(_))), "{outcome:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the key never went to the other origin"
    );
}

#[tokio::test]
async fn a_server_ignoring_skip_ends_the_stream_with_an_error() {
    let full = Value::Array((0..100).map(|i| json!({"id": format!("r{i}")})).collect()).to_string();
    let (client, _) = scripted(None, vec![answer(200, &full), answer(200, &full)]);
    let outcome: Result<Vec<JobWorkresult>, Error> = client
        .job_results(&JobId::new("j"), &CallOptions::new())
        .try_collect()
        .await;
    assert!(matches!(outcome, Err(Error::Pagination(_))));
}

#[tokio::test]
async fn a_list_that_pages_on_forever_is_cut_at_the_bound() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let endless = jc_transport::test_util::FnTransport(move |_request| {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        // Always a full page, never the same one twice.
        let page: Vec<Value> = (0..100)
            .map(|i| json!({"scheduledJobId": format!("s{n}-{i}")}))
            .collect();
        async move {
            Ok(jc_transport::test_util::json_response(
                200,
                Value::Array(page).to_string(),
            ))
        }
    });
    let client = Client::builder()
        .base_url(BASE)
        .api_key(KEY)
        .bare_transport(Arc::new(endless))
        .build()
        .unwrap();
    let outcome: Result<Vec<ScheduledUserstateResult>, Error> = client
        .scheduled_states(&ListScheduledOptions::new())
        .try_collect()
        .await;
    assert!(matches!(outcome, Err(Error::Pagination(_))), "{outcome:?}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        10_000,
        "the bound is 10,000 pages"
    );
}
