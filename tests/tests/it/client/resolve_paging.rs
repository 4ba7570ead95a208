//! Resolving names by listing the org reads the pages the total promises a few at a time
//! (CONTRACT.md sections 4 and 22): a list that grew or shrank since its total was counted is
//! read to its real end, and a server that ignores `skip` is an error, not duplicate users.

use super::wire::{BASE, KEY};
use jc_bulk::*;
use jc_transport::test_util::{json_response, FnTransport};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A v1 user list of `users` users whose pages claim `total`; with `ignore_skip`, every page is
/// the first. Counts the requests.
fn org(users: usize, total: usize, ignore_skip: bool) -> (Client, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let server = FnTransport(move |request: http::Request<bytes::Bytes>| {
        counted.fetch_add(1, Ordering::SeqCst);
        let query = request.uri().query().unwrap_or_default().to_owned();
        let skip: usize = query
            .split('&')
            .find_map(|p| p.strip_prefix("skip="))
            .and_then(|s| s.parse().ok())
            .filter(|_| !ignore_skip)
            .unwrap_or(0);
        let results: Vec<Value> = (skip..users.min(skip + 100))
            .map(|i| {
                json!({"_id": format!("{:024x}", i + 1), "username": format!("user{i:05}"),
                       "email": format!("user{i:05}@example.com")})
            })
            .collect();
        let body = json!({"totalCount": total, "results": results}).to_string();
        async move { Ok(json_response(200, body)) }
    });
    let client = Client::builder()
        .base_url(BASE)
        .api_key(KEY)
        .bare_transport(Arc::new(server))
        .build()
        .unwrap();
    (client, calls)
}

/// 250 usernames (more than two searches: the org is listed), and one from the far end.
fn keys(last: usize) -> Vec<UserKey> {
    let mut keys: Vec<UserKey> = (0..250)
        .map(|i| UserKey::Username(format!("user{i:05}")))
        .collect();
    keys.push(UserKey::Username(format!("user{last:05}")));
    keys
}

async fn resolve(client: &Client, keys: Vec<UserKey>) -> Result<Vec<Resolution>, Error> {
    client
        .users(&CallOptions::new())
        .resolve(keys, &ResolveOptions::default())
        .await
}

#[tokio::test]
async fn a_list_longer_than_its_total_is_read_to_its_end() {
    // The total says 300; the org has 450 users: the pages past 300 are read too.
    let (client, calls) = org(450, 300, false);
    let found = resolve(&client, keys(420)).await.unwrap();
    assert!(
        found.iter().all(|r| matches!(r, Resolution::Found(_))),
        "{found:?}"
    );
    let Resolution::Found(id) = &found[250] else {
        unreachable!()
    };
    assert_eq!(id.as_str(), format!("{:024x}", 421));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        5,
        "skip 0, 100, 200, 300, 400 (short: the end)"
    );
}

#[tokio::test]
async fn a_list_shorter_than_its_total_ends_at_its_short_page() {
    // The total says 450; the org has 250: the page at 200 is short and ends the list; the pages
    // read ahead past it are empty and change nothing.
    let (client, _) = org(250, 450, false);
    let found = resolve(&client, keys(249)).await.unwrap();
    assert!(
        found.iter().all(|r| matches!(r, Resolution::Found(_))),
        "{found:?}"
    );
    let (client, _) = org(250, 450, false);
    let found = resolve(&client, keys(300)).await.unwrap();
    assert!(
        matches!(found[250], Resolution::NotFound),
        "{:?}",
        found[250]
    );
}

#[tokio::test]
async fn a_server_that_ignores_skip_is_an_error_not_duplicate_users() {
    let (client, _) = org(450, 450, true);
    let outcome = resolve(&client, keys(420)).await;
    assert!(matches!(outcome, Err(Error::Pagination(_))), "{outcome:?}");
}

/// Ids are unique: 200 id keys in an org of 1,000 cost the first page of the org (to choose the
/// plan) and exactly 2 searches, although every batch finds all of its 100 users (a full page
/// of ids needs no second read).
#[tokio::test]
async fn a_full_batch_of_ids_needs_no_second_page() {
    let mock = jc_mock::MockServer::start(jc_mock::MockConfig::default().seed_users(1000))
        .await
        .unwrap();
    let client = super::e2e::client_for(&mock);
    let org = mock.default_org();
    let keys: Vec<UserKey> = mock
        .users(&org)
        .into_iter()
        .take(200)
        .map(|u| UserKey::Id(UserId::new(u.id)))
        .collect();
    let before = mock.request_count();
    let call = CallOptions::default();
    let read = client
        .users(&call)
        .read(&keys, &["department"])
        .await
        .unwrap();
    assert_eq!(mock.request_count() - before, 3);
    assert!(read.iter().all(|l| matches!(l, Lookup::Found(_))));
}
