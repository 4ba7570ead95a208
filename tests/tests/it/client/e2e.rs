//! jc-bulk against jc-mock over real HTTP (issue 5).

use futures::{StreamExt, TryStreamExt};
use jc_bulk::*;
use jc_mock::{FaultConfig, MockConfig, MockServer};
use jc_models::*;
use jc_transport::{HyperTransport, Proxy, Retry, RetryPolicy};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// A client of `mock` over the hyper transport with fast retries.
pub(super) fn client_for(mock: &MockServer) -> Client {
    let hyper = HyperTransport::builder()
        .proxy(Proxy::None)
        .build()
        .unwrap();
    let policy = RetryPolicy::default()
        .with_max_attempts(6)
        .unwrap()
        .with_delays(Duration::from_millis(2), Duration::from_millis(20))
        .unwrap()
        .with_jitter_seed(3);
    Client::builder()
        .base_url(mock.base_url())
        .api_key(mock.api_key())
        .bare_transport(Arc::new(Retry::new(hyper, policy)))
        .build()
        .unwrap()
}

pub(super) fn fast_wait() -> WaitOptions {
    WaitOptions::new()
        .with_intervals(Duration::from_millis(5), Duration::from_millis(50), 1.5)
        .unwrap()
}

pub(super) fn options() -> ImportOptions {
    ImportOptions::new().with_wait(fast_wait())
}

pub(super) fn user(i: usize) -> BulkUserCreate {
    BulkUserCreate {
        firstname: Some(format!("First{i}")),
        lastname: Some(format!("Last{i}")),
        ..BulkUserCreate::new(format!("user{i}"), format!("user{i}@example.com"))
    }
}

#[tokio::test]
async fn import_5000_users_with_duplicates_and_invalid_records() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let org = mock.default_org();
    mock.insert_user(
        &org,
        &BulkUserCreate::new("existing", "existing@example.com"),
    )
    .unwrap();
    let client = client_for(&mock);
    let mut users: Vec<BulkUserCreate> = (0..5000).map(user).collect();
    users[7].email = Some("EXISTING@example.com".into()); // taken in the org
    users[900].username = Some("user899".into()); // duplicate within the same chunk
    users[2500].email = Some("user10@example.com".into()); // duplicate of an earlier chunk
    users[3000].username = None; // invalid: never sent
    users[4999].unix_uid = Some(0); // invalid: never sent
                                    // Consumed as a stream: every record's outcome exactly once, in input order, then the end.
    let input =
        futures::stream::iter(
            users
                .into_iter()
                .enumerate()
                .map(|(i, record)| InputRecord {
                    position: i as u64,
                    record,
                }),
        );
    let events: Vec<ImportEvent> = client.import(input, &options()).collect().await;
    let mut report = ImportReport::default();
    for event in &events {
        match event {
            ImportEvent::Record(outcome) => report.outcomes.push(outcome.clone()),
            ImportEvent::Finished(summary) => report.summary = summary.clone(),
            _ => {}
        }
    }
    assert!(matches!(events.last(), Some(ImportEvent::Finished(_))));
    let s = &report.summary;
    assert_eq!(
        (s.read, s.applied, s.failed, s.not_submitted, s.unknown),
        (5000, 4995, 3, 2, 0)
    );
    assert_eq!(s.jobs.len(), 7, "4998 valid records in chunks of 800");
    assert_eq!(report.outcomes.len(), 5000);
    for (i, outcome) in report.outcomes.iter().enumerate() {
        assert_eq!(outcome.position, i as u64, "input order");
        let expected = match i {
            7 | 900 | 2500 => "failed",
            3000 | 4999 => "not_submitted",
            _ => "applied",
        };
        assert_eq!(
            outcome.outcome.name(),
            expected,
            "record {i}: {:?}",
            outcome.outcome
        );
    }
    assert!(report.outcomes[7]
        .outcome
        .reason()
        .unwrap()
        .to_string()
        .contains("already exists"));
    assert!(report.outcomes[3000]
        .outcome
        .reason()
        .unwrap()
        .to_string()
        .contains("username is required"));
    // Applied records carry their user id and job, and the mock agrees.
    let applied = &report.outcomes[42];
    let user_id = applied.outcome.user_id().unwrap();
    assert_eq!(mock.user(&org, user_id).unwrap().username, "user42");
    assert!(s.jobs.contains(applied.outcome.job_id().unwrap()));
    assert_eq!(mock.users(&org).len(), 1 + 4995);
    let settled: usize = events
        .iter()
        .filter_map(|e| match e {
            ImportEvent::Settled { records, .. } => Some(records),
            _ => None,
        })
        .sum();
    assert_eq!(
        settled, 5000,
        "every record shows up in the progress events"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, ImportEvent::Submitted { .. }))
            .count(),
        7
    );
}

#[tokio::test]
async fn update_expire_and_unlock_the_created_users() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let org = mock.default_org();
    let client = client_for(&mock);
    let created = client
        .import_users((0..300).map(user), &options().with_chunk_size(120).unwrap())
        .await;
    assert!(created.summary.all_applied());
    let ids: Vec<String> = created
        .outcomes
        .iter()
        .map(|o| o.outcome.user_id().unwrap().to_string())
        .collect();

    let mut changes: Vec<BulkUserUpdate> = ids
        .iter()
        .map(|id| BulkUserUpdate {
            department: Some("Finance".into()),
            ..BulkUserUpdate::new(id.clone())
        })
        .collect();
    changes.push(BulkUserUpdate::new("ffffffffffffffffffffffff"));
    let updated = client
        .import_user_updates(changes, &options().with_suppress_email(true))
        .await;
    assert_eq!((updated.summary.applied, updated.summary.failed), (300, 1));
    assert_eq!(
        mock.user(&org, &ids[5]).unwrap().fields["department"],
        "Finance"
    );
    assert_eq!(
        updated.outcomes[5].outcome.user_id().map(UserId::as_str),
        Some(ids[5].as_str())
    );

    let expired = client
        .import_user_expirations(
            ids.iter().map(|id| BulkUserExpire::new(id.clone())),
            &options(),
        )
        .await;
    assert!(expired.summary.all_applied());
    let unlocked = client
        .import_user_unlocks(
            ids.iter()
                .take(10)
                .map(|id| BulkUserUnlock::new(id.clone())),
            &options(),
        )
        .await;
    assert!(unlocked.summary.all_applied());
    assert!(mock.user(&org, &ids[0]).unwrap().password_expired);
}

#[tokio::test]
async fn results_and_scheduled_changes_page_past_100() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let client = client_for(&mock);
    let users: Vec<BulkUserCreate> = (0..250).map(user).collect();
    let job = client
        .create_users(&users, &CreateUsersOptions::new())
        .await
        .unwrap();
    let results = client.wait_for_job(&job, 250, &fast_wait()).await.unwrap();
    assert_eq!(results.len(), 250);
    let streamed: Vec<JobWorkresult> = client
        .job_results(&job, &CallOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, results);
    let ids: Vec<String> = results
        .iter()
        .map(|r| r.user_id().unwrap().to_owned())
        .collect();

    let at: Timestamp = "2031-01-01T08:00:00Z".parse().unwrap();
    let scheduled = client
        .schedule_state_change(
            &BulkScheduledStatechangeCreate::new(StateChange::Suspended, at, ids.clone()),
            &CallOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(scheduled.len(), 250);
    let listed: Vec<ScheduledUserstateResult> = client
        .scheduled_states(&ListScheduledOptions {
            filters: vec![Filter::state(StateChange::Suspended)],
            ..ListScheduledOptions::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 250);
    let one: Vec<ScheduledUserstateResult> = client
        .scheduled_states(&ListScheduledOptions {
            user_id: Some(ids[3].to_string()),
            ..ListScheduledOptions::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(one.len(), 1);

    // Next scheduled changes for 250 ids: three calls, merged.
    let next = client
        .next_scheduled(&ids, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(next.events_count, Some(250));
    let users_seen: HashSet<_> = next
        .results
        .unwrap()
        .into_iter()
        .filter_map(|r| r.system_user_id)
        .collect();
    assert_eq!(users_seen.len(), 250);

    // Cancel one; it is gone.
    let first = scheduled[0].scheduled_job_id.clone().unwrap();
    client
        .cancel_scheduled(&first, &CallOptions::new())
        .await
        .unwrap();
    let error = client
        .cancel_scheduled(&first, &CallOptions::new())
        .await
        .unwrap_err();
    assert!(error.is_not_found());

    // Legacy paths.
    let details = client
        .legacy()
        .job(&job, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(details.status, Some(WorkStatus::Finished));
    let legacy = client
        .legacy()
        .job_results(&job, Page::new(100, 200).unwrap(), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(legacy.len(), 50);
}

#[tokio::test]
async fn imports_under_injected_429_and_503_account_for_every_record_once() {
    let mut faults = FaultConfig::seeded(11)
        .error_rate(0.25)
        .statuses(vec![429, 503]);
    faults.retry_after_secs = 0;
    let mock = MockServer::start(MockConfig::default().faults(faults))
        .await
        .unwrap();
    let org = mock.default_org();
    let client = client_for(&mock);
    let report = client
        .import_users(
            (0..2000).map(user),
            &options().with_chunk_size(200).unwrap(),
        )
        .await;
    let s = &report.summary;
    assert_eq!(s.read, 2000);
    assert_eq!(s.applied + s.failed + s.not_submitted + s.unknown, 2000);
    let positions: HashSet<u64> = report.outcomes.iter().map(|o| o.position).collect();
    assert_eq!(positions.len(), 2000, "exactly one outcome per record");
    // Every applied user exists exactly once; nothing else was created.
    let stored = mock.users(&org);
    assert_eq!(stored.len() as u64, s.applied);
    let names: HashSet<_> = stored.iter().map(|u| u.username.clone()).collect();
    assert_eq!(names.len(), stored.len());
    for outcome in &report.outcomes {
        if let Outcome::Applied { user_id, .. } = &outcome.outcome {
            let user = mock.user(&org, user_id.as_deref().unwrap()).unwrap();
            assert_eq!(user.username, format!("user{}", outcome.position));
        }
    }
    assert!(s.applied >= 1600, "retries get most chunks through: {s:?}");
}

#[tokio::test]
async fn a_dropped_submission_is_unknown_and_never_resent() {
    let mock =
        MockServer::start(MockConfig::default().faults(FaultConfig::seeded(5).drop_rate(1.0)))
            .await
            .unwrap();
    let org = mock.default_org();
    let client = client_for(&mock);
    let report = client.import_users((0..10).map(user), &options()).await;
    assert_eq!(report.summary.unknown, 10);
    for outcome in &report.outcomes {
        let Outcome::Unknown { reason, .. } = &outcome.outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            reason.to_string().contains("may have reached JumpCloud"),
            "{reason}"
        );
    }
    mock.wait_idle().await;
    // (Issue 13 adds a lookup of the users, a POST to /search/systemusers, which fails here
    // too: the records stay unknown. Only job submissions count.)
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/bulk/users"))
        .count();
    assert_eq!(posts, 1, "the submission was sent once");
    assert_eq!(
        mock.jobs(&org).len(),
        1,
        "one job exists although the client saw no answer"
    );
}

#[tokio::test]
async fn a_wrong_key_stops_the_import_and_reports_every_record() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .api_key("wrong-key")
        .build()
        .unwrap();
    let report = client
        .import_users((0..2000).map(user), &options().with_concurrency(1).unwrap())
        .await;
    assert_eq!(report.summary.not_submitted, 2000);
    assert!(report.summary.stopped.as_deref().unwrap().contains("401"));
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "no further chunk was sent after the 401");
}

#[tokio::test]
async fn a_job_that_does_not_finish_in_time_reports_what_is_known() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    mock.pause_jobs();
    let client = client_for(&mock);
    let job = client
        .create_users(&[user(1), user(2)], &CreateUsersOptions::new())
        .await
        .unwrap();
    let wait = fast_wait()
        .with_timeout(Some(Duration::from_millis(60)))
        .unwrap();
    let error = client.wait_for_job(&job, 2, &wait).await.unwrap_err();
    let Error::Wait(WaitError::Timeout {
        done,
        expected,
        partial,
        ..
    }) = &error
    else {
        panic!("{error}")
    };
    assert_eq!((*done, *expected, partial.len()), (0, 2, 2));
    let report = client
        .import_users([user(3)], &options().with_wait(wait))
        .await;
    let Outcome::Unknown { job_id, reason } = &report.outcomes[0].outcome else {
        panic!()
    };
    assert!(
        job_id.is_some() && reason.to_string().contains("still pending"),
        "{reason}"
    );
    mock.resume_jobs();
}

#[tokio::test]
async fn progress_is_reported_while_waiting() {
    let mock = MockServer::start(MockConfig::default().process_rate(Some(2000.0)))
        .await
        .unwrap();
    let client = client_for(&mock);
    let job = client
        .create_users(
            &(0..100).map(user).collect::<Vec<_>>(),
            &CreateUsersOptions::new(),
        )
        .await
        .unwrap();
    let mut waiter = client.wait_for_job(&job, 100, &fast_wait());
    let mut polls = Vec::new();
    while let Some(progress) = waiter.next().await {
        polls.push(progress.done);
    }
    assert_eq!(waiter.take_result().unwrap().unwrap().len(), 100);
    assert_eq!(*polls.last().unwrap(), 100);
    assert!(polls.windows(2).all(|w| w[0] <= w[1]));
}

type Error = jc_bulk::Error;

#[tokio::test]
async fn submit_sends_one_chunk_and_returns_its_typed_job_id() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let client = client_for(&mock);
    let job: JobId = client
        .submit(
            &[user(1), user(2)],
            &ImportOptions::new().with_suppress_email(true),
        )
        .await
        .unwrap();
    assert_eq!(mock.jobs(&mock.default_org())[0].id, job.as_str());
    let results = client.wait_for_job(&job, 2, &fast_wait()).await.unwrap();
    assert!(results.iter().all(|r| r.is_terminal() && !r.is_failure()));

    // Validated first: an invalid record sends nothing.
    let invalid = BulkUserCreate {
        unix_uid: Some(0),
        ..user(3)
    };
    let error = client
        .submit(&[user(4), invalid], &ImportOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error}");
    assert_eq!(mock.jobs(&mock.default_org()).len(), 1);
}
