//! The properties shared by `bulk-user-create` and `bulk-user-update`, declared once.
//!
//! `bulk_user!` adds them to a body's own properties and generates the checks they share.

use crate::user_parts::{Address, Attribute, PhoneNumber};
use crate::validate::Checker;

/// `maxLength` of the text properties that carry one in the schema at hand.
pub(crate) struct Limits {
    /// Name-like texts limited to 1024 in `bulk-user-update` only (company, firstname ...).
    pub(crate) profile_texts: bool,
    /// Address and phone sub-fields limited to 1024 (update only).
    pub(crate) contact_parts: bool,
}

macro_rules! bulk_user {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($own:tt)* }
    ) => {
        model! {
            $(#[$meta])*
            pub struct $name {
                $($own)*
                /// Whether the account is locked.
                pub account_locked: bool,
                /// Postal addresses.
                pub addresses: Vec<$crate::user_parts::Address>,
                /// Whether the user may manage their public key.
                pub allow_public_key: bool,
                /// An alternate e-mail address.
                #[serde(rename = "alternateEmail")]
                pub alternate_email: String,
                /// Custom attributes.
                pub attributes: Vec<$crate::user_parts::Attribute>,
                /// Company.
                pub company: String,
                /// Cost center.
                #[serde(rename = "costCenter")]
                pub cost_center: String,
                /// Password delegation; `Some(None)` sends JSON `null` (the property is nullable).
                #[serde(rename = "delegatedAuthority", deserialize_with = "crate::model::nullable::deserialize")]
                pub delegated_authority: Option<$crate::user_parts::DelegatedAuthority>,
                /// Department.
                pub department: String,
                /// Free-text description (at most 1024 characters).
                pub description: String,
                /// Whether device login-attempt limits are disabled.
                #[serde(rename = "disableDeviceMaxLoginAttempts")]
                pub disable_device_max_login_attempts: bool,
                /// Display name.
                pub displayname: String,
                /// E-mail address (at most 1024 characters).
                pub email: String,
                /// Employee identifier, unique per user (at most 256 characters).
                #[serde(rename = "employeeIdentifier")]
                pub employee_identifier: String,
                /// Employee type.
                #[serde(rename = "employeeType")]
                pub employee_type: String,
                /// Whether a managed UID is used.
                pub enable_managed_uid: bool,
                /// Whether MFA is enabled for the user portal.
                pub enable_user_portal_multifactor: bool,
                /// External distinguished name.
                pub external_dn: String,
                /// When the external password expires.
                pub external_password_expiration_date: $crate::time::ApiTime,
                /// External source type.
                pub external_source_type: String,
                /// Deprecated by JumpCloud; kept for completeness.
                pub externally_managed: bool,
                /// First name.
                pub firstname: String,
                /// Job title.
                #[serde(rename = "jobTitle")]
                pub job_title: String,
                /// Last name.
                pub lastname: String,
                /// Whether the user may bind to LDAP.
                pub ldap_binding_user: bool,
                /// Location.
                pub location: String,
                /// Managed Apple ID (at most 1024 characters).
                #[serde(rename = "managedAppleId")]
                pub managed_apple_id: String,
                /// Id of the user's manager.
                pub manager: String,
                /// MFA settings.
                pub mfa: $crate::user_parts::Mfa,
                /// Middle name.
                pub middlename: String,
                /// Password (redacted in `Debug`).
                pub password: $crate::secret::Password,
                /// Whether the password never expires.
                pub password_never_expires: bool,
                /// Whether sudo needs no password.
                pub passwordless_sudo: bool,
                /// Phone numbers.
                #[serde(rename = "phoneNumbers")]
                pub phone_numbers: Vec<$crate::user_parts::PhoneNumber>,
                /// Public SSH key.
                pub public_key: String,
                /// Relationships.
                pub relationships: Vec<$crate::user_parts::Relationship>,
                /// Fields restricted by an external directory.
                #[serde(rename = "restrictedFields")]
                pub restricted_fields: Vec<$crate::user_parts::RestrictedField>,
                /// Whether this is a Samba service user.
                pub samba_service_user: bool,
                /// Whether the user has sudo.
                pub sudo: bool,
                /// Whether the user is suspended.
                pub suspended: bool,
                /// Unix group id (at least 1).
                pub unix_guid: i64,
                /// Unix user id (at least 1).
                pub unix_uid: i64,
                /// Username (at most 1024 characters in update).
                pub username: String,
            }
        }

        impl $name {
            /// Adds a custom attribute.
            #[must_use]
            pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.attributes
                    .get_or_insert_with(Vec::new)
                    .push($crate::user_parts::Attribute::new(name, value));
                self
            }

            /// Adds a phone number of the given kind (`home`, `work`, `mobile` ...).
            #[must_use]
            pub fn with_phone(mut self, kind: impl Into<String>, number: impl Into<String>) -> Self {
                self.phone_numbers
                    .get_or_insert_with(Vec::new)
                    .push($crate::user_parts::PhoneNumber::new(kind, number));
                self
            }

            fn check_shared(&self, check: &mut $crate::validate::Checker, limits: &$crate::bulk_user::Limits) {
                $crate::bulk_user::check_shared(
                    check,
                    limits,
                    $crate::bulk_user::Shared {
                        texts: &[
                            ("company", self.company.as_deref()),
                            ("costCenter", self.cost_center.as_deref()),
                            ("department", self.department.as_deref()),
                            ("displayname", self.displayname.as_deref()),
                            ("employeeType", self.employee_type.as_deref()),
                            ("firstname", self.firstname.as_deref()),
                            ("jobTitle", self.job_title.as_deref()),
                            ("lastname", self.lastname.as_deref()),
                            ("location", self.location.as_deref()),
                            ("middlename", self.middlename.as_deref()),
                            ("username", self.username.as_deref()),
                        ],
                        description: self.description.as_deref(),
                        email: self.email.as_deref(),
                        employee_identifier: self.employee_identifier.as_deref(),
                        managed_apple_id: self.managed_apple_id.as_deref(),
                        unix_uid: self.unix_uid,
                        unix_guid: self.unix_guid,
                        attributes: self.attributes.as_deref().unwrap_or_default(),
                        addresses: self.addresses.as_deref().unwrap_or_default(),
                        phone_numbers: self.phone_numbers.as_deref().unwrap_or_default(),
                        mfa_exclusion_days: self.mfa.as_ref().and_then(|mfa| mfa.exclusion_days),
                        restricted_fields: self.restricted_fields.as_deref().unwrap_or_default(),
                    },
                );
            }
        }
    };
}

/// Borrowed view of the shared properties that have rules.
pub(crate) struct Shared<'a> {
    pub(crate) texts: &'a [(&'static str, Option<&'a str>)],
    pub(crate) description: Option<&'a str>,
    pub(crate) email: Option<&'a str>,
    pub(crate) employee_identifier: Option<&'a str>,
    pub(crate) managed_apple_id: Option<&'a str>,
    pub(crate) unix_uid: Option<i64>,
    pub(crate) unix_guid: Option<i64>,
    pub(crate) attributes: &'a [Attribute],
    pub(crate) addresses: &'a [Address],
    pub(crate) phone_numbers: &'a [PhoneNumber],
    pub(crate) mfa_exclusion_days: Option<i64>,
    pub(crate) restricted_fields: &'a [crate::user_parts::RestrictedField],
}

const TEXT_MAX: usize = 1024;

pub(crate) fn check_shared(check: &mut Checker, limits: &Limits, shared: Shared<'_>) {
    if limits.profile_texts {
        for (field, value) in shared.texts {
            check.max_len(*field, *value, TEXT_MAX);
        }
    }
    check.max_len("description", shared.description, TEXT_MAX);
    check.max_len("email", shared.email, TEXT_MAX);
    check.email("email", shared.email);
    check.max_len("employeeIdentifier", shared.employee_identifier, 256);
    check.max_len("managedAppleId", shared.managed_apple_id, TEXT_MAX);
    check.min("unix_uid", shared.unix_uid, 1);
    check.min("unix_guid", shared.unix_guid, 1);
    check.min("mfa.exclusionDays", shared.mfa_exclusion_days, 1);
    for (i, attribute) in shared.attributes.iter().enumerate() {
        check.max_len(
            format!("attributes[{i}].value"),
            attribute.value.as_deref(),
            TEXT_MAX,
        );
    }
    if limits.contact_parts {
        for (i, address) in shared.addresses.iter().enumerate() {
            let parts = [
                ("country", &address.country),
                ("extendedAddress", &address.extended_address),
                ("locality", &address.locality),
                ("poBox", &address.po_box),
                ("postalCode", &address.postal_code),
                ("region", &address.region),
                ("streetAddress", &address.street_address),
                ("type", &address.kind),
            ];
            for (part, value) in parts {
                check.max_len(format!("addresses[{i}].{part}"), value.as_deref(), TEXT_MAX);
            }
        }
        for (i, phone) in shared.phone_numbers.iter().enumerate() {
            check.max_len(
                format!("phoneNumbers[{i}].number"),
                phone.number.as_deref(),
                TEXT_MAX,
            );
            check.max_len(
                format!("phoneNumbers[{i}].type"),
                phone.kind.as_deref(),
                TEXT_MAX,
            );
        }
    }
    for (i, restricted) in shared.restricted_fields.iter().enumerate() {
        let field = restricted.field.as_ref().map(|f| f.as_str());
        check.max_len(format!("restrictedFields[{i}].field"), field, 32);
        check.max_len(
            format!("restrictedFields[{i}].id"),
            restricted.id.as_deref(),
            24,
        );
        let kind = restricted.kind.as_ref().map(|k| k.as_str());
        check.max_len(format!("restrictedFields[{i}].type"), kind, 128);
    }
}
