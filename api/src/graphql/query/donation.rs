//! `donations`.

use async_graphql::{Context, Object};

use crate::graphql::ContextExt;
use crate::graphql::filters::{PageArgs, list, selects_any};
use crate::graphql::types::donation::{
    DonationConnection, DonationFilter, DonationOrder, DonationTotals,
};
use crate::services;

#[derive(Default)]
pub struct DonationQuery;

#[Object]
impl DonationQuery {
    /// Donations, newest first unless `orderBy` says otherwise. The ministry sees all; an
    /// organization's staff see their organization's. Cancelled donations are included unless the
    /// filter leaves them out.
    #[allow(clippy::too_many_arguments)]
    async fn donations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the donations meet.")] filter: Option<DonationFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<DonationOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<DonationConnection> {
        let (rc, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        // The totals asked for come with the page, in its statement.
        let with_totals = selects_any(ctx, &["totalCount", "totalKilograms", "totalTonnes"]);
        let read = std::sync::Arc::new(tokio::sync::OnceCell::new());
        let read = &read;
        let ordering = DonationOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                let (page, condition, totals) =
                    services::donation::page(rc, deps, filter, &ordering, req, with_totals).await?;
                if let Some(totals) = totals {
                    read.set(totals).ok();
                }
                Ok((page, condition))
            },
            |condition| DonationTotals::read(condition, read.clone()),
        )
        .await
    }
}
