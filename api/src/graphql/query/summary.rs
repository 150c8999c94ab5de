//! `reliefSummary`.

use async_graphql::{Context, Object};

use crate::graphql::ContextExt;
use crate::graphql::types::summary::ReliefSummary;
use crate::services;

#[derive(Default)]
pub struct SummaryQuery;

#[Object]
impl SummaryQuery {
    /// The campaign's headline figures. Public; may be cached for 30 seconds.
    #[graphql(cache_control(max_age = 30))]
    async fn relief_summary(&self, ctx: &Context<'_>) -> async_graphql::Result<ReliefSummary> {
        // Through the request's figures (read once however many aliases ask).
        let (figures, as_of) = ctx.loaders().region_figures.loader().figures().await?;
        Ok(ReliefSummary(services::stats::summarize(figures, *as_of)))
    }
}
