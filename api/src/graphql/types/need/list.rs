//! The needs board's filter, ordering and totals.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Object};
use birlik_entity::enums;
use sea_orm::Condition;
use tokio::sync::OnceCell;

use super::{Need, NeedFulfilment, NeedPriority, NeedStatus};
use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    DateTimeFilter, EntityFilter, IdFilter, Leaves, StringFilter, entity_filter, enum_filter,
    order_input,
};
use crate::graphql::types::donation::DonationCategoryFilter;
use crate::mass::{self, Decimal};
use crate::services;
use crate::store::need::{Fulfilment, SortField, Totals, Where, most_urgent_first};

enum_filter!(
    NeedPriorityFilter,
    NeedPriority,
    enums::NeedPriority,
    "Compares a need's priority."
);
enum_filter!(
    NeedStatusFilter,
    NeedStatus,
    enums::NeedStatus,
    "Compares a need's status."
);
enum_filter!(
    NeedFulfilmentFilter,
    NeedFulfilment,
    Fulfilment,
    "Compares how far a need is met."
);

entity_filter!(
    /// Conditions on needs. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    NeedFilter {
        /// The need's id.
        id: IdFilter,
        /// The ISO code of its region (`KZ-23`).
        region_code: StringFilter,
        /// A category one of its lines asks for.
        category: DonationCategoryFilter,
        /// Priority.
        priority: NeedPriorityFilter,
        /// Status.
        status: NeedStatusFilter,
        /// How far it is met.
        fulfilment: NeedFulfilmentFilter,
        /// The organization that raised it (a need the ministry raised has none).
        organization_id: IdFilter,
        /// The shelter it is for.
        shelter_id: IdFilter,
        /// When it is needed by.
        needed_by: DateTimeFilter,
        /// When it was raised.
        created_at: DateTimeFilter,
        /// When it last changed.
        updated_at: DateTimeFilter,
    }
);

impl EntityFilter for NeedFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        Leaves::default()
            .check(self.id, |f| Ok(Where::Id(f.rows("Need", "filter.id")?)))?
            .add(self.region_code, |f| Where::RegionCode(f.text()))
            .add(self.category, |f| Where::Category(f.stored()))
            .add(self.priority, |f| Where::Priority(f.stored()))
            .add(self.status, |f| Where::Status(f.stored()))
            .add(self.fulfilment, |f| Where::Fulfilment(f.stored()))
            .check(self.organization_id, |f| {
                Ok(Where::OrganizationId(
                    f.rows("Organization", "filter.organizationId")?,
                ))
            })?
            .check(self.shelter_id, |f| {
                Ok(Where::ShelterId(f.rows("Shelter", "filter.shelterId")?))
            })?
            .add(self.needed_by, |f| Where::NeededBy(f.cmp()))
            .add(self.created_at, |f| Where::CreatedAt(f.cmp()))
            .add(self.updated_at, |f| Where::UpdatedAt(f.cmp()))
            .done()
    }
}

order_input!(
    /// One key of a need ordering.
    NeedOrder,
    /// What needs can be ordered by (by default: priority, URGENT first, then `neededBy`,
    /// soonest first).
    NeedOrderField => SortField, default most_urgent_first(),
    {
        /// Priority: ascending is URGENT, HIGH, MEDIUM, LOW.
        Priority,
        /// When it is needed by.
        NeededBy,
        /// Kilograms asked for.
        RequestedKilograms,
        /// Kilograms delivered.
        DeliveredKilograms,
        /// Status.
        Status,
        /// When it was raised.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
        /// Id (the order they were raised in).
        Id,
    }
);

/// Count and kilograms over every page of a needs list, computed once, on demand.
pub struct NeedTotals {
    condition: Condition,
    totals: Arc<OnceCell<Totals>>,
}

impl NeedTotals {
    /// The totals of the list `condition` selects, computed when first asked for.
    pub fn new(condition: Condition) -> Self {
        NeedTotals {
            condition,
            totals: Arc::new(OnceCell::new()),
        }
    }

    /// The totals of the list `condition` selects, as `read` holds them when the page's statement
    /// read them too; computed when first asked for otherwise.
    pub fn read(condition: Condition, read: Arc<OnceCell<Totals>>) -> Self {
        NeedTotals {
            condition,
            totals: read,
        }
    }

    async fn get(&self, ctx: &Context<'_>) -> async_graphql::Result<Totals> {
        let deps = ctx.request().1;
        self.totals
            .get_or_try_init(|| services::need::totals(deps, self.condition.clone()))
            .await
            .copied()
            .extend()
    }
}

/// Count and kilograms over every page of a needs list, computed once, on demand.
#[Object]
impl NeedTotals {
    /// How many needs the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.get(ctx).await?.count)
    }

    /// Kilograms they ask for, over all pages (exact).
    async fn requested_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.get(ctx).await?.requested_grams))
    }

    /// Kilograms delivered to them, over all pages (exact).
    async fn delivered_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.get(ctx).await?.delivered_grams))
    }

    /// Kilograms no shipment covers yet, over all pages (open needs only; exact).
    async fn outstanding_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.get(ctx).await?.outstanding_grams))
    }
}

/// A page of needs.
pub type NeedConnection = Connection<String, Need, NeedTotals>;
