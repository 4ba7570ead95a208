//! Property-based round-trips of the big bodies (issue 2): random JSON drawn from the spec's own
//! schema (a random subset of the properties, random text, plus unknown properties) reads into
//! the Rust type and writes back to the same JSON; and the typed value survives JSON unchanged.

use jc_e2e::{schema, spec};
use jc_models::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Map, Value};
use std::fmt::Debug;

fn text() -> BoxedStrategy<Value> {
    any::<String>().prop_map(Value::String).boxed()
}

/// A strategy for JSON values valid against the spec schema `node`.
fn strategy(spec: &Value, node: &Value) -> BoxedStrategy<Value> {
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return strategy(spec, schema(spec, name));
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        return proptest::sample::select(values.clone()).boxed();
    }
    let value = match node.get("type").and_then(Value::as_str).unwrap_or("object") {
        "string" if node.get("format").and_then(Value::as_str) == Some("date-time") => {
            // Any instant from 1970 to 2100, in the SDK's canonical wire form.
            (0i64..4_102_444_800_000)
                .prop_map(|ms| {
                    let instant = chrono::DateTime::from_timestamp_millis(ms).unwrap();
                    json!(Timestamp::new(instant).to_wire())
                })
                .boxed()
        }
        "string" => text(),
        "integer" if node.get("format").and_then(Value::as_str) == Some("int32") => {
            any::<i32>().prop_map(|n| json!(n)).boxed()
        }
        "integer" => any::<i64>().prop_map(|n| json!(n)).boxed(),
        "boolean" => any::<bool>().prop_map(|b| json!(b)).boxed(),
        "array" => proptest::collection::vec(strategy(spec, &node["items"]), 0..3)
            .prop_map(Value::Array)
            .boxed(),
        _ => object(spec, node),
    };
    if node.get("nullable") == Some(&json!(true)) {
        prop_oneof![1 => Just(Value::Null), 4 => value].boxed()
    } else {
        value
    }
}

/// Objects: each declared property present or not (required ones always), plus up to two
/// unknown properties that must pass through.
fn object(spec: &Value, node: &Value) -> BoxedStrategy<Value> {
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return proptest::collection::btree_map("[a-z]{1,6}", text(), 0..3)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
            .boxed();
    };
    let required: Vec<&str> = node["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
        .iter()
        .map(|(name, prop)| {
            let name = name.clone();
            let value = strategy(spec, prop);
            if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    let unknown = proptest::collection::btree_map("x_unknown_[a-z]{1,6}", text(), 0..3);
    (fields, unknown)
        .prop_map(|(fields, unknown)| {
            let mut map: Map<String, Value> = fields.into_iter().flatten().collect();
            map.extend(unknown);
            Value::Object(map)
        })
        .boxed()
}

fn check<T>(spec_name: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let spec = spec();
    let strategy = strategy(&spec, schema(&spec, spec_name));
    let mut runner = TestRunner::new(Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |value| {
            let typed: T = serde_json::from_value(value.clone())
                .map_err(|e| TestCaseError::fail(format!("{spec_name} does not read: {e}")))?;
            let written = serde_json::to_value(&typed).unwrap();
            prop_assert_eq!(&written, &value, "{} JSON -> Rust -> JSON", spec_name);
            let text = serde_json::to_string(&typed).unwrap();
            let again: T = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&again, &typed, "{} Rust -> JSON -> Rust", spec_name);
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

#[test]
fn bulk_user_create_round_trips() {
    check::<BulkUserCreate>("bulk-user-create");
}

#[test]
fn bulk_user_update_round_trips() {
    check::<BulkUserUpdate>("bulk-user-update");
}

#[test]
fn bulk_user_expire_and_unlock_round_trip() {
    check::<BulkUserExpire>("bulk-user-expire");
    check::<BulkUserUnlock>("bulk-user-unlock");
}

#[test]
fn statechange_and_responses_round_trip() {
    check::<BulkScheduledStatechangeCreate>("bulk-scheduled-statechange-create");
    check::<JobWorkresult>("job-workresult");
    check::<JobDetails>("job-details");
    check::<BulkUserStatesGetNextScheduledResponse>("BulkUserStatesGetNextScheduledResponse");
    check::<ErrorDetails>("ErrorDetails");
}

#[test]
fn unknown_enum_values_in_responses_round_trip() {
    let body = json!({
        "scheduledDate": "2026-01-01T09:00:00Z",
        "scheduledJobId": "j1",
        "state": "ARCHIVED",
        "systemUserId": "u1"
    });
    let typed: ScheduledUserstateResult = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(typed.state, Some(UserState::Other("ARCHIVED".into())));
    assert_eq!(serde_json::to_value(&typed).unwrap(), body);

    let result: JobWorkresult = serde_json::from_value(json!({"status": "retrying"})).unwrap();
    assert_eq!(result.status, Some(WorkStatus::Other("retrying".into())));
    assert!(!result.is_terminal());
}

#[test]
fn caller_supplied_extra_fields_are_sent() {
    let mut user = BulkUserCreate::new("ada", "ada@example.com");
    user.extra.insert("futureFlag".into(), json!(true));
    let sent = serde_json::to_value(&user).unwrap();
    assert_eq!(
        sent,
        json!({"username": "ada", "email": "ada@example.com", "futureFlag": true})
    );
}

#[test]
fn nullable_delegated_authority_keeps_null_apart_from_absent() {
    let null: BulkUserUpdate =
        serde_json::from_value(json!({"id": "u1", "delegatedAuthority": null})).unwrap();
    assert_eq!(null.delegated_authority, Some(None));
    assert_eq!(
        serde_json::to_value(&null).unwrap(),
        json!({"id": "u1", "delegatedAuthority": null})
    );
    let absent: BulkUserUpdate = serde_json::from_value(json!({"id": "u1"})).unwrap();
    assert_eq!(absent.delegated_authority, None);
}

/// Issue 21: a group with a membership method and fields this SDK does not know reads and
/// writes back unchanged; `null` attributes read as absent (CONTRACT.md section 27); a member
/// edge and a memberof entry read as section 28 says; the change body has exactly three keys.
#[test]
fn groups_are_forward_compatible_and_exact() {
    let body = json!({
        "id": "5f0c1b2c3d4e5f6a7b8c9d01",
        "name": "Engineering",
        "type": "user_group",
        "membershipMethod": "DYNAMIC_SOMEDAY",
        "futureField": {"nested": [1, 2]},
        "memberQuery": {"queryType": "FilterQuery", "filters": ["{\"field\":\"department\"}"]}
    });
    let group: UserGroup = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        group.membership_method,
        Some(MembershipMethod::Other("DYNAMIC_SOMEDAY".into()))
    );
    assert!(!group.method().is_automated());
    assert_eq!(serde_json::to_value(&group).unwrap(), body);
    let null_attributes: UserGroup =
        serde_json::from_value(json!({"id": "g", "attributes": null})).unwrap();
    assert_eq!(null_attributes.attributes, None);

    let edge: GraphConnection =
        serde_json::from_value(json!({"to": {"type": "user", "id": "u1"}})).unwrap();
    assert_eq!(edge.user_id(), Some("u1"));
    let other: GraphConnection =
        serde_json::from_value(json!({"to": {"type": "system", "id": "s1"}})).unwrap();
    assert_eq!(other.user_id(), None);
    let direct: GraphObjectWithPaths = serde_json::from_value(json!({
        "id": "g", "type": "user_group",
        "paths": [[{"to": {"id": "g", "type": "user_group"}}]]
    }))
    .unwrap();
    assert!(direct.is_direct());
    let indirect: GraphObjectWithPaths = serde_json::from_value(json!({
        "id": "g", "type": "user_group",
        "paths": [[{"to": {"id": "h", "type": "user_group"}}, {"to": {"id": "g", "type": "user_group"}}]]
    }))
    .unwrap();
    assert!(!indirect.is_direct());
    assert_eq!(
        serde_json::to_value(GraphOperationUserGroupMember::user(MemberOp::Add, "u1")).unwrap(),
        json!({"op": "add", "type": "user", "id": "u1"})
    );
}
