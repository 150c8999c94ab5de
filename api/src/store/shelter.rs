//! Shelters (evacuation centres) and their head counts: reading them by id, and (for the
//! mutations) opening, closing and counting. Counts only: nothing here names a person.

use birlik_entity::shelter;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The shelter with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<shelter::Model>, DbErr> {
    shelter::Entity::find_by_id(id).one(db).await
}

/// The shelters with these ids (those that exist). Shelters are public: no scope.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<shelter::Model>, DbErr> {
    crate::store::rows::by_ids::<shelter::Entity>(db, ids, sea_orm::Condition::all()).await
}
