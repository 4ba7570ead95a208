//! `bulk-user-expire` and `bulk-user-unlock`: records that name an existing user.

use crate::validate::{Checker, Validate, Violations};
use serde_json::{Map, Value};

model! {
    /// One user whose password to expire (`bulk-user-expire`).
    pub struct BulkUserExpire {
        /// Additional attributes.
        pub attributes: Vec<Map<String, Value>>,
        /// Object id of the user (required).
        pub id: String,
        /// The organization the user belongs to.
        pub organization: String,
    }
}

model! {
    /// One user to unlock (`bulk-user-unlock`).
    pub struct BulkUserUnlock {
        /// Additional attributes.
        pub attributes: Vec<Map<String, Value>>,
        /// Object id of the user (required).
        pub id: String,
        /// The organization the user belongs to.
        pub organization: String,
    }
}

macro_rules! target_impls {
    ($name:ident) => {
        impl $name {
            /// A record for the user with this object id.
            pub fn new(id: impl Into<String>) -> Self {
                Self {
                    id: Some(id.into()),
                    ..Self::default()
                }
            }
        }

        impl Validate for $name {
            /// `id` required ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 15).
            fn validate(&self) -> Result<(), Violations> {
                let mut check = Checker::default();
                check.required("id", self.id.as_deref());
                check.finish()
            }
        }
    };
}

target_impls!(BulkUserExpire);
target_impls!(BulkUserUnlock);
