//! Setting or removing one entry of a user's list, every other entry kept: a custom attribute by
//! exact name, a phone number by type, one field of an address by type.

use super::EditError;
use serde_json::{Map, Value};

/// The entries of `slot` (none when it is null), or an error when it is not a list of objects.
fn items<'a>(slot: &'a mut Value, list: &'static str) -> Result<&'a mut Vec<Value>, EditError> {
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(items) if items.iter().all(Value::is_object) => Ok(items),
        _ => Err(EditError::NotAList { list }),
    }
}

/// The position of the one entry whose `key` is exactly `wanted`, if any.
fn one(
    items: &[Value],
    list: &'static str,
    key: &str,
    wanted: &str,
    what: impl Fn(usize) -> String,
) -> Result<Option<usize>, EditError> {
    let found: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.get(key).and_then(Value::as_str) == Some(wanted))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        many => Err(EditError::Ambiguous {
            list,
            what: what(many.len()),
            count: many.len(),
        }),
    }
}

/// Sets (or removes) the attribute named exactly `name`.
pub(super) fn attribute(
    slot: &mut Value,
    name: &str,
    value: Option<&Value>,
) -> Result<(), EditError> {
    let list = "attributes";
    let items = items(slot, list)?;
    let what = |n| format!("attributes named `{name}` ({n})");
    let at = one(items, list, "name", name, what)?;
    match (at, value) {
        (Some(i), Some(value)) => {
            if let Some(entry) = items[i].as_object_mut() {
                entry.insert("value".into(), value.clone());
            }
        }
        (Some(i), None) => {
            items.remove(i);
        }
        (None, Some(value)) => {
            items.push(serde_json::json!({ "name": name, "value": value }));
        }
        (None, None) => {}
    }
    Ok(())
}

/// Sets (or removes) the phone number of type `kind`.
pub(super) fn phone(slot: &mut Value, kind: &str, number: Option<&str>) -> Result<(), EditError> {
    let list = "phoneNumbers";
    let items = items(slot, list)?;
    let what = |n| format!("phone numbers of type `{kind}` ({n})");
    let at = one(items, list, "type", kind, what)?;
    match (at, number) {
        (Some(i), Some(number)) => {
            if let Some(entry) = items[i].as_object_mut() {
                entry.insert("number".into(), Value::from(number));
            }
        }
        (Some(i), None) => {
            items.remove(i);
        }
        (None, Some(number)) => {
            items.push(serde_json::json!({ "type": kind, "number": number }));
        }
        (None, None) => {}
    }
    Ok(())
}

/// Sets (or removes) `field` of the address of type `kind`; an address left with nothing but
/// its type (and id) is removed.
pub(super) fn address(
    slot: &mut Value,
    kind: &str,
    field: &str,
    value: Option<&str>,
) -> Result<(), EditError> {
    let list = "addresses";
    let items = items(slot, list)?;
    let what = |n| format!("addresses of type `{kind}` ({n})");
    let at = one(items, list, "type", kind, what)?;
    match (at, value) {
        (Some(i), value) => {
            let Some(entry) = items[i].as_object_mut() else {
                return Ok(());
            };
            match value {
                Some(value) => {
                    entry.insert(field.to_owned(), Value::from(value));
                }
                None => {
                    entry.remove(field);
                }
            }
            if is_bare(entry) {
                items.remove(i);
            }
        }
        (None, Some(value)) => {
            let mut entry = Map::new();
            entry.insert("type".into(), Value::from(kind));
            entry.insert(field.to_owned(), Value::from(value));
            items.push(Value::Object(entry));
        }
        (None, None) => {}
    }
    Ok(())
}

/// Sets (or removes) one member of an object field; a field that is not an object becomes one.
pub(super) fn member(slot: &mut Value, key: &str, value: Option<&Value>) {
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(object) = slot {
        match value {
            Some(value) => {
                object.insert(key.to_owned(), value.clone());
            }
            None => {
                object.remove(key);
            }
        }
    }
}

/// An address with nothing but its type and id.
fn is_bare(entry: &Map<String, Value>) -> bool {
    entry
        .iter()
        .all(|(key, value)| key == "type" || key == "id" || value.is_null())
}

/// A value as sent: the `id` of each list entry left out (the v2 bulk schemas have none; the
/// v1 reads add them).
pub(super) fn without_ids(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(mut entry) => {
                        entry.remove("id");
                        Value::Object(entry)
                    }
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}
