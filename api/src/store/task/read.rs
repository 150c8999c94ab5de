//! Reading tasks: one by id (within a scope or not), keyset pages soonest first, counts, and the
//! conditions of the volunteers' own lists.

use birlik_entity::task;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use super::{held_by, soonest_first};
use crate::store::page::{self, Page, PageRequest};

/// A page of tasks matching `condition`, soonest first ([`soonest_first`]).
pub async fn page(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<Page<task::Model>, DbErr> {
    page::read::<task::Entity, _>(db, condition, &soonest_first(), req).await
}

/// The task with this id within `scope` (`store::scope::task`); `lock` holds its row until the
/// transaction ends.
pub async fn get(
    db: &impl ConnectionTrait,
    id: i32,
    scope: Condition,
    lock: bool,
) -> Result<Option<task::Model>, DbErr> {
    let select = task::Entity::find_by_id(id).filter(scope);
    if lock {
        select.lock_exclusive().one(db).await
    } else {
        select.one(db).await
    }
}

/// The task with this id, whoever may read it (a replay, or a re-read after the caller's own
/// change).
pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<task::Model>, DbErr> {
    task::Entity::find_by_id(id).one(db).await
}

/// How many tasks match `condition`.
pub async fn count(db: &impl ConnectionTrait, condition: Condition) -> Result<u64, DbErr> {
    task::Entity::find().filter(condition).count(db).await
}

/// Tasks with free places in `region_id` that have not ended at `now` and that the volunteer
/// does not hold.
pub fn open_to(region_id: i32, volunteer_id: i32, now: chrono::DateTime<chrono::Utc>) -> Condition {
    use birlik_entity::enums::TaskStatus;
    Condition::all()
        .add(task::Column::RegionId.eq(region_id))
        .add(task::Column::Status.eq(TaskStatus::Open))
        .add(task::Column::EndsAt.gt(now))
        .add(held_by(volunteer_id).not())
}

/// The tasks the volunteer holds, in one of `statuses` (any, if empty); with `changed` =
/// (`since`, `watermark`), only those stamped in (`since`, `watermark`].
pub fn held_matching(
    volunteer_id: i32,
    statuses: &[birlik_entity::enums::TaskStatus],
    changed: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
) -> Condition {
    let mut condition = Condition::all().add(held_by(volunteer_id));
    if !statuses.is_empty() {
        condition = condition.add(task::Column::Status.is_in(statuses.iter().copied()));
    }
    if let Some((since, watermark)) = changed {
        condition = condition
            .add(task::Column::UpdatedAt.gt(since))
            .add(task::Column::UpdatedAt.lte(watermark));
    }
    condition
}
