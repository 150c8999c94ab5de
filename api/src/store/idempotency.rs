//! Idempotency keys: the row of a caller's key, and recording one.

use birlik_entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

/// The caller's row for this key, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: i32,
    key: &str,
) -> Result<Option<idempotency_key::Model>, DbErr> {
    idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(user_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await
}

/// Records a key with its operation, request fingerprint and result.
pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: i32,
    key: &str,
    operation: &str,
    request_hash: &str,
    result_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    idempotency_key::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        operation: Set(operation.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        result_id: Set(result_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}
