//! `jcbulk userstates schedule|list|next|cancel` against jc-mock (issue 6).

use crate::common::{jcbulk, mock};
use jc_models::BulkUserCreate;

#[tokio::test(flavor = "multi_thread")]
async fn userstates_schedule_list_next_cancel() {
    let mock = mock().await;
    let org = mock.default_org();
    let ids: Vec<String> = (0..3)
        .map(|i| {
            mock.insert_user(
                &org,
                &BulkUserCreate::new(format!("u{i}"), format!("u{i}@example.com")),
            )
            .unwrap()
        })
        .collect();
    let joined = ids.join(",");
    let run = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "schedule",
            "--state",
            "suspended",
            "--at",
            "2031-01-01 09:00",
            "--user-ids",
            &joined,
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    assert!(
        run.stderr.contains("(local)") && run.stderr.contains("(UTC)"),
        "{}",
        run.stderr
    );
    let bad = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "schedule",
            "--state",
            "SUSPENDED",
            "--at",
            "2031-01-01T09:00:00Z",
            "--user-ids",
            &joined,
            "--send-activation-emails",
        ],
    )
    .await;
    assert_eq!(
        bad.code, 2,
        "section 8 is checked before sending: {}",
        bad.stderr
    );

    for format in ["table", "json", "ndjson", "csv"] {
        let run = jcbulk(
            Some(&mock),
            &[
                "userstates",
                "list",
                "--filter",
                "state:eq:SUSPENDED",
                "--all",
                "-o",
                format,
            ],
        )
        .await;
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert_eq!(
            run.stdout.matches("SUSPENDED").count(),
            3,
            "{format}: {}",
            run.stdout
        );
    }
    let one = jcbulk(
        Some(&mock),
        &["userstates", "list", "--user-id", &ids[0], "-o", "json"],
    )
    .await;
    assert_eq!(one.json().as_array().unwrap().len(), 1);
    let bad_filter = jcbulk(Some(&mock), &["userstates", "list", "--filter", "state"]).await;
    assert_eq!(bad_filter.code, 2);

    let next = jcbulk(
        Some(&mock),
        &["userstates", "next", "--user-ids", &joined, "-o", "json"],
    )
    .await;
    let events = next.json();
    assert_eq!(events.as_array().unwrap().len(), 3);
    let scheduled = events[0]["scheduledJobId"].as_str().unwrap().to_owned();
    let cancel = jcbulk(
        Some(&mock),
        &[
            "userstates",
            "cancel",
            &scheduled,
            "ffffffffffffffffffffffff",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(cancel.code, 3);
    assert_eq!(cancel.json()[0]["outcome"], "cancelled");
    assert_eq!(mock.scheduled(&org).len(), 2);
}
