//! Birlik's sea-orm entities: one module per table, plus the text enums they store. Plain data:
//! no GraphQL, no services; the API crate wraps these models in its own types.

pub mod audit_event;
pub mod collection_point;
pub mod donation;
pub mod enums;
pub mod idempotency_key;
pub mod login_failure;
pub mod need;
pub mod need_line;
pub mod organization;
pub mod persisted_query;
pub mod prelude;
pub mod region;
pub mod session;
pub mod shelter;
pub mod shelter_count;
pub mod shipment;
pub mod shipment_item;
pub mod task;
pub mod task_assignment;
pub mod user_account;
pub mod volunteer;
pub mod write_off;
