//! Writing tasks: posting one, bumping its version or status, calling it off, and the demo
//! data's bulk insert.

use birlik_entity::task;
use sea_orm::ActiveEnum;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// A task about to be posted.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub organization_id: Option<i32>,
    pub region_id: i32,
    pub collection_point_id: Option<i32>,
    pub shipment_id: Option<i32>,
    pub title: String,
    pub description: String,
    pub kind: birlik_entity::enums::TaskKind,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub volunteers_needed: i32,
    pub created_by: Option<i32>,
}

/// Inserts an open task with no places taken, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewTask,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<task::Model, DbErr> {
    use birlik_entity::enums::TaskStatus;
    use sea_orm::{ActiveModelTrait, Set};
    task::ActiveModel {
        organization_id: Set(new.organization_id),
        region_id: Set(new.region_id),
        collection_point_id: Set(new.collection_point_id),
        shipment_id: Set(new.shipment_id),
        title: Set(new.title),
        description: Set(new.description),
        kind: Set(new.kind),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        volunteers_needed: Set(new.volunteers_needed),
        volunteers_assigned: Set(0),
        status: Set(TaskStatus::Open),
        cancelled_at: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Bumps the task's version (and status, if given), guarded by the version read.
pub async fn touch(
    db: &impl ConnectionTrait,
    task_id: i32,
    status: Option<birlik_entity::enums::TaskStatus>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let mut update = crate::store::touched(task::Entity::update_many(), now);
    if let Some(status) = status {
        update = update.col_expr(task::Column::Status, Expr::val(status.to_value()));
    }
    update
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Calls a task off.
pub async fn cancel(
    db: &impl ConnectionTrait,
    task_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    crate::store::touched(task::Entity::update_many(), now)
        .col_expr(task::Column::Status, Expr::val("cancelled"))
        .col_expr(task::Column::CancelledAt, Expr::val(now))
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Inserts tasks that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::task::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::task::ActiveModel>(db, rows).await
}
