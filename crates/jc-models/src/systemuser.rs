//! The v1 system-user reads (`spec/jumpcloud-v1-systemusers.openapi.yaml`, [CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) sections
//! 19-23): a user as `GET /systemusers` returns it, a page of them, and the search body. Forward
//! compatible like the v2 types: unknown properties land in `extra`.

use crate::enums::AuthorityName;
use crate::user_parts::{Attribute, Mfa, Relationship, RestrictedField};
use serde_json::Value;

model! {
    /// A v1 address: the v2 one plus its `id`.
    pub struct SystemUserAddress {
        /// Id of the address entry.
        pub id: String,
        /// `work`, `home`, ...
        #[serde(rename = "type")]
        pub kind: String,
        /// Post office box.
        #[serde(rename = "poBox")]
        pub po_box: String,
        /// Extended address.
        #[serde(rename = "extendedAddress")]
        pub extended_address: String,
        /// Street.
        #[serde(rename = "streetAddress")]
        pub street_address: String,
        /// City.
        pub locality: String,
        /// Region or state.
        pub region: String,
        /// Postal code.
        #[serde(rename = "postalCode")]
        pub postal_code: String,
        /// Country.
        pub country: String,
    }
}

model! {
    /// A v1 phone number: the v2 one plus its `id`.
    pub struct SystemUserPhoneNumber {
        /// Id of the entry.
        pub id: String,
        /// `mobile`, `work`, ...
        #[serde(rename = "type")]
        pub kind: String,
        /// The number.
        pub number: String,
    }
}

model! {
    /// A v1 recovery e-mail, with its verification state.
    pub struct SystemUserRecoveryEmail {
        /// The address.
        pub address: String,
        /// Whether it was verified.
        pub verified: bool,
        /// When it was verified.
        #[serde(rename = "verifiedAt")]
        pub verified_at: String,
    }
}

model! {
    /// Who decides the user's password (v1: nullable).
    pub struct SystemUserDelegatedAuthority {
        /// Object id of the Active Directory connection.
        pub id: String,
        /// `ActiveDirectory`.
        pub name: AuthorityName,
    }
}

/// Declares a v1 user type: every property of `systemuserreturn`, plus `$extra` fields.
macro_rules! system_user {
    ($(#[$meta:meta])* $name:ident { $($extra:tt)* }) => {
        model! {
            $(#[$meta])*
            pub struct $name {
        /// The object id.
        #[serde(rename = "_id")]
        pub object_id_field: String,
        /// The object id again (not in the published spec; some answers carry it).
        pub id: String,
        /// Username.
        pub username: String,
        /// E-mail.
        pub email: String,
        /// First name.
        pub firstname: String,
        /// Middle name.
        pub middlename: String,
        /// Last name.
        pub lastname: String,
        /// Preferred name.
        pub displayname: String,
        /// Alternate e-mail.
        #[serde(rename = "alternateEmail")]
        pub alternate_email: String,
        /// Recovery e-mail (read only here).
        #[serde(rename = "recoveryEmail")]
        pub recovery_email: SystemUserRecoveryEmail,
        /// Managed Apple id.
        #[serde(rename = "managedAppleId")]
        pub managed_apple_id: String,
        /// Employee identifier (unique per user).
        #[serde(rename = "employeeIdentifier")]
        pub employee_identifier: String,
        /// Employee type.
        #[serde(rename = "employeeType")]
        pub employee_type: String,
        /// Department.
        pub department: String,
        /// Cost center.
        #[serde(rename = "costCenter")]
        pub cost_center: String,
        /// Company.
        pub company: String,
        /// Job title.
        #[serde(rename = "jobTitle")]
        pub job_title: String,
        /// Location.
        pub location: String,
        /// Description.
        pub description: String,
        /// Object id of the user's manager.
        pub manager: String,
        /// `STAGED`, `ACTIVATED` or `SUSPENDED`.
        pub state: String,
        /// Has set a password (read only).
        pub activated: bool,
        /// Suspended.
        pub suspended: bool,
        /// Locked.
        pub account_locked: bool,
        /// When the account was locked (read only).
        pub account_locked_date: String,
        /// Failed logins (read only).
        #[serde(rename = "badLoginAttempts")]
        pub bad_login_attempts: i64,
        /// Password expired (read only).
        pub password_expired: bool,
        /// When the password expires (read only).
        pub password_expiration_date: String,
        /// When the password was set (read only).
        pub password_date: String,
        /// Password never expires.
        pub password_never_expires: bool,
        /// Passwordless sudo.
        pub passwordless_sudo: bool,
        /// Sudo.
        pub sudo: bool,
        /// Managed UID.
        pub enable_managed_uid: bool,
        /// User portal MFA.
        pub enable_user_portal_multifactor: bool,
        /// LDAP binding user.
        pub ldap_binding_user: bool,
        /// Samba service user.
        pub samba_service_user: bool,
        /// Public key login allowed.
        pub allow_public_key: bool,
        /// Public key.
        pub public_key: String,
        /// Device max login attempts disabled.
        #[serde(rename = "disableDeviceMaxLoginAttempts")]
        pub disable_device_max_login_attempts: bool,
        /// UNIX uid.
        pub unix_uid: i64,
        /// UNIX gid.
        pub unix_guid: i64,
        /// Externally managed (deprecated).
        pub externally_managed: bool,
        /// External DN.
        pub external_dn: String,
        /// External source type.
        pub external_source_type: String,
        /// External password expiration date.
        pub external_password_expiration_date: String,
        /// Addresses.
        pub addresses: Vec<SystemUserAddress>,
        /// Phone numbers.
        #[serde(rename = "phoneNumbers")]
        pub phone_numbers: Vec<SystemUserPhoneNumber>,
        /// Custom attributes.
        pub attributes: Vec<Attribute>,
        /// Relationships.
        pub relationships: Vec<Relationship>,
        /// Fields owned by an external source (read only; not round-tripped).
        #[serde(rename = "restrictedFields")]
        pub restricted_fields: Vec<RestrictedField>,
        /// MFA settings.
        pub mfa: Mfa,
        /// Password delegation.
        #[serde(rename = "delegatedAuthority")]
        pub delegated_authority: SystemUserDelegatedAuthority,
        /// TOTP enabled (read only).
        pub totp_enabled: bool,
        /// Organization id.
        pub organization: String,
        /// Creation time (read only).
        pub created: String,
        /// Creation source (read only).
        #[serde(rename = "creationSource")]
        pub creation_source: String,
                $($extra)*
            }
        }
    };
}

system_user! {
    /// A JumpCloud user as the v1 API returns it (`systemuserreturn`). `_id` is the user's object
    /// id (the mock also sends `id`; read [`SystemUser::object_id`], which prefers `_id`).
    SystemUser {}
}

system_user! {
    /// A user as a search returns it: [`SystemUser`] plus the groups it belongs to.
    SystemUserMatch {
        /// Ids of the groups the user belongs to.
        pub memberof: Vec<String>
    }
}

macro_rules! object_id {
    ($name:ident) => {
        impl $name {
            /// The user's object id: `_id`, else `id`.
            pub fn object_id(&self) -> Option<&str> {
                self.object_id_field
                    .as_deref()
                    .or(self.id.as_deref())
                    .filter(|id| !id.trim().is_empty())
            }
        }
    };
}

object_id!(SystemUser);
object_id!(SystemUserMatch);

model! {
    /// A page of users (`systemuserslist`).
    pub struct SystemUsersList {
        /// Users matching the query in all (not the page size).
        #[serde(rename = "totalCount")]
        pub total_count: i64,
        /// This page.
        pub results: Vec<SystemUser>,
    }
}

model! {
    /// A page of search results (`systemuserssearchlist`): users, each possibly with `memberof`.
    pub struct SystemUsersSearchList {
        /// Users matching the search in all.
        #[serde(rename = "totalCount")]
        pub total_count: i64,
        /// This page.
        pub results: Vec<SystemUserMatch>,
    }
}

model! {
    /// `{"and": [...]}` or `{"or": [...]}` of filter expressions.
    pub struct SearchFilterLogical {
        /// All must match.
        pub and: Vec<serde_json::Map<String, Value>>,
        /// Any may match.
        pub or: Vec<serde_json::Map<String, Value>>,
    }
}

model! {
    /// A partial text match of `searchTerm` on `fields`.
    pub struct SearchTextFilter {
        /// A term or several.
        #[serde(rename = "searchTerm")]
        pub search_term: Value,
        /// The fields to search.
        pub fields: Vec<String>,
    }
}

model! {
    /// The body of `POST /search/systemusers` (`search`).
    pub struct Search {
        /// A [`SearchFilterLogical`] or an array of expressions (all must match).
        pub filter: Value,
        /// A partial text match.
        #[serde(rename = "searchFilter")]
        pub search_filter: SearchTextFilter,
        /// Space-separated field names to return (or an array of names).
        pub fields: Value,
        /// Page size (1 to 100).
        pub limit: i64,
        /// Offset.
        pub skip: i64,
    }
}
