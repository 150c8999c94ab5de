//! Regions: reference data, read by id and code.

use birlik_entity::region;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// All 20 regions, in reference order.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<region::Model>, DbErr> {
    region::Entity::find()
        .order_by_asc(region::Column::Id)
        .all(db)
        .await
}

/// One region by its ISO code.
pub async fn by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<region::Model>, DbErr> {
    region::Entity::find()
        .filter(region::Column::Code.eq(code))
        .one(db)
        .await
}

/// Regions by id, in any order (for loaders).
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<region::Model>, DbErr> {
    region::Entity::find()
        .filter(region::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
