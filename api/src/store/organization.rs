//! Organizations.

use birlik_entity::organization;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// The organization with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<organization::Model>, DbErr> {
    organization::Entity::find_by_id(id).one(db).await
}

/// Marks the organization verified at `now` and bumps its version, unless it already is. False
/// when it was.
pub async fn verify(
    db: &impl ConnectionTrait,
    id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let verified = organization::Entity::update_many()
        .col_expr(organization::Column::VerifiedAt, Expr::val(now))
        .col_expr(organization::Column::UpdatedAt, Expr::val(now))
        .col_expr(
            organization::Column::Version,
            Expr::col(organization::Column::Version).add(1),
        )
        .filter(organization::Column::Id.eq(id))
        .filter(organization::Column::VerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(verified.rows_affected == 1)
}

/// Inserts organizations that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<organization::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<organization::ActiveModel>(db, rows).await
}
