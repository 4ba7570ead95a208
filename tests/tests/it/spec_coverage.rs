//! Every schema of the spec has a Rust type that reads and writes every property under the
//! same JSON name and JSON type, and nothing else (issue 2). The Rust side is described by
//! `schemars` (feature `schema` of jc-models, derived from the same serde attributes that drive
//! the wire format); both sides are reduced to a [`Shape`] tree and compared.

use jc_e2e::{schema, spec, spec_groups, spec_orgs, spec_v1};
use jc_models::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The JSON structure of a schema: names and JSON types, recursively.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Scalar(&'static str),
    Array(Box<Shape>),
    /// An object with declared properties.
    Object(BTreeMap<String, Shape>),
    /// An object of free-form properties (`additionalProperties`).
    Map,
    /// Any JSON value (`oneOf` alternatives in the spec, `serde_json::Value` in Rust).
    Any,
}

fn scalar(kind: &str) -> &'static str {
    match kind {
        "string" => "string",
        "integer" => "integer",
        "number" => "number",
        "boolean" => "boolean",
        other => panic!("unexpected JSON type {other}"),
    }
}

/// The shape of an OpenAPI schema node; `$ref`s point into `components.schemas`.
fn spec_shape(spec: &Value, node: &Value) -> Shape {
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return spec_shape(spec, schema(spec, name));
    }
    if node.get("oneOf").is_some() || node.as_object().is_some_and(|o| o.is_empty()) {
        return Shape::Any;
    }
    if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
        let mut merged = BTreeMap::new();
        for part in parts {
            match spec_shape(spec, part) {
                Shape::Object(props) => merged.extend(props),
                // A free-form part (`GraphAttributes`) adds no declared property.
                Shape::Map => {}
                other => panic!("allOf of a non-object: {other:?}"),
            }
        }
        return Shape::Object(merged);
    }
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("object");
    match kind {
        "array" => Shape::Array(Box::new(spec_shape(spec, &node["items"]))),
        "object" => match node.get("properties").and_then(Value::as_object) {
            Some(props) => Shape::Object(
                props
                    .iter()
                    .map(|(name, prop)| (name.clone(), spec_shape(spec, prop)))
                    .collect(),
            ),
            None => Shape::Map,
        },
        other => Shape::Scalar(scalar(other)),
    }
}

/// The shape of a schemars schema node; `$ref`s point into the root's `$defs`; `null` in a
/// type list (how `Option` shows) is ignored.
fn rust_shape(root: &Value, node: &Value) -> Shape {
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/$defs/");
        return rust_shape(root, &root["$defs"][name]);
    }
    let untyped = node.as_object().is_some_and(|o| {
        !["type", "$ref", "anyOf", "properties", "allOf", "oneOf"]
            .iter()
            .any(|key| o.contains_key(*key))
    });
    if node == &Value::Bool(true) || untyped {
        return Shape::Any;
    }
    if let Some(options) = node.get("anyOf").and_then(Value::as_array) {
        let non_null: Vec<_> = options.iter().filter(|o| o["type"] != "null").collect();
        assert_eq!(non_null.len(), 1, "unexpected anyOf {node}");
        return rust_shape(root, non_null[0]);
    }
    let kind = match &node["type"] {
        Value::String(kind) => kind.as_str(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .unwrap_or_else(|| panic!("no type in {node}")),
        _ => panic!("no type in {node}"),
    };
    match kind {
        "array" => Shape::Array(Box::new(rust_shape(root, &node["items"]))),
        "object" => match node.get("properties").and_then(Value::as_object) {
            Some(props) => Shape::Object(
                props
                    .iter()
                    .map(|(name, prop)| (name.clone(), rust_shape(root, prop)))
                    .collect(),
            ),
            None => Shape::Map,
        },
        other => Shape::Scalar(scalar(other)),
    }
}

/// A JSON value that sets every property of the spec schema, with its JSON type.
fn sample(spec: &Value, node: &Value) -> Value {
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return sample(spec, schema(spec, name));
    }
    if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
        let mut merged = serde_json::Map::new();
        for part in parts {
            if let Value::Object(props) = sample(spec, part) {
                merged.extend(props);
            }
        }
        return Value::Object(merged);
    }
    if let Some(first) = node.get("enum").and_then(|e| e.get(0)) {
        return first.clone();
    }
    if let Some(first) = node.get("oneOf").and_then(|o| o.get(0)) {
        return sample(spec, first);
    }
    match node.get("type").and_then(Value::as_str).unwrap_or("object") {
        "string" if node.get("format").and_then(Value::as_str) == Some("date-time") => {
            json!("2020-01-01T02:00:00.000Z")
        }
        "string" => json!("text"),
        "integer" | "number" => json!(7),
        "boolean" => json!(true),
        "array" => json!([sample(spec, &node["items"])]),
        _ => match node.get("properties").and_then(Value::as_object) {
            Some(props) => Value::Object(
                props
                    .iter()
                    .map(|(name, prop)| (name.clone(), sample(spec, prop)))
                    .collect(),
            ),
            None => json!({ "free": "form" }),
        },
    }
}

struct Case {
    spec_name: &'static str,
    rust_schema: fn() -> Value,
    round_trip: fn(&Value) -> Value,
}

macro_rules! case {
    ($spec_name:literal => $ty:ty) => {
        Case {
            spec_name: $spec_name,
            rust_schema: || serde_json::to_value(schemars::schema_for!($ty)).unwrap(),
            round_trip: |value| {
                let typed: $ty = serde_json::from_value(value.clone()).unwrap_or_else(|error| {
                    panic!("{} does not read {value}: {error}", stringify!($ty))
                });
                serde_json::to_value(&typed).unwrap()
            },
        }
    };
}

/// Every schema of the spec, with its Rust type.
fn cases() -> Vec<Case> {
    vec![
        case!("bulk-scheduled-statechange-create" => BulkScheduledStatechangeCreate),
        case!("bulk-user-create" => BulkUserCreate),
        case!("bulk-user-expire" => BulkUserExpire),
        case!("bulk-user-unlock" => BulkUserUnlock),
        case!("bulk-user-update" => BulkUserUpdate),
        case!("BulkUserStatesGetNextScheduledResponse" => BulkUserStatesGetNextScheduledResponse),
        case!("Error" => ErrorBody),
        case!("ErrorDetails" => ErrorDetails),
        case!("job-details" => JobDetails),
        case!("job-id" => JobIdBody),
        case!("job-workresult" => JobWorkresult),
        case!("mfa" => Mfa),
        case!("restrictedField" => RestrictedField),
        case!("scheduled-userstate-result" => ScheduledUserstateResult),
        case!("sshkeypost" => SshKeyPost),
    ]
}

/// Every schema of the v1 subset, with its Rust type (`ObjectId` is a plain string: ids are
/// `String`s in the v1 types).
fn cases_v1() -> Vec<Case> {
    vec![
        case!("Address" => SystemUserAddress),
        case!("Attribute" => Attribute),
        case!("Error" => ErrorBody),
        case!("Mfa" => Mfa),
        case!("PhoneNumber" => SystemUserPhoneNumber),
        case!("RecoveryEmail" => SystemUserRecoveryEmail),
        case!("Relationship" => Relationship),
        case!("RestrictedField" => RestrictedField),
        case!("SearchFilterLogical" => SearchFilterLogical),
        case!("SearchTextFilter" => SearchTextFilter),
        case!("search" => Search),
        case!("systemuserreturn" => SystemUser),
        case!("systemuserslist" => SystemUsersList),
        case!("systemuserssearchlist" => SystemUsersSearchList),
    ]
}

/// Schemas of the v1 file that are not objects of their own.
const V1_NOT_TYPES: [&str; 2] = ["ObjectId", "SearchFilterExpression"];

/// Every schema of a subset `spec` (but `not_types`) has a case, and each case's Rust type has
/// the schema's shape and round-trips a sample that sets every property. The `opaque`
/// properties of the schemas named with its prefix are raw JSON in Rust, by decision.
fn assert_covered(
    what: &str,
    spec: &Value,
    cases: Vec<Case>,
    not_types: &[&str],
    opaque: Option<(&str, &[&str])>,
) {
    let mut in_spec: Vec<_> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !not_types.contains(&k.as_str()))
        .cloned()
        .collect();
    in_spec.sort();
    let mut covered: Vec<_> = cases.iter().map(|c| c.spec_name.to_owned()).collect();
    covered.sort();
    assert_eq!(
        in_spec, covered,
        "a schema of the {what} has no Rust type here"
    );
    for case in cases {
        let mut expected = spec_shape(spec, schema(spec, case.spec_name));
        if let Some((prefix, names)) = opaque.filter(|(p, _)| case.spec_name.starts_with(p)) {
            let Shape::Object(props) = &mut expected else {
                panic!("{} is not an object ({prefix})", case.spec_name)
            };
            for name in names {
                if let Some(shape) = props.get_mut(*name) {
                    *shape = Shape::Any;
                }
            }
        }
        let root = (case.rust_schema)();
        assert_eq!(
            rust_shape(&root, &root),
            expected,
            "the Rust type of {what} {} differs from the spec",
            case.spec_name
        );
        let full = sample(spec, schema(spec, case.spec_name));
        assert_eq!(
            (case.round_trip)(&full),
            full,
            "{what} {} does not round-trip",
            case.spec_name
        );
    }
}

#[test]
fn the_v1_subset_is_covered_like_v2() {
    assert_covered("v1 subset", &spec_v1(), cases_v1(), &V1_NOT_TYPES, None);
}

/// Every schema of the user-group subset, with its Rust type.
fn cases_groups() -> Vec<Case> {
    vec![
        case!("Error" => ErrorBody),
        case!("ErrorDetails" => ErrorDetails),
        case!("GraphAttribute-LdapGroups" => GraphAttributeLdapGroups),
        case!("GraphAttribute-PosixGroups" => GraphAttributePosixGroups),
        case!("GraphAttribute-Radius" => GraphAttributeRadius),
        case!("GraphAttribute-SambaEnabled" => GraphAttributeSambaEnabled),
        case!("GraphAttribute-Sudo" => GraphAttributeSudo),
        case!("GraphAttributes" => GraphAttributes),
        case!("GraphConnection" => GraphConnection),
        case!("GraphObject" => GraphObject),
        case!("GraphObjectWithPaths" => GraphObjectWithPaths),
        case!("GraphOperation" => GraphOperation),
        case!("GraphOperation-UserGroup-Member" => GraphOperationUserGroupMember),
        case!("GraphType" => GraphType),
        case!("GroupAttributes-UserGroup" => GroupAttributesUserGroup),
        case!("GroupMembershipMethodType" => MembershipMethod),
        case!("LdapGroup" => LdapGroup),
        case!("MemberQuery" => MemberQuery),
        case!("MemberQueryErrorFlags" => MemberQueryErrorFlags),
        case!("Organization" => Organization),
        case!("ProvidersListOrganizationsResponse" => ProvidersListOrganizationsResponse),
        case!("Query" => Query),
        case!("SuggestionCounts" => SuggestionCounts),
        case!("SyncStatus" => SyncStatus),
        case!("UserGroup" => UserGroup),
        case!("UserGroupPost" => UserGroupPost),
        case!("UserGroupPut" => UserGroupPut),
    ]
}

/// Properties of the group bodies kept as raw JSON by decision (CONTRACT.md section 27); each
/// has its typed form among the cases above.
const GROUP_OPAQUE: [&str; 4] = [
    "attributes",
    "memberQuery",
    "memberQueryExemptions",
    "suggestionCounts",
];

#[test]
fn the_user_group_subset_is_covered_like_v2() {
    let opaque = Some(("UserGroup", &GROUP_OPAQUE[..]));
    assert_covered("group subset", &spec_groups(), cases_groups(), &[], opaque);
}

#[test]
fn the_organizations_subset_is_covered_like_v2() {
    let cases = vec![
        case!("Error" => ErrorBody),
        case!("OrganizationListItem" => OrganizationListItem),
        case!("organizationslist" => OrganizationsList),
    ];
    assert_covered("org subset", &spec_orgs(), cases, &[], None);
}

#[test]
fn every_spec_schema_has_a_rust_type() {
    let spec = spec();
    let mut in_spec: Vec<_> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    in_spec.sort();
    let mut covered: Vec<_> = cases().iter().map(|c| c.spec_name.to_owned()).collect();
    covered.sort();
    assert_eq!(
        in_spec, covered,
        "a schema of the spec has no Rust type here"
    );
}

#[test]
fn rust_types_have_exactly_the_spec_properties_and_json_types() {
    let spec = spec();
    for case in cases() {
        let expected = spec_shape(&spec, schema(&spec, case.spec_name));
        let root = (case.rust_schema)();
        let actual = rust_shape(&root, &root);
        assert_eq!(
            actual, expected,
            "the Rust type of {} differs from the spec",
            case.spec_name
        );
    }
}

#[test]
fn a_record_with_every_property_round_trips() {
    let spec = spec();
    for case in cases() {
        let full = sample(&spec, schema(&spec, case.spec_name));
        assert_eq!(
            (case.round_trip)(&full),
            full,
            "{} does not round-trip every property",
            case.spec_name
        );
    }
}

#[test]
fn the_shape_comparison_catches_a_missing_property() {
    // Guard the guard: a spec property the Rust type lacks must make the shapes differ.
    let mut spec = spec();
    spec["components"]["schemas"]["job-id"]["properties"]["newField"] = json!({"type": "string"});
    let expected = spec_shape(&spec, schema(&spec, "job-id"));
    let root = serde_json::to_value(schemars::schema_for!(JobIdBody)).unwrap();
    assert_ne!(rust_shape(&root, &root), expected);
}
