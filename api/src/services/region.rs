//! Regions with their figures.

use birlik_entity::region;
use sea_orm::DatabaseConnection;

use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::stats::RegionFigures;

/// Every region with its figures, in reference order.
pub async fn list(db: &DatabaseConnection) -> ApiResult<Vec<(region::Model, RegionFigures)>> {
    let regions = store::region::list(db).await?;
    let figures = store::stats::region_figures(db).await?;
    regions
        .into_iter()
        .map(|model| {
            let row = figures
                .iter()
                .find(|f| f.region_id == model.id)
                .copied()
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("no figures for region {}", model.id))
                })?;
            Ok((model, row))
        })
        .collect()
}

/// One region by code, with its figures.
pub async fn get(
    db: &DatabaseConnection,
    code: &str,
) -> ApiResult<Option<(region::Model, RegionFigures)>> {
    let code = code.trim().to_ascii_uppercase();
    Ok(list(db)
        .await?
        .into_iter()
        .find(|(model, _)| model.code == code))
}
