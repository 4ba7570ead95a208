//! Partial updates ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 36): a bulk PATCH replaces each top-level field it carries, so an update that names
//! one entry of a list (one custom attribute, one phone number, one field of one address) must
//! send the user's whole list with that entry changed, and nothing else. This module turns the
//! changes an input asks for ([`Edit`]s) and the user's current fields (read with
//! [`Users::read`](crate::Users::read)) into the fields to send: only those whose value differs.
//!
//! ```
//! use jc_bulk::partial::{difference, Edit};
//! use serde_json::json;
//!
//! let current = json!({
//!     "department": "R&D",
//!     "attributes": [{"name": "costCode", "value": "CC-1"}, {"name": "site", "value": "B2"}],
//! });
//! let edits = [
//!     Edit::Set { field: "department".into(), value: json!("R&D") },
//!     Edit::Attribute { name: "costCode".into(), value: Some(json!("CC-2")) },
//! ];
//! let diff = difference(current.as_object().unwrap(), &edits).unwrap();
//! // The department is unchanged; the attribute list is sent whole, `site` kept.
//! assert_eq!(
//!     serde_json::Value::Object(diff.changes),
//!     json!({"attributes": [{"name": "costCode", "value": "CC-2"}, {"name": "site", "value": "B2"}]})
//! );
//! assert_eq!(diff.effective, vec![false, true]);
//! ```

mod entries;

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// One change an input asks of a user, at the granularity of the CSV convention.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set a top-level field. A list given whole (`attributes`, `phoneNumbers`, `addresses`)
    /// replaces the user's list, as on the wire.
    Set {
        /// The field (`department`, `attributes`, ...).
        field: String,
        /// Its new value.
        value: Value,
    },
    /// Blank a field: a text field becomes `""`, a list becomes empty, an object is emptied.
    Clear {
        /// The field.
        field: String,
    },
    /// Sent whatever the user holds, because it cannot be read back (`password`, `ssh_keys`).
    Always {
        /// The field.
        field: String,
        /// Its value.
        value: Value,
    },
    /// Set (`Some`) or remove (`None`) the custom attribute with exactly this name
    /// (case-sensitive, untrimmed); every other attribute is kept.
    Attribute {
        /// The attribute's name.
        name: String,
        /// Its new value, or `None` to remove it.
        value: Option<Value>,
    },
    /// Set or remove one member of an object field (`mfa.configured`); its other members are
    /// kept.
    Member {
        /// The object field (`mfa`).
        field: String,
        /// The member.
        key: String,
        /// Its new value, or `None` to remove it.
        value: Option<Value>,
    },
    /// Set or remove the phone number of this type; every other number is kept.
    Phone {
        /// The type (`mobile`, `work`, ...).
        kind: String,
        /// The number, or `None` to remove the entry.
        number: Option<String>,
    },
    /// Set or remove one field of the address of this type; every other address and field is
    /// kept. An address left with no field but its type is removed.
    Address {
        /// The address's type (`home`, `work`, ...).
        kind: String,
        /// The field (`locality`, `postalCode`, ...).
        field: String,
        /// Its new value, or `None` to remove the field.
        value: Option<String>,
    },
}

impl Edit {
    /// The top-level field the edit touches (what must be read of the user).
    pub fn field(&self) -> &str {
        match self {
            Self::Set { field, .. }
            | Self::Clear { field }
            | Self::Always { field, .. }
            | Self::Member { field, .. } => field,
            Self::Attribute { .. } => "attributes",
            Self::Phone { .. } => "phoneNumbers",
            Self::Address { .. } => "addresses",
        }
    }
}

/// The top-level fields `edits` touch, sorted and once each: the `fields` to read.
pub fn fields_of<'a>(edits: impl IntoIterator<Item = &'a Edit>) -> BTreeSet<&'a str> {
    edits.into_iter().map(Edit::field).collect()
}

/// An edit that cannot be applied to the user as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The entry the edit names is not one entry: the user has several (two phone numbers of
    /// one type, two attributes of one name).
    #[error("the user has {count} {what}: give the whole `{list}` column (JSON) instead")]
    Ambiguous {
        /// The list.
        list: &'static str,
        /// Which entries, in words.
        what: String,
        /// How many match.
        count: usize,
    },
    /// The user's list is not a list of objects, so no entry can be set in it.
    #[error("the user's `{list}` is not a list of objects; give the whole `{list}` column (JSON) instead")]
    NotAList {
        /// The list.
        list: &'static str,
    },
}

/// What an update must send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Difference {
    /// The top-level fields to send, with their new values (lists whole, entry ids left out):
    /// empty when the user already holds what the edits ask.
    pub changes: Map<String, Value>,
    /// For each edit, in order, whether it changes the user.
    pub effective: Vec<bool>,
}

impl Difference {
    /// Whether nothing needs sending.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The fields to send so that the user whose `current` fields are given holds what `edits`
/// ask, and nothing else changes: lists are merged entry by entry (section 36), and a field
/// whose value would not change is left out.
///
/// # Errors
/// An edit that names an entry the user holds several of, or a list that is not one.
pub fn difference(current: &Map<String, Value>, edits: &[Edit]) -> Result<Difference, EditError> {
    let mut working: Map<String, Value> = fields_of(edits)
        .into_iter()
        .map(|field| {
            (
                field.to_owned(),
                current.get(field).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    let mut effective = Vec::with_capacity(edits.len());
    let mut always = BTreeSet::new();
    for edit in edits {
        let slot = working.entry(edit.field()).or_insert(Value::Null);
        let before = normalized(slot);
        match edit {
            Edit::Set { value, .. } => *slot = value.clone(),
            Edit::Clear { .. } => *slot = cleared(slot),
            Edit::Always { field, value } => {
                *slot = value.clone();
                always.insert(field.as_str());
            }
            Edit::Member { key, value, .. } => entries::member(slot, key, value.as_ref()),
            Edit::Attribute { name, value } => entries::attribute(slot, name, value.as_ref())?,
            Edit::Phone { kind, number } => entries::phone(slot, kind, number.as_deref())?,
            Edit::Address { kind, field, value } => {
                entries::address(slot, kind, field, value.as_deref())?
            }
        }
        effective.push(always.contains(edit.field()) || normalized(slot) != before);
    }
    let changes = working
        .into_iter()
        .filter(|(field, value)| {
            always.contains(field.as_str())
                || normalized(value) != normalized(current.get(field).unwrap_or(&Value::Null))
        })
        .map(|(field, value)| (field, entries::without_ids(value)))
        .collect();
    Ok(Difference { changes, effective })
}

/// The value a cleared field takes.
fn cleared(value: &Value) -> Value {
    match value {
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Object(_) => Value::Object(Map::new()),
        _ => Value::String(String::new()),
    }
}

/// A value as compared: entry ids and nulls left out, and an empty text, list or object the
/// same as none.
/// A value as compared: empty text, lists and objects are absent; list entries without ids.
pub fn normalized(value: &Value) -> Value {
    match value {
        Value::String(text) if text.is_empty() => Value::Null,
        Value::Array(items) if items.is_empty() => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(entry).collect()),
        Value::Object(object) if object.is_empty() => Value::Null,
        Value::Object(_) => entry(value),
        other => other.clone(),
    }
}

fn entry(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(key, value)| *key != "id" && !value.is_null())
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests;
