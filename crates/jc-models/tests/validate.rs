//! `validate()` reports every violation of a record at once, each naming the field
//! (CONTRACT.md sections 8 and 13).

use jc_models::*;

fn fields(violations: &Violations) -> Vec<&str> {
    violations.iter().map(|v| v.field.as_str()).collect()
}

#[test]
fn create_reports_every_violation_at_once() {
    let bad = BulkUserCreate {
        username: Some("   ".into()),
        email: Some("not-an-address".into()),
        employee_identifier: Some("e".repeat(257)),
        description: Some("d".repeat(1025)),
        unix_uid: Some(0),
        unix_guid: Some(-4),
        mfa: Some(Mfa {
            exclusion_days: Some(0),
            ..Mfa::default()
        }),
        attributes: Some(vec![
            Attribute::new("ok", "fine"),
            Attribute::new("long", "v".repeat(1025)),
        ]),
        restricted_fields: Some(vec![RestrictedField {
            id: Some("i".repeat(25)),
            ..RestrictedField::default()
        }]),
        ..BulkUserCreate::default()
    };
    let violations = bad.validate().unwrap_err();
    assert_eq!(
        fields(&violations),
        [
            "username",
            "description",
            "email",
            "employeeIdentifier",
            "unix_uid",
            "unix_guid",
            "mfa.exclusionDays",
            "attributes[1].value",
            "restrictedFields[0].id",
        ]
    );
    let text = violations.to_string();
    assert!(
        text.contains("employeeIdentifier is 257 characters long; at most 256"),
        "{text}"
    );
    assert!(
        text.contains("unix_guid is -4; it must be at least 1"),
        "{text}"
    );
}

#[test]
fn create_requires_username_and_email() {
    let violations = BulkUserCreate::default().validate().unwrap_err();
    assert_eq!(fields(&violations), ["username", "email"]);
    assert!(violations.iter().all(|v| v.problem == Problem::Required));
    assert!(BulkUserCreate::new("ada", "ada@example.com")
        .validate()
        .is_ok());
}

#[test]
fn create_lengths_count_characters_not_bytes() {
    let user = BulkUserCreate {
        employee_identifier: Some("é".repeat(256)),
        ..BulkUserCreate::new("ada", "ada@example.com")
    };
    assert!(user.validate().is_ok());
}

#[test]
fn update_requires_id_and_checks_its_stricter_lengths() {
    let bad = BulkUserUpdate {
        firstname: Some("f".repeat(1025)),
        addresses: Some(vec![Address {
            postal_code: Some("p".repeat(1025)),
            ..Address::default()
        }]),
        phone_numbers: Some(vec![PhoneNumber::new("work", "1".repeat(1025))]),
        ssh_keys: Some(vec![SshKeyPost::new("", "ssh-ed25519 AAAA")]),
        ..BulkUserUpdate::default()
    };
    let violations = bad.validate().unwrap_err();
    assert_eq!(
        fields(&violations),
        [
            "id",
            "firstname",
            "addresses[0].postalCode",
            "phoneNumbers[0].number",
            "ssh_keys[0].name",
        ]
    );
    // The create schema has no maxLength on firstname.
    let create = BulkUserCreate {
        firstname: Some("f".repeat(1025)),
        ..BulkUserCreate::new("ada", "ada@example.com")
    };
    assert!(create.validate().is_ok());
}

#[test]
fn expire_and_unlock_require_an_id() {
    assert!(BulkUserExpire::default().validate().unwrap_err().has("id"));
    assert!(BulkUserUnlock::default().validate().unwrap_err().has("id"));
    assert!(BulkUserExpire::new("u1").validate().is_ok());
    assert!(BulkUserUnlock::new("u1").validate().is_ok());
}

fn at() -> Timestamp {
    "2026-01-01T09:00:00Z".parse().unwrap()
}

#[test]
fn statechange_activation_email_rules_section_8() {
    // send_activation_emails only with ACTIVATED.
    let mut suspend = BulkScheduledStatechangeCreate::new(StateChange::Suspended, at(), ["u1"]);
    suspend.send_activation_emails = Some(true);
    assert_eq!(
        fields(&suspend.validate().unwrap_err()),
        ["send_activation_emails"]
    );

    // activation_email_override only with ACTIVATED and exactly one user id: both reported.
    let mut both = BulkScheduledStatechangeCreate::new(StateChange::Suspended, at(), ["u1", "u2"]);
    both.activation_email_override = Some("alt@example.com".into());
    let violations = both.validate().unwrap_err();
    assert_eq!(
        fields(&violations),
        ["activation_email_override", "activation_email_override"]
    );
    assert!(violations
        .to_string()
        .contains("exactly one user id (2 given)"));

    let mut ok = BulkScheduledStatechangeCreate::new(StateChange::Activated, at(), ["u1"]);
    ok.send_activation_emails = Some(true);
    ok.activation_email_override = Some("alt@example.com".into());
    assert!(ok.validate().is_ok());
}

#[test]
fn statechange_needs_user_ids() {
    let none =
        BulkScheduledStatechangeCreate::new(StateChange::Suspended, at(), Vec::<String>::new());
    assert_eq!(fields(&none.validate().unwrap_err()), ["user_ids"]);
    let blank = BulkScheduledStatechangeCreate::new(StateChange::Suspended, at(), ["u1", " "]);
    assert_eq!(fields(&blank.validate().unwrap_err()), ["user_ids[1]"]);
}

#[test]
fn password_is_redacted_in_debug_of_a_record() {
    let user = BulkUserCreate {
        password: Some("s3cret-pw".into()),
        ..BulkUserCreate::new("ada", "ada@example.com")
    };
    assert!(!format!("{user:?}").contains("s3cret-pw"));
    assert!(serde_json::to_string(&user).unwrap().contains("s3cret-pw"));
}
