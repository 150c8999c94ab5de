//! The query root: one object per domain, merged.

mod audit;
mod donation;
mod lists;
mod membership;
mod need;
mod node;
mod region;
mod shelter;
mod stats;
mod stock;
mod summary;
mod task;

/// Every query Birlik answers.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(
    region::RegionQuery,
    summary::SummaryQuery,
    donation::DonationQuery,
    stats::StatsQuery,
    stock::StockQuery,
    task::TaskQuery,
    lists::ListQuery,
    node::NodeQuery,
    audit::AuditQuery,
    membership::MembershipQuery,
    need::NeedQuery,
    shelter::ShelterQuery,
);
