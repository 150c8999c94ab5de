//! `Donation`, its filter and its ordering.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::{donation, enums};
use chrono::{DateTime, Utc};
use sea_orm::Condition;
use tokio::sync::OnceCell;

use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    DateTimeFilter, EntityFilter, IdFilter, IntFilter, Leaves, MassFilter, StringFilter,
    entity_filter, enum_filter, order_input,
};
use crate::graphql::relay;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::enums::{DonationCategory, DonationStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::mass::{self, Decimal};
use crate::services;
use crate::store::donation::{SortField, Totals, Where, newest_first};

/// Aid received at a collection point.
pub struct Donation(pub donation::Model);

impl From<donation::Model> for Donation {
    fn from(m: donation::Model) -> Self {
        Donation(m)
    }
}

/// Aid received at a collection point.
#[Object]
impl Donation {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Donation", self.0.id)
    }

    /// What it is.
    async fn category(&self) -> DonationCategory {
        self.0.category.into()
    }

    /// The category in the language of `Accept-Language`.
    async fn category_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.category, ctx.request().0.lang)
    }

    /// Mass in kilograms (exact).
    async fn kilograms(&self) -> Decimal {
        mass::kilograms(self.0.grams)
    }

    /// Mass in tonnes (exact).
    async fn tonnes(&self) -> Decimal {
        mass::tonnes(self.0.grams)
    }

    /// Kilograms loaded on shipments that are not cancelled.
    async fn shipped_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.shipped_grams)
    }

    /// Kilograms taken out of stock without being shipped (`writeOffStock`).
    async fn written_off_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.written_off_grams)
    }

    /// Kilograms still in stock: kilograms − shipped − written off (0 once cancelled).
    async fn remaining_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.remaining_grams())
    }

    /// Number of items, when counted.
    async fn item_count(&self) -> Option<i32> {
        self.0.item_count
    }

    /// What the registering staff wrote about it.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The donor's name; null for an anonymous donor. Personal data: the organization's staff and
    /// the ministry only (others get null and a FORBIDDEN error on this field).
    async fn donor_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        services::access::ensure_org_personal_data(&ctx.request().0.actor, self.0.organization_id)
            .extend()?;
        Ok(self.0.donor_name.as_deref())
    }

    /// Received → partly shipped → shipped, or cancelled.
    async fn status(&self) -> DonationStatus {
        self.0.status.into()
    }

    /// The status in the language of `Accept-Language`.
    async fn status_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.status, ctx.request().0.lang)
    }

    /// When it was received.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }

    /// When it was cancelled, if it was.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// Where it was received.
    async fn collection_point(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CollectionPoint>> {
        Ok(ctx
            .loaders()
            .collection_point
            .load_one(self.0.collection_point_id)
            .await?
            .map(CollectionPoint))
    }

    /// The organization that runs that collection point.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(ctx
            .loaders()
            .organization
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }

    /// The region it was collected in.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
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

enum_filter!(
    DonationCategoryFilter,
    DonationCategory,
    enums::DonationCategory,
    "Compares a donation category."
);
enum_filter!(
    DonationStatusFilter,
    DonationStatus,
    enums::DonationStatus,
    "Compares a donation status."
);

entity_filter!(
    /// Conditions on donations. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    DonationFilter {
        /// The donation's id.
        id: IdFilter,
        /// Category.
        category: DonationCategoryFilter,
        /// Status.
        status: DonationStatusFilter,
        /// Mass in kilograms.
        kilograms: MassFilter,
        /// Kilograms shipped.
        shipped_kilograms: MassFilter,
        /// Number of items.
        item_count: IntFilter,
        /// Description text.
        description: StringFilter,
        /// Donor's name.
        donor_name: StringFilter,
        /// When it was received.
        received_at: DateTimeFilter,
        /// When it was registered.
        created_at: DateTimeFilter,
        /// When it last changed.
        updated_at: DateTimeFilter,
        /// The ISO code of its region (`KZ-71`).
        region_code: StringFilter,
        /// The organization that received it.
        organization_id: IdFilter,
        /// The collection point that received it.
        collection_point_id: IdFilter,
    }
);

impl EntityFilter for DonationFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        Leaves::default()
            .check(self.id, |f| Ok(Where::Id(f.rows("Donation", "filter.id")?)))?
            .add(self.category, |f| Where::Category(f.stored()))
            .add(self.status, |f| Where::Status(f.stored()))
            .check(self.kilograms, |f| {
                Ok(Where::Grams(f.grams("filter.kilograms")?))
            })?
            .check(self.shipped_kilograms, |f| {
                Ok(Where::ShippedGrams(f.grams("filter.shippedKilograms")?))
            })?
            .add(self.item_count, |f| Where::ItemCount(f.cmp()))
            .add(self.description, |f| Where::Description(f.text()))
            .add(self.donor_name, |f| Where::DonorName(f.text()))
            .add(self.received_at, |f| Where::ReceivedAt(f.cmp()))
            .add(self.created_at, |f| Where::CreatedAt(f.cmp()))
            .add(self.updated_at, |f| Where::UpdatedAt(f.cmp()))
            .add(self.region_code, |f| Where::RegionCode(f.text()))
            .check(self.organization_id, |f| {
                Ok(Where::OrganizationId(
                    f.rows("Organization", "filter.organizationId")?,
                ))
            })?
            .check(self.collection_point_id, |f| {
                Ok(Where::CollectionPointId(
                    f.rows("CollectionPoint", "filter.collectionPointId")?,
                ))
            })?
            .done()
    }
}

order_input!(
    /// One key of a donation ordering.
    DonationOrder,
    /// What donations can be ordered by.
    DonationOrderField => SortField, default newest_first(),
    {
        /// When it was received.
        ReceivedAt,
        /// Mass.
        Kilograms,
        /// Kilograms shipped.
        ShippedKilograms,
        /// Category.
        Category,
        /// Status.
        Status,
        /// When it was registered.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
        /// Id (registration order).
        Id,
    }
);

/// Count and mass over every page of a donation list, computed once, on demand.
pub struct DonationTotals {
    condition: Condition,
    totals: Arc<OnceCell<Totals>>,
}

impl DonationTotals {
    async fn get(&self, ctx: &Context<'_>) -> async_graphql::Result<Totals> {
        let deps = ctx.request().1;
        self.totals
            .get_or_try_init(|| services::donation::totals(deps, self.condition.clone()))
            .await
            .copied()
            .extend()
    }
}

/// Count and mass over every page of a donation list, computed once, on demand.
#[Object]
impl DonationTotals {
    /// How many donations the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.get(ctx).await?.count)
    }

    /// Their mass in kilograms, over all pages (exact).
    async fn total_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.get(ctx).await?.grams))
    }

    /// Their mass in tonnes, over all pages (exact).
    async fn total_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(self.get(ctx).await?.grams))
    }
}

/// A page of donations.
pub type DonationConnection = Connection<String, Donation, DonationTotals>;

impl DonationTotals {
    /// The totals of the list `condition` selects, computed when first asked for.
    pub fn new(condition: Condition) -> Self {
        DonationTotals {
            condition,
            totals: Arc::new(OnceCell::new()),
        }
    }

    /// The totals of the list `condition` selects, as `read` holds them when the page's statement
    /// read them too; computed when first asked for otherwise.
    pub fn read(condition: Condition, read: Arc<OnceCell<Totals>>) -> Self {
        DonationTotals {
            condition,
            totals: read,
        }
    }
}
