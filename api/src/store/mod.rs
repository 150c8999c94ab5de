//! The only code that builds SQL. Functions take `&impl ConnectionTrait` so they run inside the
//! caller's transaction as well as on the pool.

/// Begins a transaction that will write (`BEGIN IMMEDIATE` on SQLite: see `db::begin_write`).
pub async fn begin(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    crate::db::begin_write(db).await
}

pub mod audit;
pub mod claim;
pub mod collection_point;
pub mod dataset;
pub mod donation;
pub mod event;
pub mod filter;
pub mod idempotency;
pub mod login_failure;
pub mod membership;
pub mod organization;
pub mod page;
pub mod persisted_query;
pub mod region;
pub mod retention;
pub mod rows;
pub mod scope;
pub mod session;
pub mod shipment;
pub mod stats;
pub mod task;
pub mod user;
pub mod volunteer;
