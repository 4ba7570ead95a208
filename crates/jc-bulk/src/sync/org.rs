//! One read of an org for a sync ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! section 38): every user with only the fields the plan compares (kept as compact JSON), which
//! of them the scope covers, and the members of the managed groups.

use crate::error::{Error, InvalidInput};
use crate::groups::Snapshot;
use crate::session::Session;
use crate::{CallOptions, Groups, Users};
use jc_models::UserGroup;
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::sync::Arc;

/// Fields every sync reads: the keys, the state and the manager.
pub const BASE_FIELDS: [&str; 6] = [
    "_id",
    "username",
    "email",
    "employeeIdentifier",
    "state",
    "manager",
];

/// A user of the org as the plan sees it.
#[derive(Debug, Clone)]
pub struct OrgUser {
    /// Object id.
    pub id: String,
    /// Whether the scope covers it.
    pub in_scope: bool,
    /// username, email, employeeIdentifier, state.
    names: [Option<Box<str>>; 4],
    json: Box<str>,
}

const NAMED: [&str; 4] = ["username", "email", "employeeIdentifier", "state"];

impl OrgUser {
    /// A user from its fields as the v1 API returned them.
    pub fn new(fields: &Map<String, Value>, in_scope: bool) -> Self {
        let text = |name: &str| fields.get(name).and_then(Value::as_str).map(Box::from);
        let id = fields
            .get("_id")
            .or(fields.get("id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Self {
            id,
            in_scope,
            names: NAMED.map(text),
            json: serde_json::to_string(fields)
                .unwrap_or_default()
                .into_boxed_str(),
        }
    }

    /// `username`, `email`, `employeeIdentifier` or `state`.
    pub fn text(&self, field: &str) -> Option<&str> {
        let at = NAMED.iter().position(|n| *n == field)?;
        self.names[at].as_deref()
    }

    /// Every field read.
    pub fn fields(&self) -> Map<String, Value> {
        match serde_json::from_str(&self.json) {
            Ok(Value::Object(object)) => object,
            _ => Map::new(),
        }
    }
}

/// The org as one read saw it.
#[derive(Debug, Clone, Default)]
pub struct OrgState {
    /// Every user.
    pub users: Vec<OrgUser>,
    /// The members of the groups the plan manages or names.
    pub groups: Snapshot,
}

/// One `field:$op:value` of a scope (`$eq $ne $gt $gte $lt $lte`).
#[derive(Debug, Clone)]
pub struct ScopeFilter {
    field: String,
    op: String,
    value: String,
}

impl ScopeFilter {
    /// Reads `field:$op:value` (the `$` is optional).
    ///
    /// # Errors
    /// Another form or operator.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let bad = || {
            InvalidInput::Argument(format!(
                "scope `{text}` must be field:$op:value with $eq $ne $gt $gte $lt $lte"
            ))
        };
        let mut parts = text.splitn(3, ':');
        let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let op = op.trim_start_matches('$');
        if field.is_empty() || !["eq", "ne", "gt", "gte", "lt", "lte"].contains(&op) {
            return Err(bad());
        }
        Ok(Self {
            field: field.to_owned(),
            op: op.to_owned(),
            value: value.to_owned(),
        })
    }

    /// The field it reads.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Whether `user` passes, as the v1 list filter would decide.
    pub fn holds(&self, user: &Map<String, Value>) -> bool {
        let ordering = user.get(&self.field).and_then(|v| match v {
            Value::Number(n) => n.as_f64()?.partial_cmp(&self.value.parse::<f64>().ok()?),
            Value::Bool(b) => Some(b.to_string().as_str().cmp(self.value.as_str())),
            Value::String(text) => Some(text.as_str().cmp(self.value.as_str())),
            _ => None,
        });
        match (self.op.as_str(), ordering) {
            ("eq", Some(o)) => o == Ordering::Equal,
            ("ne", o) => o != Some(Ordering::Equal),
            ("gt", Some(o)) => o == Ordering::Greater,
            ("gte", Some(o)) => o != Ordering::Less,
            ("lt", Some(o)) => o == Ordering::Less,
            ("lte", Some(o)) => o != Ordering::Greater,
            _ => false,
        }
    }
}

impl OrgState {
    /// Reads every user of the org once (the v1 list, 100 a page, a few pages ahead under the
    /// rate limit; only `fields` and the keys), marks those every `scope` filter covers, and
    /// reads the members of `groups` once. Callers use
    /// [`Client::read_org`](crate::Client::read_org).
    ///
    /// # Errors
    /// A failed read.
    pub(crate) async fn read(
        session: &Arc<Session>,
        call: &CallOptions,
        fields: &[String],
        scope: &[ScopeFilter],
        groups: &[UserGroup],
    ) -> Result<Self, Error> {
        let mut wanted: Vec<String> = BASE_FIELDS.iter().map(|f| (*f).to_owned()).collect();
        for field in fields
            .iter()
            .map(String::as_str)
            .chain(scope.iter().map(ScopeFilter::field))
        {
            if !wanted.iter().any(|w| w == field) {
                wanted.push(field.to_owned());
            }
        }
        let fields = wanted.join(" ");
        let mut users = Vec::new();
        Users::new(session, call)
            .list_ahead(&fields, &mut |page| {
                for user in page {
                    if let Ok(Value::Object(object)) = serde_json::to_value(user) {
                        let in_scope = scope.iter().all(|f| f.holds(&object));
                        users.push(OrgUser::new(&object, in_scope));
                    }
                }
            })
            .await?;
        let groups = Groups::new(session, call).snapshot(groups).await?;
        Ok(Self { users, groups })
    }
}
