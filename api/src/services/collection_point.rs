//! Collection points: public, so donors can find them.

use birlik_entity::collection_point;
use sea_orm::{Condition, DatabaseConnection};

use crate::error::ApiResult;
use crate::store;
use crate::store::page::{Page, PageRequest};

/// The cursor ordering of collection point pages.
pub const ORDERING: &str = "ID:ASC";

/// A page of a region's collection points and the condition that selects them (for `totalCount`).
pub async fn in_region(
    db: &DatabaseConnection,
    region_id: i32,
    req: PageRequest,
) -> ApiResult<(Page<collection_point::Model>, Condition)> {
    let condition = store::collection_point::in_region(region_id);
    let page = store::collection_point::page(db, condition.clone(), &req).await?;
    Ok((page, condition))
}

/// How many collection points match.
pub async fn count(db: &DatabaseConnection, condition: Condition) -> ApiResult<i64> {
    Ok(store::collection_point::count(db, condition).await? as i64)
}
