//! Tasks as volunteers see them: open places in their region, and their own. One file per
//! operation: reading ([`read`]), posting ([`post`]), claiming ([`claim`]), giving a place up
//! ([`release`]) and moving a task on ([`status`]); the checks they share live here.

mod claim;
mod post;
mod read;
mod release;
mod status;

use birlik_entity::enums::TaskStatus;
use birlik_entity::task;
use sea_orm::ConnectionTrait;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult, Current};
use crate::store;

pub use claim::claim;
pub use post::{MAX_VOLUNTEERS, Posting, post};
pub use read::{Sync, count, mine, open};
pub use release::{START_GRACE, release, release_unstarted};
pub use status::update_status;

/// The calling volunteer's user and volunteer ids; anyone else is refused.
fn volunteer_of(rc: &RequestCtx) -> ApiResult<(i32, i32)> {
    match rc.actor {
        Actor::Volunteer {
            user_id,
            volunteer_id,
        } => Ok((user_id, volunteer_id)),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "tasks are claimed by volunteers".into(),
        )),
    }
}

/// The task a mutation acts on, read within the caller's scope of tasks (`store::scope`), so that
/// neither a refusal nor a CONFLICT's `current` tells anything of a task the caller may not read:
/// outside it, the task is NOT_FOUND. `lock`: held until the commit.
async fn target(
    tx: &sea_orm::DatabaseTransaction,
    rc: &RequestCtx,
    task_id: i32,
    lock: bool,
) -> ApiResult<task::Model> {
    store::task::get(tx, task_id, store::scope::task(&rc.actor), lock)
        .await?
        .ok_or(ApiError::NotFound { entity: "task" })
}

/// The task as it is now, read back by id (a replay, or after the caller's own change).
async fn reload(db: &impl ConnectionTrait, task_id: i32) -> ApiResult<task::Model> {
    store::task::by_id(db, task_id)
        .await?
        .ok_or(ApiError::NotFound { entity: "task" })
}

/// The task as a CONFLICT's `current`.
fn current(t: &task::Model) -> Current {
    Current::Task {
        id: t.id,
        status: t.status,
        volunteers_needed: t.volunteers_needed,
        volunteers_assigned: t.volunteers_assigned,
        version: t.version,
        updated_at: t.updated_at,
    }
}

/// A CONFLICT about the task, with the task as it is.
fn conflict(t: &task::Model, message: &str) -> ApiError {
    ApiError::Conflict {
        message: message.into(),
        current: Some(current(t)),
    }
}

/// Refuses a change to a task that is done or cancelled.
fn ensure_not_over(t: &task::Model) -> ApiResult<()> {
    if matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled) {
        return Err(conflict(t, "the task is over"));
    }
    Ok(())
}

/// Refuses a change made against another version of the task than the current one.
fn ensure_version(t: &task::Model, expected: i32) -> ApiResult<()> {
    if t.version != expected {
        return Err(ApiError::Conflict {
            message: format!(
                "the task changed (version {} now, {expected} expected)",
                t.version
            ),
            current: Some(current(t)),
        });
    }
    Ok(())
}
