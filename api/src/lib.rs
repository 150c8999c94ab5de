//! Birlik's server: configuration, HTTP, GraphQL, auth, services and storage. The binary in the
//! workspace root only parses the command line and calls into here.
#![warn(clippy::unwrap_used)]

pub mod auth;
pub mod commands;
pub mod config;
pub mod context;
pub mod db;
pub mod demo;
pub mod error;
pub mod events;
pub mod graphql;
pub mod hash;
pub mod http;
pub mod labels;
pub mod mass;
pub mod network;
pub mod operations;
pub mod rate_limit;
pub mod services;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
