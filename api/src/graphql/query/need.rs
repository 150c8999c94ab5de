//! `needs`, `needStats` and `neededCategories`: public reads of what affected places ask for.

use async_graphql::{Context, Object};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::filters::{PageArgs, list, selects_any, tree_of};
use crate::graphql::types::need::{
    NeedConnection, NeedDimension, NeedFilter, NeedOrder, NeedStatsRow, NeedTotals, NeededCategory,
};
use crate::services;

#[derive(Default)]
pub struct NeedQuery;

#[Object]
impl NeedQuery {
    /// Needs of every status, most urgent first (priority URGENT to LOW, then the soonest
    /// `neededBy`) unless `orderBy` says otherwise. Public: every caller reads the same needs
    /// (the requester's `contactPhone` aside). An anonymous answer may be cached for 30 seconds.
    #[graphql(cache_control(max_age = 30))]
    #[allow(clippy::too_many_arguments)]
    async fn needs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the needs meet.")] filter: Option<NeedFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<NeedOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<NeedConnection> {
        let (_, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        // The totals asked for come with the page, in its statement.
        let with_totals = selects_any(
            ctx,
            &[
                "totalCount",
                "requestedKilograms",
                "deliveredKilograms",
                "outstandingKilograms",
            ],
        );
        let read = std::sync::Arc::new(tokio::sync::OnceCell::new());
        let read = &read;
        let ordering = NeedOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                let (page, condition, totals) =
                    services::need::page(deps, filter, &ordering, req, with_totals).await?;
                if let Some(totals) = totals {
                    read.set(totals).ok();
                }
                Ok((page, condition))
            },
            |condition| NeedTotals::read(condition, read.clone()),
        )
        .await
    }

    /// Need lines grouped by any of REGION, CATEGORY, PRIORITY, FULFILMENT (the line's),
    /// ORGANIZATION, over the needs a filter selects (without one, the needs `needs` lists), in
    /// one SQL `GROUP BY`. Public; may be cached for 30 seconds.
    #[graphql(cache_control(max_age = 30))]
    async fn need_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dimensions to group by; none gives one row over everything.")]
        group_by: Vec<NeedDimension>,
        #[graphql(desc = "Conditions the needs meet.")] filter: Option<NeedFilter>,
    ) -> async_graphql::Result<Vec<NeedStatsRow>> {
        let (rc, deps) = ctx.request();
        let filter = tree_of(filter).extend()?;
        let dimensions: Vec<_> = group_by.into_iter().map(Into::into).collect();
        let groups = services::need::groups(rc, deps, &dimensions, filter)
            .await
            .extend()?;
        Ok(groups.into_iter().map(NeedStatsRow).collect())
    }

    /// What open needs still lack, per category: the most urgent categories first, then the
    /// most lacking, each with the regions that lack it. For one region (by ISO code), or all
    /// when `regionCode` is null. Public; may be cached for 30 seconds.
    #[graphql(cache_control(max_age = 30))]
    async fn needed_categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An ISO region code (`KZ-23`); null for every region.")]
        region_code: Option<String>,
    ) -> async_graphql::Result<Vec<NeededCategory>> {
        let categories = services::need::needed_categories(ctx.deps(), region_code.as_deref())
            .await
            .extend()?;
        Ok(categories.into_iter().map(NeededCategory).collect())
    }
}
