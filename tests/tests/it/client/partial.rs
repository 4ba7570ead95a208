//! Partial updates through the SDK alone (issue 20, CONTRACT.md section 36): `Users::read`
//! reads many users' current fields with the requests of a lookup, and `partial::difference`
//! turns edits into the fields to send, so a program that updates users through jc-bulk keeps
//! every list entry its edit does not name.

use jc_bulk::partial::{difference, Edit};
use jc_bulk::*;
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserUpdate;
use serde_json::json;

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

#[tokio::test]
async fn reading_fields_costs_the_requests_of_the_lookup_and_nothing_more() {
    let mock = MockServer::start(MockConfig::default().seed_users(5000))
        .await
        .unwrap();
    let client = client_for(&mock);
    let call = CallOptions::new();
    let users = client.users(&call);
    // 300 names and 201 ids: 6 searches (fewer than the org's 50 list pages), after the first
    // list page that tells the org's size.
    let org = mock.default_org();
    let mut all = mock.users(&org);
    all.sort_by(|a, b| a.username.cmp(&b.username));
    let mut keys: Vec<UserKey> = (0..300)
        .map(|i| UserKey::Username(format!("USER{:05}", i * 7)))
        .collect();
    keys.extend(
        all[3000..3200]
            .iter()
            .map(|u| UserKey::Id(UserId::new(u.id.as_str()))),
    );
    keys.push(UserKey::Id(UserId::new("ffffffffffffffffffffffff")));
    let before = mock.request_count();
    users
        .resolve(keys.clone(), &ResolveOptions { verify_ids: true })
        .await
        .unwrap();
    let resolving = mock.request_count() - before;
    let before = mock.request_count();
    let read = users
        .read(&keys, &["attributes", "department"])
        .await
        .unwrap();
    assert_eq!(mock.request_count() - before, resolving);
    // The first list page, 6 searches of up to 100 terms, and for a search whose page came back
    // full, the page that shows it was the last.
    assert!(resolving <= 1 + 2 * 6, "{resolving}");
    for (key, lookup) in keys.iter().zip(&read).take(500) {
        let Lookup::Found(user) = lookup else {
            panic!("{key:?}: {lookup:?}")
        };
        let fields = user.fields();
        assert!(fields["attributes"].is_array(), "{fields:?}");
        assert!(fields["department"].is_string(), "{fields:?}");
        assert!(
            !fields.contains_key("phoneNumbers"),
            "only the fields asked for"
        );
    }
    assert_eq!(read[500], Lookup::NotFound, "an id that names no user");
    let searches: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/search/systemusers"))
        .collect();
    assert!(searches.last().unwrap().body.contains("attributes"));
}

#[tokio::test]
async fn an_sdk_update_built_from_edits_keeps_every_other_entry() {
    let mock = MockServer::start(MockConfig::default().seed_users(3))
        .await
        .unwrap();
    let client = client_for(&mock);
    let call = CallOptions::new();
    let key = UserKey::Username("user00001".into());
    let read = client
        .users(&call)
        .read(std::slice::from_ref(&key), &["attributes", "phoneNumbers"])
        .await
        .unwrap();
    let Some(Lookup::Found(user)) = read.first() else {
        panic!("{read:?}")
    };
    let edits = [
        Edit::Attribute {
            name: "site".into(),
            value: Some(json!("B2")),
        },
        Edit::Phone {
            kind: "work".into(),
            number: Some("+1 555 0001".into()),
        },
    ];
    let diff = difference(&user.fields(), &edits).unwrap();
    assert_eq!(
        diff.effective,
        vec![true, false],
        "the work phone is as it was"
    );
    let mut change: serde_json::Map<String, serde_json::Value> = diff.changes;
    change.insert("id".into(), json!(user.id().as_str()));
    let change: BulkUserUpdate = serde_json::from_value(change.into()).unwrap();
    let report = client
        .import_user_updates([change], &ImportOptions::new())
        .await;
    assert_eq!(report.summary.applied, 1, "{:?}", report.summary);
    let stored = mock.user(&mock.default_org(), user.id().as_str()).unwrap();
    assert_eq!(
        stored.fields["attributes"],
        json!([{"name": "costCenter", "value": "CC-1"}, {"name": "site", "value": "B2"}])
    );
    assert!(
        !stored.fields["phoneNumbers"].is_null(),
        "the phone list was not touched"
    );
}
