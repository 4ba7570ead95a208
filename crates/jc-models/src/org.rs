//! Organizations as the provider route lists them (`Organization`,
//! `ProvidersListOrganizationsResponse` of `spec/jumpcloud-v2-usergroups.openapi.yaml`).

model! {
    /// An organization.
    pub struct Organization {
        /// Object id.
        pub id: String,
        /// The most users it may have.
        #[serde(rename = "maxSystemUsers")]
        pub max_system_users: i64,
        /// Display name.
        pub name: String,
    }
}

model! {
    /// A page of `GET /providers/{provider_id}/organizations`.
    pub struct ProvidersListOrganizationsResponse {
        /// This page's organizations.
        pub results: Vec<Organization>,
        /// How many there are in all.
        #[serde(rename = "totalCount")]
        pub total_count: i64,
    }
}
