//! Persisted queries.

use birlik_entity::persisted_query;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

/// The text stored under a hash.
pub async fn get(db: &impl ConnectionTrait, hash: &str) -> Result<Option<String>, DbErr> {
    Ok(persisted_query::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await?
        .map(|row| row.query))
}

/// Stores a query under its hash (a second store of the same query changes nothing).
pub async fn put(db: &impl ConnectionTrait, hash: &str, query: &str) -> Result<(), DbErr> {
    let row = persisted_query::ActiveModel {
        hash: Set(hash.to_owned()),
        query: Set(query.to_owned()),
        created_at: Set(chrono::Utc::now()),
    };
    persisted_query::Entity::insert(row)
        .on_conflict(
            OnConflict::column(persisted_query::Column::Hash)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
