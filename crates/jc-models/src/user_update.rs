//! `bulk-user-update`: one user of PATCH /bulk/users.

use crate::bulk_user::Limits;
use crate::enums::StateChange;
use crate::user_parts::SshKeyPost;
use crate::validate::{Checker, Problem, Validate, Violations};

bulk_user! {
    /// Changes to one existing user (`bulk-user-update`, every property of the expanded schema).
    ///
    /// ```
    /// use jc_models::BulkUserUpdate;
    /// let change = BulkUserUpdate {
    ///     department: Some("Finance".into()),
    ///     ..BulkUserUpdate::new("5be9fb4ddb01290001e85109")
    /// };
    /// assert!(jc_models::Validate::validate(&change).is_ok());
    /// ```
    pub struct BulkUserUpdate {
        /// Object id of the user being updated (required).
        pub id: String,
        /// Organization object id of the user.
        pub organization: String,
        /// SSH keys to add.
        pub ssh_keys: Vec<SshKeyPost>,
        /// The state to move the user to.
        pub state: StateChange,
    }
}

impl BulkUserUpdate {
    /// An update of the user with this object id.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }
}

impl Validate for BulkUserUpdate {
    /// `id` required, `email` shaped like an address when given, the schema's lengths and
    /// minimums, and both properties of every SSH key ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 13).
    fn validate(&self) -> Result<(), Violations> {
        let mut check = Checker::default();
        check.required("id", self.id.as_deref());
        self.check_shared(
            &mut check,
            &Limits {
                profile_texts: true,
                contact_parts: true,
            },
        );
        for (i, key) in self.ssh_keys.iter().flatten().enumerate() {
            if key.name.trim().is_empty() {
                check.push(format!("ssh_keys[{i}].name"), Problem::Required);
            }
            if key.public_key.trim().is_empty() {
                check.push(format!("ssh_keys[{i}].public_key"), Problem::Required);
            }
        }
        check.finish()
    }
}
