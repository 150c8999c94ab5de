//! The closed sets of values that columns store as text. The strings are the migrations' CHECK
//! lists; a value added here needs a migration that widens the CHECK.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether a region is one of the three cities of republican significance or an oblast.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum RegionKind {
    City,
    Region,
}

/// What kind of body an organization is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum OrganizationKind {
    NationalVolunteerNetwork,
    VolunteerOrganization,
    Youth,
    Religious,
    Ethnocultural,
    Charity,
    Business,
    GovernmentBody,
}

/// What a user account may do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum Role {
    Volunteer,
    Ngo,
    Ministry,
}

/// What a donation is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum DonationCategory {
    Food,
    DrinkingWater,
    Clothing,
    Hygiene,
    Medicine,
    Bedding,
    BabySupplies,
    AnimalFeed,
    BuildingMaterials,
    Other,
}

/// Where a donation stands: in stock, partly or wholly shipped, or cancelled.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum DonationStatus {
    Received,
    PartlyShipped,
    Shipped,
    Cancelled,
}

/// Where a shipment stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum ShipmentStatus {
    Planned,
    Dispatched,
    Delivered,
    Cancelled,
}

/// The work a task asks for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum TaskKind {
    Sorting,
    Loading,
    DeliveryEscort,
    Distribution,
    Sandbagging,
    ShelterDuty,
    ContactCenterShift,
}

/// Where a task stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum TaskStatus {
    Open,
    Assigned,
    InProgress,
    Done,
    Cancelled,
}

/// Where one volunteer's claim on a task stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum AssignmentStatus {
    Claimed,
    InProgress,
    Done,
    Released,
}

/// Why a claim was released.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum ReleaseReason {
    /// The volunteer gave the place up.
    Volunteer,
    /// The volunteer had not started 30 minutes after the task began.
    NotStarted,
    /// The task itself was cancelled.
    TaskCancelled,
}

/// Who made a change the audit trail records: a role, or the system itself.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum AuditRole {
    Volunteer,
    Ngo,
    Ministry,
    /// Birlik on its own (the sweep that releases unstarted claims).
    System,
}

impl From<Role> for AuditRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Volunteer => AuditRole::Volunteer,
            Role::Ngo => AuditRole::Ngo,
            Role::Ministry => AuditRole::Ministry,
        }
    }
}

/// Which kind of row an audited change touched (the table's name).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum AuditEntity {
    Donation,
    Shipment,
    Task,
    /// One volunteer's claim on a task.
    TaskAssignment,
    Organization,
    UserAccount,
    Volunteer,
    /// A need (`need`).
    Need,
    /// Kilograms of a donation taken out of stock (`write_off`).
    WriteOff,
    /// An evacuation centre (opened, counted, closed).
    Shelter,
}

/// What an audited change did.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum AuditAction {
    Registered,
    Planned,
    Dispatched,
    Delivered,
    Posted,
    Claimed,
    Released,
    StatusChanged,
    Cancelled,
    Verified,
    Disabled,
    Enabled,
    AccountCreated,
    PasswordChanged,
    SignedUp,
    /// A need was raised.
    Raised,
    /// A need (met, or no longer needed) or a shelter was closed.
    Closed,
    /// Kilograms taken out of stock without being shipped.
    WrittenOff,
    /// A shelter was opened.
    Opened,
    /// A shelter's head count was reported.
    Counted,
}

/// Whether a shelter takes people in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum ShelterStatus {
    Open,
    Closed,
}

/// How urgent a need is. Stored as its rank, 1 (urgent) to 4 (low), so that "most urgent first"
/// is an ascending order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "i32", db_type = "Integer")]
pub enum NeedPriority {
    #[sea_orm(num_value = 1)]
    Urgent,
    #[sea_orm(num_value = 2)]
    High,
    #[sea_orm(num_value = 3)]
    Medium,
    #[sea_orm(num_value = 4)]
    Low,
}

/// Where a need stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum NeedStatus {
    Open,
    Closed,
    Cancelled,
}

/// Why a need was closed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum NeedCloseReason {
    Met,
    NoLongerNeeded,
}

/// Why kilograms left stock without being shipped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "snake_case"
)]
pub enum WriteOffReason {
    Damaged,
    Expired,
    Lost,
    DistributedLocally,
    ReturnedToDonor,
}
