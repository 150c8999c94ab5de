//! `verifyOrganization`.

use async_graphql::{Context, ID, Object, SimpleObject};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::organization::Organization;
use crate::services;

/// An organization after a change.
#[derive(SimpleObject)]
pub struct OrganizationPayload {
    /// The organization as it now stands.
    pub organization: Organization,
}

#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Verifies an organization, so it may register donations and post tasks (the ministry).
    async fn verify_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization to verify.")] organization_id: ID,
        #[graphql(desc = "Refuse with CONFLICT if the organization's version is no longer this.")]
        expected_version: Option<i32>,
    ) -> async_graphql::Result<OrganizationPayload> {
        let (rc, deps) = ctx.request();
        let id = relay::decode("Organization", "organizationId", &organization_id).extend()?;
        let organization = services::organization::verify(rc, deps, id, expected_version)
            .await
            .extend()?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }
}
