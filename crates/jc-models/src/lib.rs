//! Request and response types of JumpCloud's API v2 *Bulk Job Requests*, the v1 user reads and
//! the v2 user groups.
//!
//! Every schema of the contract (`spec/jumpcloud-v2-bulk.openapi.yaml`, the v1 system users and
//! `spec/jumpcloud-v2-usergroups.openapi.yaml`) is a Rust type here,
//! serde only, no I/O. Serialization is exact: absent optional properties are not written and
//! JSON names follow the spec. Types are forward compatible: unknown properties land in each
//! type's `extra` map and are written back, and unknown values of response enums become
//! `Other(String)`. [`Validate`] checks a body against the contract's rules and reports every
//! violation at once.
//!
//! ```
//! use jc_models::{BulkUserCreate, Validate};
//!
//! let user = BulkUserCreate {
//!     firstname: Some("Ada".into()),
//!     ..BulkUserCreate::new("ada", "ada@example.com")
//! }
//! .with_attribute("EmployeeID", "0001");
//! user.validate().expect("a valid record");
//!
//! let json = serde_json::to_value(&user).unwrap();
//! assert_eq!(
//!     json,
//!     serde_json::json!({
//!         "username": "ada",
//!         "email": "ada@example.com",
//!         "firstname": "Ada",
//!         "attributes": [{ "name": "EmployeeID", "value": "0001" }]
//!     })
//! );
//!
//! let bad = BulkUserCreate { unix_uid: Some(0), ..BulkUserCreate::default() };
//! let violations = bad.validate().unwrap_err();
//! assert!(violations.has("username") && violations.has("email") && violations.has("unix_uid"));
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[macro_use]
mod model;
#[macro_use]
mod bulk_user;

pub mod enums;
mod error;
mod graph;
mod groups;
mod ids;
mod job;
mod org;
mod secret;
mod systemuser;
pub mod time;
mod user_create;
mod user_parts;
mod user_target;
mod user_update;
mod userstate;
pub mod validate;

pub use enums::{
    AuthorityName, CreationSource, GraphType, MemberOp, MembershipMethod, NewUserState,
    RestrictedFieldName, RestrictedFieldType, StateChange, UnknownValue, UserState, WorkStatus,
};
pub use error::{ErrorBody, ErrorDetails};
pub use graph::{
    GraphConnection, GraphObject, GraphObjectWithPaths, GraphOperation,
    GraphOperationUserGroupMember, SyncStatus,
};
pub use groups::{
    GraphAttributeLdapGroups, GraphAttributePosixGroups, GraphAttributeRadius,
    GraphAttributeSambaEnabled, GraphAttributeSudo, GraphAttributes, GroupAttributesUserGroup,
    LdapGroup, MemberQuery, MemberQueryErrorFlags, PosixGroup, Query, Radius, RadiusReply, Sudo,
    SuggestionCounts, UserGroup, UserGroupPost, UserGroupPut,
};
pub use ids::{JobId, OrgId, UserId};
pub use job::{JobDetails, JobIdBody, JobWorkresult};
pub use org::{
    Organization, OrganizationListItem, OrganizationsList, ProvidersListOrganizationsResponse,
};
pub use secret::Password;
pub use systemuser::{
    Search, SearchFilterLogical, SearchTextFilter, SystemUser, SystemUserAddress,
    SystemUserDelegatedAuthority, SystemUserMatch, SystemUserPhoneNumber, SystemUserRecoveryEmail,
    SystemUsersList, SystemUsersSearchList,
};
pub use time::{ApiTime, Timestamp};
pub use user_create::BulkUserCreate;
pub use user_parts::{
    Address, Attribute, DelegatedAuthority, Mfa, PhoneNumber, RecoveryEmail, Relationship,
    RestrictedField, SshKeyPost,
};
pub use user_target::{BulkUserExpire, BulkUserUnlock};
pub use user_update::BulkUserUpdate;
pub use userstate::{
    BulkScheduledStatechangeCreate, BulkUserStatesGetNextScheduledResponse,
    ScheduledUserstateResult,
};
pub use validate::{Problem, Validate, Violation, Violations};

/// The scheduled-state list's page of next events, under a shorter name.
pub type NextScheduled = BulkUserStatesGetNextScheduledResponse;
