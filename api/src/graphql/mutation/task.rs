//! `postTask`, `claimTask`, `releaseTask`, `updateTaskStatus`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::{TaskKind, TaskStatus};
use crate::graphql::types::task::Task;
use crate::services;

/// A task to post.
#[derive(InputObject)]
pub struct PostTaskInput {
    /// Short title (at most 200 characters).
    pub title: String,
    /// What to do, where to come, what to bring.
    #[graphql(default)]
    pub description: String,
    /// The kind of work.
    pub kind: TaskKind,
    /// The region whose headquarters runs it (`KZ-39`).
    pub region_code: String,
    /// A collection point of that region, if it happens at one.
    pub collection_point_id: Option<ID>,
    /// A shipment of your organization it loads or escorts.
    pub shipment_id: Option<ID>,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends: after it starts, in the future, at most 31 days later.
    pub ends_at: DateTime<Utc>,
    /// Places (1 to 10,000).
    pub volunteers_needed: i32,
    /// A key of the client's choosing: retrying with the same key never posts twice.
    pub idempotency_key: Option<String>,
}

/// A task after a change.
#[derive(SimpleObject)]
pub struct TaskPayload {
    /// The task as it now stands.
    pub task: Task,
}

#[derive(Default)]
pub struct TaskMutation;

fn task_id(id: &ID) -> ApiResult<i32> {
    relay::decode("Task", "taskId", id)
}

#[Object]
impl TaskMutation {
    /// Posts a task for volunteers (verified organizations' staff, in any region, and the ministry).
    async fn post_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task to post.")] input: PostTaskInput,
    ) -> async_graphql::Result<TaskPayload> {
        let (rc, _) = ctx.request();
        let posting = services::task::Posting {
            title: input.title,
            description: input.description,
            kind: input.kind.into(),
            region_code: input.region_code,
            collection_point_id: input
                .collection_point_id
                .as_ref()
                .map(|id| relay::decode("CollectionPoint", "input.collectionPointId", id))
                .transpose()
                .extend()?,
            shipment_id: input
                .shipment_id
                .as_ref()
                .map(|id| relay::decode("Shipment", "input.shipmentId", id))
                .transpose()
                .extend()?,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            volunteers_needed: input.volunteers_needed,
        };
        let task = services::task::post(rc, ctx.deps(), posting, input.idempotency_key.as_deref())
            .await
            .extend()?;
        Ok(TaskPayload { task: Task(task) })
    }

    /// Takes a free place on an open task of your region (volunteers). When the places run out,
    /// the rest get CONFLICT. Retried with the same key, it returns the first result.
    async fn claim_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] task_id: ID,
        #[graphql(desc = "A key of the client's choosing (a UUID), the same on every retry.")]
        idempotency_key: String,
    ) -> async_graphql::Result<TaskPayload> {
        let (rc, _) = ctx.request();
        let id = self::task_id(&task_id).extend()?;
        let task = services::task::claim(rc, ctx.deps(), id, &idempotency_key)
            .await
            .extend()?;
        Ok(TaskPayload { task: Task(task) })
    }

    /// Gives up your place on a task (volunteers).
    async fn release_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] task_id: ID,
    ) -> async_graphql::Result<TaskPayload> {
        let (rc, _) = ctx.request();
        let id = self::task_id(&task_id).extend()?;
        let task = services::task::release(rc, ctx.deps(), id).await.extend()?;
        Ok(TaskPayload { task: Task(task) })
    }

    /// A volunteer moves their own place to IN_PROGRESS, then DONE; the task's status follows
    /// from its places (OPEN while any is free, so others can still claim them; IN_PROGRESS or
    /// DONE once full). The task's organization or the ministry moves the task to DONE or
    /// CANCELLED. A stale
    /// `expectedVersion` is refused with CONFLICT and the current task in `extensions.current`.
    async fn update_task_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] task_id: ID,
        #[graphql(desc = "The status to move to.")] status: TaskStatus,
        #[graphql(desc = "The task's version the client last saw.")] expected_version: i32,
    ) -> async_graphql::Result<TaskPayload> {
        let (rc, _) = ctx.request();
        let id = self::task_id(&task_id).extend()?;
        let task =
            services::task::update_status(rc, ctx.deps(), id, status.into(), expected_version)
                .await
                .extend()?;
        Ok(TaskPayload { task: Task(task) })
    }
}
