//! Deleting the rows of the tables that grow with traffic once they no longer serve anything:
//! expired sessions, idempotency keys past their retention, failed logins past the lockout
//! window. (Persisted queries: `store::persisted_query::prune`.)

use birlik_entity::{idempotency_key, login_failure, session};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Deletes the sessions (refresh tokens) that expired before `before`.
pub async fn prune_sessions(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// Deletes the idempotency keys written before `before`.
pub async fn prune_idempotency_keys(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// Deletes the failed logins recorded before `before`.
pub async fn prune_login_failures(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
