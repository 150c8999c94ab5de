//! Output types: GraphQL objects wrapping entity models and figures.

pub mod enums;
pub mod region;
pub mod summary;
