//! End-to-end tests: a real server on a free port over a real database of its own (SQLite by
//! default; PostgreSQL when `TEST_DATABASE_URL` names one), driven through HTTP and WebSocket.

mod helpers;

mod abuse;
mod access;
mod audit;
mod bounds;
mod cli;
mod constraints;
mod demo;
mod donations;
mod faults;
mod fuzz;
mod health;
mod lists;
mod migrations;
mod mutations;
mod node;
mod races;
mod schema;
mod sessions;
mod sockets;
mod statement_bound;
mod statements;
mod stats;
mod summary;
mod tasks;
mod transport;
