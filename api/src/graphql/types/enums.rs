//! GraphQL enums mirroring the stored ones (SCREAMING_SNAKE_CASE on the wire).

use async_graphql::Enum;
use birlik_entity::enums;

/// Whether a region is a city of republican significance or an oblast.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::RegionKind")]
pub enum RegionKind {
    /// A city of republican significance (Astana, Almaty, Shymkent).
    City,
    /// An oblast.
    Region,
}

/// What kind of body an organization is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::OrganizationKind")]
pub enum OrganizationKind {
    /// The National Volunteer Network.
    NationalVolunteerNetwork,
    /// A volunteer organization.
    VolunteerOrganization,
    /// A youth organization.
    Youth,
    /// A religious organization.
    Religious,
    /// An ethnocultural association.
    Ethnocultural,
    /// A charity or foundation.
    Charity,
    /// A company.
    Business,
    /// A government body.
    GovernmentBody,
}

/// What a donation is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::DonationCategory")]
pub enum DonationCategory {
    /// Food.
    Food,
    /// Drinking water.
    DrinkingWater,
    /// Clothing and shoes.
    Clothing,
    /// Hygiene products.
    Hygiene,
    /// Medicine and first-aid kits.
    Medicine,
    /// Blankets, pillows, mattresses.
    Bedding,
    /// Baby food and nappies.
    BabySupplies,
    /// Hay and feed for animals.
    AnimalFeed,
    /// Sandbags, sand, film and other building materials.
    BuildingMaterials,
    /// Anything else.
    Other,
}

/// Where a donation stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::DonationStatus")]
pub enum DonationStatus {
    /// In stock: nothing shipped yet.
    Received,
    /// Part of its mass is on shipments.
    PartlyShipped,
    /// All of its mass is on shipments.
    Shipped,
    /// Registered by mistake: kept on record, counted nowhere, never shipped.
    Cancelled,
}

/// Where a shipment stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::ShipmentStatus")]
pub enum ShipmentStatus {
    /// Loaded on paper, not yet on the road.
    Planned,
    /// On the road.
    Dispatched,
    /// Received by the affected region.
    Delivered,
    /// Called off; what it carried is back in stock.
    Cancelled,
}

/// The work a task asks for.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::TaskKind")]
pub enum TaskKind {
    /// Sorting aid at a warehouse or collection point.
    Sorting,
    /// Loading trucks.
    Loading,
    /// Escorting a shipment.
    DeliveryEscort,
    /// Handing out aid to people affected.
    Distribution,
    /// Filling and laying sandbags.
    Sandbagging,
    /// Duty at a temporary shelter.
    ShelterDuty,
    /// A shift at the contact centre.
    ContactCenterShift,
}

/// Where a task stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::TaskStatus")]
pub enum TaskStatus {
    /// Free places left.
    Open,
    /// Every place taken.
    Assigned,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// Called off by its organization or the ministry.
    Cancelled,
}

/// What a user account may do.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::Role")]
pub enum Role {
    /// A volunteer.
    Volunteer,
    /// Staff of a participating organization.
    Ngo,
    /// Ministry staff.
    Ministry,
}

/// Who made a change on the audit trail.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::AuditRole")]
pub enum AuditRole {
    /// A volunteer.
    Volunteer,
    /// Staff of a participating organization.
    Ngo,
    /// Ministry staff.
    Ministry,
    /// Birlik itself, such as the sweep that releases claims not started in time.
    System,
}

/// The kind of object an audited change touched.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::AuditEntity")]
pub enum AuditEntity {
    /// A donation.
    Donation,
    /// A shipment.
    Shipment,
    /// A task.
    Task,
    /// One volunteer's claim on a task (a place taken).
    TaskAssignment,
    /// An organization.
    Organization,
    /// A login account (`User`).
    UserAccount,
    /// A volunteer's record.
    Volunteer,
    /// A need.
    Need,
    /// A write-off: kilograms of a donation taken out of stock.
    WriteOff,
    /// A shelter (evacuation centre).
    Shelter,
}

/// What an audited change did.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::AuditAction")]
pub enum AuditAction {
    /// A donation was registered (`registerDonation`).
    Registered,
    /// A shipment was planned (`planShipment`).
    Planned,
    /// A shipment left (`dispatchShipment`).
    Dispatched,
    /// A shipment arrived (`confirmDelivery`).
    Delivered,
    /// A task was posted (`postTask`).
    Posted,
    /// A volunteer took a place on a task (`claimTask`).
    Claimed,
    /// A place was given up (`releaseTask`) or released by the system because it was not started.
    Released,
    /// A task moved to another status (`updateTaskStatus`).
    StatusChanged,
    /// A task was called off (`updateTaskStatus` to CANCELLED).
    Cancelled,
    /// The ministry verified an organization (`verifyOrganization`).
    Verified,
    /// An account was disabled (`disableAccount`).
    Disabled,
    /// An account was enabled again (`enableAccount`).
    Enabled,
    /// A staff account was created (`createStaffAccount`).
    AccountCreated,
    /// An account's password was changed (`changePassword`).
    PasswordChanged,
    /// A volunteer signed up (`registerVolunteer`).
    SignedUp,
    /// A need was raised (`raiseNeed`).
    Raised,
    /// A need was closed, met or no longer needed (`closeNeed`), or a shelter (`closeShelter`).
    Closed,
    /// Kilograms of a donation were taken out of stock (`writeOffStock`).
    WrittenOff,
    /// A shelter was opened (`openShelter`).
    Opened,
    /// A shelter's head count was reported (`reportShelterCount`).
    Counted,
}

/// Why kilograms left stock without being shipped.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::WriteOffReason")]
pub enum WriteOffReason {
    /// Damaged beyond use.
    Damaged,
    /// Past its use-by date.
    Expired,
    /// Lost or stolen.
    Lost,
    /// Handed out at the collection point itself.
    DistributedLocally,
    /// Given back to the donor.
    ReturnedToDonor,
}
