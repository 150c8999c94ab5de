//! Regions: reference data, read once at start.

use birlik_entity::region;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

/// All 20 regions, in reference order.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<region::Model>, DbErr> {
    region::Entity::find()
        .order_by_asc(region::Column::Id)
        .all(db)
        .await
}
