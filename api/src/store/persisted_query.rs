//! Persisted queries: a bounded store, least recently used first out.

use birlik_entity::persisted_query;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, Set, Statement,
};

/// A hash asked for is marked as used at most this often (a write per hit would cost every
/// request a statement and, on SQLite, the write lock).
pub const TOUCH_EVERY: Duration = Duration::hours(1);

/// The text stored under a hash, marking it used when its mark is older than [`TOUCH_EVERY`].
pub async fn get(db: &impl ConnectionTrait, hash: &str) -> Result<Option<String>, DbErr> {
    let Some(row) = persisted_query::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if row.last_used_at < now - TOUCH_EVERY {
        persisted_query::Entity::update_many()
            .col_expr(persisted_query::Column::LastUsedAt, Expr::val(now))
            .filter(persisted_query::Column::Hash.eq(hash))
            .exec(db)
            .await?;
    }
    Ok(Some(row.query))
}

/// Stores a query under its hash (a second store of the same query changes nothing), then
/// evicts the least recently used beyond `cap`.
pub async fn put(
    db: &impl ConnectionTrait,
    hash: &str,
    query: &str,
    cap: u64,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = persisted_query::ActiveModel {
        hash: Set(hash.to_owned()),
        query: Set(query.to_owned()),
        created_at: Set(now),
        last_used_at: Set(now),
    };
    let inserted = persisted_query::Entity::insert(row)
        .on_conflict(
            OnConflict::column(persisted_query::Column::Hash)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted > 0 {
        evict_beyond(db, cap).await?;
    }
    Ok(())
}

/// Deletes every persisted query but the `cap` most recently used.
pub async fn evict_beyond(db: &impl ConnectionTrait, cap: u64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    // SQLite needs a LIMIT before an OFFSET (-1: none); PostgreSQL takes an OFFSET alone.
    let sql = match backend {
        DbBackend::Postgres => {
            "DELETE FROM persisted_query WHERE hash IN (SELECT hash FROM persisted_query \
             ORDER BY last_used_at DESC, hash DESC OFFSET $1)"
        }
        _ => {
            "DELETE FROM persisted_query WHERE hash IN (SELECT hash FROM persisted_query \
             ORDER BY last_used_at DESC, hash DESC LIMIT -1 OFFSET ?)"
        }
    };
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    let done = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [cap.into()]))
        .await?;
    Ok(done.rows_affected())
}

/// Deletes the persisted queries not used since `before`.
pub async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(persisted_query::Entity::delete_many()
        .filter(persisted_query::Column::LastUsedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
