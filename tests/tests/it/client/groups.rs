//! `client.groups()` end to end against jc-mock (issue 21, CONTRACT.md sections 25-31): reads,
//! writes of groups, name resolution against one listing, snapshots and plans, and each
//! membership change's outcome, including a lost answer confirmed on retry.

use super::e2e::client_for;
use futures::{StreamExt, TryStreamExt};
use jc_bulk::groups::*;
use jc_bulk::*;
use jc_mock::{MockConfig, MockServer, SeedGroup};
use jc_models::{UserGroupPost, UserGroupPut};
use jc_transport::{HyperTransport, Proxy, Retry, RetryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn mock_with(users: usize, groups: Vec<SeedGroup>) -> MockServer {
    MockServer::start(MockConfig::default().seed_users(users).seed_groups(groups))
        .await
        .unwrap()
}

/// The mock's counters, read from `/_mock/stats` over HTTP.
async fn stats(mock: &MockServer) -> serde_json::Value {
    let api = jc_e2e::api::Api::new(&format!("http://{}", mock.addr()), mock.api_key());
    let answer = api
        .send(http::Method::GET, jc_mock::STATS_PATH, &[], None)
        .await
        .unwrap();
    answer.json().clone()
}

fn id_of(mock: &MockServer, username: &str) -> String {
    mock.user_by_username(&mock.default_org(), username)
        .unwrap()
        .id
}

#[tokio::test]
async fn reads_writes_and_name_resolution() {
    let members: Vec<String> = (0..250).map(|i| format!("user{i:05}")).collect();
    let mock = mock_with(
        300,
        vec![
            SeedGroup::new("Engineering", members),
            SeedGroup::new("engineering", ["user00000"]),
            SeedGroup::new("Ops", Vec::<String>::new()),
            SeedGroup::new("OPS", Vec::<String>::new()),
        ],
    )
    .await;
    let client = client_for(&mock);
    let call = CallOptions::default();
    let groups = client.groups(&call);
    let directory = groups.directory().await.unwrap();
    assert_eq!(directory.groups().len(), 4);
    let engineering = directory.resolve("Engineering").unwrap().clone();
    let lower = directory.resolve("ENGINEERING");
    assert!(
        matches!(lower, Err(GroupRefError::Ambiguous { ref ids, .. }) if ids.len() == 2),
        "{lower:?}"
    );
    assert!(matches!(
        directory.resolve("ops"),
        Err(GroupRefError::Ambiguous { .. })
    ));
    assert!(matches!(
        directory.resolve("Nope"),
        Err(GroupRefError::NotFound(_))
    ));
    let id = engineering.id.clone().unwrap();
    let listed: Vec<String> = groups.members(&id).try_collect().await.unwrap();
    assert_eq!(listed.len(), 250, "three pages of members");
    assert_eq!(listed[0], id_of(&mock, "user00000"));
    let of: Vec<_> = groups
        .member_of(&id_of(&mock, "user00000"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(of.len(), 2);
    assert!(of.iter().all(jc_models::GraphObjectWithPaths::is_direct));
    let filtered: Vec<_> = groups
        .list(&["name:eq:Ops".into()])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(filtered.len(), 1);

    let created = groups
        .create(&UserGroupPost {
            description: Some("made by the SDK".into()),
            ..UserGroupPost::named("VPN")
        })
        .await
        .unwrap();
    let vpn = created.id.clone().unwrap();
    assert_eq!(groups.get(&vpn).await.unwrap().name.as_deref(), Some("VPN"));
    let taken = groups
        .create(&UserGroupPost::named("vpn"))
        .await
        .unwrap_err();
    assert_eq!(taken.status().map(|s| s.as_u16()), Some(409));
    let renamed = groups
        .update(&vpn, |put: &mut UserGroupPut| {
            put.name = Some("VPN users".into())
        })
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("VPN users"));
    assert_eq!(
        renamed.description.as_deref(),
        Some("made by the SDK"),
        "update keeps what it does not change"
    );
    let missing = groups.get("ffffffffffffffffffffffff").await.unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_plan_sends_only_needed_changes_and_reports_each() {
    let mock = mock_with(
        6,
        vec![
            SeedGroup::new("A", ["user00000", "user00001"]),
            SeedGroup::new("Robots", Vec::<String>::new()).method("DYNAMIC_AUTOMATED"),
        ],
    )
    .await;
    let client = client_for(&mock);
    let call = CallOptions::default();
    let groups = client.groups(&call);
    let directory = groups.directory().await.unwrap();
    let snapshot = groups.snapshot(directory.groups()).await.unwrap();
    let (a, robots) = (
        directory.resolve("A").unwrap().id.clone().unwrap(),
        directory.resolve("Robots").unwrap().id.clone().unwrap(),
    );
    let u = |i: usize| id_of(&mock, &format!("user{i:05}"));
    let wanted = vec![
        MemberChange::add(&a, u(0)),
        MemberChange::add(&a, u(2)),
        MemberChange::add(&a, u(3)),
        MemberChange::remove(&a, u(1)),
        MemberChange::remove(&a, u(4)),
        MemberChange::add(&robots, u(5)),
    ];
    let plan = snapshot.plan(wanted.clone(), false);
    assert_eq!(plan.counts(), (2, 1));
    // Someone adds user00003 after the snapshot: its add answers 409, a success.
    let api = jc_e2e::api::Api::new(&mock.base_url(), mock.api_key());
    let body = format!(r#"{{"op":"add","type":"user","id":"{}"}}"#, u(3));
    let answer = api
        .send(
            http::Method::POST,
            &format!("/usergroups/{a}/members"),
            &[],
            Some(&body),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 204);
    let before = stats(&mock).await;
    let results: Vec<ChangeResult> = groups
        .apply(plan, &ChangeOptions::default(), &ImportControl::default())
        .collect()
        .await;
    let after = stats(&mock).await;
    let delta = |k: &str| after[k].as_u64().unwrap() - before[k].as_u64().unwrap();
    assert_eq!(delta("requests"), 3, "one request per needed change");
    assert_eq!((delta("edges_added"), delta("edges_removed")), (1, 1));
    let outcome = |change: &MemberChange| {
        results
            .iter()
            .find(|r| &r.change == change)
            .map(|r| r.outcome.label())
            .unwrap()
    };
    assert_eq!(outcome(&wanted[0]), "already_member");
    assert_eq!(outcome(&wanted[1]), "added");
    assert_eq!(outcome(&wanted[2]), "already_member");
    assert_eq!(outcome(&wanted[3]), "removed");
    assert_eq!(outcome(&wanted[4]), "not_member");
    assert_eq!(outcome(&wanted[5]), "not_sent");
    assert_eq!(results.len(), 6, "every change has exactly one outcome");
    let members = mock.group(&mock.default_org(), &a).unwrap().members;
    assert_eq!(members, [u(0), u(3), u(2)]);

    // Allowed, the dynamic group's change is sent.
    let snapshot = groups.snapshot(directory.groups()).await.unwrap();
    let plan = snapshot.plan([MemberChange::add(&robots, u(5))], true);
    let results: Vec<_> = groups
        .apply(plan, &ChangeOptions::default(), &ImportControl::default())
        .collect()
        .await;
    assert_eq!(
        results[0].outcome,
        ChangeOutcome::Added {
            confirmed_on_retry: false
        }
    );

    // A stopped control sends nothing.
    let stopped = ImportControl::default();
    stopped.stop_submitting();
    let plan = snapshot.plan([MemberChange::add(&a, u(4))], false);
    let before = mock.request_count();
    let results: Vec<_> = groups
        .apply(plan, &ChangeOptions::default(), &stopped)
        .collect()
        .await;
    assert_eq!(results[0].outcome.label(), "not_sent");
    assert_eq!(mock.request_count(), before);
    assert!(ChangeOptions::default().with_concurrency(17).is_err());
}

/// Forwards to the mock, but loses the answer to the first membership change: the change was
/// made, the client cannot know.
struct LoseFirstEdgeAnswer {
    inner: HyperTransport,
    edges: AtomicUsize,
}

#[async_trait::async_trait]
impl jc_transport::Transport for LoseFirstEdgeAnswer {
    async fn send(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, jc_transport::TransportError> {
        let edge =
            request.uri().path().ends_with("/members") && request.method() == http::Method::POST;
        let response = self.inner.send(request).await?;
        if edge && self.edges.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(jc_transport::TransportError::maybe_sent(
                jc_transport::ErrorKind::Io,
                "the test lost the answer",
            ));
        }
        Ok(response)
    }
}

#[tokio::test]
async fn a_lost_answer_is_retried_and_confirmed_by_its_409() {
    let mock = mock_with(2, vec![SeedGroup::new("A", Vec::<String>::new())]).await;
    let lossy = LoseFirstEdgeAnswer {
        inner: HyperTransport::builder()
            .proxy(Proxy::None)
            .build()
            .unwrap(),
        edges: AtomicUsize::new(0),
    };
    let policy = RetryPolicy::default()
        .with_delays(Duration::from_millis(2), Duration::from_millis(10))
        .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .bare_transport(Arc::new(Retry::new(lossy, policy)))
        .build()
        .unwrap();
    let call = CallOptions::default();
    let groups = client.groups(&call);
    let directory = groups.directory().await.unwrap();
    let snapshot = groups.snapshot(directory.groups()).await.unwrap();
    let a = directory.resolve("A").unwrap().id.clone().unwrap();
    let user = id_of(&mock, "user00001");
    let plan = snapshot.plan([MemberChange::add(&a, &user)], false);
    let results: Vec<_> = groups
        .apply(plan, &ChangeOptions::default(), &ImportControl::default())
        .collect()
        .await;
    assert_eq!(
        results[0].outcome,
        ChangeOutcome::Added {
            confirmed_on_retry: true
        }
    );
    assert_eq!(
        results[0].outcome.reason().as_deref(),
        Some("confirmed on retry")
    );
    assert_eq!(mock.edge_changes(), (1, 0), "added once");
}

/// Counts the membership changes in flight at once.
struct InFlight {
    inner: HyperTransport,
    now: AtomicUsize,
    most: AtomicUsize,
}

#[async_trait::async_trait]
impl jc_transport::Transport for InFlight {
    async fn send(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, jc_transport::TransportError> {
        let edge =
            request.uri().path().ends_with("/members") && request.method() == http::Method::POST;
        if edge {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
        }
        let response = self.inner.send(request).await;
        if edge {
            self.now.fetch_sub(1, Ordering::SeqCst);
        }
        response
    }
}

/// Section 31: changes run in parallel, never more than the options allow.
#[tokio::test]
async fn changes_in_flight_are_bounded() {
    let faults = jc_mock::FaultConfig::seeded(1).latency(Duration::from_millis(15), Duration::ZERO);
    let config = MockConfig::default()
        .seed_users(24)
        .seed_groups(vec![SeedGroup::new("A", Vec::<String>::new())])
        .faults(faults);
    let mock = MockServer::start(config).await.unwrap();
    let counting = Arc::new(InFlight {
        inner: HyperTransport::builder()
            .proxy(Proxy::None)
            .build()
            .unwrap(),
        now: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .bare_transport(counting.clone())
        .build()
        .unwrap();
    let call = CallOptions::default();
    let groups = client.groups(&call);
    let directory = groups.directory().await.unwrap();
    let snapshot = groups.snapshot(directory.groups()).await.unwrap();
    let a = directory.resolve("A").unwrap().id.clone().unwrap();
    let wanted = (0..24).map(|i| MemberChange::add(&a, id_of(&mock, &format!("user{i:05}"))));
    let plan = snapshot.plan(wanted, false);
    let options = ChangeOptions::default().with_concurrency(3).unwrap();
    let results: Vec<_> = groups
        .apply(plan, &options, &ImportControl::default())
        .collect()
        .await;
    assert!(results.iter().all(|r| r.outcome.label() == "added"));
    let most = counting.most.load(Ordering::SeqCst);
    assert!((2..=3).contains(&most), "{most} in flight at most");
}
