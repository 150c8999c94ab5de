//! `donations`.

use async_graphql::{Context, Object};

use crate::context::ContextExt;
use crate::error::ResultExt;
use crate::graphql::filters::condition_of;
use crate::graphql::relay;
use crate::graphql::types::donation::{self, DonationConnection, DonationFilter, DonationOrder};
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
        let (rc, db) = ctx.request();
        let ordering = donation::ordering(order_by.as_deref());
        let req = relay::page_request(
            first,
            after.as_deref(),
            last,
            before.as_deref(),
            &ordering.signature(),
            20,
        )
        .extend()?;
        let condition = condition_of(filter, db).extend()?;
        let (page, condition) = services::donation::page(rc, db, condition, &ordering, req)
            .await
            .extend()?;
        Ok(donation::connection(page, condition, &ordering))
    }
}
