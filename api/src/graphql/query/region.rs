//! `regions` and `region(code:)`.

use async_graphql::{Context, Object};

use crate::error::ErrorExtensions;
use crate::graphql::ContextExt;
use crate::graphql::types::region::Region;
use crate::services;

#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// All 20 regions, in reference order. Public; may be cached for 30 seconds.
    #[graphql(cache_control(max_age = 30))]
    async fn regions(&self, ctx: &Context<'_>) -> Vec<Region> {
        services::region::list(ctx.deps())
            .into_iter()
            .map(Region)
            .collect()
    }

    /// One region by its ISO 3166-2:KZ code (`KZ-71`). Public (cacheable for 30 seconds); an
    /// unknown code is `NOT_FOUND`.
    #[graphql(cache_control(max_age = 30))]
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO 3166-2:KZ code, such as KZ-71")] code: String,
    ) -> async_graphql::Result<Option<Region>> {
        services::region::get(ctx.deps(), &code)
            .map(|r| Some(Region(r)))
            .map_err(|e| e.extend().extend_with(|_, x| x.set("field", "code")))
    }
}
