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

/// Tasks with free places in the volunteer's region that have not ended at `now` and that the
/// volunteer does not hold. The region is read in the same statement (a scalar subquery, which
/// PostgreSQL and SQLite evaluate once): one statement and round trip less than reading the
/// volunteer first.
pub fn open_to(volunteer_id: i32, now: chrono::DateTime<chrono::Utc>) -> Condition {
    use birlik_entity::enums::TaskStatus;
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr, SubQueryStatement};
    let region = birlik_entity::volunteer::Entity::find()
        .select_only()
        .column(birlik_entity::volunteer::Column::RegionId)
        .filter(birlik_entity::volunteer::Column::Id.eq(volunteer_id))
        .into_query();
    let region = SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(region)));
    Condition::all()
        .add(Expr::col((task::Entity, task::Column::RegionId)).eq(region))
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
