//! Volunteer records.

use birlik_entity::volunteer;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The volunteer with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<volunteer::Model>, DbErr> {
    volunteer::Entity::find_by_id(id).one(db).await
}
