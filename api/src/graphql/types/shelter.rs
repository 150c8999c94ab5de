//! `Shelter`: an evacuation centre and its latest head count. Public: counts only, never names.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, Object};
use birlik_entity::{enums, shelter};
use chrono::{DateTime, Utc};
use sea_orm::Condition;
use tokio::sync::OnceCell;

use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    DateTimeFilter, EntityFilter, IdFilter, IntFilter, Leaves, StringFilter, entity_filter,
    enum_filter, order_input,
};
use crate::graphql::relay;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::services;
use crate::store::shelter::{SortField, Totals, Where, newest_first};

/// Whether a shelter takes people in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::ShelterStatus")]
pub enum ShelterStatus {
    /// Takes people in.
    Open,
    /// Closed: counts are no longer reported.
    Closed,
}

/// An evacuation centre (a school, a sports hall) in an affected region, with its latest head
/// count. Counts only, never names.
pub struct Shelter(pub shelter::Model);

impl From<shelter::Model> for Shelter {
    fn from(m: shelter::Model) -> Self {
        Shelter(m)
    }
}

/// An evacuation centre (a school, a sports hall) in an affected region, with its latest head
/// count. Counts only, never names.
#[Object]
impl Shelter {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Shelter", self.0.id)
    }

    /// Name, such as the school's.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Street address.
    async fn address(&self) -> &str {
        &self.0.address
    }

    /// Open (takes people in) or closed.
    async fn status(&self) -> ShelterStatus {
        self.0.status.into()
    }

    /// When it was closed, if it was.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// How many people it can hold.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// People at the latest count; null before the first.
    async fn people(&self) -> Option<i32> {
        self.0.people
    }

    /// Children among them at the latest count; null before the first.
    async fn children(&self) -> Option<i32> {
        self.0.children
    }

    /// When the latest count was taken; null before the first.
    async fn counted_at(&self) -> Option<DateTime<Utc>> {
        self.0.counted_at
    }

    /// The latest count exceeds the capacity (recorded, never refused).
    async fn over_capacity(&self) -> bool {
        self.0.people.is_some_and(|p| p > self.0.capacity)
    }

    /// The region it is in.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
    }

    /// The organization that runs it; null when the ministry opened it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organization
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (a count, a closing).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

enum_filter!(
    ShelterStatusFilter,
    ShelterStatus,
    enums::ShelterStatus,
    "Compares a shelter's status."
);

entity_filter!(
    /// Conditions on shelters. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    ShelterFilter {
        /// The shelter's id.
        id: IdFilter,
        /// Name.
        name: StringFilter,
        /// Street address.
        address: StringFilter,
        /// Open or closed.
        status: ShelterStatusFilter,
        /// Capacity in people.
        capacity: IntFilter,
        /// People at the latest count (null before the first).
        people: IntFilter,
        /// Children at the latest count (null before the first).
        children: IntFilter,
        /// When the latest count was taken.
        counted_at: DateTimeFilter,
        /// The ISO code of its region (`KZ-23`).
        region_code: StringFilter,
        /// The organization that runs it.
        organization_id: IdFilter,
        /// When it was opened.
        created_at: DateTimeFilter,
        /// When it last changed.
        updated_at: DateTimeFilter,
    }
);

impl EntityFilter for ShelterFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        Leaves::default()
            .check(self.id, |f| Ok(Where::Id(f.rows("Shelter", "filter.id")?)))?
            .add(self.name, |f| Where::Name(f.text()))
            .add(self.address, |f| Where::Address(f.text()))
            .add(self.status, |f| Where::Status(f.stored()))
            .add(self.capacity, |f| Where::Capacity(f.cmp()))
            .add(self.people, |f| Where::People(f.cmp()))
            .add(self.children, |f| Where::Children(f.cmp()))
            .add(self.counted_at, |f| Where::CountedAt(f.cmp()))
            .add(self.region_code, |f| Where::RegionCode(f.text()))
            .check(self.organization_id, |f| {
                Ok(Where::OrganizationId(
                    f.rows("Organization", "filter.organizationId")?,
                ))
            })?
            .add(self.created_at, |f| Where::CreatedAt(f.cmp()))
            .add(self.updated_at, |f| Where::UpdatedAt(f.cmp()))
            .done()
    }
}

order_input!(
    /// One key of a shelter ordering.
    ShelterOrder,
    /// What shelters can be ordered by.
    ShelterOrderField => SortField, default newest_first(),
    {
        /// When it was opened.
        CreatedAt,
        /// Name.
        Name,
        /// Capacity.
        Capacity,
        /// Status.
        Status,
        /// When it last changed.
        UpdatedAt,
        /// Id (opening order).
        Id,
    }
);

/// Count, people, children and capacity over every page of a shelter list, computed once, on
/// demand, from each shelter's latest count.
pub struct ShelterTotals {
    condition: Condition,
    totals: Arc<OnceCell<Totals>>,
}

impl ShelterTotals {
    /// The totals of the list `condition` selects, computed when first asked for.
    pub fn new(condition: Condition) -> Self {
        ShelterTotals {
            condition,
            totals: Arc::new(OnceCell::new()),
        }
    }

    async fn get(&self, ctx: &Context<'_>) -> async_graphql::Result<Totals> {
        let deps = ctx.request().1;
        self.totals
            .get_or_try_init(|| services::shelter::totals(deps, self.condition.clone()))
            .await
            .copied()
            .extend()
    }
}

/// Count, people, children and capacity over every page of a shelter list, from each shelter's
/// latest count.
#[Object]
impl ShelterTotals {
    /// How many shelters the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.get(ctx).await?.count)
    }

    /// People in them at their latest counts, over all pages.
    async fn total_people(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.get(ctx).await?.people)
    }

    /// Children among them at their latest counts, over all pages.
    async fn total_children(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.get(ctx).await?.children)
    }

    /// Their capacity in people, over all pages.
    async fn total_capacity(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.get(ctx).await?.capacity)
    }
}

/// A page of shelters.
pub type ShelterConnection = Connection<String, Shelter, ShelterTotals>;
