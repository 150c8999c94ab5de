//! `auditTrail`.

use async_graphql::{Context, Object};

use crate::graphql::ContextExt;
use crate::graphql::filters::{PageArgs, list};
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
        let (rc, deps) = ctx.request();
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        list(
            deps,
            filter,
            newest_first(),
            args,
            |filter, _, req| async move { services::audit::page(rc, deps, filter, req).await },
            |condition| AuditTotals { condition },
        )
        .await
    }
}
