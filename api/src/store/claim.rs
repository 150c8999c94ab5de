//! Claims: a volunteer's place on a task (`task_assignment`).

use birlik_entity::task_assignment;
use sea_orm::{ConnectionTrait, DbErr};

/// Inserts claims that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<task_assignment::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<task_assignment::ActiveModel>(db, rows).await
}
