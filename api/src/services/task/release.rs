//! Giving a place up: the volunteer's own release, and the sweep that releases places not
//! started in time.

use birlik_entity::enums::{AssignmentStatus, AuditAction, AuditEntity, ReleaseReason};
use birlik_entity::task;
use chrono::Utc;

use super::{conflict, ensure_not_over, reload, target, volunteer_of};
use crate::context::RequestCtx;
use crate::error::ApiResult;
use crate::events::{TaskEvent, TaskEventKind};
use crate::services::Deps;
use crate::services::audit;
use crate::store;

/// Gives up the volunteer's place on a task that has not finished.
pub async fn release(rc: &RequestCtx, deps: &Deps, task_id: i32) -> ApiResult<task::Model> {
    let (_, volunteer_id) = volunteer_of(rc)?;
    let tx = store::begin(&deps.db).await?;
    let t = target(&tx, rc, task_id, false).await?;
    ensure_not_over(&t)?;
    let now = Utc::now();
    let not_held = || conflict(&t, "you hold no place on this task");
    let (claim, from) = store::task::live_claim(&tx, task_id, volunteer_id)
        .await?
        .ok_or_else(not_held)?;
    if !store::task::release_claim(&tx, task_id, volunteer_id, ReleaseReason::Volunteer, now)
        .await?
    {
        return Err(not_held());
    }
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(AuditEntity::TaskAssignment, claim, AuditAction::Released)
            .from(from)
            .to(AssignmentStatus::Released),
    )
    .await?;
    store::task::stamp_task(&tx, task_id, now, store::task::Places::Released).await?;
    let t = reload(&tx, task_id).await?;
    tx.commit().await?;
    deps.events.task(TaskEvent {
        kind: TaskEventKind::Released,
        task_id,
        volunteer_ids: vec![volunteer_id],
    });
    Ok(t)
}

/// How long after a task starts an unstarted claim is released.
pub const START_GRACE: chrono::Duration = chrono::Duration::minutes(30);

/// Releases every claim whose volunteer has not started the task 30 minutes after it began, and
/// tells them. Safe to run on every instance at once: each release is a conditional update.
pub async fn release_unstarted(deps: &Deps) -> ApiResult<usize> {
    let now = Utc::now();
    let overdue = store::task::unstarted_claims(&deps.db, now - START_GRACE).await?;
    let mut released = 0;
    for (claim, task_id, volunteer_id) in overdue {
        let tx = store::begin(&deps.db).await?;
        let done =
            store::task::release_claim(&tx, task_id, volunteer_id, ReleaseReason::NotStarted, now)
                .await?;
        if done {
            audit::record(
                &tx,
                audit::Who::SYSTEM,
                audit::Change::new(AuditEntity::TaskAssignment, claim, AuditAction::Released)
                    .from(AssignmentStatus::Claimed)
                    .to(AssignmentStatus::Released),
            )
            .await?;
            store::task::stamp_task(&tx, task_id, now, store::task::Places::Released).await?;
        }
        tx.commit().await?;
        if done {
            released += 1;
            deps.events.task(TaskEvent {
                kind: TaskEventKind::Released,
                task_id,
                volunteer_ids: vec![volunteer_id],
            });
        }
    }
    if released > 0 {
        tracing::info!(
            released,
            "released claims not started 30 minutes after their task began"
        );
    }
    Ok(released)
}
