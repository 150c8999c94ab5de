//! `CollectionPoint`: where donors bring aid.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::collection_point;
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::context::ContextExt;
use crate::error::ResultExt;
use crate::graphql::relay;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::services;
use crate::store::page::Page;

/// A place where donors bring aid, run by one organization in one region.
pub struct CollectionPoint(pub collection_point::Model);

impl From<collection_point::Model> for CollectionPoint {
    fn from(m: collection_point::Model) -> Self {
        CollectionPoint(m)
    }
}

/// A place where donors bring aid, run by one organization in one region.
#[Object]
impl CollectionPoint {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("CollectionPoint", self.0.id)
    }

    /// Name, as the organization gives it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Street address.
    async fn address(&self) -> &str {
        &self.0.address
    }

    /// When it is open, as written by the organization.
    async fn opening_hours(&self) -> &str {
        &self.0.opening_hours
    }

    /// The region it is in.
    async fn region(&self, ctx: &Context<'_>) -> Option<super::region::Region> {
        ctx.state().region(self.0.region_id).cloned().map(Region)
    }

    /// The organization that runs it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(ctx
            .loaders()
            .organization
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Counts over every page of a collection point list.
pub struct CollectionPointTotals {
    condition: Condition,
}

/// Counts over every page of a collection point list.
#[Object]
impl CollectionPointTotals {
    /// How many collection points the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        services::collection_point::count(ctx.request().1, self.condition.clone())
            .await
            .extend()
    }
}

/// A page of collection points.
pub type CollectionPointConnection = Connection<String, CollectionPoint, CollectionPointTotals>;

/// The connection over a page and the condition that selected it.
pub fn connection(
    (page, condition): (Page<collection_point::Model>, Condition),
) -> CollectionPointConnection {
    relay::connection(
        page,
        services::collection_point::ORDERING,
        crate::store::collection_point::key_values,
        CollectionPointTotals { condition },
    )
}
