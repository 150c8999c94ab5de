//! `WriteOff` (kilograms taken out of a donation's stock) and the rows of `stockStats`.

use async_graphql::{Context, Enum, ID, Object};
use birlik_entity::write_off;
use chrono::{DateTime, Utc};

use crate::graphql::ContextExt;
use crate::graphql::loaders::related;
use crate::graphql::relay;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::donation::Donation;
use crate::graphql::types::enums::{DonationCategory, WriteOffReason};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::mass::{self, Decimal};
use crate::store::stock::{self, StockGroup};

/// Kilograms of a donation taken out of stock without being shipped. Read like its donation:
/// by the organization that received it and the ministry.
pub struct WriteOff(pub write_off::Model);

impl From<write_off::Model> for WriteOff {
    fn from(m: write_off::Model) -> Self {
        WriteOff(m)
    }
}

/// Kilograms of a donation taken out of stock without being shipped. Read like its donation:
/// by the organization that received it and the ministry.
#[Object]
impl WriteOff {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("WriteOff", self.0.id)
    }

    /// Why the kilograms left stock.
    async fn reason(&self) -> WriteOffReason {
        self.0.reason.into()
    }

    /// Kilograms written off (exact).
    async fn kilograms(&self) -> Decimal {
        mass::kilograms(self.0.grams)
    }

    /// What the staff wrote about it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The donation the kilograms were taken from.
    async fn donation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Donation>> {
        Ok(Some(Donation(
            related(
                &ctx.loaders().donation,
                self.0.donation_id,
                "a donation is visible to the organization that received it and the ministry",
            )
            .await?,
        )))
    }
}

/// A dimension to group stock by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockDimension {
    /// The collection point that holds it.
    CollectionPoint,
    /// The category.
    Category,
    /// The region of the collection point.
    Region,
    /// The organization that received it.
    Organization,
}

impl From<StockDimension> for stock::StockDimension {
    fn from(d: StockDimension) -> Self {
        match d {
            StockDimension::CollectionPoint => stock::StockDimension::CollectionPoint,
            StockDimension::Category => stock::StockDimension::Category,
            StockDimension::Region => stock::StockDimension::Region,
            StockDimension::Organization => stock::StockDimension::Organization,
        }
    }
}

/// One group of stock (donations that are not cancelled): its keys (null where not grouped) and
/// what was received, shipped, written off and is still on hand.
pub struct StockStatsRow(pub StockGroup);

/// One group of stock (donations that are not cancelled): its keys (null where not grouped) and
/// what was received, shipped, written off and is still on hand.
#[Object]
impl StockStatsRow {
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

    /// The category, when grouped by CATEGORY.
    async fn category(&self) -> Option<DonationCategory> {
        self.0.category.map(Into::into)
    }

    /// The region, when grouped by REGION.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .region_id
            .and_then(|id| ctx.deps().region(id).cloned())
            .map(Region)
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

    /// Kilograms received (exact).
    async fn received_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.received_grams)
    }

    /// Kilograms loaded on shipments that are not cancelled (exact).
    async fn shipped_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.shipped_grams)
    }

    /// Kilograms written off (exact).
    async fn written_off_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.written_off_grams)
    }

    /// Kilograms still on hand: received − shipped − written off (exact).
    async fn on_hand_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.on_hand_grams)
    }
}
