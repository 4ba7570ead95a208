//! The column convention (CONTRACT.md section 23), both ways: the plain columns of each kind with
//! their cell types, the dotted columns (`attributes.NAME`, `phoneNumbers.TYPE`,
//! `addresses.TYPE.FIELD`, `OBJECT.FIELD`), the read-only fields an export may add, and what a
//! column of a header feeds.

/// The type of a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Text.
    Text,
    /// true/false/yes/no/1/0.
    Bool,
    /// A whole number.
    Int,
    /// JSON text (arrays and objects).
    Json,
}

use Ty::{Bool, Int, Json, Text};

/// Columns shared by create and update.
const SHARED: &[(&str, Ty)] = &[
    ("account_locked", Bool),
    ("addresses", Json),
    ("allow_public_key", Bool),
    ("alternateEmail", Text),
    ("attributes", Json),
    ("company", Text),
    ("costCenter", Text),
    ("delegatedAuthority", Json),
    ("department", Text),
    ("description", Text),
    ("disableDeviceMaxLoginAttempts", Bool),
    ("displayname", Text),
    ("email", Text),
    ("employeeIdentifier", Text),
    ("employeeType", Text),
    ("enable_managed_uid", Bool),
    ("enable_user_portal_multifactor", Bool),
    ("external_dn", Text),
    ("external_password_expiration_date", Text),
    ("external_source_type", Text),
    ("externally_managed", Bool),
    ("firstname", Text),
    ("jobTitle", Text),
    ("lastname", Text),
    ("ldap_binding_user", Bool),
    ("location", Text),
    ("managedAppleId", Text),
    ("manager", Text),
    ("mfa", Json),
    ("middlename", Text),
    ("password", Text),
    ("password_never_expires", Bool),
    ("passwordless_sudo", Bool),
    ("phoneNumbers", Json),
    ("public_key", Text),
    ("relationships", Json),
    ("restrictedFields", Json),
    ("samba_service_user", Bool),
    ("state", Text),
    ("sudo", Bool),
    ("suspended", Bool),
    ("unix_guid", Int),
    ("unix_uid", Int),
    ("username", Text),
];

/// Columns only create has.
pub const CREATE_ONLY: &[(&str, Ty)] = &[("activated", Bool), ("recoveryEmail", Json)];
/// Columns only update has.
pub const UPDATE_ONLY: &[(&str, Ty)] = &[("id", Text), ("organization", Text), ("ssh_keys", Json)];
/// Columns of expire, unlock and schedule files.
pub const TARGET: &[(&str, Ty)] = &[("id", Text), ("organization", Text), ("attributes", Json)];

pub(super) const ADDRESS_FIELDS: [&str; 7] = [
    "country",
    "extendedAddress",
    "locality",
    "poBox",
    "postalCode",
    "region",
    "streetAddress",
];
const NESTED: &[(&str, &str, Ty)] = &[
    ("recoveryEmail", "address", Text),
    ("mfa", "configured", Bool),
    ("mfa", "exclusion", Bool),
    ("mfa", "exclusionDays", Int),
    ("mfa", "exclusionUntil", Text),
];

/// Which schema a file feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `bulk-user-create`.
    Create,
    /// `bulk-user-update`.
    Update,
    /// `bulk-user-expire` / `bulk-user-unlock` / user ids for scheduling.
    Target,
}

impl Kind {
    /// Every plain column of the kind, with its type.
    pub fn fields(self) -> Vec<(&'static str, Ty)> {
        match self {
            Self::Create => SHARED.iter().chain(CREATE_ONLY).copied().collect(),
            Self::Update => UPDATE_ONLY.iter().chain(SHARED).copied().collect(),
            Self::Target => TARGET.to_vec(),
        }
    }

    pub(super) fn has(self, name: &str) -> bool {
        self.fields().iter().any(|(n, _)| *n == name)
    }

    /// The columns that identify a row, for duplicate detection.
    pub(super) fn unique(self) -> &'static [&'static str] {
        match self {
            Self::Create => &["username", "email"],
            Self::Update | Self::Target => &["id"],
        }
    }
}

/// What a column feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// A top-level field of the schema, and its cells' type.
    Field(&'static str, Ty),
    /// `attributes.NAME`: the custom attribute of exactly this name.
    Attribute(String),
    /// `phoneNumbers.TYPE`: the phone number of this type.
    Phone(String),
    /// `addresses.TYPE.FIELD`: one field of the address of this type.
    Address(String, &'static str),
    /// `OBJECT.FIELD` (`mfa.configured`, `recoveryEmail.address`): one member of an object.
    Nested(&'static str, &'static str, Ty),
    /// Never sent: `username` / `email` in an expire, unlock or schedule file (a key only), and
    /// the read-only fields of an export in an update file (ignored).
    Key,
    /// `jcbulk_base`: what an export's row held (update files only; see `base.rs`).
    Base,
    /// `groups`: user groups (names or ids, `;`-separated) the user is added to once it exists
    /// (create and update files; never sent in the bulk record).
    Groups,
}

/// The column of user groups in create and update files (and `users export --with-groups`).
pub const GROUPS_COLUMN: &str = "groups";

/// The column `users export --for update` adds: what each row held at export time.
pub const BASE_COLUMN: &str = "jcbulk_base";

/// The cell value that clears a field or removes a list entry (an empty cell leaves it as is).
pub const CLEAR: &str = "(clear)";

impl Column {
    /// The name an export gives the column (what a base is keyed by): a file's header may
    /// spell a field in another case.
    pub fn export_name(&self) -> Option<String> {
        match self {
            Self::Field(field, _) => Some((*field).to_owned()),
            Self::Attribute(name) => Some(format!("attributes.{name}")),
            Self::Phone(kind) => Some(format!("phoneNumbers.{kind}")),
            Self::Address(kind, field) => Some(format!("addresses.{kind}.{field}")),
            Self::Nested(object, field, _) => Some(format!("{object}.{field}")),
            Self::Key | Self::Base | Self::Groups => None,
        }
    }

    /// The top-level field the column feeds, if it feeds one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Field(field, _) => Some(field),
            Self::Attribute(_) => Some("attributes"),
            Self::Phone(_) => Some("phoneNumbers"),
            Self::Address(..) => Some("addresses"),
            Self::Nested(object, ..) => Some(object),
            Self::Key | Self::Base | Self::Groups => None,
        }
    }
}

/// The attribute a column `attributes.NAME` names: exactly the text after the dot, case and
/// spaces kept (`name` is the header cell as written).
pub(super) fn attribute_name(name: &str) -> Option<&str> {
    let start = name.len() - name.trim_start().len();
    let trimmed = &name[start..];
    let head = trimmed.get(..11)?;
    head.eq_ignore_ascii_case("attributes.")
        .then(|| &trimmed[11..])
        .filter(|rest| !rest.is_empty())
}

/// Update columns that are not exported: never readable, or not round-trippable (section 23).
pub(super) const NOT_EXPORTED: [&str; 5] = [
    "id",
    "password",
    "ssh_keys",
    "restrictedFields",
    "organization",
];

/// Read-only v1 fields, exported only with `--all-fields` (and ignored on import).
pub const READ_ONLY: [&str; 11] = [
    "activated",
    "created",
    "creationSource",
    "password_expired",
    "password_expiration_date",
    "password_date",
    "account_locked_date",
    "badLoginAttempts",
    "totp_enabled",
    "recoveryEmail.address",
    "recoveryEmail.verified",
];

/// What a column of `kind` named `name` feeds; `None` for an unknown column.
pub(super) fn classify(kind: Kind, name: &str) -> Option<Column> {
    if kind == Kind::Update && name.trim() == BASE_COLUMN {
        return Some(Column::Base);
    }
    if kind != Kind::Target && name.trim().eq_ignore_ascii_case(GROUPS_COLUMN) {
        return Some(Column::Groups);
    }
    if let (Some(attribute), true) = (attribute_name(name), kind.has("attributes")) {
        return Some(Column::Attribute(attribute.to_owned()));
    }
    let name = name.trim();
    let lower = name.to_ascii_lowercase();
    if kind == Kind::Target && (lower == "username" || lower == "email") {
        return Some(Column::Key);
    }
    // Read-only fields of `users export --all-fields`: ignored (section 23).
    if kind == Kind::Update && READ_ONLY.iter().any(|f| f.eq_ignore_ascii_case(name)) {
        return Some(Column::Key);
    }
    if let Some((field, ty)) = kind
        .fields()
        .into_iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(name))
    {
        return Some(Column::Field(field, ty));
    }
    let (head, rest) = name.split_once('.')?;
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    let head_lower = head.to_ascii_lowercase();
    match head_lower.as_str() {
        "phonenumbers" if kind.has("phoneNumbers") => Some(Column::Phone(rest.to_owned())),
        "addresses" if kind.has("addresses") => {
            let (kind_name, field) = rest.rsplit_once('.')?;
            let field = ADDRESS_FIELDS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(field))?;
            Some(Column::Address(kind_name.to_owned(), field))
        }
        _ => NESTED
            .iter()
            .find(|(object, field, _)| {
                kind.has(object) && lower == format!("{}.{}", object, field).to_ascii_lowercase()
            })
            .map(|(object, field, ty)| Column::Nested(object, field, *ty)),
    }
}

/// The header row and an example line of a template.
pub fn template(kind: Kind) -> String {
    match kind {
        Kind::Create => "username,email,firstname,lastname,department,jobTitle,employeeIdentifier,state,phoneNumbers.work,addresses.work.locality,attributes.costCode\n\
ada.lovelace,ada@example.com,Ada,Lovelace,Engineering,Analyst,E-1001,ACTIVATED,+1 555 0100,London,CC-42\n".to_owned(),
        Kind::Update => "id,department,jobTitle,state,phoneNumbers.mobile,attributes.costCode\n\
5be9fb4ddb01290001e85109,Finance,Controller,SUSPENDED,+1 555 0101,CC-43\n".to_owned(),
        Kind::Target => "id\n5be9fb4ddb01290001e85109\n".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_classified_case_insensitively_by_kind() {
        assert_eq!(
            classify(Kind::Update, "Department"),
            Some(Column::Field("department", Ty::Text))
        );
        assert_eq!(
            classify(Kind::Update, "attributes.costCode"),
            Some(Column::Attribute("costCode".into()))
        );
        assert_eq!(
            classify(Kind::Create, "addresses.home.LOCALITY"),
            Some(Column::Address("home".into(), "locality"))
        );
        assert_eq!(
            classify(Kind::Update, "mfa.configured"),
            Some(Column::Nested("mfa", "configured", Ty::Bool))
        );
        // A read-only field of an export is ignored on update, unknown on create.
        assert_eq!(classify(Kind::Update, "created"), Some(Column::Key));
        assert_eq!(classify(Kind::Create, "created"), None);
        // Names are keys only in target files.
        assert_eq!(classify(Kind::Target, "email"), Some(Column::Key));
        assert_eq!(classify(Kind::Target, "department"), None);
        assert_eq!(classify(Kind::Update, "attributes."), None);
        // Attribute names are exact: case and spaces kept.
        assert_eq!(
            classify(Kind::Update, "attributes. spaced "),
            Some(Column::Attribute(" spaced ".into()))
        );
        assert_eq!(
            classify(Kind::Update, "Attributes.Case"),
            Some(Column::Attribute("Case".into()))
        );
        assert_eq!(classify(Kind::Update, BASE_COLUMN), Some(Column::Base));
        assert_eq!(classify(Kind::Create, BASE_COLUMN), None);
        assert_eq!(classify(Kind::Create, "Groups"), Some(Column::Groups));
        assert_eq!(classify(Kind::Update, "groups"), Some(Column::Groups));
        assert_eq!(classify(Kind::Target, "groups"), None);
    }

    #[test]
    fn every_template_header_is_a_known_column() {
        for kind in [Kind::Create, Kind::Update, Kind::Target] {
            let text = template(kind);
            let header = text.lines().next().unwrap();
            for name in header.split(',') {
                assert!(classify(kind, name).is_some(), "{kind:?}: {name}");
            }
        }
    }
}
