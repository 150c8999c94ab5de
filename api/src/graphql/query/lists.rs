//! `shipments`, `tasks`, `volunteers`, `organizations` and `taskStats`.

use async_graphql::{Context, Enum, Object};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::filters::{PageArgs, condition_of, list};
use crate::graphql::types::enums::{TaskKind, TaskStatus};
use crate::graphql::types::organization::{
    OrganizationConnection, OrganizationFilter, OrganizationOrder, OrganizationTotals,
};
use crate::graphql::types::region::Region;
use crate::graphql::types::shipment::{
    ShipmentConnection, ShipmentFilter, ShipmentOrder, ShipmentTotals,
};
use crate::graphql::types::task::{TaskFilter, TaskListConnection, TaskListTotals, TaskOrder};
use crate::graphql::types::volunteer::{
    VolunteerConnection, VolunteerFilter, VolunteerOrder, VolunteerTotals,
};
use crate::services;
use crate::store::stats::{self, TaskGroup};

#[derive(Default)]
pub struct ListQuery;

/// A dimension to group tasks by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskDimension {
    /// The region.
    Region,
    /// The kind of work.
    Kind,
    /// The status.
    Status,
}

/// One group of tasks: its keys (null where not grouped) and its figures.
pub struct TaskStatsRow(pub TaskGroup);

/// One group of tasks: its keys (null where not grouped) and its figures.
#[Object]
impl TaskStatsRow {
    /// The region, when grouped by REGION.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .region_id
            .and_then(|id| ctx.deps().region(id).cloned())
            .map(Region)
    }

    /// The kind, when grouped by KIND.
    async fn kind(&self) -> Option<TaskKind> {
        self.0.kind.map(Into::into)
    }

    /// The status, when grouped by STATUS.
    async fn status(&self) -> Option<TaskStatus> {
        self.0.status.map(Into::into)
    }

    /// Tasks in the group.
    async fn task_count(&self) -> i64 {
        self.0.count
    }

    /// Places they offer.
    async fn volunteers_needed(&self) -> i64 {
        self.0.volunteers_needed
    }

    /// Places taken.
    async fn volunteers_assigned(&self) -> i64 {
        self.0.volunteers_assigned
    }
}

#[Object]
impl ListQuery {
    /// Shipments, newest first unless `orderBy` says otherwise. The ministry sees all; an
    /// organization those it sends.
    #[allow(clippy::too_many_arguments)]
    async fn shipments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the shipments meet.")] filter: Option<ShipmentFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<ShipmentOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<ShipmentConnection> {
        let (rc, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let ordering = ShipmentOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                services::lists::shipments(rc, deps, filter, &ordering, req).await
            },
            |condition| ShipmentTotals { condition },
        )
        .await
    }

    /// Tasks, newest first unless `orderBy` says otherwise. The ministry and organizations see
    /// all; a volunteer those of their region.
    #[allow(clippy::too_many_arguments)]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the tasks meet.")] filter: Option<TaskFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<TaskOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<TaskListConnection> {
        let (rc, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let ordering = TaskOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                services::lists::tasks(rc, deps, filter, &ordering, req).await
            },
            |condition| TaskListTotals { condition },
        )
        .await
    }

    /// Volunteers, newest first unless `orderBy` says otherwise. The ministry sees all; an
    /// organization its members.
    #[allow(clippy::too_many_arguments)]
    async fn volunteers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the volunteers meet.")] filter: Option<VolunteerFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<VolunteerOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<VolunteerConnection> {
        let (rc, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let ordering = VolunteerOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                services::lists::volunteers(rc, deps, filter, &ordering, req).await
            },
            |condition| VolunteerTotals { condition },
        )
        .await
    }

    /// Participating organizations, newest first unless `orderBy` says otherwise. Public.
    #[allow(clippy::too_many_arguments)]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the organizations meet.")] filter: Option<OrganizationFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<OrganizationOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<OrganizationConnection> {
        let (_, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let ordering = OrganizationOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                services::lists::organizations(deps, filter, &ordering, req).await
            },
            |condition| OrganizationTotals { condition },
        )
        .await
    }

    /// Tasks grouped by region, kind and/or status, over any filter, in one SQL `GROUP BY`.
    /// The ministry and organizations see all; a volunteer their region's.
    async fn task_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dimensions to group by; none gives one row over everything.")]
        group_by: Vec<TaskDimension>,
        #[graphql(desc = "Conditions the tasks meet.")] filter: Option<TaskFilter>,
    ) -> async_graphql::Result<Vec<TaskStatsRow>> {
        let (rc, deps) = ctx.request();
        let filter = condition_of(filter, deps).extend()?;
        let dimensions: Vec<stats::TaskDimension> = group_by
            .into_iter()
            .map(|d| match d {
                TaskDimension::Region => stats::TaskDimension::Region,
                TaskDimension::Kind => stats::TaskDimension::Kind,
                TaskDimension::Status => stats::TaskDimension::Status,
            })
            .collect();
        let groups = services::lists::task_groups(rc, deps, &dimensions, filter)
            .await
            .extend()?;
        Ok(groups.into_iter().map(TaskStatsRow).collect())
    }
}
