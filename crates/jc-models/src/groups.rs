//! User groups (`spec/jumpcloud-v2-usergroups.openapi.yaml`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! sections 25-27): a group as the server returns it, the bodies that create and replace one,
//! and the typed forms of its `attributes` and `memberQuery`.
//!
//! `attributes`, `memberQuery`, `memberQueryExemptions` and `suggestionCounts` of a group are
//! kept as raw JSON (section 27: their shape differs between sources); the typed forms below
//! read them when a caller wants to ([`GroupAttributesUserGroup`], [`MemberQuery`],
//! [`SuggestionCounts`], [`GraphObject`]).

use crate::enums::MembershipMethod;
use serde_json::{Map, Value};

/// Free-form graph attributes (`GraphAttributes`).
pub type GraphAttributes = Map<String, Value>;

/// The flags of errors met while evaluating a member query (`MemberQueryErrorFlags`).
pub type MemberQueryErrorFlags = Vec<String>;

model! {
    /// A user group (`UserGroup`).
    pub struct UserGroup {
        /// Group attributes (raw JSON; [`GroupAttributesUserGroup`] reads it). `null` reads as
        /// absent.
        pub attributes: Value,
        /// Description.
        pub description: String,
        /// E-mail address of the group.
        pub email: String,
        /// Object id (24 hex).
        pub id: String,
        /// Member query of a dynamic group (raw JSON; [`MemberQuery`] reads the published form).
        #[serde(rename = "memberQuery")]
        pub member_query: Value,
        /// Errors met while evaluating the member query.
        #[serde(rename = "memberQueryErrorFlags")]
        pub member_query_error_flags: MemberQueryErrorFlags,
        /// Objects exempted from the member query (raw JSON: `[GraphObject]`).
        #[serde(rename = "memberQueryExemptions")]
        pub member_query_exemptions: Value,
        /// Whether membership suggestions are e-mailed.
        #[serde(rename = "memberSuggestionsNotify")]
        pub member_suggestions_notify: bool,
        /// How the group gets its members.
        #[serde(rename = "membershipMethod")]
        pub membership_method: MembershipMethod,
        /// Display name (unique per org, case-insensitively).
        pub name: String,
        /// The org that owns the group.
        #[serde(rename = "organizationObjectId")]
        pub organization_object_id: String,
        /// Pending suggestion counts (raw JSON; [`SuggestionCounts`] reads it).
        #[serde(rename = "suggestionCounts")]
        pub suggestion_counts: Value,
        /// `user_group`.
        #[serde(rename = "type")]
        pub kind: String,
    }
}

impl UserGroup {
    /// The membership method, `NOTSET` when absent.
    pub fn method(&self) -> MembershipMethod {
        self.membership_method
            .clone()
            .unwrap_or(MembershipMethod::NotSet)
    }
}

/// Declares the body that creates or replaces a group: the same properties.
macro_rules! group_body {
    ($(#[$meta:meta])* $name:ident) => {
        model! {
            $(#[$meta])*
            pub struct $name {
                /// Group attributes (raw JSON).
                pub attributes: Value,
                /// Description.
                pub description: String,
                /// E-mail address of the group.
                pub email: String,
                /// Member query (raw JSON).
                #[serde(rename = "memberQuery")]
                pub member_query: Value,
                /// Objects exempted from the member query (raw JSON: `[GraphObject]`).
                #[serde(rename = "memberQueryExemptions")]
                pub member_query_exemptions: Value,
                /// Whether membership suggestions are e-mailed.
                #[serde(rename = "memberSuggestionsNotify")]
                pub member_suggestions_notify: bool,
                /// How the group gets its members.
                #[serde(rename = "membershipMethod")]
                pub membership_method: MembershipMethod,
                /// Display name (required).
                pub name: String,
            }
        }

        impl $name {
            /// A body with only `name`.
            pub fn named(name: impl Into<String>) -> Self {
                Self { name: Some(name.into()), ..Self::default() }
            }
        }
    };
}

group_body! {
    /// The body of `POST /usergroups` (`UserGroupPost`).
    UserGroupPost
}

group_body! {
    /// The body of `PUT /usergroups/{id}` (`UserGroupPut`): a full replacement.
    UserGroupPut
}

impl From<&UserGroup> for UserGroupPut {
    /// Everything a group holds that `PUT` writes, so that a replacement built from a fresh read
    /// changes only what the caller then sets (section 27).
    fn from(group: &UserGroup) -> Self {
        Self {
            attributes: group.attributes.clone(),
            description: group.description.clone(),
            email: group.email.clone(),
            member_query: group.member_query.clone(),
            member_query_exemptions: group.member_query_exemptions.clone(),
            member_suggestions_notify: group.member_suggestions_notify,
            membership_method: group.membership_method.clone(),
            name: group.name.clone(),
            extra: Map::new(),
        }
    }
}

model! {
    /// A basic query (`Query`).
    pub struct Query {
        /// `Filter`, `FilterQuery` or `Search`.
        #[serde(rename = "queryType")]
        pub query_type: String,
    }
}

model! {
    /// The published form of a member query (`MemberQuery`): the filters stay opaque.
    pub struct MemberQuery {
        /// `Filter`, `FilterQuery` or `Search`.
        #[serde(rename = "queryType")]
        pub query_type: String,
        /// The filters, in whichever shape the server uses.
        pub filters: Vec<Value>,
    }
}

model! {
    /// Pending membership suggestions (`SuggestionCounts`).
    pub struct SuggestionCounts {
        /// Users suggested for adding.
        pub add: i64,
        /// Users suggested for removal.
        pub remove: i64,
        /// Both.
        pub total: i64,
    }
}

model! {
    /// Sudo settings (`GraphAttribute-Sudo.sudo`).
    pub struct Sudo {
        /// Enables sudo.
        pub enabled: bool,
        /// Sudo without a password (requires `enabled`).
        #[serde(rename = "withoutPassword")]
        pub without_password: bool,
    }
}

model! {
    /// `GraphAttribute-Sudo`.
    pub struct GraphAttributeSudo {
        /// Sudo settings; `Some(None)` is JSON `null`.
        #[serde(deserialize_with = "crate::model::nullable::deserialize")]
        pub sudo: Option<Sudo>,
    }
}

model! {
    /// An LDAP group (`LdapGroup`).
    pub struct LdapGroup {
        /// Its name.
        pub name: String,
    }
}

model! {
    /// `GraphAttribute-LdapGroups`.
    pub struct GraphAttributeLdapGroups {
        /// LDAP groups to provision.
        #[serde(rename = "ldapGroups")]
        pub ldap_groups: Vec<LdapGroup>,
    }
}

model! {
    /// A POSIX group of `GraphAttribute-PosixGroups`.
    pub struct PosixGroup {
        /// Its gid.
        pub id: i64,
        /// Its name.
        pub name: String,
    }
}

model! {
    /// `GraphAttribute-PosixGroups`.
    pub struct GraphAttributePosixGroups {
        /// POSIX groups to provision.
        #[serde(rename = "posixGroups")]
        pub posix_groups: Vec<PosixGroup>,
    }
}

model! {
    /// A RADIUS reply attribute.
    pub struct RadiusReply {
        /// Attribute name.
        pub name: String,
        /// Attribute value.
        pub value: String,
    }
}

model! {
    /// RADIUS settings of `GraphAttribute-Radius`.
    pub struct Radius {
        /// Reply attributes.
        pub reply: Vec<RadiusReply>,
    }
}

model! {
    /// `GraphAttribute-Radius`.
    pub struct GraphAttributeRadius {
        /// RADIUS settings.
        pub radius: Radius,
    }
}

model! {
    /// `GraphAttribute-SambaEnabled`.
    pub struct GraphAttributeSambaEnabled {
        /// Whether Samba attributes are provisioned.
        #[serde(rename = "sambaEnabled")]
        pub samba_enabled: bool,
    }
}

model! {
    /// The typed form of a group's `attributes` (`GroupAttributes-UserGroup`); anything else it
    /// holds stays in `extra`.
    pub struct GroupAttributesUserGroup {
        /// Sudo settings; `Some(None)` is JSON `null`.
        #[serde(deserialize_with = "crate::model::nullable::deserialize")]
        pub sudo: Option<Sudo>,
        /// LDAP groups.
        #[serde(rename = "ldapGroups")]
        pub ldap_groups: Vec<LdapGroup>,
        /// POSIX groups.
        #[serde(rename = "posixGroups")]
        pub posix_groups: Vec<PosixGroup>,
        /// RADIUS settings.
        pub radius: Radius,
        /// Samba support.
        #[serde(rename = "sambaEnabled")]
        pub samba_enabled: bool,
    }
}
