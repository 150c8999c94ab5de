//! Tasks as volunteers see them: open places in their region, and their own.

use birlik_entity::enums::TaskStatus;
use birlik_entity::{task, volunteer};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::page::{Page, PageRequest};

/// The cursor ordering of task pages.
pub const ORDERING: &str = "STARTS_AT:ASC,ID:ASC";

/// The calling volunteer's record.
async fn me(rc: &RequestCtx, db: &DatabaseConnection) -> ApiResult<volunteer::Model> {
    let volunteer_id = match rc.actor {
        Actor::Volunteer { volunteer_id, .. } => volunteer_id,
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        _ => return Err(ApiError::Forbidden("this list is a volunteer's".into())),
    };
    volunteer::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?
        .ok_or(ApiError::Unauthenticated)
}

/// Tasks with free places in the volunteer's region that have not ended and that the volunteer
/// does not already hold, soonest first.
pub async fn open(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    req: PageRequest,
) -> ApiResult<(Page<task::Model>, Condition)> {
    let me = me(rc, db).await?;
    let condition = Condition::all()
        .add(task::Column::RegionId.eq(me.region_id))
        .add(task::Column::Status.eq(TaskStatus::Open))
        .add(task::Column::EndsAt.gt(Utc::now()))
        .add(store::task::held_by(me.id).not());
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition))
}

/// What a delta sync of the volunteer's own tasks returns besides the page.
#[derive(Clone, Debug)]
pub struct Sync {
    /// Tasks the volunteer no longer holds, or that were cancelled, since `updatedSince`.
    pub removed: Vec<i32>,
    /// The instant to send as `updatedSince` next time.
    pub synced_at: DateTime<Utc>,
}

/// The volunteer's own tasks (live claims), soonest first; with `updated_since`, only those that
/// changed after it, and the ids of those that left the list.
pub async fn mine(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    statuses: &[TaskStatus],
    updated_since: Option<DateTime<Utc>>,
    req: PageRequest,
) -> ApiResult<(Page<task::Model>, Condition, Sync)> {
    let Actor::Volunteer { volunteer_id, .. } = rc.actor else {
        return Err(match rc.actor {
            Actor::Anonymous => ApiError::Unauthenticated,
            _ => ApiError::Forbidden("this list is a volunteer's".into()),
        });
    };
    let synced_at = Utc::now();
    let mut condition = Condition::all().add(store::task::held_by(volunteer_id));
    if !statuses.is_empty() {
        condition = condition.add(task::Column::Status.is_in(statuses.iter().copied()));
    }
    let mut removed = Vec::new();
    if let Some(since) = updated_since {
        condition = condition.add(task::Column::UpdatedAt.gt(since));
        removed = store::task::released_since(db, volunteer_id, since).await?;
    }
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition, Sync { removed, synced_at }))
}

/// How many tasks match.
pub async fn count(db: &DatabaseConnection, condition: Condition) -> ApiResult<i64> {
    Ok(store::task::count(db, condition).await? as i64)
}
