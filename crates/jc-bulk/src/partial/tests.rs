use super::*;
use serde_json::json;

fn user() -> Map<String, Value> {
    json!({
        "department": "R&D",
        "account_locked": true,
        "state": "SUSPENDED",
        "attributes": [
            {"name": "costCode", "value": "CC-1"},
            {"name": "site", "value": "B2"},
            {"name": "dup", "value": "1"},
            {"name": "dup", "value": "2"},
        ],
        "phoneNumbers": [
            {"id": "p1", "type": "work", "number": "+1 555 0100"},
            {"id": "p2", "type": "mobile", "number": "+1 555 0101"},
        ],
        "addresses": [
            {"id": "a1", "type": "home", "locality": "Paris", "country": "FR"},
            {"id": "a2", "type": "work", "locality": "Berlin"},
        ],
    })
    .as_object()
    .cloned()
    .unwrap()
}

fn set(field: &str, value: Value) -> Edit {
    Edit::Set {
        field: field.into(),
        value,
    }
}

#[test]
fn nothing_is_sent_when_the_user_already_holds_every_value() {
    let edits = [
        set("department", json!("R&D")),
        set("account_locked", json!(true)),
        Edit::Attribute {
            name: "costCode".into(),
            value: Some(json!("CC-1")),
        },
        Edit::Phone {
            kind: "work".into(),
            number: Some("+1 555 0100".into()),
        },
        Edit::Address {
            kind: "home".into(),
            field: "locality".into(),
            value: Some("Paris".into()),
        },
    ];
    let diff = difference(&user(), &edits).unwrap();
    assert!(diff.is_empty(), "{diff:?}");
    assert_eq!(diff.effective, vec![false; 5]);
}

/// Section 36, issue 20 defect 1: one dotted column keeps every other entry of its list.
#[test]
fn one_entry_is_set_and_every_other_entry_kept() {
    let edits = [
        Edit::Phone {
            kind: "mobile".into(),
            number: Some("+44 7700 900000".into()),
        },
        Edit::Address {
            kind: "home".into(),
            field: "locality".into(),
            value: Some("Lyon".into()),
        },
    ];
    let diff = difference(&user(), &edits).unwrap();
    assert_eq!(
        Value::Object(diff.changes),
        json!({
            "phoneNumbers": [
                {"type": "work", "number": "+1 555 0100"},
                {"type": "mobile", "number": "+44 7700 900000"},
            ],
            "addresses": [
                {"type": "home", "locality": "Lyon", "country": "FR"},
                {"type": "work", "locality": "Berlin"},
            ],
        })
    );
}

#[test]
fn a_new_entry_is_added_and_a_removed_one_is_the_only_one_gone() {
    let edits = [
        Edit::Attribute {
            name: "new".into(),
            value: Some(json!("x")),
        },
        Edit::Attribute {
            name: "site".into(),
            value: None,
        },
        Edit::Address {
            kind: "work".into(),
            field: "locality".into(),
            value: None,
        },
    ];
    let diff = difference(&user(), &edits).unwrap();
    assert_eq!(
        diff.changes["attributes"],
        json!([
            {"name": "costCode", "value": "CC-1"},
            {"name": "dup", "value": "1"},
            {"name": "dup", "value": "2"},
            {"name": "new", "value": "x"},
        ])
    );
    // The work address held only the locality: it is gone, the home one kept.
    assert_eq!(
        diff.changes["addresses"],
        json!([{"type": "home", "locality": "Paris", "country": "FR"}])
    );
}

#[test]
fn names_and_types_match_exactly() {
    let edits = [Edit::Attribute {
        name: "CostCode".into(),
        value: Some(json!("CC-9")),
    }];
    let diff = difference(&user(), &edits).unwrap();
    let attributes = diff.changes["attributes"].as_array().unwrap();
    assert_eq!(attributes.len(), 5, "a new attribute, `costCode` untouched");
}

#[test]
fn an_entry_the_user_holds_twice_is_an_error() {
    let edits = [Edit::Attribute {
        name: "dup".into(),
        value: Some(json!("3")),
    }];
    let error = difference(&user(), &edits).unwrap_err();
    assert!(
        error.to_string().contains("attributes named `dup` (2)"),
        "{error}"
    );
}

#[test]
fn a_whole_list_replaces_and_clearing_blanks() {
    let edits = [
        set("phoneNumbers", json!([{"type": "home", "number": "1"}])),
        Edit::Clear {
            field: "department".into(),
        },
        Edit::Clear {
            field: "description".into(),
        },
    ];
    let diff = difference(&user(), &edits).unwrap();
    assert_eq!(
        Value::Object(diff.changes),
        json!({"phoneNumbers": [{"type": "home", "number": "1"}], "department": ""})
    );
    assert_eq!(diff.effective, vec![true, true, false]);
}

#[test]
fn write_only_fields_are_always_sent() {
    let edits = [Edit::Always {
        field: "password".into(),
        value: json!("s3cret!"),
    }];
    let diff = difference(&user(), &edits).unwrap();
    assert_eq!(diff.changes["password"], json!("s3cret!"));
}

#[test]
fn entry_ids_and_nulls_do_not_make_a_difference() {
    let current = json!({"phoneNumbers": [{"id": "p", "type": "work", "number": "1", "x": null}]});
    let edits = [set(
        "phoneNumbers",
        json!([{"type": "work", "number": "1"}]),
    )];
    let diff = difference(current.as_object().unwrap(), &edits).unwrap();
    assert!(diff.is_empty(), "{diff:?}");
}

#[test]
fn one_member_of_an_object_is_set_and_the_others_kept() {
    let current = json!({"mfa": {"configured": true, "exclusion": false}});
    let edits = [Edit::Member {
        field: "mfa".into(),
        key: "exclusion".into(),
        value: Some(json!(true)),
    }];
    let diff = difference(current.as_object().unwrap(), &edits).unwrap();
    assert_eq!(
        diff.changes["mfa"],
        json!({"configured": true, "exclusion": true})
    );
}
