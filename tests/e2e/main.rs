//! End-to-end tests: a real server on a free port over a real database of its own (SQLite by
//! default; PostgreSQL when `TEST_DATABASE_URL` names one), driven through HTTP and WebSocket.

mod helpers;

mod abuse;
mod access;
mod allocation;
mod audit;
mod bounds;
mod cli;
mod constraints;
mod demo;
mod demo_guard;
mod donations;
mod exports;
mod faults;
mod fuzz;
mod health;
mod ide;
mod identity;
mod imports;
mod layout;
mod lists;
mod migrations;
mod mutations;
mod needs;
mod node;
mod page;
mod races;
mod rollups;
mod schema;
mod scope;
mod sessions;
mod shelters;
mod sockets;
mod standards;
mod statement_bound;
mod statements;
mod stats;
mod stock;
mod summary;
mod task_places;
mod tasks;
mod transport;
mod transport_gate;
mod walk;
