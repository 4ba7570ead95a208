//! CSV out: the cells of an exported user in the same column convention the import reads.

use super::columns::{Kind, Ty, ADDRESS_FIELDS, NOT_EXPORTED, READ_ONLY};
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

/// A list's entries without their ids and null members: what a whole-list cell holds.
fn cleaned(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .map(|item| match item {
            Value::Object(entry) => Value::Object(
                entry
                    .iter()
                    .filter(|(key, value)| *key != "id" && !value.is_null())
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            ),
            other => other.clone(),
        })
        .collect()
}

/// A non-empty string that a header keeps as it is (no surrounding spaces, no line break).
fn plain_text(value: &Value) -> Option<&str> {
    value
        .as_str()
        .filter(|t| !t.is_empty() && t.trim() == *t && !t.contains(['\n', '\r']))
}

/// Whether `entries` (cleaned) can be written as dotted cells and read back exactly: every
/// entry has a plain `key` unique regardless of case, only the members `allowed`, and a
/// non-empty text in each.
fn dottable(entries: &[Value], key: &str, allowed: &[&str]) -> bool {
    let mut seen = std::collections::HashSet::new();
    entries.iter().all(|entry| {
        let Some(object) = entry.as_object() else {
            return false;
        };
        let Some(name) = object.get(key).and_then(plain_text) else {
            return false;
        };
        seen.insert(name.to_lowercase())
            && object.len() > 1
            && object.iter().all(|(member, value)| {
                member == key
                    || (allowed.contains(&member.as_str())
                        && value.as_str().is_some_and(|t| !t.is_empty()))
            })
    })
}

/// The cells of a user's attributes, phone numbers and addresses: dotted cells
/// (`attributes.NAME`, `phoneNumbers.TYPE`, `addresses.TYPE.FIELD`) when the dotted convention
/// holds the list exactly, else the whole list as JSON in its own column (two entries of one
/// type, typeless entries, names that repeat, differ only in case or carry spaces): the export
/// never drops or merges an entry.
fn lists(user: &Map<String, Value>) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for list in ["attributes", "phoneNumbers", "addresses"] {
        let Some(items) = user.get(list).and_then(Value::as_array) else {
            continue;
        };
        let entries = cleaned(items);
        let (key, allowed): (&str, &[&str]) = match list {
            "attributes" => ("name", &["value"]),
            "phoneNumbers" => ("type", &["number"]),
            _ => ("type", &ADDRESS_FIELDS),
        };
        if entries.is_empty() {
            continue;
        }
        if !dottable(&entries, key, allowed) {
            cells.push((list.to_owned(), Value::Array(entries).to_string()));
            continue;
        }
        for entry in entries.iter().filter_map(Value::as_object) {
            let name = entry.get(key).and_then(Value::as_str).unwrap_or_default();
            for (member, value) in entry.iter().filter(|(m, _)| *m != key) {
                let column = match list {
                    "attributes" => format!("attributes.{name}"),
                    "phoneNumbers" => format!("phoneNumbers.{name}"),
                    _ => format!("addresses.{name}.{member}"),
                };
                cells.push((column, text(value)));
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
    cells.extend(lists(user));
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
