//! Claiming a place on a task: atomic against `volunteersNeeded`, so the last place goes to
//! exactly one volunteer.

use birlik_entity::enums::{AssignmentStatus, AuditAction, AuditEntity, TaskStatus};
use birlik_entity::task;
use chrono::Utc;
use sea_orm::DatabaseTransaction;

use super::{conflict, reload, target, volunteer_of};
use crate::context::RequestCtx;
use crate::error::{ApiError, ApiResult};
use crate::events::{TaskEvent, TaskEventKind};
use crate::services::Deps;
use crate::services::{audit, idempotency};
use crate::store;

/// Claims a place on an open task of the volunteer's region. Atomic against
/// `volunteersNeeded`: the last place goes to exactly one volunteer.
pub async fn claim(
    rc: &RequestCtx,
    deps: &Deps,
    task_id: i32,
    key: &str,
) -> ApiResult<task::Model> {
    let (user_id, volunteer_id) = volunteer_of(rc)?;
    let claiming = Claim {
        rc,
        deps,
        user_id,
        volunteer_id,
        task_id,
        key,
    };
    idempotency::mutate(&deps.db, &claiming).await
}

/// A volunteer's claim on a task, under a key.
struct Claim<'a> {
    rc: &'a RequestCtx,
    deps: &'a Deps,
    user_id: i32,
    volunteer_id: i32,
    task_id: i32,
    key: &'a str,
}

impl idempotency::Mutation for Claim<'_> {
    type Output = task::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        Some(idempotency::Keyed::new(
            self.user_id,
            self.key,
            "claimTask",
            &self.task_id,
        ))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<task::Model> {
        reload(tx, id).await
    }

    async fn act(&self, tx: &DatabaseTransaction) -> ApiResult<idempotency::Done<'_, task::Model>> {
        let (task_id, volunteer_id) = (self.task_id, self.volunteer_id);
        let t = target(tx, self.rc, task_id, false).await?;
        let me = store::volunteer::get(tx, volunteer_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if me.region_id != t.region_id {
            return Err(ApiError::Forbidden(
                "volunteers claim tasks of their own region".into(),
            ));
        }
        if store::task::holds(tx, volunteer_id, task_id).await? {
            return Err(conflict(&t, "you already hold a place on this task"));
        }
        let now = Utc::now();
        if !store::task::take_place(tx, task_id, now).await? {
            let t = reload(tx, task_id).await?;
            let message = match t.status {
                TaskStatus::Open if t.ends_at <= now => "the task has ended",
                TaskStatus::Open | TaskStatus::Assigned => "no free place is left on this task",
                _ => "the task is not open for claims",
            };
            return Err(conflict(&t, message));
        }
        let claim = store::task::add_claim(tx, task_id, volunteer_id, now).await?;
        store::task::settle(tx, task_id, now).await?;
        store::task::stamp_task(tx, task_id, now, store::task::Places::Kept).await?;
        let change = audit::Change::new(AuditEntity::TaskAssignment, claim, AuditAction::Claimed)
            .to(AssignmentStatus::Claimed);
        Ok(idempotency::Done {
            output: reload(tx, task_id).await?,
            id: task_id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
        })
    }

    fn publish(&self, _task: &task::Model) {
        self.deps.events.task(TaskEvent {
            kind: TaskEventKind::Assigned,
            task_id: self.task_id,
            volunteer_ids: vec![self.volunteer_id],
        });
    }
}
