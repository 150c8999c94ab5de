//! `Task`: work for volunteers.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::task;
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::context::ContextExt;
use crate::error::ResultExt;
use crate::graphql::loaders::related;
use crate::graphql::relay;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::enums::{TaskKind, TaskStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::graphql::types::shipment::Shipment;
use crate::services;
use crate::store::page::Page;

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
        ctx.state().region(self.0.region_id).cloned().map(Region)
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
}

/// Counts over every page of a task list.
#[Object]
impl TaskTotals {
    /// How many tasks the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        services::task::count(ctx.request().1, self.condition.clone())
            .await
            .extend()
    }
}

/// A page of tasks.
pub type TaskConnection = Connection<String, Task, TaskTotals>;

/// The connection over a page of tasks in start order.
pub fn connection(page: Page<task::Model>, condition: Condition) -> TaskConnection {
    relay::connection(
        page,
        services::task::ORDERING,
        crate::store::task::key_values,
        TaskTotals { condition },
    )
}
