//! `openTasks` and `myTasks`: the volunteer app's lists.

use async_graphql::connection::{Connection, ConnectionNameType, EdgeNameType, EmptyFields};
use async_graphql::{Context, ID, Object, OutputType};
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::TaskStatus;
use crate::graphql::types::task::{self, Task, TaskConnection};
use crate::services;
use crate::store::task::soonest_first;

#[derive(Default)]
pub struct TaskQuery;

/// The extra fields of a delta sync of the volunteer's tasks.
pub struct TaskSync {
    condition: Condition,
    sync: services::task::Sync,
}

#[Object]
impl TaskSync {
    /// How many tasks the list holds, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        services::task::count(ctx.request().1, self.condition.clone())
            .await
            .extend()
    }

    /// With `updatedSince`: tasks the volunteer no longer holds (released, by them or
    /// automatically) since then. Empty without it.
    async fn removed_ids(&self) -> Vec<ID> {
        self.sync
            .removed
            .iter()
            .map(|id| relay::encode("Task", *id))
            .collect()
    }

    /// Send this as `updatedSince` next time: every change up to it is in this sync, every later
    /// one in the next (when paging, keep the first page's).
    async fn synced_at(&self) -> DateTime<Utc> {
        self.sync.synced_at
    }
}

/// Names the connection of `myTasks`, which carries sync fields.
pub struct MyTasksName;

impl ConnectionNameType for MyTasksName {
    fn type_name<T: OutputType>() -> String {
        "MyTasksConnection".into()
    }
}

impl EdgeNameType for MyTasksName {
    fn type_name<T: OutputType>() -> String {
        "MyTasksEdge".into()
    }
}

/// A page of the volunteer's own tasks, with what a delta sync needs.
pub type MyTasksConnection =
    Connection<String, Task, TaskSync, EmptyFields, MyTasksName, MyTasksName>;

#[Object]
impl TaskQuery {
    /// Tasks with free places in the calling volunteer's region that have not ended and that the
    /// volunteer does not hold yet, soonest first. Volunteers only.
    async fn open_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<TaskConnection> {
        let (rc, deps) = ctx.request();
        let req = relay::page_request(
            first,
            after.as_deref(),
            last,
            before.as_deref(),
            &soonest_first(),
            20,
        )
        .extend()?;
        // The count, when asked for, comes with the page, in its statement.
        let with_count = crate::graphql::filters::selects_any(ctx, &["totalCount"]);
        let (page, condition, count) = services::task::open(rc, deps, req, with_count)
            .await
            .extend()?;
        Ok(task::connection(page, condition, count))
    }

    /// The calling volunteer's own tasks, soonest first. With `updatedSince`, only those changed
    /// after it, plus the ids of tasks no longer held (`removedIds`) and the next `syncedAt`.
    /// Volunteers only.
    #[allow(clippy::too_many_arguments)]
    async fn my_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tasks in these statuses (all when absent or empty).")]
        status: Option<Vec<TaskStatus>>,
        #[graphql(
            desc = "Only what changed after this instant (the `syncedAt` of the last sync)."
        )]
        updated_since: Option<DateTime<Utc>>,
        #[graphql(desc = "Page size from the start (at most 100; default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<MyTasksConnection> {
        let (rc, deps) = ctx.request();
        let req = relay::page_request(
            first,
            after.as_deref(),
            last,
            before.as_deref(),
            &soonest_first(),
            50,
        )
        .extend()?;
        let statuses: Vec<_> = status
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let (page, condition, sync) = services::task::mine(rc, deps, &statuses, updated_since, req)
            .await
            .extend()?;
        Ok(relay::connection(
            page,
            &soonest_first(),
            TaskSync { condition, sync },
        ))
    }
}
