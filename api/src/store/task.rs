//! Tasks and claims.

use birlik_entity::enums::AssignmentStatus;
use birlik_entity::{task, task_assignment};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityName, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use crate::store::page::{self, KeyValue, Page, PageRequest, SortKey};

/// Tasks in start order, soonest first.
fn keys() -> Vec<SortKey> {
    vec![
        SortKey {
            column: Expr::col((task::Entity, task::Column::StartsAt)),
            descending: false,
        },
        SortKey {
            column: Expr::col((task::Entity, task::Column::Id)),
            descending: false,
        },
    ]
}

/// A row's cursor values in start order.
pub fn key_values(row: &task::Model) -> Vec<KeyValue> {
    vec![KeyValue::Time(row.starts_at), KeyValue::Int(row.id.into())]
}

/// A page of tasks matching `condition`, soonest first.
pub async fn page(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<Page<task::Model>, DbErr> {
    let select = page::bound(task::Entity::find().filter(condition), &keys(), req);
    Ok(page::finish(select.all(db).await?, req))
}

/// How many tasks match `condition`.
pub async fn count(db: &impl ConnectionTrait, condition: Condition) -> Result<u64, DbErr> {
    task::Entity::find().filter(condition).count(db).await
}

/// The ids of the tasks this volunteer holds a live claim on.
fn held(volunteer_id: i32) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(task_assignment::Column::TaskId)
        .from(task_assignment::Entity.table_ref())
        .and_where(Expr::col(task_assignment::Column::VolunteerId).eq(volunteer_id))
        .and_where(Expr::col(task_assignment::Column::Status).ne(AssignmentStatus::Released))
        .to_owned()
}

/// `task.id IN (tasks this volunteer holds a live claim on)`.
pub fn held_by(volunteer_id: i32) -> Condition {
    Condition::all()
        .add(Expr::col((task::Entity, task::Column::Id)).in_subquery(held(volunteer_id)))
}

/// Tasks whose claim by this volunteer was released after `since`, and that the volunteer does
/// not hold again.
pub async fn released_since(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i32>, DbErr> {
    task_assignment::Entity::find()
        .select_only()
        .column(task_assignment::Column::TaskId)
        .distinct()
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::Status.eq(AssignmentStatus::Released))
        .filter(task_assignment::Column::ReleasedAt.gt(since))
        .filter(
            Expr::col((task_assignment::Entity, task_assignment::Column::TaskId))
                .not_in_subquery(held(volunteer_id)),
        )
        .into_tuple::<i32>()
        .all(db)
        .await
}

/// Whether the volunteer holds a live claim on the task.
pub async fn holds(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    task_id: i32,
) -> Result<bool, DbErr> {
    Ok(task_assignment::Entity::find()
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::Status.ne(AssignmentStatus::Released))
        .count(db)
        .await?
        > 0)
}
