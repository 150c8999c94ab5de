//! Rows of the analysts' aggregates.

use async_graphql::{Context, Enum, Object};

use crate::graphql::ContextExt;
use crate::graphql::scalars::Date;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::enums::{DonationCategory, DonationStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::mass::{self, Decimal};
use crate::store::stats::{self, DonationGroup, Flow};

/// A dimension to group donations by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DonationDimension {
    /// The region of the collection point.
    Region,
    /// The category.
    Category,
    /// The organization that received it.
    Organization,
    /// The day it was received, in Kazakhstan time (UTC+5).
    Day,
    /// The week it was received (named by its Monday), in Kazakhstan time.
    Week,
    /// Its status.
    Status,
    /// The collection point.
    CollectionPoint,
}

impl From<DonationDimension> for stats::DonationDimension {
    fn from(d: DonationDimension) -> Self {
        match d {
            DonationDimension::Region => stats::DonationDimension::Region,
            DonationDimension::Category => stats::DonationDimension::Category,
            DonationDimension::Organization => stats::DonationDimension::Organization,
            DonationDimension::Day => stats::DonationDimension::Day,
            DonationDimension::Week => stats::DonationDimension::Week,
            DonationDimension::Status => stats::DonationDimension::Status,
            DonationDimension::CollectionPoint => stats::DonationDimension::CollectionPoint,
        }
    }
}

/// One group of donations: its keys (null where not grouped) and its figures.
pub struct DonationStatsRow(pub DonationGroup);

/// One group of donations: its keys (null where not grouped) and its figures.
#[Object]
impl DonationStatsRow {
    /// The region, when grouped by REGION.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .region_id
            .and_then(|id| ctx.deps().region(id).cloned())
            .map(Region)
    }

    /// The category, when grouped by CATEGORY.
    async fn category(&self) -> Option<DonationCategory> {
        self.0.category.map(Into::into)
    }

    /// The organization, when grouped by ORGANIZATION.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(ctx
                .loaders()
                .organization
                .load_one(id)
                .await?
                .map(Organization)),
            None => Ok(None),
        }
    }

    /// The day (Kazakhstan time), when grouped by DAY.
    async fn day(&self) -> Option<Date> {
        self.0.day.as_deref().and_then(Date::from_sql)
    }

    /// The Monday of the week (Kazakhstan time), when grouped by WEEK.
    async fn week(&self) -> Option<Date> {
        self.0.week.as_deref().and_then(Date::from_sql)
    }

    /// The status, when grouped by STATUS.
    async fn status(&self) -> Option<DonationStatus> {
        self.0.status.map(Into::into)
    }

    /// The collection point, when grouped by COLLECTION_POINT.
    async fn collection_point(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CollectionPoint>> {
        match self.0.collection_point_id {
            Some(id) => Ok(ctx
                .loaders()
                .collection_point
                .load_one(id)
                .await?
                .map(CollectionPoint)),
            None => Ok(None),
        }
    }

    /// Donations in the group.
    async fn donation_count(&self) -> i64 {
        self.0.count
    }

    /// Their mass in kilograms (exact).
    async fn kilograms(&self) -> Decimal {
        mass::kilograms(self.0.grams)
    }

    /// Their mass in tonnes (exact).
    async fn tonnes(&self) -> Decimal {
        mass::tonnes(self.0.grams)
    }
}

/// Shipments from one region to another.
pub struct ShipmentFlow(pub Flow);

/// Shipments from one region to another.
#[Object]
impl ShipmentFlow {
    /// Where they left from.
    async fn origin_region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps()
            .region(self.0.origin_region_id)
            .cloned()
            .map(Region)
    }

    /// Where they went.
    async fn destination_region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps()
            .region(self.0.destination_region_id)
            .cloned()
            .map(Region)
    }

    /// How many shipments.
    async fn shipment_count(&self) -> i64 {
        self.0.shipment_count
    }

    /// What they carry, in tonnes (exact).
    async fn tonnes(&self) -> Decimal {
        mass::tonnes(self.0.grams)
    }

    /// What they carry, in kilograms (exact).
    async fn kilograms(&self) -> Decimal {
        mass::kilograms(self.0.grams)
    }
}
