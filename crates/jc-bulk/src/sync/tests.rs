//! The plan is pure: built from rows and an org snapshot without I/O.

use super::*;
use crate::groups::{GroupMembers, Snapshot};
use crate::partial::Edit;
use jc_models::{BulkUserCreate, StateChange, UserGroup};
use serde_json::{json, Map, Value};

fn user(id: &str, username: &str, department: &str, state: &str, kind: &str) -> OrgUser {
    let fields: Map<String, Value> = json!({
        "_id": id, "username": username, "email": format!("{username}@example.com"),
        "department": department, "state": state, "employeeType": kind,
    })
    .as_object()
    .unwrap()
    .clone();
    let scope = ScopeFilter::parse("employeeType:$eq:Employee").unwrap();
    OrgUser::new(&fields, scope.holds(&fields))
}

fn row(line: u64, username: &str, department: &str) -> DesiredUser {
    DesiredUser {
        line,
        key: username.into(),
        record: DesiredUser::record_of(&BulkUserCreate::new(
            username,
            format!("{username}@example.com"),
        )),
        edits: vec![Edit::Set {
            field: "department".into(),
            value: json!(department),
        }],
        state: None,
        manager: None,
        groups: Some(vec!["g1".into()]),
    }
}

fn org() -> OrgState {
    let group = UserGroup {
        id: Some("g1".into()),
        name: Some("Eng".into()),
        ..UserGroup::default()
    };
    OrgState {
        users: vec![
            user("u1", "ada", "Eng", "ACTIVATED", "Employee"),
            user("u2", "bob", "Ops", "ACTIVATED", "Employee"),
            user("u3", "svc", "Ops", "ACTIVATED", "Service"),
        ],
        groups: Snapshot::new([GroupMembers::new(group, ["u2".into(), "u3".into()])]),
    }
}

#[test]
fn a_plan_creates_updates_suspends_within_scope_and_manages_groups() {
    let rows = vec![row(2, "ADA", "Research"), row(3, "new", "Eng")];
    let options = PlanOptions {
        suspend_missing: true,
        max_suspend: Limit::Count(1),
        max_remove: Limit::Count(1),
        ..PlanOptions::default()
    };
    let plan = SyncPlan::build(rows, &org(), &options, ("https://x.invalid/api/v2", None)).unwrap();
    assert_eq!(plan.creates.len(), 1);
    assert_eq!(
        plan.updates[0].changes[0],
        FieldChange {
            field: "department".into(),
            old: json!("Eng"),
            new: json!("Research"),
        }
    );
    // bob (an Employee) is missing: suspended; svc is out of scope: untouched.
    let suspended: Vec<&str> = plan.states.iter().map(|s| s.user_id.as_str()).collect();
    assert_eq!(suspended, ["u2"]);
    assert_eq!(plan.states[0].to, StateChange::Suspended);
    // ada and the new user join g1; bob (scoped, not listed) leaves it; svc stays.
    let adds = plan
        .memberships
        .iter()
        .filter(|m| m.op == crate::groups::EdgeOp::Add)
        .count();
    let removed: Vec<_> = plan
        .memberships
        .iter()
        .filter(|m| m.op == crate::groups::EdgeOp::Remove)
        .map(|m| m.user_id.clone().unwrap())
        .collect();
    assert_eq!((adds, removed), (2, vec!["u2".to_owned()]));
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<SyncPlan>(&text).unwrap(), plan);
}

#[test]
fn brakes_refuse_the_whole_plan() {
    let options = PlanOptions {
        suspend_missing: true,
        max_suspend: Limit::Count(0),
        ..PlanOptions::default()
    };
    let error = SyncPlan::build(Vec::new(), &org(), &options, ("b", None)).unwrap_err();
    assert_eq!((error.planned, error.limit), (2, 0));
    assert_eq!(Limit::Percent(5.0).of(100), 5);
    assert_eq!(Limit::Percent(10.0).of(3), 1);
}
