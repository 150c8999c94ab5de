//! HTTP: the routes, the GraphQL handlers (POST, GET, WebSocket, GraphiQL) and health checks.

pub mod address;
pub mod apq;
pub mod compression;
pub mod gate;
pub mod graphql;
pub mod health;
pub mod rate_limit;
pub mod routes;
pub mod socket;

pub use address::client_address;
