//! The nested objects of the bulk-user bodies.

use crate::enums::{AuthorityName, RestrictedFieldName, RestrictedFieldType};
use crate::time::ApiTime;

model! {
    /// A postal address (`addresses[]`).
    pub struct Address {
        /// Country.
        pub country: String,
        /// Extended address (apartment, suite).
        #[serde(rename = "extendedAddress")]
        pub extended_address: String,
        /// City or locality.
        pub locality: String,
        /// PO box.
        #[serde(rename = "poBox")]
        pub po_box: String,
        /// Postal code.
        #[serde(rename = "postalCode")]
        pub postal_code: String,
        /// Region or state.
        pub region: String,
        /// Street address.
        #[serde(rename = "streetAddress")]
        pub street_address: String,
        /// Kind of address, e.g. `home`, `work`.
        #[serde(rename = "type")]
        pub kind: String,
    }
}

model! {
    /// A phone number (`phoneNumbers[]`).
    pub struct PhoneNumber {
        /// The number.
        pub number: String,
        /// Kind of number, e.g. `home`, `work`, `mobile`.
        #[serde(rename = "type")]
        pub kind: String,
    }
}

impl PhoneNumber {
    /// A number of the given kind.
    pub fn new(kind: impl Into<String>, number: impl Into<String>) -> Self {
        Self {
            kind: Some(kind.into()),
            number: Some(number.into()),
            ..Self::default()
        }
    }
}

model! {
    /// A relationship to another person (`relationships[]`).
    pub struct Relationship {
        /// Kind of relationship, e.g. `manager`.
        #[serde(rename = "type")]
        pub kind: String,
        /// The related value.
        pub value: String,
    }
}

model! {
    /// A custom attribute (`attributes[]` of create and update).
    pub struct Attribute {
        /// Attribute name.
        pub name: String,
        /// Attribute value (at most 1024 characters).
        pub value: String,
    }
}

impl Attribute {
    /// A named attribute.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            value: Some(value.into()),
            ..Self::default()
        }
    }
}

model! {
    /// A recovery e-mail address (`recoveryEmail`).
    pub struct RecoveryEmail {
        /// The address.
        pub address: String,
    }
}

model! {
    /// Multi-factor authentication settings (`mfa`).
    pub struct Mfa {
        /// Whether MFA is configured.
        pub configured: bool,
        /// Whether the user is excluded from MFA.
        pub exclusion: bool,
        /// Days of exclusion (at least 1).
        #[serde(rename = "exclusionDays")]
        pub exclusion_days: i64,
        /// End of the exclusion.
        #[serde(rename = "exclusionUntil")]
        pub exclusion_until: ApiTime,
    }
}

model! {
    /// A field restricted by an external directory (`restrictedFields[]`).
    pub struct RestrictedField {
        /// The restricted field.
        pub field: RestrictedFieldName,
        /// Id of the restricting object (at most 24 characters).
        pub id: String,
        /// Who restricts it.
        #[serde(rename = "type")]
        pub kind: RestrictedFieldType,
    }
}

model! {
    /// Password delegation (`delegatedAuthority`).
    pub struct DelegatedAuthority {
        /// ObjectId of the target Active Directory connection.
        pub id: String,
        /// Authority name.
        pub name: AuthorityName,
    }
}

/// An SSH key to add to a user (`sshkeypost`); both properties are required.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SshKeyPost {
    /// The name of the SSH key.
    pub name: String,
    /// The public SSH key.
    pub public_key: String,
    /// Properties this SDK does not model: kept when read and written back when sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SshKeyPost {
    /// A named key.
    pub fn new(name: impl Into<String>, public_key: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            public_key: public_key.into(),
            extra: Default::default(),
        }
    }
}
