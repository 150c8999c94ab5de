//! Regions: reference data, served from the copy read at start.

use birlik_entity::region;

use crate::error::{ApiError, ApiResult};
use crate::services::Deps;

/// Every region, in reference order.
pub fn list(deps: &Deps) -> Vec<region::Model> {
    deps.regions.as_ref().clone()
}

/// One region by ISO code (case-insensitive); `NOT_FOUND` for an unknown code.
pub fn get(deps: &Deps, code: &str) -> ApiResult<region::Model> {
    let code = code.trim().to_ascii_uppercase();
    deps.regions
        .iter()
        .find(|r| r.code == code)
        .cloned()
        .ok_or(ApiError::NotFound { entity: "region" })
}
