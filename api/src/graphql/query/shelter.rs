//! `shelters`.

use async_graphql::{Context, Object};

use crate::graphql::ContextExt;
use crate::graphql::filters::{PageArgs, list};
use crate::graphql::types::shelter::{
    ShelterConnection, ShelterFilter, ShelterOrder, ShelterTotals,
};
use crate::services;

#[derive(Default)]
pub struct ShelterQuery;

#[Object]
impl ShelterQuery {
    /// Evacuation centres and how many people they hold (counts only), newest first unless
    /// `orderBy` says otherwise, with `totalPeople`, `totalChildren` and `totalCapacity` over the
    /// whole filter from each shelter's latest count. Public: every caller sees the same. Closed
    /// shelters are included unless the filter leaves them out. May be cached for 30 seconds.
    #[graphql(cache_control(max_age = 30))]
    #[allow(clippy::too_many_arguments)]
    async fn shelters(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the shelters meet.")] filter: Option<ShelterFilter>,
        #[graphql(desc = "Sort keys, most significant first; the id breaks ties.")]
        order_by: Option<Vec<ShelterOrder>>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<ShelterConnection> {
        let (_, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let ordering = ShelterOrder::ordering(order_by);
        list(
            deps,
            filter,
            ordering,
            args,
            |filter, ordering, req| async move {
                services::shelter::page(deps, filter, &ordering, req).await
            },
            ShelterTotals::new,
        )
        .await
    }
}
