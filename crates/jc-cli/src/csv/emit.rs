//! CSV out: the cells of an exported user in the same column convention the import reads.

use super::columns::{Kind, Ty, NOT_EXPORTED, READ_ONLY};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A cell's text: strings as they are, other scalars as JSON, arrays and objects as JSON text.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The dotted cells of a user's attributes, phone numbers and addresses.
fn dotted(user: &Map<String, Value>) -> Vec<(String, String)> {
    let items = |key: &str| {
        user.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut cells = Vec::new();
    for attribute in items("attributes") {
        if let Some(name) = attribute["name"].as_str() {
            cells.push((format!("attributes.{name}"), text(&attribute["value"])));
        }
    }
    for phone in items("phoneNumbers") {
        if let Some(kind) = phone["type"].as_str() {
            cells.push((format!("phoneNumbers.{kind}"), text(&phone["number"])));
        }
    }
    for address in items("addresses") {
        let Some(kind) = address["type"].as_str() else {
            continue;
        };
        for (field, value) in address.as_object().into_iter().flatten() {
            if field != "type" && field != "id" && !value.is_null() {
                cells.push((format!("addresses.{kind}.{field}"), text(value)));
            }
        }
    }
    cells
}

/// Every cell of one user, by column name.
pub fn cells(user: &Map<String, Value>, all_fields: bool) -> Vec<(String, String)> {
    let mut cells = vec![("id".to_owned(), text(&user["_id"]))];
    for (field, ty) in Kind::Update.fields() {
        if NOT_EXPORTED.contains(&field)
            || matches!(field, "attributes" | "phoneNumbers" | "addresses")
        {
            continue;
        }
        match user.get(field) {
            Some(Value::Null) | None => {}
            Some(value) if ty == Ty::Json || !value.is_object() => {
                cells.push((field.to_owned(), text(value)))
            }
            Some(_) => {}
        }
    }
    cells.extend(dotted(user));
    if all_fields {
        for field in READ_ONLY {
            let value = match field.split_once('.') {
                Some((object, key)) => user.get(object).and_then(|o| o.get(key)),
                None => user.get(field),
            };
            if let Some(value) = value.filter(|v| !v.is_null()) {
                cells.push((field.to_owned(), text(value)));
            }
        }
    }
    cells
}

/// The column order: `id`, the plain update fields in the import's order, then the dotted
/// columns and the read-only ones, sorted.
pub fn order(seen: BTreeSet<String>) -> Vec<String> {
    let plain: Vec<String> = Kind::Update
        .fields()
        .into_iter()
        .map(|(field, _)| field.to_owned())
        .filter(|field| seen.contains(field))
        .collect();
    let mut columns = vec!["id".to_owned()];
    columns.extend(plain.iter().filter(|f| *f != "id").cloned());
    columns.extend(seen.into_iter().filter(|c| c != "id" && !plain.contains(c)));
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_user_has_its_id_first_and_dotted_columns() {
        let user = serde_json::json!({
            "_id": "u1",
            "username": "ada",
            "department": "R&D",
            "password": "never exported",
            "created": "2020-01-01T00:00:00Z",
            "attributes": [{ "name": "costCode", "value": "CC-1" }],
            "phoneNumbers": [{ "type": "work", "number": "+1 555", "id": "p1" }],
            "addresses": [{ "type": "home", "locality": "Paris", "id": "a1" }],
        });
        let user = user.as_object().unwrap();
        let plain = cells(user, false);
        let names: Vec<&str> = plain.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "id");
        assert!(names.contains(&"attributes.costCode"));
        assert!(names.contains(&"phoneNumbers.work"));
        assert!(names.contains(&"addresses.home.locality"));
        assert!(!names.contains(&"password") && !names.contains(&"created"));
        assert!(!names.contains(&"addresses.home.id"));
        let all = cells(user, true);
        assert!(all
            .iter()
            .any(|(n, v)| n == "created" && v == "2020-01-01T00:00:00Z"));
        let columns = order(all.into_iter().map(|(n, _)| n).collect());
        assert_eq!(columns[0], "id");
        let department = columns.iter().position(|c| c == "department").unwrap();
        let dotted = columns
            .iter()
            .position(|c| c == "attributes.costCode")
            .unwrap();
        assert!(department < dotted, "plain columns first: {columns:?}");
    }
}
