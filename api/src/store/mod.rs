//! The only code that builds SQL. Functions take `&impl ConnectionTrait` so they run inside the
//! caller's transaction as well as on the pool.

pub mod region;
pub mod stats;
