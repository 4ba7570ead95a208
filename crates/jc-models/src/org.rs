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

model! {
    /// An item of the v1 `GET /organizations` list (`OrganizationListItem`); the other fields
    /// the route can return (`systemUsersCount`, ...) are kept in `extra`.
    pub struct OrganizationListItem {
        /// The org's id.
        #[serde(rename = "_id")]
        pub id: String,
        /// Its name.
        #[serde(rename = "displayName")]
        pub display_name: String,
        /// Its logo's URL.
        #[serde(rename = "logoUrl")]
        pub logo_url: String,
    }
}

model! {
    /// A page of the v1 `GET /organizations` (`organizationslist`).
    pub struct OrganizationsList {
        /// This page's orgs.
        pub results: Vec<OrganizationListItem>,
        /// How many there are in all.
        #[serde(rename = "totalCount")]
        pub total_count: i64,
    }
}
