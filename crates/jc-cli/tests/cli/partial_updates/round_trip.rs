//! The export round trip of an org of every tricky shape (issue 20, defects 2 and 5).

use super::{empty_mock, seed};
use super::{export, sent, table};
use crate::common::{jcbulk, s, write};
use serde_json::{json, Value};

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
