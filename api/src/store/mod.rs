//! The only code that builds SQL. Functions take `&impl ConnectionTrait` so they run inside the
//! caller's transaction as well as on the pool.

pub mod audit;
pub mod collection_point;
pub mod donation;
pub mod lists;
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

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

/// Begins the transaction of one mutation: it will write, so on SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`, see [`crate::db::begin_write`]); a plain `BEGIN` elsewhere.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    crate::db::begin_write(db).await
}
