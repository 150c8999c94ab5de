//! `auditTrail`.

use async_graphql::{Context, Object};

use crate::context::ContextExt;
use crate::error::ResultExt;
use crate::graphql::filters::condition_of;
use crate::graphql::relay;
use crate::graphql::types::audit::{AuditEventConnection, AuditEventFilter, AuditTotals};
use crate::services;
use crate::store::audit::newest_first;

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every state change of the domain, newest first: who made it, in which role, when, on which
    /// object, from which status to which, and with which idempotency key. The ministry only.
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the events meet.")] filter: Option<AuditEventFilter>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<AuditEventConnection> {
        let (rc, db) = ctx.request();
        let ordering = newest_first();
        let req = relay::page_request(
            first,
            after.as_deref(),
            last,
            before.as_deref(),
            &ordering.signature(),
            20,
        )
        .extend()?;
        let filter = condition_of(filter, db).extend()?;
        let (page, condition) = services::audit::page(rc, db, filter, req).await.extend()?;
        Ok(crate::graphql::types::lists::connection(
            page,
            &ordering,
            AuditTotals { condition },
        ))
    }
}
