//! One module per aggregate: the rules of each operation, called by resolvers with the request's
//! context and the database. Services return [`ApiResult`](crate::error::ApiResult).

pub mod access;
pub mod account;
pub mod audit;
pub mod credentials;
pub mod donation;
pub mod idempotency;
pub mod lists;
pub mod lockout;
pub mod membership;
pub mod organization;
pub mod persisted_query;
pub mod region;
pub mod retention;
pub mod session;
pub mod shipment;
pub mod stats;
pub mod task;
pub mod validate;
pub mod volunteer;
