//! The mutation root: one object per domain, merged. Each mutation is one call into `services`,
//! which runs it in one transaction.

mod donation;
mod import;
mod membership;
mod need;
mod organization;
mod session;
mod shelter;
mod shipment;
mod stock;
mod task;

/// Every change Birlik accepts.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(
    session::SessionMutation,
    session::AccountMutation,
    donation::DonationMutation,
    import::ImportMutation,
    shipment::ShipmentMutation,
    stock::StockMutation,
    task::TaskMutation,
    organization::OrganizationMutation,
    membership::MembershipMutation,
    need::NeedMutation,
    shelter::ShelterMutation,
);
