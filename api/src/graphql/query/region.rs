//! `regions` and `region(code:)`.

use async_graphql::{Context, Object};

use crate::context::ContextExt;
use crate::error::{ApiError, ResultExt};
use crate::graphql::types::region::Region;
use crate::services;

#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// All 20 regions with their figures, in reference order. Public.
    async fn regions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let (_, db) = ctx.request();
        services::region::list(db)
            .await
            .map(|rows| {
                rows.into_iter()
                    .map(|(model, figures)| Region { model, figures })
                    .collect()
            })
            .extend()
    }

    /// One region by its ISO 3166-2:KZ code (`KZ-71`). Public; an unknown code is `NOT_FOUND`.
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO 3166-2:KZ code, such as KZ-71")] code: String,
    ) -> async_graphql::Result<Option<Region>> {
        let (_, db) = ctx.request();
        services::region::get(db, &code)
            .await
            .and_then(|found| found.ok_or(ApiError::NotFound { entity: "region" }))
            .map(|(model, figures)| Some(Region { model, figures }))
            .extend()
    }
}
