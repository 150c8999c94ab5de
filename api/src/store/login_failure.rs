//! Failed logins.

use birlik_entity::login_failure;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
};

/// Failures of a login, or from an address, since `since`: how many, and the oldest.
pub async fn since(
    db: &impl ConnectionTrait,
    column: login_failure::Column,
    value: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = login_failure::Entity::find()
        .select_only()
        .column_as(
            Expr::col(login_failure::Column::Id)
                .count()
                .cast_as("BIGINT"),
            "n",
        )
        .column_as(Expr::col(login_failure::Column::At).min(), "oldest")
        .filter(column.eq(value))
        .filter(login_failure::Column::At.gt(since))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.unwrap_or((0, None)))
}

/// Records a failure, and forgets those older than a day.
pub async fn record(
    db: &impl ConnectionTrait,
    login: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_failure::ActiveModel {
        login: Set(login.to_owned()),
        address: Set(address.to_owned()),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(at - chrono::Duration::days(1)))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets a login's failures (after it succeeded).
pub async fn clear(db: &impl ConnectionTrait, login: &str) -> Result<(), DbErr> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Login.eq(login))
        .exec(db)
        .await?;
    Ok(())
}
