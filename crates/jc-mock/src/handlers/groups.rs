//! The user-group operations ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 35): list (limit, skip, sort, filter,
//! `x-total-count`), create, get and replace groups; list and change a group's members; a
//! user's groups (`memberof`). Every answer is per org; 409 and 404 bodies as section 35 decides.

use crate::groups::MockGroup;
use crate::ids::Kind;
use crate::query::{page, slice};
use crate::reply::{field_violation, Reply};
use crate::shared::{ApiRequest, Shared};
use crate::store::Org;
use http::StatusCode;
use serde_json::{json, Map, Value};

fn conflict() -> Reply {
    Reply::json(
        StatusCode::CONFLICT,
        json!({"code": 409, "message": "Already Exists", "status": "Conflict"}),
    )
}

fn not_found() -> Reply {
    Reply::json(
        StatusCode::NOT_FOUND,
        json!({"code": 404, "message": "Not Found", "status": "Not Found"}),
    )
}

fn body_object(request: &ApiRequest) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Reply::bad_request(
            "the body must be a JSON object",
            vec![field_violation("body", "not a JSON object")],
        )),
    }
}

/// One `field:op:value` of `GET /usergroups` (`eq`, `ne`, `in` with `|`, `search`).
fn group_filter(text: &str) -> Result<impl Fn(&MockGroup) -> bool, Reply> {
    let bad = || {
        Reply::bad_request(
            format!("filter `{text}` must be field:op:value with name, type or membershipMethod and eq, ne, in or search"),
            vec![field_violation("filter", "unsupported")],
        )
    };
    let mut parts = text.splitn(3, ':');
    let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if !["name", "type", "membershipMethod"].contains(&field)
        || !["eq", "ne", "in", "search"].contains(&op)
    {
        return Err(bad());
    }
    let (field, op, value) = (field.to_owned(), op.to_owned(), value.to_owned());
    Ok(move |group: &MockGroup| {
        let actual = match field.as_str() {
            "name" => group.name.clone(),
            "type" => "user_group".to_owned(),
            _ => group.membership_method.clone().unwrap_or_default(),
        };
        match op.as_str() {
            "eq" => actual == value,
            "ne" => actual != value,
            "in" => value.split('|').any(|v| v == actual),
            _ => actual.to_lowercase().contains(&value.to_lowercase()),
        }
    })
}

/// `GET /usergroups`.
pub(crate) fn list(shared: &Shared, request: &ApiRequest) -> Reply {
    let (limit, skip) = match page(&request.query) {
        Ok(bounds) => bounds,
        Err(reply) => return reply,
    };
    let mut filters = Vec::new();
    for text in request.params("filter") {
        match group_filter(text) {
            Ok(filter) => filters.push(filter),
            Err(reply) => return reply,
        }
    }
    let org_id = request.caller.org.clone();
    let mut state = shared.state();
    let org = state.org(&org_id);
    let mut groups: Vec<&MockGroup> = org
        .groups
        .iter()
        .filter(|g| filters.iter().all(|f| f(g)))
        .collect();
    match request.param("sort").unwrap_or_default() {
        "name" => groups.sort_by(|a, b| a.name.cmp(&b.name)),
        "-name" => groups.sort_by(|a, b| b.name.cmp(&a.name)),
        "id" => groups.sort_by(|a, b| a.id.cmp(&b.id)),
        "" => {}
        other => {
            return Reply::bad_request(
                format!("sort `{other}` must be name, -name or id"),
                vec![field_violation("sort", "unsupported")],
            )
        }
    }
    let total = groups.len();
    let page: Vec<Value> = slice(&groups, limit, skip)
        .into_iter()
        .map(|g| g.to_json(&org_id))
        .collect();
    Reply::json(StatusCode::OK, Value::Array(page))
        .with_total(shared.config.quirks.total_header(total))
}

/// A group body's name, membership method and other writable properties.
type GroupFields = (String, Option<String>, Map<String, Value>);

/// The writable properties of a POST or PUT body, or a 400.
fn group_fields(body: Map<String, Value>) -> Result<GroupFields, Reply> {
    let name = match body.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => {
            return Err(Reply::bad_request(
                "name is required",
                vec![field_violation("name", "required")],
            ))
        }
    };
    let method = match body.get("membershipMethod") {
        None | Some(Value::Null) => None,
        Some(Value::String(method)) => Some(method.clone()),
        Some(_) => {
            return Err(Reply::bad_request(
                "membershipMethod must be a string",
                vec![field_violation("membershipMethod", "not a string")],
            ))
        }
    };
    let mut fields = body;
    for read_only in [
        "id",
        "name",
        "membershipMethod",
        "type",
        "organizationObjectId",
    ] {
        fields.remove(read_only);
    }
    Ok((name, method, fields))
}

/// `POST /usergroups`.
pub(crate) fn create(shared: &Shared, request: &ApiRequest) -> Reply {
    let (name, method, fields) = match body_object(request).and_then(group_fields) {
        Ok(parts) => parts,
        Err(reply) => return reply,
    };
    let org_id = request.caller.org.clone();
    let mut state = shared.state();
    let org = state.org(&org_id);
    if org.group_named(&name, None).is_some() {
        return conflict();
    }
    let mut group = MockGroup::new(shared.ids.next(Kind::Group), name, method);
    group.fields = fields;
    let answer = group.to_json(&org_id);
    org.groups.push(group);
    Reply::json(StatusCode::CREATED, answer)
}

/// `GET /usergroups/{id}`.
pub(crate) fn get(shared: &Shared, request: &ApiRequest, id: &str) -> Reply {
    let org_id = request.caller.org.clone();
    let mut state = shared.state();
    match state.org(&org_id).group_mut(id) {
        Some(group) => Reply::json(StatusCode::OK, group.to_json(&org_id)),
        None => not_found(),
    }
}

/// `PUT /usergroups/{id}`: a full replacement of the writable properties; members stay.
pub(crate) fn put(shared: &Shared, request: &ApiRequest, id: &str) -> Reply {
    let org_id = request.caller.org.clone();
    let mut state = shared.state();
    let org = state.org(&org_id);
    if org.group_mut(id).is_none() {
        return not_found();
    }
    let (name, method, fields) = match body_object(request).and_then(group_fields) {
        Ok(parts) => parts,
        Err(reply) => return reply,
    };
    if org.group_named(&name, Some(id)).is_some() {
        return conflict();
    }
    let Some(group) = org.group_mut(id) else {
        return not_found();
    };
    group.name = name;
    group.membership_method = method;
    group.fields = fields;
    Reply::json(StatusCode::OK, group.to_json(&org_id))
}

/// `GET /usergroups/{group_id}/members`.
pub(crate) fn members(shared: &Shared, request: &ApiRequest, id: &str) -> Reply {
    let (limit, skip) = match page(&request.query) {
        Ok(bounds) => bounds,
        Err(reply) => return reply,
    };
    let mut state = shared.state();
    let Some(group) = state.org(&request.caller.org).group_mut(id) else {
        return not_found();
    };
    let page: Vec<Value> = slice(&group.members, limit, skip)
        .into_iter()
        .map(|user| json!({"to": {"type": "user", "id": user}}))
        .collect();
    Reply::json(StatusCode::OK, Value::Array(page))
        .with_total(shared.config.quirks.total_header(group.members.len()))
}

/// The change of a members POST body, or a 400.
fn member_change(request: &ApiRequest) -> Result<(String, String), Reply> {
    let body = body_object(request)?;
    let invalid = |field: &str, why: &str| {
        Reply::bad_request(format!("{field}: {why}"), vec![field_violation(field, why)])
    };
    let op = match body.get("op").and_then(Value::as_str) {
        Some(op @ ("add" | "remove" | "update")) => op.to_owned(),
        _ => return Err(invalid("op", "must be add, remove or update")),
    };
    if body.get("type").and_then(Value::as_str) != Some("user") {
        return Err(invalid("type", "must be user"));
    }
    match body.get("id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok((op, id.to_owned())),
        _ => Err(invalid("id", "required")),
    }
}

/// `POST /usergroups/{group_id}/members`: 204, 409 for add-existing, 404 for remove-missing or
/// an unknown group or user.
pub(crate) fn change_member(shared: &Shared, request: &ApiRequest, id: &str) -> Reply {
    let (op, user) = match member_change(request) {
        Ok(change) => change,
        Err(reply) => return reply,
    };
    let mut state = shared.state();
    let org: &mut Org = state.org(&request.caller.org);
    if !org.users.contains_key(&user) {
        return not_found();
    }
    let Some(group) = org.group_mut(id) else {
        return not_found();
    };
    let counter = match op.as_str() {
        "add" if !group.add(&user) => return conflict(),
        "add" => &shared.edges_added,
        "remove" if !group.remove(&user) => return not_found(),
        "remove" => &shared.edges_removed,
        _ if !group.has(&user) => return not_found(),
        _ => return Reply::no_content(),
    };
    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Reply::no_content()
}

/// `GET /users/{user_id}/memberof`: the user's groups (direct edges only).
pub(crate) fn member_of(shared: &Shared, request: &ApiRequest, user: &str) -> Reply {
    let (limit, skip) = match page(&request.query) {
        Ok(bounds) => bounds,
        Err(reply) => return reply,
    };
    let mut only: Option<String> = None;
    for filter in request.params("filter") {
        match filter.split_once(":eq:") {
            Some(("type", "user_group")) => {}
            Some(("object_id", id)) => only = Some(id.to_owned()),
            _ => {
                return Reply::bad_request(
                    format!("filter `{filter}` must be type:eq:user_group or object_id:eq:ID"),
                    vec![field_violation("filter", "unsupported")],
                )
            }
        }
    }
    let mut state = shared.state();
    let org = state.org(&request.caller.org);
    if !org.users.contains_key(user) {
        return not_found();
    }
    let groups: Vec<Value> = org
        .groups
        .iter()
        .filter(|g| g.has(user) && only.as_ref().is_none_or(|id| *id == g.id))
        .map(|g| {
            json!({
                "id": g.id,
                "type": "user_group",
                "paths": [[{"to": {"id": g.id, "type": "user_group"}}]],
                "compiledAttributes": {},
            })
        })
        .collect();
    let total = groups.len();
    Reply::json(StatusCode::OK, Value::Array(slice(&groups, limit, skip)))
        .with_total(shared.config.quirks.total_header(total))
}
