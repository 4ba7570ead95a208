//! Which operation a method and path name (relative to the base path).

use crate::reply::Reply;
use crate::store::JobKind;
use http::{Method, StatusCode};

/// An operation of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Submit(JobKind),
    Results(String),
    LegacyJob(String),
    LegacyResults(String),
    ScheduleCreate,
    ScheduleList,
    ScheduleDelete(String),
    NextScheduled,
    /// v1 `GET /systemusers`.
    UsersList,
    /// v1 `POST /search/systemusers`.
    UsersSearch,
    /// v1 `GET /systemusers/{id}`.
    UserGet(String),
    /// `GET /usergroups`.
    GroupsList,
    /// `POST /usergroups`.
    GroupCreate,
    /// `GET /usergroups/{id}`.
    GroupGet(String),
    /// `PUT /usergroups/{id}`.
    GroupPut(String),
    /// `GET /usergroups/{group_id}/members`.
    GroupMembers(String),
    /// `POST /usergroups/{group_id}/members`.
    GroupMemberChange(String),
    /// `GET /users/{user_id}/memberof`.
    MemberOf(String),
    /// v1 `GET /organizations`.
    OrgsList,
    /// `GET /providers/{provider_id}/organizations`.
    ProviderOrgs(String),
}

/// Routes a path below the v1 root (the base path without its `/v2`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 19).
pub(crate) fn route_v1(method: &Method, path: &str) -> Option<Result<Route, Reply>> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (route, allowed): (Option<Route>, &[Method]) = match segments.as_slice() {
        ["systemusers"] => get(method, Route::UsersList),
        ["systemusers", id] => get(method, Route::UserGet((*id).to_owned())),
        ["search", "systemusers"] => post(method, Route::UsersSearch),
        ["organizations"] => get(method, Route::OrgsList),
        _ => return None,
    };
    Some(route.ok_or_else(|| {
        Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}; use {}", allowed[0]),
        )
    }))
}

/// Routes `path` (below the base path). Unknown paths are 404; known paths with another
/// method are 405; both with a JSON `Error` body.
pub(crate) fn route(method: &Method, path: &str) -> Result<Route, Reply> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (route, allowed): (Option<Route>, &[Method]) = match segments.as_slice() {
        ["bulk", "users"] => match *method {
            Method::POST => (Some(Route::Submit(JobKind::Create)), &[]),
            Method::PATCH => (Some(Route::Submit(JobKind::Update)), &[]),
            _ => (None, &[Method::POST, Method::PATCH]),
        },
        ["bulk", "users", job, "results"] => get(method, Route::Results((*job).to_owned())),
        ["bulk", "user", "expires"] => post(method, Route::Submit(JobKind::Expire)),
        ["bulk", "user", "unlocks"] => post(method, Route::Submit(JobKind::Unlock)),
        ["bulk", "userstates"] => match *method {
            Method::GET => (Some(Route::ScheduleList), &[]),
            Method::POST => (Some(Route::ScheduleCreate), &[]),
            _ => (None, &[Method::GET, Method::POST]),
        },
        ["bulk", "userstates", "eventlist", "next"] => get(method, Route::NextScheduled),
        ["bulk", "userstates", id] => match *method {
            Method::DELETE => (Some(Route::ScheduleDelete((*id).to_owned())), &[]),
            _ => (None, &[Method::DELETE]),
        },
        ["usergroups"] => match *method {
            Method::GET => (Some(Route::GroupsList), &[]),
            Method::POST => (Some(Route::GroupCreate), &[]),
            _ => (None, &[Method::GET, Method::POST]),
        },
        ["usergroups", id] => match *method {
            Method::GET => (Some(Route::GroupGet((*id).to_owned())), &[]),
            Method::PUT => (Some(Route::GroupPut((*id).to_owned())), &[]),
            _ => (None, &[Method::GET, Method::PUT]),
        },
        ["usergroups", id, "members"] => match *method {
            Method::GET => (Some(Route::GroupMembers((*id).to_owned())), &[]),
            Method::POST => (Some(Route::GroupMemberChange((*id).to_owned())), &[]),
            _ => (None, &[Method::GET, Method::POST]),
        },
        ["users", id, "memberof"] => get(method, Route::MemberOf((*id).to_owned())),
        ["providers", id, "organizations"] => get(method, Route::ProviderOrgs((*id).to_owned())),
        ["jobs", id] => get(method, Route::LegacyJob((*id).to_owned())),
        ["jobs", id, "results"] => get(method, Route::LegacyResults((*id).to_owned())),
        _ => {
            return Err(Reply::error(
                StatusCode::NOT_FOUND,
                format!("no operation at {path}"),
            ))
        }
    };
    route.ok_or_else(|| {
        let allowed: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{method} is not allowed on {path}; use {}",
                allowed.join(" or ")
            ),
        )
    })
}

fn get(method: &Method, route: Route) -> (Option<Route>, &'static [Method]) {
    if *method == Method::GET {
        (Some(route), &[])
    } else {
        (None, &[Method::GET])
    }
}

fn post(method: &Method, route: Route) -> (Option<Route>, &'static [Method]) {
    if *method == Method::POST {
        (Some(route), &[])
    } else {
        (None, &[Method::POST])
    }
}
