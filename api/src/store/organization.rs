//! Organizations: reading one by id.

use birlik_entity::organization;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The organization with this id, if any.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<organization::Model>, DbErr> {
    organization::Entity::find_by_id(id).one(db).await
}
