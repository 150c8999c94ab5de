//! Organizations.

use birlik_entity::organization;
use sea_orm::{ConnectionTrait, DbErr};

/// Inserts organizations that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<organization::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<organization::ActiveModel>(db, rows).await
}
