//! `Donation`, its filter and its ordering.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use birlik_entity::{donation, enums};
use chrono::{DateTime, Utc};
use sea_orm::Condition;
use tokio::sync::OnceCell;

use crate::context::ContextExt;
use crate::error::{ApiResult, ResultExt};
use crate::graphql::filters::{
    DateTimeFilter, FilterCx, FilterTree, IdFilter, IntFilter, MassFilter, OrderDirection,
    StringFilter, enum_filter, region_code_condition,
};
use crate::graphql::relay;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::enums::{DonationCategory, DonationStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::mass::{self, Decimal};
use crate::services;
use crate::store::donation::{Ordering, SortField, Totals, column};
use crate::store::page::Page;

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

    /// Kilograms still in stock.
    async fn remaining_kilograms(&self) -> Decimal {
        mass::kilograms(if self.0.status == enums::DonationStatus::Cancelled {
            0
        } else {
            self.0.grams - self.0.shipped_grams
        })
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
        ctx.state().region(self.0.region_id).cloned().map(Region)
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

/// Conditions on donations. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DonationFilter {
    /// All of these.
    pub and: Option<Vec<DonationFilter>>,
    /// Any of these.
    pub or: Option<Vec<DonationFilter>>,
    /// Not this.
    pub not: Option<Box<DonationFilter>>,
    /// The donation's id.
    pub id: Option<IdFilter>,
    /// Category.
    pub category: Option<DonationCategoryFilter>,
    /// Status.
    pub status: Option<DonationStatusFilter>,
    /// Mass in kilograms.
    pub kilograms: Option<MassFilter>,
    /// Kilograms shipped.
    pub shipped_kilograms: Option<MassFilter>,
    /// Number of items.
    pub item_count: Option<IntFilter>,
    /// Description text.
    pub description: Option<StringFilter>,
    /// Donor's name.
    pub donor_name: Option<StringFilter>,
    /// When it was received.
    pub received_at: Option<DateTimeFilter>,
    /// When it was registered.
    pub created_at: Option<DateTimeFilter>,
    /// When it last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// The ISO code of its region (`KZ-71`).
    pub region_code: Option<StringFilter>,
    /// The organization that received it.
    pub organization_id: Option<IdFilter>,
    /// The collection point that received it.
    pub collection_point_id: Option<IdFilter>,
}

impl FilterTree for DonationFilter {
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>) {
        (self.and.as_deref(), self.or.as_deref(), self.not.as_deref())
    }

    fn fields(&self, cx: FilterCx) -> ApiResult<Condition> {
        use birlik_entity::donation::Column as C;
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(column(C::Id), "Donation", "filter.id")?);
        }
        if let Some(f) = &self.category {
            all = all.add(f.condition(column(C::Category)));
        }
        if let Some(f) = &self.status {
            all = all.add(f.condition(column(C::Status)));
        }
        if let Some(f) = &self.kilograms {
            all = all.add(f.condition(column(C::Grams), "filter.kilograms")?);
        }
        if let Some(f) = &self.shipped_kilograms {
            all = all.add(f.condition(column(C::ShippedGrams), "filter.shippedKilograms")?);
        }
        if let Some(f) = &self.item_count {
            all = all.add(f.condition(column(C::ItemCount)));
        }
        if let Some(f) = &self.description {
            all = all.add(f.condition(column(C::Description), cx));
        }
        if let Some(f) = &self.donor_name {
            all = all.add(f.condition(column(C::DonorName), cx));
        }
        if let Some(f) = &self.received_at {
            all = all.add(f.condition(column(C::ReceivedAt)));
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(column(C::CreatedAt)));
        }
        if let Some(f) = &self.updated_at {
            all = all.add(f.condition(column(C::UpdatedAt)));
        }
        if let Some(f) = &self.region_code {
            all = all.add(region_code_condition(column(C::RegionId), f, cx));
        }
        if let Some(f) = &self.organization_id {
            all = all.add(f.condition(
                column(C::OrganizationId),
                "Organization",
                "filter.organizationId",
            )?);
        }
        if let Some(f) = &self.collection_point_id {
            all = all.add(f.condition(
                column(C::CollectionPointId),
                "CollectionPoint",
                "filter.collectionPointId",
            )?);
        }
        Ok(all)
    }
}

/// What donations can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DonationOrderField {
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

/// One key of a donation ordering.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct DonationOrder {
    /// The field.
    pub field: DonationOrderField,
    /// The direction (descending by default).
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The ordering an `orderBy` argument asks for (newest first when absent or empty).
pub fn ordering(order_by: Option<&[DonationOrder]>) -> Ordering {
    let keys: Vec<(SortField, bool)> = order_by
        .unwrap_or_default()
        .iter()
        .map(|o| {
            let field = match o.field {
                DonationOrderField::ReceivedAt => SortField::ReceivedAt,
                DonationOrderField::Kilograms => SortField::Kilograms,
                DonationOrderField::ShippedKilograms => SortField::ShippedKilograms,
                DonationOrderField::Category => SortField::Category,
                DonationOrderField::Status => SortField::Status,
                DonationOrderField::CreatedAt => SortField::CreatedAt,
                DonationOrderField::UpdatedAt => SortField::UpdatedAt,
                DonationOrderField::Id => SortField::Id,
            };
            (field, o.direction == OrderDirection::Desc)
        })
        .collect();
    if keys.is_empty() {
        crate::store::donation::newest_first()
    } else {
        crate::store::page::Ordering(keys)
    }
}

/// Count and mass over every page of a donation list, computed once, on demand.
pub struct DonationTotals {
    condition: Condition,
    totals: Arc<OnceCell<Totals>>,
}

impl DonationTotals {
    async fn get(&self, ctx: &Context<'_>) -> async_graphql::Result<Totals> {
        let db = ctx.request().1;
        self.totals
            .get_or_try_init(|| services::donation::totals(db, self.condition.clone()))
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

/// The connection over a page read in `ordering`.
pub fn connection(
    page: Page<donation::Model>,
    condition: Condition,
    ordering: &Ordering,
) -> DonationConnection {
    relay::connection(
        page,
        &ordering.signature(),
        |row| ordering.key_values(row),
        DonationTotals {
            condition,
            totals: Arc::new(OnceCell::new()),
        },
    )
}
