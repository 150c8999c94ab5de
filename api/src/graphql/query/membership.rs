//! `membershipRequests`.

use async_graphql::{Context, Object};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::membership::{MembershipRequestConnection, MembershipRequestTotals};
use crate::services;
use crate::store::membership::oldest_first;

#[derive(Default)]
pub struct MembershipQuery;

#[Object]
impl MembershipQuery {
    /// Volunteers asking to join, oldest first: an organization's staff see those asking to join
    /// it (names only, no contacts), the ministry all.
    async fn membership_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<MembershipRequestConnection> {
        let (rc, deps) = ctx.request();
        let ordering = oldest_first();
        let req = relay::page_request(
            first,
            after.as_deref(),
            last,
            before.as_deref(),
            &ordering,
            20,
        )
        .extend()?;
        let (page, condition) = services::membership::page(rc, deps, req).await.extend()?;
        Ok(relay::connection(
            page,
            &ordering,
            MembershipRequestTotals { condition },
        ))
    }
}
