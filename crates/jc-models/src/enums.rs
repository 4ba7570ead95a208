//! String enums of the contract.
//!
//! Two kinds exist. *Open* enums are what the SDK receives: a value it does not know becomes
//! `Other(String)` and is written back unchanged, so a new server value never breaks decoding.
//! Known values are matched case-insensitively and compare case-insensitively.
//! *Closed* enums are what the server checks: the SDK can only send a value from the spec, and
//! decoding anything else is an error (the mock uses this to reject bad input).

/// Declares an open string enum: known variants plus `Other(String)`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every known value, as sent on the wire.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            /// The wire text of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Other(text) => text,
                }
            }

            /// Reads a wire value; known values match case-insensitively, anything else is `Other`.
            pub fn parse(text: &str) -> Self {
                $( if text.eq_ignore_ascii_case($text) { return Self::$variant; } )+
                Self::Other(text.to_owned())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str().eq_ignore_ascii_case(other.as_str())
            }
        }
        impl Eq for $name {}
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                for byte in self.as_str().bytes() {
                    state.write_u8(byte.to_ascii_lowercase());
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::parse(text)
            }
        }
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
        #[cfg(feature = "schema")]
        #[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "examples": [$($text),+] })
            }
        }
    };
}

/// Declares a closed string enum: only the spec's values, matched exactly.
macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, as sent on the wire.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire text of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::enums::UnknownValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $( if text == $text { return Ok(Self::$variant); } )+
                Err($crate::enums::UnknownValue {
                    kind: stringify!($name),
                    value: text.to_owned(),
                    expected: &[$($text),+],
                })
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
        #[cfg(feature = "schema")]
        #[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($text),+] })
            }
        }
    };
}

/// A value outside a closed enum of the contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} value `{value}`; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// The Rust name of the enum.
    pub kind: &'static str,
    /// The value that was given.
    pub value: String,
    /// The accepted values.
    pub expected: &'static [&'static str],
}

closed_enum! {
    /// The `creation-source` header of POST /bulk/users ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 11).
    #[derive(Default)]
    CreationSource {
        /// Google Workspace import.
        GApps => "jumpcloud:gapps",
        /// Microsoft 365 import.
        O365 => "jumpcloud:o365",
        /// Workday import.
        Workday => "jumpcloud:workday",
        /// SCIM provisioning.
        Scim => "jumpcloud:scim",
        /// CSV / bulk import (the server's default).
        #[default]
        Bulk => "jumpcloud:bulk",
        /// A custom integration.
        CustomIntegration => "jumpcloud:custom_integration",
    }
}

closed_enum! {
    /// The `state` a user is created in (`bulk-user-create.state`).
    NewUserState {
        /// Created but not yet active.
        Staged => "STAGED",
        /// Active.
        Activated => "ACTIVATED",
        /// Suspended.
        Suspended => "SUSPENDED",
    }
}

closed_enum! {
    /// A state a user can be moved to: `bulk-user-update.state` and
    /// `bulk-scheduled-statechange-create.state`.
    StateChange {
        /// Activate the user.
        Activated => "ACTIVATED",
        /// Suspend the user.
        Suspended => "SUSPENDED",
    }
}

open_enum! {
    /// A user state reported by the server (`scheduled-userstate-result.state`).
    UserState {
        /// Created but not yet active.
        Staged => "STAGED",
        /// Active.
        Activated => "ACTIVATED",
        /// Suspended.
        Suspended => "SUSPENDED",
    }
}

impl From<StateChange> for UserState {
    fn from(state: StateChange) -> Self {
        match state {
            StateChange::Activated => Self::Activated,
            StateChange::Suspended => Self::Suspended,
        }
    }
}

open_enum! {
    /// The status of one work result of a bulk job ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 2).
    WorkStatus {
        /// Not processed yet.
        Pending => "pending",
        /// Applied.
        Finished => "finished",
        /// Rejected; the reason is in `statusMsg`.
        Failed => "failed",
    }
}

impl WorkStatus {
    const FAILURE_WORDS: [&'static str; 3] = ["error", "errored", "failure"];

    /// True once the record will not change any more: finished, failed, or an `Other` value that
    /// names a failure (`error`, `errored`, `failure`). Other unknown values count as in progress.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Finished) || self.is_failure()
    }

    /// True when the record was rejected: `failed`, `error`, `errored` or `failure`.
    pub fn is_failure(&self) -> bool {
        match self {
            Self::Failed => true,
            Self::Other(text) => Self::FAILURE_WORDS
                .iter()
                .any(|word| text.eq_ignore_ascii_case(word)),
            _ => false,
        }
    }

    /// True while the record waits to be processed.
    pub fn is_pending(&self) -> bool {
        !self.is_terminal()
    }
}

open_enum! {
    /// The field a restriction applies to (`restrictedField.field`).
    RestrictedFieldName {
        /// `addresses`
        Addresses => "addresses",
        /// `company`
        Company => "company",
        /// `costCenter`
        CostCenter => "costCenter",
        /// `department`
        Department => "department",
        /// `description`
        Description => "description",
        /// `displayname`
        Displayname => "displayname",
        /// `email`
        Email => "email",
        /// `employeeIdentifier`
        EmployeeIdentifier => "employeeIdentifier",
        /// `employeeType`
        EmployeeType => "employeeType",
        /// `firstname`
        Firstname => "firstname",
        /// `jobTitle`
        JobTitle => "jobTitle",
        /// `lastname`
        Lastname => "lastname",
        /// `location`
        Location => "location",
        /// `middlename`
        Middlename => "middlename",
        /// `password`
        Password => "password",
        /// `phoneNumbers`
        PhoneNumbers => "phoneNumbers",
        /// `sudo`
        Sudo => "sudo",
        /// `username`
        Username => "username",
    }
}

open_enum! {
    /// Who restricts a field (`restrictedField.type`).
    RestrictedFieldType {
        /// Active Directory.
        ActiveDirectory => "active_directory",
        /// A federated identity provider.
        FederatedIdentityProvider => "federated_identity_provider",
        /// SCIM.
        Scim => "scim",
    }
}

open_enum! {
    /// The authority a password is delegated to (`delegatedAuthority.name`).
    AuthorityName {
        /// Active Directory.
        ActiveDirectory => "ActiveDirectory",
    }
}

open_enum! {
    /// How a user group gets its members (`GroupMembershipMethodType`; an open enum,
    /// [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 27).
    MembershipMethod {
        /// Not set (a static group in practice).
        NotSet => "NOTSET",
        /// Members are added and removed by hand.
        Static => "STATIC",
        /// A member query suggests changes an admin reviews.
        DynamicReviewRequired => "DYNAMIC_REVIEW_REQUIRED",
        /// A member query adds and removes members by itself.
        DynamicAutomated => "DYNAMIC_AUTOMATED",
    }
}

impl MembershipMethod {
    /// True for `DYNAMIC_AUTOMATED`: the server re-evaluates the membership and undoes edge
    /// changes that disagree with the query (section 27).
    pub fn is_automated(&self) -> bool {
        matches!(self, Self::DynamicAutomated)
    }
}

open_enum! {
    /// A graph object type (`GraphType`).
    GraphType {
        /// Active Directory.
        ActiveDirectory => "active_directory",
        /// An application.
        Application => "application",
        /// A command.
        Command => "command",
        /// Google Workspace.
        GSuite => "g_suite",
        /// An IdP routing policy.
        IdpRoutingPolicy => "idp_routing_policy",
        /// An LDAP server.
        LdapServer => "ldap_server",
        /// Microsoft 365.
        Office365 => "office_365",
        /// A policy.
        Policy => "policy",
        /// A policy group.
        PolicyGroup => "policy_group",
        /// A RADIUS server.
        RadiusServer => "radius_server",
        /// A password manager item.
        PasswordManagerItem => "password_manager_item",
        /// A device.
        System => "system",
        /// A device group.
        SystemGroup => "system_group",
        /// A user.
        User => "user",
        /// A user group.
        UserGroup => "user_group",
    }
}

closed_enum! {
    /// What a membership change does (`GraphOperation.op`). jcbulk sends `add` and `remove`
    /// only (section 29).
    MemberOp {
        /// Adds the edge.
        Add => "add",
        /// Removes the edge.
        Remove => "remove",
        /// Updates the edge's attributes.
        Update => "update",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enum_keeps_unknown_values_and_ignores_case() {
        let status: WorkStatus = serde_json::from_str("\"FINISHED\"").unwrap();
        assert_eq!(status, WorkStatus::Finished);
        let other: WorkStatus = serde_json::from_str("\"queued\"").unwrap();
        assert_eq!(other, WorkStatus::Other("queued".into()));
        assert_eq!(serde_json::to_string(&other).unwrap(), "\"queued\"");
        assert_eq!(WorkStatus::parse("Queued"), WorkStatus::parse("QUEUED"));
    }

    #[test]
    fn work_status_terminal_and_failure_per_contract_section_2() {
        let cases = [
            ("pending", false, false),
            ("finished", true, false),
            ("Finished", true, false),
            ("failed", true, true),
            ("error", true, true),
            ("ERRORED", true, true),
            ("failure", true, true),
            ("processing", false, false),
        ];
        for (text, terminal, failure) in cases {
            let status = WorkStatus::parse(text);
            assert_eq!(status.is_terminal(), terminal, "{text}");
            assert_eq!(status.is_failure(), failure, "{text}");
            assert_eq!(status.is_pending(), !terminal, "{text}");
        }
    }

    #[test]
    fn closed_enum_rejects_unknown_values() {
        let err = serde_json::from_str::<CreationSource>("\"jumpcloud:ldap\"").unwrap_err();
        assert!(err.to_string().contains("jumpcloud:ldap"), "{err}");
        assert!(serde_json::from_str::<StateChange>("\"suspended\"").is_err());
        assert_eq!(
            serde_json::from_str::<StateChange>("\"SUSPENDED\"").unwrap(),
            StateChange::Suspended
        );
        assert_eq!(CreationSource::default().as_str(), "jumpcloud:bulk");
        for source in CreationSource::ALL {
            assert_eq!(source.as_str().parse::<CreationSource>().unwrap(), *source);
        }
    }
}
