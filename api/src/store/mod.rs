//! The only code that builds SQL. Functions take `&impl ConnectionTrait` so they run inside the
//! caller's transaction as well as on the pool.

pub mod audit;
pub mod claim;
pub mod collection_point;
pub mod dataset;
pub mod donation;
pub mod event;
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
pub mod shipment;
pub mod stats;
pub mod task;
pub mod user;
pub mod volunteer;
