//! `stockStats`: stock on hand, computed in SQL.

use async_graphql::{Context, Object};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::filters::tree_of;
use crate::graphql::types::donation::DonationFilter;
use crate::graphql::types::stock::{StockDimension, StockStatsRow};
use crate::services;

#[derive(Default)]
pub struct StockQuery;

#[Object]
impl StockQuery {
    /// Stock grouped by any combination of collection point, category, region and organization,
    /// over any filter of donations, in one SQL `GROUP BY`: kilograms received, shipped, written
    /// off and still on hand. Cancelled donations hold no stock and never count. The ministry
    /// sees all; an organization its own.
    async fn stock_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dimensions to group by; none gives one row over everything.")]
        group_by: Vec<StockDimension>,
        #[graphql(desc = "Conditions the donations meet.")] filter: Option<DonationFilter>,
    ) -> async_graphql::Result<Vec<StockStatsRow>> {
        let (rc, deps) = ctx.request();
        let filter = tree_of(filter).extend()?;
        let dimensions: Vec<_> = group_by.into_iter().map(Into::into).collect();
        let groups = services::stock::groups(rc, deps, &dimensions, filter)
            .await
            .extend()?;
        Ok(groups.into_iter().map(StockStatsRow).collect())
    }
}
