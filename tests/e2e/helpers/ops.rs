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
pub const REGISTER_DONATION: &str =
    include_str!("../../clients/ngo-portal/RegisterDonation.graphql");
pub const PLAN_SHIPMENT: &str = include_str!("../../clients/ngo-portal/PlanShipment.graphql");
pub const DISPATCH_SHIPMENT: &str =
    include_str!("../../clients/ngo-portal/DispatchShipment.graphql");
pub const CONFIRM_DELIVERY: &str = include_str!("../../clients/ngo-portal/ConfirmDelivery.graphql");
pub const POST_TASK: &str = include_str!("../../clients/ngo-portal/PostTask.graphql");
pub const VERIFY_ORGANIZATION: &str =
    include_str!("../../clients/ministry/VerifyOrganization.graphql");
pub const CLAIM_TASK: &str = include_str!("../../clients/volunteer-app/ClaimTask.graphql");
pub const UPDATE_TASK_STATUS: &str =
    include_str!("../../clients/volunteer-app/UpdateTaskStatus.graphql");
pub const LOGIN: &str = include_str!("../../clients/volunteer-app/Login.graphql");
pub const SIGN_UP: &str = include_str!("../../clients/volunteer-app/SignUp.graphql");
pub const REFRESH_SESSION: &str =
    include_str!("../../clients/volunteer-app/RefreshSession.graphql");
pub const TASK_EVENTS: &str = include_str!("../../clients/volunteer-app/TaskEvents.graphql");
