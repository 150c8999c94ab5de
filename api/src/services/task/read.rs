//! Reading tasks: the open ones a volunteer may claim, a volunteer's own (with delta sync), and
//! counts.

use birlik_entity::enums::TaskStatus;
use birlik_entity::task;
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::store;
use crate::store::page::{Page, PageRequest};

/// Tasks with free places in the volunteer's region that have not ended and that the volunteer
/// does not already hold, soonest first.
/// `with_count` counts them too, in the page's statement.
pub async fn open(
    rc: &RequestCtx,
    deps: &Deps,
    req: PageRequest,
    with_count: bool,
) -> ApiResult<(Page<task::Model>, Condition, Option<i64>)> {
    let db = &deps.db;
    let volunteer_id = match rc.actor {
        Actor::Volunteer { volunteer_id, .. } => volunteer_id,
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        _ => return Err(ApiError::Forbidden("this list is a volunteer's".into())),
    };
    let condition = store::task::open_to(volunteer_id, Utc::now());
    if with_count {
        let (page, count) = store::page::read_with_totals::<task::Entity, _, store::page::Count>(
            db,
            condition.clone(),
            &store::task::soonest_first(),
            &req,
            store::page::count_columns(),
        )
        .await?;
        return Ok((page, condition, Some(count.count)));
    }
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition, None))
}

/// How far before a sync's read its `syncedAt` lies: longer than any write transaction may stay
/// open (the database ends PostgreSQL transactions idle for 30 s, and SQLite writers wait at most
/// 5 s for the lock). A write that had stamped `updated_at` but not yet committed when a sync read
/// is therefore still newer than the `syncedAt` that sync handed out, and the next sync sees it.
/// The price is that a sync may repeat changes of the last minute; the app merges by `version`.
pub const SYNC_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

/// What a delta sync of the volunteer's own tasks returns besides the page.
#[derive(Clone, Debug)]
pub struct Sync {
    /// Tasks the volunteer no longer holds, or that were cancelled, since `updatedSince`.
    pub removed: Vec<i32>,
    /// The instant to send as `updatedSince` next time: before the read by [`SYNC_MARGIN`].
    pub synced_at: DateTime<Utc>,
}

/// The volunteer's own tasks (live claims), soonest first; with `updated_since`, only those that
/// changed after it, and the ids of those that left the list.
pub async fn mine(
    rc: &RequestCtx,
    deps: &Deps,
    statuses: &[TaskStatus],
    updated_since: Option<DateTime<Utc>>,
    req: PageRequest,
) -> ApiResult<(Page<task::Model>, Condition, Sync)> {
    let db = &deps.db;
    let Actor::Volunteer { volunteer_id, .. } = rc.actor else {
        return Err(match rc.actor {
            Actor::Anonymous => ApiError::Unauthenticated,
            _ => ApiError::Forbidden("this list is a volunteer's".into()),
        });
    };
    let synced_at = Utc::now() - SYNC_MARGIN;
    let condition = store::task::held_matching(volunteer_id, statuses, updated_since);
    let removed = match updated_since {
        Some(since) => store::task::released_since(db, volunteer_id, since).await?,
        None => Vec::new(),
    };
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition, Sync { removed, synced_at }))
}

/// How many tasks match.
pub async fn count(deps: &Deps, condition: Condition) -> ApiResult<i64> {
    let db = &deps.db;
    Ok(store::task::count(db, condition).await? as i64)
}
