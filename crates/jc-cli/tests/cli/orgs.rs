//! Many orgs with one credential (issue 23, CONTRACT.md sections 32, 33 and 39) against the
//! multi-tenant mock: `orgs list` on both routes (never with `x-org-id`), a create over 3 orgs
//! with per-org reports and one summary, an org that refuses while the others finish, the
//! placeholder rule, `--resume` of the orgs that did not finish, `groups add` and `sync plan`
//! over orgs, a profile's `orgs`, and the "no organization selected" hint.

use crate::common::{jcbulk, jcbulk_with, s, users_csv, write};
use jc_mock::{MockConfig, MockServer, SeedGroup, MULTI_TENANT_PROVIDER};
use serde_json::Value;
use std::path::Path;

async fn msp(orgs: usize) -> MockServer {
    MockServer::start(MockConfig::default().orgs(orgs))
        .await
        .unwrap()
}

fn org_ids(mock: &MockServer) -> Vec<String> {
    let mut ids = mock.config().admins[0].orgs.clone();
    ids.sort();
    ids
}

fn rows(run: &crate::common::Run) -> Vec<Value> {
    run.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn orgs_list_on_both_routes_without_x_org_id() {
    let mock = msp(3).await;
    let listed = jcbulk(Some(&mock), &["orgs", "list", "-o", "json"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let names: Vec<String> = rows(&listed)
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Org 01", "Org 02", "Org 03"]);
    let provider = jcbulk(
        Some(&mock),
        &[
            "orgs",
            "list",
            "--provider-id",
            MULTI_TENANT_PROVIDER,
            "-o",
            "json",
            "--org-id",
            &org_ids(&mock)[0],
        ],
    )
    .await;
    assert_eq!(
        provider.code, 0,
        "a configured org is dropped on these routes: {}",
        provider.stderr
    );
    assert_eq!(rows(&provider).len(), 3);
    for request in mock.requests() {
        if request.path.ends_with("/organizations") {
            assert_eq!(request.header("x-org-id"), None, "{}", request.path);
        }
    }
}

#[tokio::test]
async fn a_create_over_three_orgs_one_report_each_and_one_summary() {
    let mock = msp(3).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "users.csv", &users_csv("u", 5));
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let template = format!("{}/{{org_name}}-{{org}}.csv", reports.display());
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "--orgs",
            "all",
            "create",
            "--csv",
            s(&csv),
            "--report",
            &template,
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary = rows(&run);
    assert_eq!(summary.len(), 3);
    for (row, org) in summary.iter().zip(org_ids(&mock)) {
        assert_eq!(row["org_id"], org.as_str());
        assert_eq!(row["applied"], 5);
        assert_eq!(row["exit_code"], 0);
        assert_eq!(mock.users(&org).len(), 5, "each org got its users");
        let name = row["name"].as_str().unwrap().replace(' ', "_");
        let report = reports.join(format!("{name}-{org}.csv"));
        assert_eq!(std::fs::read_to_string(&report).unwrap().lines().count(), 6);
    }
    let table = jcbulk(
        Some(&mock),
        &[
            "users",
            "--orgs",
            "all",
            "create",
            "--csv",
            s(&csv),
            "-o",
            "table",
        ],
    )
    .await;
    assert_eq!(
        table.code, 3,
        "every user exists now: a partial failure in each org"
    );
    assert!(table.stdout.contains("Org 02"), "{}", table.stdout);
}

#[tokio::test]
async fn placeholders_are_required_and_a_refused_org_stops_no_other() {
    let mock = msp(2).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "users.csv", &users_csv("u", 3));
    let bare = jcbulk(
        Some(&mock),
        &[
            "users",
            "--orgs",
            "all",
            "create",
            "--csv",
            s(&csv),
            "--report",
            &format!("{}/r.csv", dir.path().display()),
        ],
    )
    .await;
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("put {org}"), "{}", bare.stderr);
    assert!(mock.jobs(&org_ids(&mock)[0]).is_empty(), "nothing ran");

    let ids = org_ids(&mock);
    let foreign = "ffffffffffffffffffffffff";
    let spec = format!("{},{foreign},{}", ids[0], ids[1]);
    let journal = format!("{}/j-{{org}}.journal", dir.path().display());
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "--orgs",
            &spec,
            "create",
            "--csv",
            s(&csv),
            "--journal",
            &journal,
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "the worst org's code: {}", run.stdout);
    let summary = rows(&run);
    let code =
        |org: &str| summary.iter().find(|r| r["org_id"] == org).unwrap()["exit_code"].clone();
    assert_eq!(
        (code(&ids[0]), code(foreign), code(&ids[1])),
        (0.into(), 1.into(), 0.into())
    );
    assert!(
        run.stderr.contains(&format!("[{foreign}]")),
        "{}",
        run.stderr
    );
    assert_eq!(
        mock.users(&ids[1]).len(),
        3,
        "the org after the refused one finished"
    );

    // --resume runs only the org that did not finish.
    let jobs: Vec<usize> = ids.iter().map(|o| mock.jobs(o).len()).collect();
    let resumed = jcbulk(
        Some(&mock),
        &[
            "users",
            "--orgs",
            &spec,
            "create",
            "--csv",
            s(&csv),
            "--journal",
            &journal,
            "--resume",
            "-o",
            "json",
        ],
    )
    .await;
    let again: Vec<usize> = ids.iter().map(|o| mock.jobs(o).len()).collect();
    assert_eq!(again, jobs, "finished orgs are not run again");
    let notes: Vec<Value> = rows(&resumed).iter().map(|r| r["note"].clone()).collect();
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.as_str() == Some("finished in an earlier run (--resume)"))
            .count(),
        2
    );
}

#[tokio::test]
async fn groups_add_and_sync_plan_over_orgs() {
    let mock = msp(2).await;
    let ids = org_ids(&mock);
    for org in &ids {
        mock.seed_users(org, (0..3).map(jc_mock::seed_user))
            .unwrap();
        mock.seed_groups(org, &[SeedGroup::new("Eng", ["user00000"])])
            .unwrap();
    }
    let added = jcbulk(
        Some(&mock),
        &[
            "groups",
            "--orgs",
            "all",
            "add",
            "Eng",
            "--usernames",
            "user00001,user00002",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(added.code, 0, "{}\n{}", added.stdout, added.stderr);
    assert!(rows(&added).iter().all(|r| r["added"] == 2));
    assert_eq!(mock.edge_changes(), (4, 0));
    // A read prints per org, under `output`.
    let listed = jcbulk(
        Some(&mock),
        &["groups", "--orgs", "all", "members", "Eng", "-o", "json"],
    )
    .await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    for row in rows(&listed) {
        assert_eq!(row["output"].as_array().unwrap().len(), 3, "{row}");
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "hr.csv",
        "username,department\nuser00001,Research\n",
    );
    let plan = jcbulk(
        Some(&mock),
        &[
            "sync",
            "--orgs",
            "all",
            "plan",
            "--csv",
            s(&csv),
            "--out",
            &format!("{}/plan-{{org}}.json", dir.path().display()),
            "--detailed-exitcode",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(plan.code, 4, "each org drifts: {}", plan.stderr);
    for org in &ids {
        assert!(Path::new(&format!("{}/plan-{org}.json", dir.path().display())).exists());
    }
}

#[tokio::test]
async fn a_profile_names_the_orgs_and_a_missing_org_gets_a_hint() {
    let mock = msp(2).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "users.csv", &users_csv("p", 2));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.msp]\nbase_url = \"{}\"\napi_key_env = \"MSP_KEY\"\norgs = \"all\"\n",
            mock.base_url()
        ),
    )
    .unwrap();
    let key = dir.path().join("unused");
    let _ = key;
    let run = crate::common::command(
        None,
        &[
            "users",
            "--profile",
            "msp",
            "create",
            "--csv",
            s(&csv),
            "-o",
            "json",
        ],
        &[],
    )
    .env("JCBULK_CONFIG", &config)
    .env("MSP_KEY", mock.api_key())
    .output()
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for org in org_ids(&mock) {
        assert_eq!(
            mock.users(&org).len(),
            2,
            "the profile's orgs each got the users"
        );
    }
    let missing = jcbulk_with(
        Some(&mock),
        &["users", "create", "--csv", s(&csv)],
        None,
        &[],
    )
    .await;
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no organization selected"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("--org-id ID") && missing.stderr.contains("jcbulk orgs list"),
        "{}",
        missing.stderr
    );
}

/// Ctrl-C in the middle of the second of two orgs (one at a time): it is passed on, the second
/// org's run ends as an interrupted single run does, and the fan-out exits 130; `--resume` runs
/// only what did not finish (the first org is skipped, the second re-attaches to its job from
/// its journal), and no job is sent twice.
#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_fan_out_resumes_only_what_did_not_finish() {
    use std::time::Duration;
    let config = MockConfig::default().orgs(2).process_rate(Some(20.0));
    let mock = MockServer::start(config).await.unwrap();
    let ids = org_ids(&mock);
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "users.csv", &users_csv("i", 4));
    let journal = format!("{}/j-{{org}}.journal", dir.path().display());
    let report = format!("{}/r-{{org}}.csv", dir.path().display());
    let args = [
        "users",
        "--orgs",
        "all",
        "--org-concurrency",
        "1",
        "create",
        "--csv",
        s(&csv),
        "--journal",
        &journal,
        "--report",
        &report,
        "-o",
        "json",
    ];
    let child = crate::common::spawn(Some(&mock), &args);
    for _ in 0..4000 {
        if !mock.jobs(&ids[1]).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        mock.jobs(&ids[1]).len(),
        1,
        "the second org submitted its job"
    );
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let run = crate::common::finish(child).await;
    assert_eq!(run.code, 130, "{}\n{}", run.stdout, run.stderr);
    let resumed = jcbulk(Some(&mock), &[&args[..], &["--resume"]].concat()).await;
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let notes: Vec<Value> = rows(&resumed).iter().map(|r| r["note"].clone()).collect();
    assert_eq!(
        notes[0], "finished in an earlier run (--resume)",
        "the first org is not run again"
    );
    assert_eq!(
        (mock.jobs(&ids[0]).len(), mock.jobs(&ids[1]).len()),
        (1, 1),
        "no job sent twice"
    );
    assert_eq!(
        (mock.users(&ids[0]).len(), mock.users(&ids[1]).len()),
        (4, 4)
    );
}
