//! `bulk-user-create`: one user of POST /bulk/users.

use crate::bulk_user::Limits;
use crate::enums::NewUserState;
use crate::user_parts::RecoveryEmail;
use crate::validate::{Checker, Validate, Violations};

bulk_user! {
    /// One user to create (`bulk-user-create`, every property of the expanded schema).
    ///
    /// Build it with [`BulkUserCreate::new`] and struct update:
    /// ```
    /// use jc_models::BulkUserCreate;
    /// let user = BulkUserCreate {
    ///     firstname: Some("Ada".into()),
    ///     ..BulkUserCreate::new("ada", "ada@example.com")
    /// }
    /// .with_attribute("EmployeeID", "0001");
    /// assert_eq!(user.username.as_deref(), Some("ada"));
    /// ```
    pub struct BulkUserCreate {
        /// Whether the user is activated.
        pub activated: bool,
        /// Recovery e-mail address.
        #[serde(rename = "recoveryEmail")]
        pub recovery_email: RecoveryEmail,
        /// The state to create the user in; the org's default when absent.
        pub state: NewUserState,
    }
}

impl BulkUserCreate {
    /// A user with the two properties the server requires ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 13).
    pub fn new(username: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            username: Some(username.into()),
            email: Some(email.into()),
            ..Self::default()
        }
    }
}

impl Validate for BulkUserCreate {
    /// `username` and `email` required, `email` shaped like an address, the schema's lengths,
    /// `unix_uid`/`unix_guid`/`mfa.exclusionDays` at least 1 ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 13).
    fn validate(&self) -> Result<(), Violations> {
        let mut check = Checker::default();
        check.required("username", self.username.as_deref());
        check.required("email", self.email.as_deref());
        self.check_shared(
            &mut check,
            &Limits {
                profile_texts: false,
                contact_parts: false,
            },
        );
        check.finish()
    }
}
