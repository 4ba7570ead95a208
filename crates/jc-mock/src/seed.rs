//! Users a mock can start with, so that lookup tests and demos need no create job first: every
//! one has names, a department, a custom attribute, a work phone and a work address, so that an
//! export round trip has something to carry.

use chrono::{DateTime, Utc};
use jc_models::{Address, Attribute, BulkUserCreate, PhoneNumber};

/// When the users the mock starts with were created: 2020-01-01, before any run.
pub const SEED_CREATED: DateTime<Utc> = DateTime::from_timestamp_nanos(1_577_836_800_000_000_000);

const DEPARTMENTS: [&str; 5] = ["Engineering", "Finance", "Sales", "Support", "Legal"];

/// Seed user number `i`: `user00042` / `user00042@example.com`.
pub fn seed_user(i: usize) -> BulkUserCreate {
    BulkUserCreate {
        firstname: Some(format!("First{i}")),
        lastname: Some(format!("Last{i}")),
        department: Some(DEPARTMENTS[i % DEPARTMENTS.len()].to_owned()),
        employee_identifier: Some(format!("E-{i:06}")),
        attributes: Some(vec![Attribute {
            name: Some("costCenter".into()),
            value: Some(format!("CC-{}", i % 97)),
            ..Attribute::default()
        }]),
        phone_numbers: Some(vec![PhoneNumber {
            kind: Some("work".into()),
            number: Some(format!("+1 555 {i:04}")),
            ..PhoneNumber::default()
        }]),
        addresses: Some(vec![Address {
            kind: Some("work".into()),
            locality: Some(["London", "Berlin", "Denver"][i % 3].into()),
            country: Some("GB".into()),
            ..Address::default()
        }]),
        ..BulkUserCreate::new(format!("user{i:05}"), format!("user{i:05}@example.com"))
    }
}

/// The first `n` seed users.
pub(crate) fn users(n: usize) -> impl Iterator<Item = BulkUserCreate> {
    (0..n).map(seed_user)
}
