//! The test harness: databases, a spawned application, and a GraphQL client.

pub mod app;
pub mod browser;
pub mod client;
pub mod cluster;
pub mod db;
pub mod ops;
pub mod sql;
pub mod ws;

pub use app::{TestApp, spawn_app, spawn_app_with_demo};
pub use db::TestDb;
