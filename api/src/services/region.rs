//! Regions: reference data, served from the copy read at start.

use birlik_entity::region;

use crate::context::AppState;
use crate::error::{ApiError, ApiResult};

/// Every region, in reference order.
pub fn list(state: &AppState) -> Vec<region::Model> {
    state.regions.as_ref().clone()
}

/// One region by ISO code (case-insensitive); `NOT_FOUND` for an unknown code.
pub fn get(state: &AppState, code: &str) -> ApiResult<region::Model> {
    let code = code.trim().to_ascii_uppercase();
    state
        .regions
        .iter()
        .find(|r| r.code == code)
        .cloned()
        .ok_or(ApiError::NotFound { entity: "region" })
}
