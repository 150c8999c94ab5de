//! `donationStats` and `shipmentFlows`: aggregates computed in SQL.

use async_graphql::{Context, Object};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::filters::tree_of;
use crate::graphql::types::donation::DonationFilter;
use crate::graphql::types::enums::ShipmentStatus;
use crate::graphql::types::stats::{DonationDimension, DonationStatsRow, ShipmentFlow};
use crate::services;

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Donations grouped by any combination of dimensions, over any filter, in one SQL `GROUP
    /// BY`. Cancelled donations count unless the filter leaves them out. The ministry sees all;
    /// an organization its own.
    async fn donation_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dimensions to group by; none gives one row over everything.")]
        group_by: Vec<DonationDimension>,
        #[graphql(desc = "Conditions the donations meet.")] filter: Option<DonationFilter>,
    ) -> async_graphql::Result<Vec<DonationStatsRow>> {
        let (rc, deps) = ctx.request();
        let filter = tree_of(filter).extend()?;
        let dimensions: Vec<_> = group_by.into_iter().map(Into::into).collect();
        let groups = services::stats::donation_groups(rc, deps, &dimensions, filter)
            .await
            .extend()?;
        Ok(groups.into_iter().map(DonationStatsRow).collect())
    }

    /// Shipments grouped by origin and destination region, with the tonnes they carry. The
    /// ministry sees all; an organization its own.
    async fn shipment_flows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only shipments in these statuses (all when absent or empty).")]
        status: Option<Vec<ShipmentStatus>>,
    ) -> async_graphql::Result<Vec<ShipmentFlow>> {
        let (rc, deps) = ctx.request();
        let statuses: Vec<_> = status
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let flows = services::stats::shipment_flows(rc, deps, &statuses)
            .await
            .extend()?;
        Ok(flows.into_iter().map(ShipmentFlow).collect())
    }
}
