//! The seed documents' curl samples as typed values (spec/seeds/, issue 2): the tests check
//! that these serialize to exactly the samples' JSON and that the client sends them.

use jc_models::{BulkScheduledStatechangeCreate, BulkUserCreate, BulkUserUpdate, StateChange};

/// The create sample: one user with two custom attributes.
pub fn create_users() -> Vec<BulkUserCreate> {
    vec![BulkUserCreate {
        firstname: Some("{firstname}".into()),
        lastname: Some("{firstname}".into()),
        ..BulkUserCreate::new("{username}", "{email}")
    }
    .with_attribute("EmployeeID", "0000")
    .with_attribute("Custom", "attribute")]
}

/// The update sample: department and attribute, then cost center and phone numbers.
pub fn update_users() -> Vec<BulkUserUpdate> {
    let id = "5be9fb4ddb01290001e85109";
    vec![
        BulkUserUpdate {
            firstname: Some("{UPDATED_FIRSTNAME}".into()),
            department: Some("{UPDATED_DEPARTMENT}".into()),
            ..BulkUserUpdate::new(id)
        }
        .with_attribute("Custom", "{ATTRIBUTE_VALUE}"),
        BulkUserUpdate {
            firstname: Some("{UPDATED_FIRSTNAME}".into()),
            cost_center: Some("{UPDATED_COST_CENTER}".into()),
            ..BulkUserUpdate::new(id)
        }
        .with_phone("home", "{HOME_PHONE_NUMBER}")
        .with_phone("work", "{WORK_PHONE_NUMBER}"),
    ]
}

/// The scheduled suspension sample.
///
/// # Panics
/// Never: the date is a constant.
pub fn suspension() -> BulkScheduledStatechangeCreate {
    BulkScheduledStatechangeCreate::new(
        StateChange::Suspended,
        "2000-01-01T00:00:00Z".parse().expect("a constant date"),
        ["{User_ID_1}", "{User_ID_2}", "{User_ID_3}"],
    )
}
