//! Moving a task on: a volunteer moves their own place (IN_PROGRESS, then DONE) and the task's
//! status follows from its places; the task's organization or the ministry closes it (DONE) or
//! calls it off (CANCELLED).

use birlik_entity::enums::{AssignmentStatus, AuditAction, AuditEntity, ReleaseReason, TaskStatus};
use birlik_entity::task;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::{conflict, ensure_not_over, ensure_version, reload, target};
use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::events::{TaskEvent, TaskEventKind};
use crate::services::Deps;
use crate::services::audit;
use crate::store;

/// Moves a task: a volunteer their own place (IN_PROGRESS, then DONE), and the task's status
/// follows from its places (`store::task::settle`: open while places are free); the task's
/// organization or the ministry may cancel it (CANCELLED) or close it (DONE).
pub async fn update_status(
    rc: &RequestCtx,
    deps: &Deps,
    task_id: i32,
    status: TaskStatus,
    expected_version: i32,
) -> ApiResult<task::Model> {
    if rc.actor == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let tx = store::begin(&deps.db).await?;
    // The row stays locked until the commit, so the version read here is the one replaced (on
    // SQLite the write transaction already holds the database).
    let t = target(&tx, rc, task_id, true).await?;
    let now = Utc::now();
    let (event, recipients) = match rc.actor {
        Actor::Volunteer { volunteer_id, .. } => {
            move_place(&tx, rc, &t, volunteer_id, status, expected_version, now).await?
        }
        Actor::Ngo {
            organization_id, ..
        } if Some(organization_id) != t.organization_id => {
            return Err(ApiError::Forbidden(
                "only the task's organization or the ministry changes it".into(),
            ));
        }
        Actor::Ngo { .. } | Actor::Ministry { .. } => {
            close(&tx, &t, status, expected_version, now).await?
        }
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
    };
    // Calling a task off releases its places.
    let places = match event {
        TaskEventKind::Cancelled => store::task::Places::Released,
        _ => store::task::Places::Kept,
    };
    store::task::stamp_task(&tx, task_id, now, places).await?;
    let before = t.status;
    let t = reload(&tx, task_id).await?;
    let action = if matches!(event, TaskEventKind::Cancelled) {
        AuditAction::Cancelled
    } else {
        AuditAction::StatusChanged
    };
    // An organization's change is always the task's; a volunteer's moves the task only when
    // its places say so.
    if before != t.status || !matches!(rc.actor, Actor::Volunteer { .. }) {
        audit::record(
            &tx,
            audit::Who::of(&rc.actor)?,
            audit::Change::new(AuditEntity::Task, task_id, action)
                .from(before)
                .to(t.status),
        )
        .await?;
    }
    tx.commit().await?;
    deps.events.task(TaskEvent {
        kind: event,
        task_id,
        volunteer_ids: recipients,
    });
    Ok(t)
}

/// A volunteer moves their own place on the task; the task's status follows from its places.
/// The event to send, and to whom.
async fn move_place(
    tx: &DatabaseTransaction,
    rc: &RequestCtx,
    t: &task::Model,
    volunteer_id: i32,
    status: TaskStatus,
    expected_version: i32,
    now: DateTime<Utc>,
) -> ApiResult<(TaskEventKind, Vec<i32>)> {
    let task_id = t.id;
    let (from, to) = match status {
        TaskStatus::InProgress => (AssignmentStatus::Claimed, AssignmentStatus::InProgress),
        TaskStatus::Done => (AssignmentStatus::InProgress, AssignmentStatus::Done),
        _ => {
            return Err(ApiError::bad_input(
                "status",
                "a volunteer moves a task to IN_PROGRESS or DONE (releaseTask gives a place up)",
            ));
        }
    };
    ensure_version(t, expected_version)?;
    ensure_not_over(t)?;
    let (claim, _) = store::task::live_claim(tx, task_id, volunteer_id)
        .await?
        .ok_or_else(|| conflict(t, "you hold no place on this task"))?;
    if !store::task::move_claim(tx, task_id, volunteer_id, from, to, now).await? {
        return Err(conflict(t, "your place is not in a state that allows this"));
    }
    audit::record(
        tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(
            AuditEntity::TaskAssignment,
            claim,
            AuditAction::StatusChanged,
        )
        .from(from)
        .to(to),
    )
    .await?;
    // The volunteer moves their own place; the task's status follows from its places.
    store::task::settle(tx, task_id, now).await?;
    Ok((TaskEventKind::Changed, vec![volunteer_id]))
}

/// The task's organization or the ministry closes the task (DONE) or calls it off (CANCELLED,
/// releasing every place). The event to send, and to whom.
async fn close(
    tx: &DatabaseTransaction,
    t: &task::Model,
    status: TaskStatus,
    expected_version: i32,
    now: DateTime<Utc>,
) -> ApiResult<(TaskEventKind, Vec<i32>)> {
    let task_id = t.id;
    ensure_version(t, expected_version)?;
    ensure_not_over(t)?;
    let holders = store::task::live_claims(tx, task_id).await?;
    match status {
        TaskStatus::Cancelled => {
            for v in &holders {
                store::task::release_claim(tx, task_id, *v, ReleaseReason::TaskCancelled, now)
                    .await?;
            }
            store::task::cancel(tx, task_id, now).await?;
            Ok((TaskEventKind::Cancelled, holders))
        }
        TaskStatus::Done => {
            store::task::touch(tx, task_id, Some(TaskStatus::Done), now).await?;
            Ok((TaskEventKind::Changed, holders))
        }
        _ => Err(ApiError::bad_input(
            "status",
            "an organization moves a task to DONE or CANCELLED",
        )),
    }
}
