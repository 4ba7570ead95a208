//! Reading the users a plan touches again before applying it: a change already made is done,
//! a field changed by someone else since the plan refuses its user.

use super::*;

/// Per user: why it is refused, or which of its changes are already made.
#[derive(Default)]
pub(super) struct Recheck {
    pub(super) refused: HashMap<String, String>,
    pub(super) done: HashSet<(String, String)>,
    pub(super) missing_creates: HashMap<u64, String>,
}

pub(super) async fn recheck(
    plan: &SyncPlan,
    session: &Arc<Session>,
    resume: bool,
) -> Result<Recheck, Error> {
    let call = CallOptions::new();
    let mut fields: Vec<String> = vec!["state".into()];
    let mut ids: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for update in &plan.updates {
        fields.extend(update.changes.iter().map(|c| c.field.clone()));
        if seen.insert(update.user_id.clone()) {
            ids.push(update.user_id.clone());
        }
    }
    for state in &plan.states {
        if seen.insert(state.user_id.clone()) {
            ids.push(state.user_id.clone());
        }
    }
    fields.sort();
    fields.dedup();
    let names: Vec<&str> = fields.iter().map(String::as_str).collect();
    let keys: Vec<UserKey> = ids.iter().map(|id| UserKey::Id(UserId::new(id))).collect();
    let read = Users::new(session, &call).read(&keys, &names).await?;
    let mut out = Recheck::default();
    let current: HashMap<&str, Map<String, Value>> = ids
        .iter()
        .zip(read)
        .filter_map(|(id, lookup)| match lookup {
            Lookup::Found(user) => Some((id.as_str(), user.fields())),
            _ => None,
        })
        .collect();
    let mut check = |user: &str, field: &str, old: &Value, new: &Value| match current.get(user) {
        None => {
            out.refused
                .insert(user.to_owned(), "the user no longer exists".into());
        }
        Some(fields) => {
            let now = fields.get(field).map(normalized).unwrap_or(Value::Null);
            if now == normalized(new) {
                out.done.insert((user.to_owned(), field.to_owned()));
            } else if now != normalized(old) {
                out.refused.entry(user.to_owned()).or_insert(format!(
                    "changed since the plan: {field} was {}, is now {}",
                    show(old),
                    show(&now)
                ));
            }
        }
    };
    for update in &plan.updates {
        for FieldChange { field, old, new } in &update.changes {
            check(&update.user_id, field, old, new);
        }
    }
    for state in &plan.states {
        let (old, new) = (
            Value::String(state.from.clone()),
            Value::String(state.to.as_str().into()),
        );
        check(&state.user_id, "state", &old, &new);
    }
    if !resume {
        out.missing_creates = recheck_creates(plan, session).await?;
    }
    Ok(out)
}

/// The creates whose key a user holds now (created since the plan): by line, the reason.
async fn recheck_creates(
    plan: &SyncPlan,
    session: &Arc<Session>,
) -> Result<HashMap<u64, String>, Error> {
    let mut missing = HashMap::new();
    if plan.key == crate::sync::SyncKey::EmployeeIdentifier || plan.creates.is_empty() {
        return Ok(missing);
    }
    let call = CallOptions::new();
    let keys: Vec<UserKey> = plan
        .creates
        .iter()
        .map(|c| match plan.key {
            crate::sync::SyncKey::Email => UserKey::Email(c.key.clone()),
            _ => UserKey::Username(c.key.clone()),
        })
        .collect();
    let found = Users::new(session, &call)
        .resolve(keys, &crate::ResolveOptions::default())
        .await?;
    for (create, resolution) in plan.creates.iter().zip(found) {
        if !matches!(resolution, crate::Resolution::NotFound) {
            missing.insert(
                create.line,
                format!(
                    "a user with {} `{}` exists now (created since the plan)",
                    plan.key.field(),
                    create.key
                ),
            );
        }
    }
    Ok(missing)
}
