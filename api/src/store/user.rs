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
