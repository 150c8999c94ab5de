//! Sessions: one row per refresh token (stored as its hash), grouped in families that rotate
//! together. Rows are inserted, marked rotated or revoked, and deleted only by pruning
//! (`store::retention`).

use birlik_entity::session;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

/// Inserts the session of a new refresh token (by its hash) in `family`, living until `expires_at`.
pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: i32,
    family: String,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<session::Model, DbErr> {
    session::ActiveModel {
        user_id: Set(user_id),
        family: Set(family),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        rotated_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The session of a refresh token's hash, if any.
pub async fn get_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Marks a session rotated at `now`, unless it was already: false when it was.
pub async fn rotate(db: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let rotated = session::Entity::update_many()
        .col_expr(session::Column::RotatedAt, Expr::val(now))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RotatedAt.is_null())
        .exec(db)
        .await?;
    Ok(rotated.rows_affected == 1)
}

/// Revokes at `now` every session of a family not revoked yet.
pub async fn revoke_family(
    db: &impl ConnectionTrait,
    family: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::val(now))
        .filter(session::Column::Family.eq(family))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes at `now` every session of an account not revoked yet.
pub async fn revoke_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::val(now))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
