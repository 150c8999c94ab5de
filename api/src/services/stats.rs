//! The campaign's public figures: the headline summary and each region's share. Both are built
//! from the same [`store::stats::region_figures`] rows, so they cannot disagree.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::error::ApiResult;
use crate::store;
use crate::store::stats::RegionFigures;

/// The contact centre that coordinates help, as the ministry publishes it.
pub const CONTACT_CENTER_PHONE: &str = "+7 708 706 4242";

/// The headline figures of the article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub collected_grams: i64,
    pub delivered_grams: i64,
    pub collection_region_count: i64,
    pub affected_region_count: i64,
    pub volunteer_count: i64,
    pub organization_count: i64,
    pub as_of: DateTime<Utc>,
}

impl Summary {
    /// Collected but not yet delivered: in transit, planned, or not loaded.
    pub fn pending_grams(&self) -> i64 {
        self.collected_grams - self.delivered_grams
    }
}

/// Each region's figures, in region order, with the moment they were computed.
pub async fn regions(db: &DatabaseConnection) -> ApiResult<(Vec<RegionFigures>, DateTime<Utc>)> {
    let as_of = Utc::now();
    Ok((store::stats::region_figures(db, None).await?, as_of))
}

/// The campaign summary.
pub async fn summary(db: &DatabaseConnection) -> ApiResult<Summary> {
    let (figures, as_of) = regions(db).await?;
    Ok(summarize(&figures, as_of))
}

/// Adds up region rows into the summary; delivered is what regions received.
pub fn summarize(figures: &[RegionFigures], as_of: DateTime<Utc>) -> Summary {
    Summary {
        collected_grams: figures.iter().map(|f| f.collected_grams).sum(),
        delivered_grams: figures.iter().map(|f| f.received_grams).sum(),
        collection_region_count: figures
            .iter()
            .filter(|f| f.collection_point_count > 0)
            .count() as i64,
        affected_region_count: figures.iter().filter(|f| f.affected).count() as i64,
        volunteer_count: figures.iter().map(|f| f.volunteer_count).sum(),
        organization_count: figures
            .first()
            .map(|f| f.verified_organization_count)
            .unwrap_or(0),
        as_of,
    }
}

/// Donation groups within the caller's scope (the ministry all, an organization its own).
pub async fn donation_groups(
    rc: &crate::context::RequestCtx,
    db: &DatabaseConnection,
    dimensions: &[store::stats::DonationDimension],
    filter: sea_orm::Condition,
) -> ApiResult<Vec<store::stats::DonationGroup>> {
    let condition = sea_orm::Condition::all()
        .add(crate::services::access::donations(&rc.actor)?)
        .add(filter);
    Ok(store::stats::donation_groups(db, dimensions, condition).await?)
}

/// Shipment flows within the caller's scope (the ministry all, an organization its own).
pub async fn shipment_flows(
    rc: &crate::context::RequestCtx,
    db: &DatabaseConnection,
    statuses: &[birlik_entity::enums::ShipmentStatus],
) -> ApiResult<Vec<store::stats::Flow>> {
    use crate::context::Actor;
    use crate::error::ApiError;
    let organization = match rc.actor {
        Actor::Ministry { .. } => None,
        Actor::Ngo {
            organization_id, ..
        } => Some(organization_id),
        Actor::Volunteer { .. } => {
            return Err(ApiError::Forbidden(
                "shipment flows are for organizations and the ministry".into(),
            ));
        }
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
    };
    Ok(store::stats::shipment_flows(db, statuses, organization).await?)
}
