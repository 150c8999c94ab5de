//! User accounts.

use birlik_entity::user_account;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

/// Whether the account is disabled; `None` when it does not exist.
pub async fn disabled(db: &impl ConnectionTrait, user_id: i32) -> Result<Option<bool>, DbErr> {
    let row: Option<Option<chrono::DateTime<chrono::Utc>>> = user_account::Entity::find()
        .select_only()
        .column(user_account::Column::DisabledAt)
        .filter(user_account::Column::Id.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(|at| at.is_some()))
}

// Bulk writes for the demo data.

/// Inserts accounts that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::user_account::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::user_account::ActiveModel>(db, rows)
        .await
}

/// True when an account whose login ends with `suffix` exists and is not disabled.
pub async fn any_enabled_with_login_ending(
    db: &impl ConnectionTrait,
    suffix: &str,
) -> Result<bool, DbErr> {
    Ok(user_account::Entity::find()
        .filter(user_account::Column::Email.like(format!("%{suffix}")))
        .filter(user_account::Column::DisabledAt.is_null())
        .one(db)
        .await?
        .is_some())
}
