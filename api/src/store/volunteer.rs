//! Volunteer records.

use birlik_entity::volunteer;
use sea_orm::{ConnectionTrait, DbErr};

/// Inserts volunteer records that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<volunteer::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<volunteer::ActiveModel>(db, rows).await
}
