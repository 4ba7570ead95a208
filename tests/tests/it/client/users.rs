//! The v1 user reads through the SDK (CONTRACT.md sections 19-22): list pages, get, and
//! resolving names with the fewest requests the cheaper plan allows (the mock counts them).

use futures::TryStreamExt;
use jc_bulk::*;
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;

fn client_for(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .http(
            HttpSettings::new()
                .with_max_requests_per_second(100_000.0)
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn username(i: usize) -> UserKey {
    UserKey::Username(format!("user{i:05}"))
}

#[tokio::test]
async fn resolving_5000_names_in_5000_users_lists_the_org_in_51_requests() {
    let mock = MockServer::start(MockConfig::default().seed_users(5000))
        .await
        .unwrap();
    let client = client_for(&mock);
    let call = CallOptions::new();
    let mut keys: Vec<UserKey> = (0..4997)
        .map(|i| {
            if i % 2 == 0 {
                username(i)
            } else {
                UserKey::Email(format!("USER{i:05}@Example.com"))
            }
        })
        .collect();
    keys.extend(["nobody", "ghost", "user99999"].map(|n| UserKey::Username(n.into())));
    let before = mock.request_count();
    let found = client
        .users(&call)
        .resolve(keys.clone(), &ResolveOptions::default())
        .await
        .unwrap();
    assert_eq!(
        mock.request_count() - before,
        51,
        "ceil(5000/100) list pages, and the empty page that ends the list (issue 19: a total \
         count never ends a list, since it may be stale)"
    );
    let org = mock.default_org();
    for (key, resolution) in keys.iter().zip(&found).take(4997) {
        let Resolution::Found(id) = resolution else {
            panic!("{key:?}: {resolution:?}")
        };
        let user = mock.user(&org, id).unwrap();
        assert!(
            user.username.eq_ignore_ascii_case(key.text())
                || user.email.eq_ignore_ascii_case(key.text())
        );
    }
    assert!(found[4997..].iter().all(|r| *r == Resolution::NotFound));
}

#[tokio::test]
async fn resolving_10_names_in_100000_users_is_one_search() {
    let mock = MockServer::start(MockConfig::default().seed_users(100_000))
        .await
        .unwrap();
    let client = client_for(&mock);
    let call = CallOptions::new();
    let keys: Vec<UserKey> = (0..10).map(|i| username(i * 9_999)).collect();
    let before = mock.request_count();
    let found = client
        .users(&call)
        .resolve(keys, &ResolveOptions::default())
        .await
        .unwrap();
    assert_eq!(mock.request_count() - before, 1);
    assert!(
        found.iter().all(|r| matches!(r, Resolution::Found(_))),
        "{found:?}"
    );
}

#[tokio::test]
async fn ambiguity_ids_and_the_v1_reads() {
    let mock = MockServer::start(MockConfig::default().seed_users(120))
        .await
        .unwrap();
    let org = mock.default_org();
    let twin = mock
        .insert_user_unchecked(&org, &BulkUserCreate::new("twin", "user00007@example.com"))
        .unwrap();
    let client = client_for(&mock);
    let call = CallOptions::new();
    let users = client.users(&call);
    let seven = mock
        .users(&org)
        .into_iter()
        .find(|u| u.username == "user00007")
        .unwrap()
        .id;
    let keys = vec![
        UserKey::Email("User00007@example.com".into()),
        UserKey::Id(UserId::new("ffffffffffffffffffffffff")),
        UserKey::Username("USER00008".into()),
    ];
    let found = users
        .resolve(keys.clone(), &ResolveOptions::default())
        .await
        .unwrap();
    let Resolution::Ambiguous(ids) = &found[0] else {
        panic!("{:?}", found[0])
    };
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&UserId::new(&twin)) && ids.contains(&UserId::new(&seven)));
    assert_eq!(
        found[1],
        Resolution::Found(UserId::new("ffffffffffffffffffffffff")),
        "ids pass unchecked"
    );
    let verified = users
        .resolve(keys, &ResolveOptions { verify_ids: true })
        .await
        .unwrap();
    assert_eq!(verified[1], Resolution::NotFound);

    let pages: Vec<Vec<jc_models::SystemUser>> = users
        .list(&[], Some("username"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [100, 21]);
    let filtered: Vec<Vec<jc_models::SystemUser>> = users
        .list(&["department:$eq:Legal".to_owned()], None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(filtered.concat().len(), 24);
    let one = users.get(&UserId::new(&seven)).await.unwrap();
    assert_eq!(one.username.as_deref(), Some("user00007"));
    assert_eq!(one.object_id(), Some(seven.as_str()));
    assert!(users
        .get(&UserId::new("ffffffffffffffffffffffff"))
        .await
        .unwrap_err()
        .is_not_found());

    // A base URL without /v2 needs an explicit v1 root.
    let odd = Client::builder()
        .base_url("https://jumpcloud.invalid/api")
        .api_key("k")
        .build()
        .unwrap();
    let error = odd.users(&call).get(&UserId::new("x")).await.unwrap_err();
    assert!(error.to_string().contains("v1"), "{error}");
}

/// Issue 19 defect 7: the name search is a read. Behind a server that answers 502, 503 or 504
/// to half the requests, every search is retried until it succeeds (it was tried once: 2 of 5
/// dry runs ended with exit 1).
#[tokio::test]
async fn the_name_search_is_retried_on_gateway_errors_like_any_read() {
    let faults = jc_mock::FaultConfig::seeded(7)
        .error_rate(0.5)
        .statuses(vec![502, 503, 504]);
    let mock = MockServer::start(MockConfig::default().seed_users(20).faults(faults))
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .http(
            HttpSettings::new()
                .with_max_requests_per_second(100_000.0)
                .unwrap()
                .with_max_attempts(10)
                .unwrap(),
        )
        .build()
        .unwrap();
    let call = CallOptions::new();
    for i in 0..10 {
        let found = client
            .users(&call)
            .resolve([username(i)], &ResolveOptions::default())
            .await
            .unwrap_or_else(|e| panic!("search {i} was not retried: {e}"));
        assert!(matches!(found[0], Resolution::Found(_)), "{found:?}");
    }
    let searches = mock
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/search/systemusers"))
        .count();
    assert!(
        searches > 10,
        "some searches were answered with a fault and retried: {searches}"
    );
}
