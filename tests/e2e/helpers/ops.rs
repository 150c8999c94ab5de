//! The clients' operations, verbatim from `tests/clients/` (copied from `shared/clients/`).

pub const RELIEF_SUMMARY: &str = include_str!("../../clients/public/ReliefSummary.graphql");
pub const REGIONS_OVERVIEW: &str = include_str!("../../clients/ministry/RegionsOverview.graphql");
