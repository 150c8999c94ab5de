//! Output types: GraphQL objects wrapping entity models and figures.

pub mod audit;
pub mod collection_point;
pub mod donation;
pub mod enums;
pub mod membership;
pub mod need;
pub mod node;
pub mod organization;
pub mod region;
pub mod shelter;
pub mod shipment;
pub mod stats;
pub mod stock;
pub mod summary;
pub mod task;
pub mod volunteer;
