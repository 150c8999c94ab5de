//! Identity: password hashes, access tokens, and turning a request's `Authorization` header into
//! an [`Actor`](crate::context::Actor).

pub mod active;
pub mod extract;
pub mod jwt;
pub mod password;
