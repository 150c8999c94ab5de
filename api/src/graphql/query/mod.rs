//! The query root: one object per domain, merged.

mod donation;
mod region;
mod stats;
mod summary;

/// Every query Birlik answers.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(
    region::RegionQuery,
    summary::SummaryQuery,
    donation::DonationQuery,
    stats::StatsQuery,
);
