//! `Shipment` and `ShipmentItem`; the shipments' filter, order and connection.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::{enums, shipment, shipment_item};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult, ErrorExtensions as _, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    DateTimeFilter, EntityFilter, IdFilter, Leaves, StringFilter, entity_filter, enum_filter,
    list_totals, order_input,
};
use crate::graphql::loaders::related;
use crate::graphql::relay;
use crate::graphql::types::donation::Donation;
use crate::graphql::types::enums::{DonationCategory, ShipmentStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::mass::{self, Decimal};
use crate::services;
use crate::store::shipment::{SortField, Where, newest_first};

/// Aid sent from a collecting region to an affected one: planned → dispatched → delivered, or
/// cancelled.
pub struct Shipment(pub shipment::Model);

impl From<shipment::Model> for Shipment {
    fn from(m: shipment::Model) -> Self {
        Shipment(m)
    }
}

impl Shipment {
    async fn grams(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(ctx
            .loaders()
            .shipment_totals
            .load_one(self.0.id)
            .await?
            .unwrap_or(0))
    }
}

/// Aid sent from a collecting region to an affected one: planned → dispatched → delivered, or
/// cancelled.
#[Object]
impl Shipment {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Shipment", self.0.id)
    }

    /// Where it stands.
    async fn status(&self) -> ShipmentStatus {
        self.0.status.into()
    }

    /// The status in the language of `Accept-Language`.
    async fn status_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.status, ctx.request().0.lang)
    }

    /// What it carries, in kilograms (exact).
    async fn total_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.grams(ctx).await?))
    }

    /// What it carries, in tonnes (exact).
    async fn total_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(self.grams(ctx).await?))
    }

    /// The collecting region it leaves from.
    async fn origin_region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps()
            .region(self.0.origin_region_id)
            .cloned()
            .map(Region)
    }

    /// The affected region it goes to.
    async fn destination_region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps()
            .region(self.0.destination_region_id)
            .cloned()
            .map(Region)
    }

    /// What it carries: donations, whole or in part.
    async fn items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ShipmentItem>> {
        let items = ctx
            .loaders()
            .shipment_items
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(items.iter().cloned().map(ShipmentItem).collect())
    }

    /// The organization that sends it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(ctx
            .loaders()
            .organization
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }

    /// The vehicle (make and plate).
    async fn vehicle(&self) -> &str {
        &self.0.vehicle
    }

    /// The driver's name.
    async fn driver_name(&self) -> &str {
        &self.0.driver_name
    }

    /// The driver's phone. Personal data: the sending organization's staff and the ministry only.
    async fn driver_phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        services::access::ensure_org_personal_data(&ctx.request().0.actor, self.0.organization_id)
            .extend()?;
        Ok(self.0.driver_phone.as_deref())
    }

    /// When it left.
    async fn dispatched_at(&self) -> Option<DateTime<Utc>> {
        self.0.dispatched_at
    }

    /// When the receiving side confirmed it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// What the receiving side noted on delivery.
    async fn delivery_note(&self) -> Option<&str> {
        self.0.delivery_note.as_deref()
    }

    /// When it was planned.
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

/// The kilograms of one donation loaded on a shipment.
pub struct ShipmentItem(pub shipment_item::Model);

/// The kilograms of one donation loaded on a shipment.
#[Object]
impl ShipmentItem {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("ShipmentItem", self.0.id)
    }

    /// Kilograms of the donation on this shipment (exact).
    async fn kilograms(&self) -> Decimal {
        mass::kilograms(self.0.grams)
    }

    /// The need line these kilograms serve (a `NeedLine` id), if any.
    async fn need_line_id(&self) -> Option<ID> {
        self.0.need_line_id.map(|id| relay::encode("NeedLine", id))
    }

    /// The category of what they are.
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<DonationCategory> {
        ctx.loaders()
            .item_categories
            .load_one(self.0.id)
            .await?
            .map(DonationCategory::from)
            .ok_or_else(|| {
                ApiError::NotFound {
                    entity: "shipment item",
                }
                .extend()
            })
    }

    /// The donation they come from: visible to the organization that received it and the
    /// ministry; anyone else gets null and `FORBIDDEN`.
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

enum_filter!(
    ShipmentStatusFilter,
    ShipmentStatus,
    enums::ShipmentStatus,
    "Compares a shipment status."
);

entity_filter!(
    /// Conditions on shipments. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    ShipmentFilter {
        /// The shipment's id.
        id: IdFilter,
        /// Status.
        status: ShipmentStatusFilter,
        /// The ISO code of the region it leaves from.
        origin_region_code: StringFilter,
        /// The ISO code of the region it goes to.
        destination_region_code: StringFilter,
        /// The sending organization.
        organization_id: IdFilter,
        /// The vehicle.
        vehicle: StringFilter,
        /// When it left.
        dispatched_at: DateTimeFilter,
        /// When it arrived.
        delivered_at: DateTimeFilter,
        /// When it was planned.
        created_at: DateTimeFilter,
        /// When it last changed.
        updated_at: DateTimeFilter,
    }
);

impl EntityFilter for ShipmentFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        use Where as W;
        Leaves::default()
            .check(self.id, |f| Ok(W::Id(f.rows("Shipment", "filter.id")?)))?
            .add(self.status, |f| W::Status(f.stored()))
            .add(self.origin_region_code, |f| W::OriginRegionCode(f.text()))
            .add(self.destination_region_code, |f| {
                W::DestinationRegionCode(f.text())
            })
            .check(self.organization_id, |f| {
                Ok(W::OrganizationId(
                    f.rows("Organization", "filter.organizationId")?,
                ))
            })?
            .add(self.vehicle, |f| W::Vehicle(f.text()))
            .add(self.dispatched_at, |f| W::DispatchedAt(f.cmp()))
            .add(self.delivered_at, |f| W::DeliveredAt(f.cmp()))
            .add(self.created_at, |f| W::CreatedAt(f.cmp()))
            .add(self.updated_at, |f| W::UpdatedAt(f.cmp()))
            .done()
    }
}

order_input!(
    /// One sort key.
    ShipmentOrder,
    /// What shipments can be ordered by.
    ShipmentOrderField => SortField, default newest_first(),
    {
        /// When it was planned.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
        /// Status.
        Status,
        /// Id.
        Id,
    }
);

list_totals!(
    /// Counts over every page of a shipment list.
    ShipmentTotals of shipment::Model
);

/// A page of shipments.
pub type ShipmentConnection = Connection<String, Shipment, ShipmentTotals>;
