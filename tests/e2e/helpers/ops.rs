//! The clients' operations, verbatim from `tests/clients/` (copied from `shared/clients/`).

pub const RELIEF_SUMMARY: &str = include_str!("../../clients/public/ReliefSummary.graphql");
pub const REGIONS_OVERVIEW: &str = include_str!("../../clients/ministry/RegionsOverview.graphql");
pub const AD_HOC_DONATIONS: &str = include_str!("../../clients/ministry/AdHocDonations.graphql");
pub const ORGANIZATION_DONATIONS: &str =
    include_str!("../../clients/ngo-portal/OrganizationDonations.graphql");
pub const WHERE_TO_BRING_AID: &str = include_str!("../../clients/public/WhereToBringAid.graphql");
pub const DONATION_STATS: &str = include_str!("../../clients/ministry/DonationStats.graphql");
pub const SHIPMENT_FLOWS: &str = include_str!("../../clients/ministry/ShipmentFlows.graphql");
pub const OPEN_TASKS: &str = include_str!("../../clients/volunteer-app/OpenTasks.graphql");
pub const MY_TASKS: &str = include_str!("../../clients/volunteer-app/MyTasks.graphql");
pub const ME: &str = include_str!("../../clients/volunteer-app/Me.graphql");
