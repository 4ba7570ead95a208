//! The v1 system-user reads ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections 19-21) over the same per-org store the bulk
//! jobs write to: `GET /systemusers` (limit 1..=100, skip, sort, fields, filter), `POST
//! /search/systemusers` (`or`/`and`/array, literal equality, `$in`, anchored `$regex`) and `GET
//! /systemusers/{id}`.

use crate::reply::Reply;
use crate::shared::{ApiRequest, Shared};
use crate::store::MockUser;
use http::StatusCode;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// A user as `systemuserreturn` (with `id` beside `_id`, as section 20 says).
fn user_json(user: &MockUser) -> Map<String, Value> {
    let mut object = user.fields.clone();
    object.remove("password");
    object.insert("_id".into(), json!(user.id));
    object.insert("id".into(), json!(user.id));
    object.insert("username".into(), json!(user.username));
    object.insert("email".into(), json!(user.email));
    object.insert("state".into(), json!(user.state));
    object.insert("account_locked".into(), json!(user.account_locked));
    object.insert("password_expired".into(), json!(user.password_expired));
    object.insert(
        "created".into(),
        json!(user
            .created
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    );
    object
}

/// Only `fields` (space or comma separated), `_id` always.
fn project(mut object: Map<String, Value>, fields: Option<&str>) -> Value {
    if let Some(fields) = fields.map(str::trim).filter(|f| !f.is_empty()) {
        let keep: Vec<&str> = fields.split([' ', ',']).filter(|f| !f.is_empty()).collect();
        object.retain(|key, _| key == "_id" || keep.contains(&key.as_str()));
    }
    Value::Object(object)
}

fn page_bounds(limit: Option<&str>, skip: Option<&str>) -> Result<(usize, usize), Reply> {
    let limit = match limit {
        None => 10,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(Reply::error(
                    StatusCode::BAD_REQUEST,
                    format!("limit must be 1..=100, not `{text}`"),
                ))
            }
        },
    };
    let skip = match skip {
        None => 0,
        Some(text) => text.parse::<usize>().map_err(|_| {
            Reply::error(
                StatusCode::BAD_REQUEST,
                format!("skip must be a whole number, not `{text}`"),
            )
        })?,
    };
    Ok((limit, skip))
}

fn compare(a: &Value, b: &str) -> Option<Ordering> {
    match a {
        Value::Number(n) => n.as_f64()?.partial_cmp(&b.parse::<f64>().ok()?),
        Value::Bool(v) => Some(v.to_string().as_str().cmp(b)),
        Value::String(text) => Some(text.as_str().cmp(b)),
        _ => None,
    }
}

/// `field:$op:value` of the list's `filter` parameter.
fn list_filter(text: &str) -> Result<impl Fn(&Map<String, Value>) -> bool, Reply> {
    let bad = || {
        Reply::error(
            StatusCode::BAD_REQUEST,
            format!("filter `{text}` must be field:$op:value with $eq $ne $gt $gte $lt $lte"),
        )
    };
    let (field, rest) = text.split_once(':').ok_or_else(bad)?;
    let (op, value) = rest.split_once(':').ok_or_else(bad)?;
    let op = op.trim_start_matches('$').to_owned();
    if !["eq", "ne", "gt", "gte", "lt", "lte"].contains(&op.as_str()) {
        return Err(bad());
    }
    let (field, value) = (field.to_owned(), value.to_owned());
    Ok(move |user: &Map<String, Value>| {
        let ordering = user.get(&field).and_then(|v| compare(v, &value));
        match (op.as_str(), ordering) {
            ("eq", Some(o)) => o == Ordering::Equal,
            ("ne", o) => o != Some(Ordering::Equal),
            ("gt", Some(o)) => o == Ordering::Greater,
            ("gte", Some(o)) => o != Ordering::Less,
            ("lt", Some(o)) => o == Ordering::Less,
            ("lte", Some(o)) => o != Ordering::Greater,
            _ => false,
        }
    })
}

fn sort_users(users: &mut [Map<String, Value>], sort: Option<&str>) {
    let keys: Vec<(String, bool)> = sort
        .unwrap_or("_id")
        .split([' ', ','])
        .filter(|k| !k.is_empty())
        .map(|k| match k.strip_prefix('-') {
            Some(k) => (k.to_owned(), true),
            None => (k.to_owned(), false),
        })
        .collect();
    users.sort_by(|a, b| {
        for (key, descending) in &keys {
            let text = |u: &Map<String, Value>| {
                u.get(key)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            };
            let ordering = text(a).cmp(&text(b));
            let ordering = if *descending {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
}

fn page(
    quirks: &crate::Quirks,
    mut users: Vec<Map<String, Value>>,
    limit: usize,
    skip: usize,
    fields: Option<&str>,
) -> Reply {
    let total = users.len();
    let results: Vec<Value> = users
        .drain(..)
        .skip(skip)
        .take(limit)
        .map(|u| project(u, fields))
        .collect();
    Reply::json(StatusCode::OK, quirks.v1_page(total, results))
}

fn org_users(shared: &Shared, request: &ApiRequest) -> Vec<Map<String, Value>> {
    let mut state = shared.state();
    state
        .org(&request.caller.org)
        .users
        .values()
        .map(user_json)
        .collect()
}

/// `GET /systemusers`.
pub(crate) fn list(shared: &Shared, request: &ApiRequest) -> Reply {
    let (limit, skip) = match page_bounds(request.param("limit"), request.param("skip")) {
        Ok(bounds) => bounds,
        Err(reply) => return reply,
    };
    let sort = request
        .param("sort")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let filters_given = !request.params("filter").is_empty();
    if !filters_given && sort.is_none_or(|s| s == "_id") {
        // The common paging case, without converting the whole org on every page: the store
        // is already in `_id` order.
        let mut state = shared.state();
        let users = &state.org(&request.caller.org).users;
        let results: Vec<Value> = users
            .values()
            .skip(skip)
            .take(limit)
            .map(|u| project(user_json(u), request.param("fields")))
            .collect();
        let body = shared.config.quirks.v1_page(users.len(), results);
        return Reply::json(StatusCode::OK, body);
    }
    let mut filters = Vec::new();
    for text in request.params("filter") {
        match list_filter(text) {
            Ok(filter) => filters.push(filter),
            Err(reply) => return reply,
        }
    }
    let mut users: Vec<Map<String, Value>> = org_users(shared, request)
        .into_iter()
        .filter(|u| filters.iter().all(|f| f(u)))
        .collect();
    sort_users(&mut users, request.param("sort"));
    page(
        &shared.config.quirks,
        users,
        limit,
        skip,
        request.param("fields"),
    )
}

/// `GET /systemusers/{id}`.
pub(crate) fn get(shared: &Shared, request: &ApiRequest, id: &str) -> Reply {
    let mut state = shared.state();
    match state.org(&request.caller.org).users.get(id) {
        Some(user) => Reply::json(
            StatusCode::OK,
            project(user_json(user), request.param("fields")),
        ),
        None => Reply::error(StatusCode::NOT_FOUND, format!("no user {id}")),
    }
}

/// An anchored `$regex` of section 21: `(?i)^literal$` (optionally in parentheses), every
/// metacharacter of the literal escaped. Returns the literal and whether case is ignored.
fn literal_regex(pattern: &str) -> Option<(String, bool)> {
    let (pattern, ignore_case) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let pattern = pattern
        .strip_prefix('(')
        .and_then(|p| p.strip_suffix(')'))
        .unwrap_or(pattern);
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut literal = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => literal.push(chars.next()?),
            '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' => {
                return None
            }
            other => literal.push(other),
        }
    }
    Some((literal, ignore_case))
}

/// Whether `user` matches one filter expression (or an `and`/`or` of them).
fn matches(user: &Map<String, Value>, expression: &Value) -> Result<bool, String> {
    match expression {
        Value::Array(all) => all
            .iter()
            .try_fold(true, |ok, e| Ok(ok && matches(user, e)?)),
        Value::Object(object) => {
            let mut result = true;
            for (key, wanted) in object {
                let this = match (key.as_str(), wanted) {
                    ("and", Value::Array(all)) => matches(user, &Value::Array(all.clone()))?,
                    ("or", Value::Array(any)) => any
                        .iter()
                        .try_fold(false, |ok, e| Ok::<_, String>(ok || matches(user, e)?))?,
                    (field, Value::Object(op)) => field_op(user.get(field), op)?,
                    (field, literal) => user.get(field) == Some(literal),
                };
                result &= this;
            }
            Ok(result)
        }
        other => Err(format!(
            "a filter expression must be an object or an array, not {other}"
        )),
    }
}

fn field_op(value: Option<&Value>, op: &Map<String, Value>) -> Result<bool, String> {
    let text = value.and_then(Value::as_str);
    if let Some(pattern) = op.get("$regex").and_then(Value::as_str) {
        let (literal, ignore_case) = literal_regex(pattern).ok_or_else(|| {
            format!("the mock only serves anchored literal $regex patterns, not `{pattern}`")
        })?;
        return Ok(text.is_some_and(|t| {
            if ignore_case {
                t.to_lowercase() == literal.to_lowercase()
            } else {
                t == literal
            }
        }));
    }
    if let Some(Value::Array(options)) = op.get("$in") {
        return Ok(value.is_some_and(|v| options.contains(v)));
    }
    Err(format!(
        "unsupported operator in {}",
        Value::Object(op.clone())
    ))
}

/// `POST /search/systemusers`.
pub(crate) fn search(shared: &Shared, request: &ApiRequest) -> Reply {
    let body: Value = if request.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&request.body) {
            Ok(body) => body,
            Err(e) => {
                return Reply::error(
                    StatusCode::BAD_REQUEST,
                    format!("the body is not JSON: {e}"),
                )
            }
        }
    };
    let text = |key: &str| {
        body.get(key)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    let (limit, skip) = (
        text("limit").or(request.param("limit").map(str::to_owned)),
        text("skip").or(request.param("skip").map(str::to_owned)),
    );
    let (limit, skip) = match page_bounds(limit.as_deref(), skip.as_deref()) {
        Ok(bounds) => bounds,
        Err(reply) => return reply,
    };
    let fields = match body.get("fields") {
        Some(Value::Array(names)) => Some(
            names
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Some(Value::String(names)) => Some(names.clone()),
        _ => request.param("fields").map(str::to_owned),
    };
    let filter = body.get("filter").cloned().unwrap_or(json!([]));
    let mut users = Vec::new();
    for user in org_users(shared, request) {
        match matches(&user, &filter) {
            Ok(true) => users.push(user),
            Ok(false) => {}
            Err(message) => return Reply::error(StatusCode::BAD_REQUEST, message),
        }
    }
    sort_users(&mut users, None);
    page(&shared.config.quirks, users, limit, skip, fields.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regex_form_of_section_21_only() {
        assert_eq!(
            literal_regex(r"(?i)^ada\.l@example\.com$"),
            Some(("ada.l@example.com".into(), true))
        );
        assert_eq!(literal_regex(r"(?i)(^jdoe$)"), Some(("jdoe".into(), true)));
        assert_eq!(literal_regex("^Ada$"), Some(("Ada".into(), false)));
        assert_eq!(literal_regex("ada"), None, "unanchored");
        assert_eq!(literal_regex("^a.b$"), None, "an unescaped metacharacter");
    }
}
