//! `CollectionPoint`: where donors bring aid.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::collection_point;
use chrono::{DateTime, Utc};

use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
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
        ctx.deps().region(self.0.region_id).cloned().map(Region)
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

/// Counts over every page of a region's collection points.
pub struct CollectionPointTotals {
    region_id: i32,
}

/// Counts over every page of a collection point list.
#[Object]
impl CollectionPointTotals {
    /// How many collection points the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(ctx
            .loaders()
            .collection_point_counts
            .load_one(self.region_id)
            .await?
            .unwrap_or(0))
    }
}

/// A page of collection points.
pub type CollectionPointConnection = Connection<String, CollectionPoint, CollectionPointTotals>;

/// The connection over a page of a region's collection points.
pub fn connection(
    page: &Page<collection_point::Model>,
    region_id: i32,
) -> CollectionPointConnection {
    let page = Page {
        rows: page.rows.clone(),
        has_next_page: page.has_next_page,
        has_previous_page: page.has_previous_page,
    };
    relay::connection(
        page,
        &crate::store::collection_point::by_id(),
        CollectionPointTotals { region_id },
    )
}
