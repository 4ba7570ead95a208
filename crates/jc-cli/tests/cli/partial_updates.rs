//! Updates that send only the change the admin made (issue 20, CONTRACT.md sections 36-37):
//! each numbered defect of the issue has its test here, against jc-mock.

use crate::common::{jcbulk, s, write};
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;
use serde_json::{json, Value};

async fn empty_mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

fn user(value: Value) -> BulkUserCreate {
    serde_json::from_value(value).unwrap()
}

/// Adds `users` to the mock's org; their ids in order.
fn seed(mock: &MockServer, users: Vec<Value>) -> Vec<String> {
    let org = mock.default_org();
    users
        .into_iter()
        .map(|u| mock.insert_user(&org, &user(u)).unwrap())
        .collect()
}

/// A user's fields as the mock holds them.
fn fields(mock: &MockServer, username: &str) -> serde_json::Map<String, Value> {
    let user = mock
        .user_by_username(&mock.default_org(), username)
        .unwrap_or_else(|| panic!("no user {username}"));
    user.fields
}

/// Every record the mock received in bulk user jobs, as sent.
fn sent(mock: &MockServer) -> Vec<Value> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/bulk/users") && r.method != "GET")
        .flat_map(|r| match serde_json::from_str(&r.body) {
            Ok(Value::Array(records)) => records,
            _ => Vec::new(),
        })
        .collect()
}

async fn export(mock: &MockServer, extra: &[&str]) -> String {
    let mut args = vec!["users", "export", "-o", "csv"];
    args.extend_from_slice(extra);
    let run = jcbulk(Some(mock), &args).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// The cells of `csv` (header first), parsed.
fn table(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// Sets the cell of `column` in the row whose `id` is `id`.
fn edit(rows: &mut [Vec<String>], id: &str, column: &str, value: &str) {
    let at = rows[0].iter().position(|c| c == column).unwrap();
    let row = rows.iter_mut().find(|r| r[0] == id).unwrap();
    row[at] = value.to_owned();
}

fn ada() -> Value {
    json!({
        "username": "ada", "email": "ada@example.com", "department": "R&D",
        "attributes": [{"name": "costCode", "value": "CC-1"}, {"name": "site", "value": "B2"}],
        "phoneNumbers": [{"type": "work", "number": "+1 555 0100"}, {"type": "home", "number": "+1 555 0101"}],
        "addresses": [
            {"type": "home", "locality": "Paris", "country": "FR", "postalCode": "75001"},
            {"type": "work", "locality": "Berlin"},
        ],
    })
}

/// Defect 1: a row naming one entry of each list (the template's shape) keeps every other
/// entry, and only the lists it touches are sent.
#[tokio::test(flavor = "multi_thread")]
async fn d1_one_dotted_column_keeps_every_other_entry_of_its_list() {
    let mock = empty_mock().await;
    seed(&mock, vec![ada()]);
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "u.csv",
        "username,attributes.costCode,phoneNumbers.mobile,addresses.home.locality\nada,CC-2,+44 7700 900000,Lyon\n",
    );
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(
        (run.code, &run.json()["applied"]),
        (0, &json!(1)),
        "{}",
        run.stderr
    );
    let user = fields(&mock, "ada");
    assert_eq!(
        user["attributes"],
        json!([{"name": "costCode", "value": "CC-2"}, {"name": "site", "value": "B2"}])
    );
    assert_eq!(
        user["phoneNumbers"],
        json!([
            {"type": "work", "number": "+1 555 0100"},
            {"type": "home", "number": "+1 555 0101"},
            {"type": "mobile", "number": "+44 7700 900000"},
        ])
    );
    assert_eq!(
        user["addresses"],
        json!([
            {"type": "home", "locality": "Lyon", "country": "FR", "postalCode": "75001"},
            {"type": "work", "locality": "Berlin"},
        ])
    );
    assert_eq!(user["department"], "R&D");
    let records = sent(&mock);
    assert_eq!(records.len(), 1);
    let mut keys: Vec<&String> = records[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["addresses", "attributes", "id", "phoneNumbers"]);
}

/// Every shape the dotted convention cannot hold, and values spreadsheets mangle.
fn tricky() -> Vec<Value> {
    vec![
        json!({"username": "twophones", "email": "two@example.com",
               "phoneNumbers": [{"type": "work", "number": "+1 555 0001"}, {"type": "work", "number": "+1 555 0002"},
                                {"number": "0800 000"}]}),
        json!({"username": "attrs", "email": "attrs@example.com",
               "attributes": [{"name": "dup", "value": "1"}, {"name": "dup", "value": "2"},
                              {"name": "Case", "value": "upper"}, {"name": "case", "value": "lower"},
                              {"name": " spaced ", "value": "s"}]}),
        json!({"username": "twohomes", "email": "homes@example.com",
               "addresses": [{"type": "home", "locality": "Paris"}, {"type": "home", "locality": "Nice", "country": "FR"},
                             {"locality": "Nowhere"}]}),
        json!({"username": "staged", "email": "staged@example.com", "state": "STAGED", "department": "Ops"}),
        json!({"username": "formula", "email": "formula@example.com",
               "department": "=cmd|' /C calc'!A0", "jobTitle": "+SUM(1)", "company": "-1", "location": "@home",
               "costCenter": "'quoted", "employeeIdentifier": "00123",
               "phoneNumbers": [{"type": "mobile", "number": "+14155550100"}],
               "description": "line one\nline two, \"quoted\""}),
        json!({"username": "plain", "email": "plain@example.com", "department": "Sales",
               "attributes": [{"name": "costCode", "value": "CC-7"}]}),
    ]
}

/// Defects 2 and 5, and the acceptance round trip: an org of every tricky shape exports, updates
/// from the unedited file with zero records sent, and exports again byte-identical; with
/// `--spreadsheet-safe` too.
#[tokio::test(flavor = "multi_thread")]
async fn d2_d5_the_unedited_round_trip_sends_nothing_and_exports_the_same_bytes() {
    let mock = empty_mock().await;
    seed(&mock, tricky());
    let dir = tempfile::tempdir().unwrap();
    for flags in [&["--for", "update"][..], &["--spreadsheet-safe"][..]] {
        let first = export(&mock, flags).await;
        let rows = table(&first);
        let header = &rows[0];
        // Nothing dropped, merged or renamed: the lists that cannot be dotted are whole JSON.
        for column in [
            "phoneNumbers",
            "attributes",
            "addresses",
            "state",
            "jcbulk_base",
        ] {
            assert!(header.contains(&column.to_owned()), "{column}: {header:?}");
        }
        assert!(
            !header
                .iter()
                .any(|c| c.starts_with("attributes.") && c.contains("ase")),
            "{header:?}"
        );
        let phones = header.iter().position(|c| c == "phoneNumbers").unwrap();
        let two = rows
            .iter()
            .find(|r| r.contains(&"twophones".to_owned()))
            .unwrap();
        let listed: Value = serde_json::from_str(&two[phones]).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");
        let attributes = header.iter().position(|c| c == "attributes").unwrap();
        let attrs = rows
            .iter()
            .find(|r| r.contains(&"attrs".to_owned()))
            .unwrap();
        let listed: Value = serde_json::from_str(&attrs[attributes]).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 5);
        assert!(
            attrs[attributes].contains("\" spaced \""),
            "{}",
            attrs[attributes]
        );
        if flags == ["--spreadsheet-safe"] {
            assert!(first.contains("'=cmd|"), "{first}");
            assert!(
                first.contains("'+14155550100") || first.contains("'+1"),
                "{first}"
            );
            assert!(first.contains("''quoted"), "{first}");
            assert!(
                !first.contains(",=cmd") && !first.contains(",+SUM"),
                "{first}"
            );
        }
        let csv = write(dir.path(), "export.csv", &first);
        let run = jcbulk(
            Some(&mock),
            &["users", "update", "--csv", s(&csv), "-o", "json"],
        )
        .await;
        assert_eq!(run.code, 0, "{flags:?}: {}", run.stderr);
        assert_eq!(run.json()["unchanged"], 6, "{}", run.stdout);
        assert_eq!(run.json()["applied"], 0);
        assert!(
            sent(&mock).is_empty(),
            "zero records sent: {:?}",
            sent(&mock)
        );
        let second = export(&mock, flags).await;
        assert_eq!(first, second, "the second export is byte-identical");
    }
    // A file without a base round-trips too (read, compare, send the difference).
    let plain = export(&mock, &[]).await;
    let csv = write(dir.path(), "plain.csv", &plain);
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(
        (run.code, &run.json()["unchanged"]),
        (0, &json!(6)),
        "{}",
        run.stderr
    );
    assert!(sent(&mock).is_empty());
}

/// Defect 3: a day-old export undoes nothing: a suspension and a lock made after the export stay
/// when the admin changes only the department.
#[tokio::test(flavor = "multi_thread")]
async fn d3_a_stale_export_leaves_a_later_suspension_and_lock_in_place() {
    let mock = empty_mock().await;
    let ids = seed(&mock, vec![ada()]);
    let exported = export(&mock, &["--for", "update"]).await;
    // Security acts after the export.
    let dir = tempfile::tempdir().unwrap();
    let lock = write(
        dir.path(),
        "lock.csv",
        &format!("id,state,account_locked\n{},SUSPENDED,true\n", ids[0]),
    );
    assert_eq!(
        jcbulk(Some(&mock), &["users", "update", "--csv", s(&lock)])
            .await
            .code,
        0
    );
    let mut rows = table(&exported);
    edit(&mut rows, &ids[0], "department", "Finance");
    let csv = write(dir.path(), "edited.csv", &to_csv(&rows));
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(
        (run.code, &run.json()["applied"]),
        (0, &json!(1)),
        "{}",
        run.stderr
    );
    let user = mock.user_by_username(&mock.default_org(), "ada").unwrap();
    assert_eq!(user.state, "SUSPENDED");
    assert!(user.account_locked);
    assert_eq!(user.fields["department"], "Finance");
    let last = sent(&mock).pop().unwrap();
    assert_eq!(last, json!({"id": ids[0], "department": "Finance"}));
}

/// Defect 4: `(clear)` removes exactly one entry and blanks a field; in an exported file an
/// emptied cell clears; an empty cell of a file without a base leaves the value.
#[tokio::test(flavor = "multi_thread")]
async fn d4_clearing_removes_exactly_one_entry() {
    let mock = empty_mock().await;
    let ids = seed(&mock, vec![ada()]);
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "clear.csv",
        "id,attributes.site,phoneNumbers.home,addresses.home.postalCode,department,jobTitle\n",
    );
    let text = std::fs::read_to_string(&csv).unwrap()
        + &format!("{},(clear),(clear),(clear),(clear),\n", ids[0]);
    std::fs::write(&csv, text).unwrap();
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&csv), "-o", "json"],
    )
    .await;
    assert_eq!(
        (run.code, &run.json()["applied"]),
        (0, &json!(1)),
        "{}",
        run.stderr
    );
    let user = fields(&mock, "ada");
    assert_eq!(
        user["attributes"],
        json!([{"name": "costCode", "value": "CC-1"}])
    );
    assert_eq!(
        user["phoneNumbers"],
        json!([{"type": "work", "number": "+1 555 0100"}])
    );
    assert_eq!(
        user["addresses"],
        json!([{"type": "home", "locality": "Paris", "country": "FR"}, {"type": "work", "locality": "Berlin"}])
    );
    assert_eq!(user["department"], "");
    // An exported file: the emptied cell clears that entry, and only it.
    let mut rows = table(&export(&mock, &["--for", "update"]).await);
    edit(&mut rows, &ids[0], "attributes.costCode", "");
    let edited = write(dir.path(), "edited.csv", &to_csv(&rows));
    let run = jcbulk(
        Some(&mock),
        &["users", "update", "--csv", s(&edited), "-o", "json"],
    )
    .await;
    assert_eq!(
        (run.code, &run.json()["applied"]),
        (0, &json!(1)),
        "{}",
        run.stderr
    );
    let user = fields(&mock, "ada");
    assert_eq!(user["attributes"], json!([]));
    assert_eq!(
        user["phoneNumbers"],
        json!([{"type": "work", "number": "+1 555 0100"}])
    );
    // `(clear)` where nothing can be cleared is a row error naming the column.
    let bad = write(
        dir.path(),
        "bad.csv",
        &format!("id,account_locked\n{},(clear)\n", ids[0]),
    );
    let run = jcbulk(Some(&mock), &["users", "update", "--csv", s(&bad)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 2: account_locked: `(clear)`"),
        "{}",
        run.stderr
    );
}

/// A cell changed both in the file and in JumpCloud since the export: not submitted, both
/// values in the reason; the other rows go.
#[tokio::test(flavor = "multi_thread")]
async fn a_change_on_both_sides_is_a_conflict_with_both_values() {
    let mock = empty_mock().await;
    let ids = seed(
        &mock,
        vec![
            ada(),
            json!({"username": "bob", "email": "bob@example.com", "department": "Ops"}),
        ],
    );
    let exported = export(&mock, &["--for", "update"]).await;
    let dir = tempfile::tempdir().unwrap();
    let moved = write(
        dir.path(),
        "m.csv",
        &format!("id,department\n{},Legal\n", ids[0]),
    );
    assert_eq!(
        jcbulk(Some(&mock), &["users", "update", "--csv", s(&moved)])
            .await
            .code,
        0
    );
    let mut rows = table(&exported);
    edit(&mut rows, &ids[0], "department", "Finance");
    edit(&mut rows, &ids[1], "department", "Finance");
    let csv = write(dir.path(), "edited.csv", &to_csv(&rows));
    let report = dir.path().join("report.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--report",
            s(&report),
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        (&run.json()["applied"], &run.json()["not_submitted"]),
        (&json!(1), &json!(1))
    );
    let report = std::fs::read_to_string(&report).unwrap();
    let conflict = report
        .lines()
        .find(|l| l.contains("not_submitted"))
        .unwrap();
    assert!(
        conflict.contains("`department` is `Finance` in the file and `Legal` in JumpCloud"),
        "{conflict}"
    );
    assert_eq!(fields(&mock, "ada")["department"], "Legal");
    assert_eq!(fields(&mock, "bob")["department"], "Finance");
}

/// The dry run says how many users change, by column, and how many are unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn the_dry_run_counts_changes_by_column() {
    let mock = empty_mock().await;
    seed(
        &mock,
        vec![
            ada(),
            json!({"username": "bob", "email": "bob@example.com", "department": "Ops"}),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "u.csv",
        "username,department,attributes.costCode\nada,R&D,CC-9\nbob,Sales,\n",
    );
    let dry = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--dry-run",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let plan = dry.json();
    assert_eq!(
        (&plan["change"], &plan["unchanged"]),
        (&json!(2), &json!(0))
    );
    assert_eq!(
        plan["fields"],
        json!({"attributes.costCode": 1, "department": 1})
    );
    assert!(sent(&mock).is_empty());
    let table = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--dry-run",
            "-o",
            "table",
        ],
    )
    .await;
    assert!(
        table.stdout.contains("2 users change, 0 unchanged"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("attributes.costCode: 1, department: 1"),
        "{}",
        table.stdout
    );
}

/// Defect 6: a manager named by username or e-mail is resolved in the checking pass; one that
/// names the row's own user, or no one, is a row error.
#[tokio::test(flavor = "multi_thread")]
async fn d6_managers_by_username_and_email() {
    let mock = empty_mock().await;
    let ids = seed(
        &mock,
        vec![
            ada(),
            json!({"username": "bob", "email": "bob@example.com"}),
            json!({"username": "cy", "email": "cy@example.com"}),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "m.csv",
        "username,manager\nbob,ADA\ncy,Ada@Example.com\nada,ada\n",
    );
    // The row naming its own user as its manager is a row error: nothing is sent without
    // --skip-invalid.
    let refused = jcbulk(Some(&mock), &["users", "update", "--csv", s(&csv)]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("line 4: manager: `ada` is this row's own user"),
        "{}",
        refused.stderr
    );
    assert!(sent(&mock).is_empty());
    let report = dir.path().join("r.csv");
    let run = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "--report",
            s(&report),
            "-q",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        (&run.json()["applied"], &run.json()["not_submitted"]),
        (&json!(2), &json!(1))
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(
        report.contains("invalid: manager: `ada` is this row's own user"),
        "{report}"
    );
    assert_eq!(fields(&mock, "bob")["manager"], json!(ids[0]));
    assert_eq!(fields(&mock, "cy")["manager"], json!(ids[0]));
    assert!(!fields(&mock, "ada").contains_key("manager"));
    // A manager that names no one: a row error with its line.
    let ghost = write(dir.path(), "g.csv", "username,manager\nbob,ghost\n");
    let run = jcbulk(Some(&mock), &["users", "update", "--csv", s(&ghost)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("line 2: manager: no user with username `ghost`"),
        "{}",
        run.stderr
    );
    // The manager is compared like any field: naming the current one changes nothing.
    let again = jcbulk(
        Some(&mock),
        &[
            "users",
            "update",
            "--csv",
            s(&csv),
            "--skip-invalid",
            "-q",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(again.json()["unchanged"], 2, "{}", again.stdout);
}
