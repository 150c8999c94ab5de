//! The only code that builds SQL. Functions take `&impl ConnectionTrait` so they run inside the
//! caller's transaction as well as on the pool.

/// Begins a transaction that will write (`BEGIN IMMEDIATE` on SQLite: see `db::begin_write`).
pub async fn begin(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    crate::db::begin_write(db).await
}

/// An update that marks the rows it changes as every synced table records a change: `updated_at`
/// set to `now`, `version` one higher (what `expectedVersion` and delta sync compare).
pub(crate) fn touched<E: sea_orm::EntityTrait>(
    update: sea_orm::UpdateMany<E>,
    now: chrono::DateTime<chrono::Utc>,
) -> sea_orm::UpdateMany<E> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait};
    update
        .col_expr(Alias::new("updated_at"), Expr::val(now))
        .col_expr(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
}

pub mod audit;
pub mod claim;
pub mod collection_point;
pub mod dataset;
pub mod donation;
pub mod event;
pub mod export;
pub mod filter;
pub mod idempotency;
pub mod import;
pub mod login_failure;
pub mod membership;
pub mod need;
pub mod need_line;
pub mod organization;
pub mod page;
pub mod persisted_query;
pub mod region;
pub mod replica;
pub mod retention;
pub mod rollup;
pub mod rows;
pub mod scope;
pub mod session;
pub mod shelter;
pub mod shipment;
pub mod stats;
pub mod stock;
pub mod task;
pub mod user;
pub mod volunteer;
pub mod write_off;
