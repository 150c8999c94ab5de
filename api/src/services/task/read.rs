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

/// What a delta sync of the volunteer's own tasks returns besides the page.
#[derive(Clone, Debug)]
pub struct Sync {
    /// Tasks the volunteer no longer holds, or that were cancelled, since `updatedSince`.
    pub removed: Vec<i32>,
    /// The instant to send as `updatedSince` next time: the sync clock's watermark, read before
    /// anything else (`store::task::watermark`). Every change stamped at or before it has
    /// committed and is in this sync; every later one is left to the next.
    pub synced_at: DateTime<Utc>,
}

/// The volunteer's own tasks (live claims), soonest first; with `updated_since`, only those that
/// changed after it, and the ids of those that left the list. Exact: what changed in
/// (`updated_since`, `synced_at`], each change once, whatever commits during the read.
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
    let Some(since) = updated_since else {
        // The whole list: the watermark and the page in one statement, so from one snapshot,
        // which holds exactly the changes stamped at or before the watermark.
        let condition = store::task::held_matching(volunteer_id, statuses, None);
        let (page, synced_at) = store::task::page_at_watermark(db, condition.clone(), &req).await?;
        let removed = Vec::new();
        return Ok((page, condition, Sync { removed, synced_at }));
    };
    // A delta: the watermark first, then only what was stamped in (since, watermark]; a change
    // that commits during the read is stamped after the watermark and comes with the next sync.
    let synced_at = store::task::watermark(db).await?;
    let condition = store::task::held_matching(volunteer_id, statuses, Some((since, synced_at)));
    let removed = store::task::released_since(db, volunteer_id, since, synced_at).await?;
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition, Sync { removed, synced_at }))
}

/// How many tasks match.
pub async fn count(deps: &Deps, condition: Condition) -> ApiResult<i64> {
    let db = &deps.db;
    Ok(store::task::count(db, condition).await? as i64)
}
