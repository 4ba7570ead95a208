//! The spec's examples, code samples and the seed documents' curl samples, against the models
//! (issue 2).

use jc_e2e::{curl_bodies, schema, seed, spec};
use jc_models::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};

/// Replaces every date-time string by its canonical wire form, so that a zone-less or
/// second-precision example compares equal to what the SDK sends (CONTRACT.md section 7: the
/// SDK always sends RFC 3339 UTC with a `Z`).
fn canonical_times(value: &Value) -> Value {
    match value {
        Value::String(text) if text.contains('T') => match Timestamp::parse(text) {
            Some(ts) => Value::String(ts.to_wire()),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(canonical_times).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), canonical_times(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Checks one sample against a type.
type Check = fn(&Value);

fn round_trip<T: Serialize + DeserializeOwned>(value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|error| panic!("does not read {value}: {error}"));
    serde_json::to_value(&typed).unwrap()
}

fn assert_round_trips<T: Serialize + DeserializeOwned>(value: &Value) {
    assert_eq!(
        canonical_times(&round_trip::<T>(value)),
        canonical_times(value),
        "{value} does not round-trip"
    );
}

#[test]
fn every_x_examples_entry_round_trips() {
    let spec = spec();
    let checks: [(&str, Check); 3] = [
        (
            "bulk-scheduled-statechange-create",
            assert_round_trips::<BulkScheduledStatechangeCreate>,
        ),
        ("Error", assert_round_trips::<ErrorBody>),
        ("job-id", assert_round_trips::<JobIdBody>),
    ];
    let mut seen = 0;
    for (name, check) in checks {
        let examples = schema(&spec, name)["x-examples"].as_object().unwrap();
        for example in examples.values() {
            check(example);
            seen += 1;
        }
    }
    // Every x-examples entry of the spec was checked above.
    let total: usize = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|s| s.get("x-examples").and_then(Value::as_object))
        .map(|examples| examples.len())
        .sum();
    assert_eq!(seen, total);
    assert_eq!(seen, 4);
}

#[test]
fn zone_less_example_dates_are_sent_with_z() {
    let spec = spec();
    let example = &schema(&spec, "bulk-scheduled-statechange-create")["x-examples"]["example-1"];
    let sent = round_trip::<BulkScheduledStatechangeCreate>(example);
    assert_eq!(example["start_date"], "2020-01-01T02:00:00");
    assert_eq!(sent["start_date"], "2020-01-01T02:00:00.000Z");
}

/// The body samples of one operation: its description's curl sample and its code samples.
fn operation_bodies(spec: &Value, path: &str, method: &str) -> Vec<Value> {
    let operation = &spec["paths"][path][method];
    let mut text = operation["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for sample in operation["x-codeSamples"].as_array().into_iter().flatten() {
        if sample["lang"] == "Shell" {
            text.push_str(sample["source"].as_str().unwrap_or_default());
        }
    }
    curl_bodies(&text)
}

#[test]
fn every_request_body_sample_of_the_spec_round_trips() {
    let spec = spec();
    let operations: [(&str, &str, Check); 5] = [
        (
            "/bulk/users",
            "post",
            assert_round_trips::<Vec<BulkUserCreate>>,
        ),
        (
            "/bulk/users",
            "patch",
            assert_round_trips::<Vec<BulkUserUpdate>>,
        ),
        (
            "/bulk/user/expires",
            "post",
            assert_round_trips::<Vec<BulkUserExpire>>,
        ),
        (
            "/bulk/user/unlocks",
            "post",
            assert_round_trips::<Vec<BulkUserUnlock>>,
        ),
        (
            "/bulk/userstates",
            "post",
            assert_round_trips::<BulkScheduledStatechangeCreate>,
        ),
    ];
    for (path, method, check) in operations {
        let bodies = operation_bodies(&spec, path, method);
        assert!(!bodies.is_empty(), "{method} {path} has no body sample");
        for body in &bodies {
            check(body);
        }
    }
}

/// The first curl body of a seed document.
fn seed_body(file: &str, needle: &str) -> Value {
    curl_bodies(&seed(file))
        .into_iter()
        .find(|body| body.to_string().contains(needle))
        .unwrap_or_else(|| panic!("{file} has no sample with {needle}"))
}

#[test]
fn seed_create_sample_is_built_exactly() {
    let users = jc_e2e::samples::create_users();
    let sent = serde_json::to_value(&users).unwrap();
    for file in [
        "000_ca2b584cacb52941.txt",
        "001_58842e2fff4c0530.txt",
        "003_eeba0765eea4bd2f.txt",
    ] {
        assert_eq!(sent, seed_body(file, "EmployeeID"), "{file}");
    }
}

#[test]
fn seed_update_sample_is_built_exactly() {
    let changes = jc_e2e::samples::update_users();
    let sent = serde_json::to_value(&changes).unwrap();
    assert_eq!(sent, seed_body("001_58842e2fff4c0530.txt", "costCenter"));
    assert_eq!(sent, seed_body("003_eeba0765eea4bd2f.txt", "costCenter"));
}

#[test]
fn seed_scheduled_suspension_sample_is_built_exactly() {
    let body = jc_e2e::samples::suspension();
    assert!(body.validate().is_ok());
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        seed_body("004_7ee6fc1df88c8eb8.txt", "SUSPENDED")
    );
}

#[test]
fn response_bodies_of_the_contract_decode() {
    // CONTRACT.md section 2: work results carry meta.index/username/email/userId.
    let result: JobWorkresult = serde_json::from_value(json!({
        "id": "r1", "status": "FINISHED", "statusMsg": "",
        "meta": {"index": 3, "username": "ada", "email": "ada@example.com", "userId": "u1"},
        "persistedFields": {"username": "ada"},
        "createdAt": "2026-01-01T09:00:00Z", "updatedAt": "2026-01-01T09:00:01",
        "queue": "bulk-7"
    }))
    .unwrap();
    assert!(result.is_terminal() && !result.is_failure());
    assert_eq!(result.index(), Some(3));
    assert_eq!(
        (result.username(), result.email(), result.user_id()),
        (Some("ada"), Some("ada@example.com"), Some("u1"))
    );
    assert_eq!(result.extra["queue"], "bulk-7");
    assert!(result.updated_at.unwrap().instant().is_some());
}
