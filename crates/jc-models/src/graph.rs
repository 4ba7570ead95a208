//! The graph of memberships (`spec/jumpcloud-v2-usergroups.openapi.yaml`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! sections 28-29): edges as `/members` lists them, a user's groups as `/memberof` lists them,
//! and the body of a membership change.

use crate::enums::{GraphType, MemberOp};
use crate::groups::GraphAttributes;
use serde_json::{Map, Value};

model! {
    /// One end of an edge (`GraphObject`).
    pub struct GraphObject {
        /// Edge attributes.
        pub attributes: GraphAttributes,
        /// Object id.
        pub id: String,
        /// `user`, `user_group`, ...
        #[serde(rename = "type")]
        pub kind: String,
    }
}

model! {
    /// An edge (`GraphConnection`): `/members` lists the group's members as `to`.
    pub struct GraphConnection {
        /// Edge attributes.
        pub attributes: GraphAttributes,
        /// The start (often omitted).
        pub from: GraphObject,
        /// The end.
        pub to: GraphObject,
    }
}

impl GraphConnection {
    /// The id of `to` when it is a user (section 28: other entries are ignored).
    pub fn user_id(&self) -> Option<&str> {
        let to = self.to.as_ref()?;
        (to.kind.as_deref() == Some("user"))
            .then_some(to.id.as_deref())
            .flatten()
    }
}

model! {
    /// Sync state of an object (`SyncStatus`).
    pub struct SyncStatus {
        /// Status code of the sync.
        pub code: i64,
        /// Details.
        pub details: Vec<Map<String, Value>>,
        /// Message.
        pub message: String,
        /// When it last synced.
        #[serde(rename = "syncedAt")]
        pub synced_at: String,
    }
}

model! {
    /// An object reached from another through the graph (`GraphObjectWithPaths`): a user's
    /// groups as `/memberof` lists them.
    pub struct GraphObjectWithPaths {
        /// Attributes compiled along the paths.
        #[serde(rename = "compiledAttributes")]
        pub compiled_attributes: GraphAttributes,
        /// External id (with `syncStatus=true`).
        #[serde(rename = "externalId")]
        pub external_id: String,
        /// Object id.
        pub id: String,
        /// Every path from the user to this object.
        pub paths: Vec<Vec<GraphConnection>>,
        /// Sync state (with `syncStatus=true`).
        #[serde(rename = "syncStatus")]
        pub sync_status: SyncStatus,
        /// The object's type.
        #[serde(rename = "type")]
        pub kind: GraphType,
    }
}

impl GraphObjectWithPaths {
    /// True when one path has exactly one edge: the user is a direct member (section 28).
    pub fn is_direct(&self) -> bool {
        self.paths
            .as_ref()
            .is_some_and(|paths| paths.iter().any(|path| path.len() == 1))
    }
}

model! {
    /// A change of an edge (`GraphOperation`).
    pub struct GraphOperation {
        /// The object added or removed.
        pub id: String,
        /// What to do.
        pub op: MemberOp,
    }
}

model! {
    /// The body of `POST /usergroups/{group_id}/members` (`GraphOperation-UserGroup-Member`).
    /// [`GraphOperationUserGroupMember::user`] builds exactly the three keys section 29 sends.
    pub struct GraphOperationUserGroupMember {
        /// The user's id.
        pub id: String,
        /// What to do.
        pub op: MemberOp,
        /// Edge attributes (never sent by jcbulk).
        pub attributes: GraphAttributes,
        /// `user`.
        #[serde(rename = "type")]
        pub kind: String,
    }
}

impl GraphOperationUserGroupMember {
    /// `{"op": op, "type": "user", "id": user_id}`.
    pub fn user(op: MemberOp, user_id: impl Into<String>) -> Self {
        Self {
            id: Some(user_id.into()),
            op: Some(op),
            kind: Some("user".into()),
            ..Self::default()
        }
    }
}
