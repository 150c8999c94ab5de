//! `MembershipRequest`: a volunteer asking to join an organization, as its staff see it before
//! deciding: the name, the region and when they asked; never their contacts.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::volunteer;
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::services;

/// A volunteer asking to join an organization. Its staff see the name only: the contacts come
/// with membership (`approveMember`).
pub struct MembershipRequest(pub volunteer::Model);

impl From<volunteer::Model> for MembershipRequest {
    fn from(m: volunteer::Model) -> Self {
        MembershipRequest(m)
    }
}

/// A volunteer asking to join an organization. Its staff see the name only: the contacts come
/// with membership (`approveMember`).
#[Object]
impl MembershipRequest {
    /// The volunteer's global id: what `approveMember` and `declineMember` take.
    async fn volunteer_id(&self) -> ID {
        relay::encode("Volunteer", self.0.id)
    }

    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }

    /// The regional headquarters they are attached to.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
    }

    /// The organization they ask to join.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.requested_organization_id {
            Some(id) => Ok(ctx
                .loaders()
                .organization
                .load_one(id)
                .await?
                .map(Organization)),
            None => Ok(None),
        }
    }

    /// When they asked.
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at.unwrap_or(self.0.created_at)
    }

    /// The volunteer record's version, for `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Counts over every page of membership requests.
pub struct MembershipRequestTotals {
    pub condition: Condition,
}

/// Counts over every page of membership requests.
#[Object]
impl MembershipRequestTotals {
    /// How many requests wait, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        services::membership::count(ctx.request().1, self.condition.clone())
            .await
            .extend()
    }
}

/// A page of membership requests, oldest first.
pub type MembershipRequestConnection =
    Connection<String, MembershipRequest, MembershipRequestTotals>;
