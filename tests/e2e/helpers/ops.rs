//! The clients' operations, verbatim, as the server knows them (`api/operations/`).

pub use birlik_api::operations::*;
