//! `Task`: work for volunteers; the tasks' filter, order and connections.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::{enums, task};
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    DateTimeFilter, EntityFilter, IdFilter, IntFilter, Leaves, StringFilter, entity_filter,
    enum_filter, list_totals, order_input,
};
use crate::graphql::loaders::related;
use crate::graphql::relay;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::enums::{TaskKind, TaskStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::graphql::types::shipment::Shipment;
use crate::services;
use crate::store::page::Page;
use crate::store::task::{SortField, Where, newest_first, soonest_first};

/// Work for volunteers in a region, with a time window and a number of places.
pub struct Task(pub task::Model);

impl From<task::Model> for Task {
    fn from(m: task::Model) -> Self {
        Task(m)
    }
}

/// Work for volunteers in a region, with a time window and a number of places.
#[Object]
impl Task {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Task", self.0.id)
    }

    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What to do, where to come, what to bring.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The kind of work.
    async fn kind(&self) -> TaskKind {
        self.0.kind.into()
    }

    /// The kind of work in the language of `Accept-Language`.
    async fn kind_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.kind, ctx.request().0.lang)
    }

    /// Open (free places) → assigned (full) → in progress → done, or cancelled.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }

    /// The status in the language of `Accept-Language`.
    async fn status_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.status, ctx.request().0.lang)
    }

    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// When it ends.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// Places.
    async fn volunteers_needed(&self) -> i32 {
        self.0.volunteers_needed
    }

    /// Places taken.
    async fn volunteers_assigned(&self) -> i32 {
        self.0.volunteers_assigned
    }

    /// The region whose headquarters runs it.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
    }

    /// The collection point it happens at, if any.
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

    /// The shipment it escorts or loads, if any. Visible to its organization, organizations
    /// receiving it, the ministry, and volunteers while they hold a place on this task; anyone
    /// else gets null and `FORBIDDEN`.
    async fn shipment(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Shipment>> {
        match self.0.shipment_id {
            Some(id) => Ok(Some(Shipment(
                related(
                    &ctx.loaders().shipment,
                    id,
                    "the shipment is visible to its organizations, the ministry and the task's volunteers",
                )
                .await?,
            ))),
            None => Ok(None),
        }
    }

    /// The organization that posted it.
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

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// When it was posted.
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

/// Counts over every page of a task list.
pub struct TaskTotals {
    pub condition: Condition,
    /// The count, when the page's statement read it too.
    pub count: Option<i64>,
}

/// Counts over every page of a task list.
#[Object]
impl TaskTotals {
    /// How many tasks the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        if let Some(count) = self.count {
            return Ok(count);
        }
        services::task::count(ctx.request().1, self.condition.clone())
            .await
            .extend()
    }
}

/// A page of tasks.
pub type TaskConnection = Connection<String, Task, TaskTotals>;

/// The connection over a page of tasks in start order ([`soonest_first`]).
/// `count` is the list's, when it was read with the page.
pub fn connection(
    page: Page<task::Model>,
    condition: Condition,
    count: Option<i64>,
) -> TaskConnection {
    relay::connection(page, &soonest_first(), TaskTotals { condition, count })
}

enum_filter!(
    TaskKindFilter,
    TaskKind,
    enums::TaskKind,
    "Compares a task kind."
);
enum_filter!(
    TaskStatusFilter,
    TaskStatus,
    enums::TaskStatus,
    "Compares a task status."
);

entity_filter!(
    /// Conditions on tasks. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    TaskFilter {
        /// The task's id.
        id: IdFilter,
        /// Kind.
        kind: TaskKindFilter,
        /// Status.
        status: TaskStatusFilter,
        /// The ISO code of its region.
        region_code: StringFilter,
        /// The organization that posted it.
        organization_id: IdFilter,
        /// Its collection point.
        collection_point_id: IdFilter,
        /// Its shipment.
        shipment_id: IdFilter,
        /// Title text.
        title: StringFilter,
        /// When it starts.
        starts_at: DateTimeFilter,
        /// When it ends.
        ends_at: DateTimeFilter,
        /// Places.
        volunteers_needed: IntFilter,
        /// Places taken.
        volunteers_assigned: IntFilter,
        /// When it was posted.
        created_at: DateTimeFilter,
        /// When it last changed.
        updated_at: DateTimeFilter,
    }
);

impl EntityFilter for TaskFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        use Where as W;
        Leaves::default()
            .check(self.id, |f| Ok(W::Id(f.rows("Task", "filter.id")?)))?
            .add(self.kind, |f| W::Kind(f.stored()))
            .add(self.status, |f| W::Status(f.stored()))
            .add(self.region_code, |f| W::RegionCode(f.text()))
            .check(self.organization_id, |f| {
                Ok(W::OrganizationId(
                    f.rows("Organization", "filter.organizationId")?,
                ))
            })?
            .check(self.collection_point_id, |f| {
                Ok(W::CollectionPointId(
                    f.rows("CollectionPoint", "filter.collectionPointId")?,
                ))
            })?
            .check(self.shipment_id, |f| {
                Ok(W::ShipmentId(f.rows("Shipment", "filter.shipmentId")?))
            })?
            .add(self.title, |f| W::Title(f.text()))
            .add(self.volunteers_needed, |f| W::VolunteersNeeded(f.cmp()))
            .add(self.volunteers_assigned, |f| W::VolunteersAssigned(f.cmp()))
            .add(self.starts_at, |f| W::StartsAt(f.cmp()))
            .add(self.ends_at, |f| W::EndsAt(f.cmp()))
            .add(self.created_at, |f| W::CreatedAt(f.cmp()))
            .add(self.updated_at, |f| W::UpdatedAt(f.cmp()))
            .done()
    }
}

order_input!(
    /// One sort key.
    TaskOrder,
    /// What tasks can be ordered by.
    TaskOrderField => SortField, default newest_first(),
    {
        /// When it was posted.
        CreatedAt,
        /// When it last changed.
        UpdatedAt,
        /// When it starts.
        StartsAt,
        /// When it ends.
        EndsAt,
        /// Status.
        Status,
        /// Kind.
        Kind,
        /// Places.
        VolunteersNeeded,
        /// Id.
        Id,
    }
);

list_totals!(
    /// Counts over every page of a task list.
    TaskListTotals of task::Model
);

/// Names the connection of the `tasks` list (its edges are tasks, as `openTasks`' are).
pub struct TaskListName;

impl async_graphql::connection::ConnectionNameType for TaskListName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "TaskListConnection".into()
    }
}

impl async_graphql::connection::EdgeNameType for TaskListName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "TaskListEdge".into()
    }
}

/// A page of tasks in any order.
pub type TaskListConnection = Connection<
    String,
    Task,
    TaskListTotals,
    async_graphql::connection::EmptyFields,
    TaskListName,
    TaskListName,
>;
