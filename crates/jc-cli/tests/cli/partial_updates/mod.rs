//! Updates that send only the change the admin made (issue 20, CONTRACT.md sections 36-37):
//! each numbered defect of the issue has its test here, against jc-mock.

use crate::common::{jcbulk, s, write};
use jc_mock::{MockConfig, MockServer};
use jc_models::BulkUserCreate;
use serde_json::{json, Value};

mod managers;
mod round_trip;

async fn empty_mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

pub(super) fn user(value: Value) -> BulkUserCreate {
    serde_json::from_value(value).unwrap()
}

/// Adds `users` to the mock's org; their ids in order.
pub(super) fn seed(mock: &MockServer, users: Vec<Value>) -> Vec<String> {
    let org = mock.default_org();
    users
        .into_iter()
        .map(|u| mock.insert_user(&org, &user(u)).unwrap())
        .collect()
}

/// A user's fields as the mock holds them.
pub(super) fn fields(mock: &MockServer, username: &str) -> serde_json::Map<String, Value> {
    let user = mock
        .user_by_username(&mock.default_org(), username)
        .unwrap_or_else(|| panic!("no user {username}"));
    user.fields
}

/// Every record the mock received in bulk user jobs, as sent.
pub(super) fn sent(mock: &MockServer) -> Vec<Value> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/bulk/users") && r.method != "GET")
        .flat_map(|r| match serde_json::from_str(&r.body) {
            Ok(Value::Array(records)) => records,
            _ => Vec::new(),
        })
        .collect()
}

pub(super) async fn export(mock: &MockServer, extra: &[&str]) -> String {
    let mut args = vec!["users", "export", "-o", "csv"];
    args.extend_from_slice(extra);
    let run = jcbulk(Some(mock), &args).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// The cells of `csv` (header first), parsed.
pub(super) fn table(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

pub(super) fn to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// Sets the cell of `column` in the row whose `id` is `id`.
pub(super) fn edit(rows: &mut [Vec<String>], id: &str, column: &str, value: &str) {
    let at = rows[0].iter().position(|c| c == column).unwrap();
    let row = rows.iter_mut().find(|r| r[0] == id).unwrap();
    row[at] = value.to_owned();
}

pub(super) fn ada() -> Value {
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

/// A base moved onto another user's row (a sort that left the base column behind) is a row
/// error: it would compare one user with what another held.
#[tokio::test(flavor = "multi_thread")]
async fn a_base_moved_to_another_users_row_is_a_row_error() {
    let mock = empty_mock().await;
    let ids = seed(
        &mock,
        vec![
            ada(),
            json!({"username": "bob", "email": "bob@example.com", "department": "Ops"}),
        ],
    );
    let mut rows = table(&export(&mock, &["--for", "update"]).await);
    let base = rows[0].iter().position(|c| c == "jcbulk_base").unwrap();
    let (first, second) = (rows[1][base].clone(), rows[2][base].clone());
    rows[1][base] = second;
    rows[2][base] = first;
    edit(&mut rows, &ids[0], "department", "Finance");
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "moved.csv", &to_csv(&rows));
    let run = jcbulk(Some(&mock), &["users", "update", "--csv", s(&csv)]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("line 2: jcbulk_base: this row's base was exported for another user"),
        "{}",
        run.stderr
    );
    assert!(sent(&mock).is_empty());
    assert_eq!(fields(&mock, "ada")["department"], "R&D");
}
