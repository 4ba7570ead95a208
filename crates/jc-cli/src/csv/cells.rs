//! Cells to JSON: typed cells (text, booleans, whole numbers, JSON text) and the JSON object of
//! one data row, dotted columns merged into their lists and objects.

use super::columns::{Column, Kind, Ty, CLEAR};
use super::header::Header;
use super::problem::{problem, Problem};
use jc_bulk::partial::Edit;
use serde_json::{Map, Value};

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn typed(ty: Ty, text: &str) -> Result<Value, String> {
    match ty {
        Ty::Text => Ok(Value::String(text.to_owned())),
        Ty::Bool => parse_bool(text)
            .map(Value::Bool)
            .ok_or_else(|| format!("`{text}` is not a boolean (true/false/yes/no/1/0)")),
        Ty::Int => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{text}` is not a whole number")),
        Ty::Json => serde_json::from_str(text).map_err(|e| format!("not JSON ({e})")),
    }
}

fn push(object: &mut Map<String, Value>, key: &str, item: Value) {
    let entry = object
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = entry {
        items.push(item);
    }
}

/// Whether a cell is left out of the row's object: empty, `(clear)` (an update's: what it
/// does is decided against the user, see `cell_edit`), or an update's `STAGED` state (it
/// round-trips: sent only if changed, and refused then). `(clear)` where nothing can be
/// cleared is a problem.
fn left_out(kind: Kind, column: &Column, cell: &str) -> Result<bool, String> {
    let cell = cell.trim();
    if cell == CLEAR {
        return clearable(kind, column).map(|()| true);
    }
    let staged = kind == Kind::Update
        && matches!(column, Column::Field("state", _))
        && cell.eq_ignore_ascii_case("STAGED");
    Ok(cell.is_empty() || staged)
}

/// Sets `field` of the row's address of type `kind` (one entry per type, made when first
/// named).
fn set_address(object: &mut Map<String, Value>, kind: &str, field: &str, cell: &str) {
    let addresses = object
        .entry("addresses")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = addresses {
        let index = match items.iter().position(|a| a["type"] == kind) {
            Some(i) => i,
            None => {
                items.push(serde_json::json!({ "type": kind }));
                items.len() - 1
            }
        };
        if let Some(Value::Object(address)) = items.get_mut(index) {
            address.insert(field.to_owned(), Value::String(cell.to_owned()));
        }
    }
}

/// The JSON object of one data row; problems name the column.
pub(super) fn row_object(
    header: &Header,
    record: &::csv::StringRecord,
    line: u64,
) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut object = Map::new();
    let mut problems = Vec::new();
    for ((name, column), cell) in header.names.iter().zip(&header.columns).zip(record.iter()) {
        match left_out(header.kind, column, cell) {
            Ok(true) => continue,
            Ok(false) => {}
            Err(message) => {
                problems.push(problem(line, Some(name), message));
                continue;
            }
        }
        match column {
            Column::Key | Column::Groups => {}
            Column::Base => {
                if let Err(message) = super::Base::decode(cell) {
                    problems.push(problem(line, Some(name), message));
                }
            }
            Column::Field(field, ty) => match typed(*ty, cell) {
                Ok(Value::Array(items)) if object.get(*field).is_some_and(Value::is_array) => {
                    for item in items {
                        push(&mut object, field, item);
                    }
                }
                Ok(value) => {
                    object.insert((*field).to_owned(), value);
                }
                Err(message) => problems.push(problem(line, Some(name), message)),
            },
            Column::Attribute(attribute) => push(
                &mut object,
                "attributes",
                serde_json::json!({"name": attribute, "value": cell}),
            ),
            Column::Phone(kind) => push(
                &mut object,
                "phoneNumbers",
                serde_json::json!({"type": kind, "number": cell}),
            ),
            Column::Address(kind, field) => set_address(&mut object, kind, field, cell),
            Column::Nested(object_name, field, ty) => match typed(*ty, cell) {
                Ok(value) => {
                    let nested = object
                        .entry(*object_name)
                        .or_insert_with(|| Value::Object(Map::new()));
                    match nested {
                        Value::Object(fields) => {
                            fields.insert((*field).to_owned(), value);
                        }
                        _ => problems.push(problem(
                            line,
                            Some(name),
                            format!("conflicts with the `{object_name}` column, whose value is not an object"),
                        )),
                    }
                }
                Err(message) => problems.push(problem(line, Some(name), message)),
            },
        }
    }
    if problems.is_empty() {
        Ok(object)
    } else {
        Err(problems)
    }
}

/// Whether `(clear)` may stand in a cell of `column`.
fn clearable(kind: Kind, column: &Column) -> Result<(), String> {
    let refused = |why: &str| Err(format!("`{CLEAR}`: {why}"));
    match (kind, column) {
        (Kind::Update, Column::Field("username" | "email" | "id", _)) => {
            refused("this field cannot be blank")
        }
        (
            Kind::Update,
            Column::Field(_, Ty::Bool | Ty::Int) | Column::Nested(_, _, Ty::Bool | Ty::Int),
        ) => refused("a boolean or a number cannot be cleared; give its value"),
        (Kind::Update, Column::Field("password", _)) => refused("a password cannot be cleared"),
        (Kind::Update, _) => Ok(()),
        _ => refused("only an update clears a field or an entry"),
    }
}

/// Whether `(clear)` may stand in an update's cell of `column`.
pub fn can_clear(column: &Column) -> bool {
    clearable(Kind::Update, column).is_ok()
}

/// The edit one cell of an update asks (`None` for a column that edits nothing: keys, read-only
/// fields, the base); `(clear)` clears the field or removes the entry.
///
/// # Errors
/// A cell that is not of its column's type, or `(clear)` where nothing can be cleared.
pub fn cell_edit(column: &Column, cell: &str) -> Result<Option<Edit>, String> {
    let clear = cell.trim() == CLEAR;
    if clear {
        clearable(Kind::Update, column)?;
    }
    let value = |text: &str| (!clear).then(|| text.to_owned());
    Ok(Some(match column {
        Column::Key | Column::Base | Column::Groups => return Ok(None),
        Column::Field(field, _) if clear => Edit::Clear {
            field: (*field).to_owned(),
        },
        Column::Field(field, ty) => {
            let value = typed(*ty, cell)?;
            let field = (*field).to_owned();
            match field.as_str() {
                // Never readable, or additions: sent whatever the user holds.
                "password" | "ssh_keys" | "organization" => Edit::Always { field, value },
                _ => Edit::Set { field, value },
            }
        }
        Column::Attribute(name) => Edit::Attribute {
            name: name.clone(),
            value: value(cell).map(Value::String),
        },
        Column::Phone(kind) => Edit::Phone {
            kind: kind.clone(),
            number: value(cell),
        },
        Column::Address(kind, field) => Edit::Address {
            kind: kind.clone(),
            field: (*field).to_owned(),
            value: value(cell),
        },
        Column::Nested(object, field, ty) => Edit::Member {
            field: (*object).to_owned(),
            key: (*field).to_owned(),
            value: if clear { None } else { Some(typed(*ty, cell)?) },
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{parse_header, Kind};

    fn record(cells: &[&str]) -> ::csv::StringRecord {
        ::csv::StringRecord::from(cells.to_vec())
    }

    #[test]
    fn cells_are_typed() {
        assert_eq!(typed(Ty::Bool, " Yes "), Ok(Value::Bool(true)));
        assert_eq!(typed(Ty::Bool, "0"), Ok(Value::Bool(false)));
        assert!(typed(Ty::Bool, "maybe")
            .unwrap_err()
            .contains("not a boolean"));
        assert_eq!(typed(Ty::Int, " 42"), Ok(Value::from(42)));
        assert!(typed(Ty::Int, "4.2").is_err());
        assert_eq!(typed(Ty::Json, "[1]"), Ok(serde_json::json!([1])));
        assert_eq!(typed(Ty::Text, " as is "), Ok(Value::from(" as is ")));
    }

    #[test]
    fn dotted_columns_merge_into_their_entries_and_empty_cells_are_left_out() {
        let names = [
            "id",
            "addresses.home.locality",
            "addresses.home.country",
            "phoneNumbers.work",
            "attributes.costCode",
            "department",
        ];
        let header = parse_header(Kind::Update, &record(&names)).unwrap();
        let row = record(&["u1", "Paris", "FR", "+1 555", "CC-1", ""]);
        let object = row_object(&header, &row, 2).unwrap();
        assert_eq!(
            Value::Object(object),
            serde_json::json!({
                "id": "u1",
                "addresses": [{ "type": "home", "locality": "Paris", "country": "FR" }],
                "phoneNumbers": [{ "type": "work", "number": "+1 555" }],
                "attributes": [{ "name": "costCode", "value": "CC-1" }],
            })
        );
    }

    #[test]
    fn a_bad_cell_is_a_problem_naming_its_line_and_column() {
        let header = parse_header(Kind::Update, &record(&["id", "unix_uid"])).unwrap();
        let problems = row_object(&header, &record(&["u1", "many"]), 7).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].column.as_deref()),
            (7, Some("unix_uid"))
        );
    }
}
