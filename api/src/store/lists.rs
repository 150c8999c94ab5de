//! The analysts' lists of shipments, tasks, volunteers and organizations (and the pages of tasks
//! and collection points the apps read): what each can be ordered by ([`sort_fields!`]), its
//! default order, and the leaves of its filter ([`Leaf`]), turned into SQL here and nowhere else.

use birlik_entity::{enums, organization, shipment, task, volunteer};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ActiveEnum, Condition, DbBackend};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{KeyValue, Ordering, sort_fields};

sort_fields!(
    /// What shipments can be ordered by.
    ShipmentField of shipment {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

sort_fields!(
    /// What tasks can be ordered by.
    TaskField of task {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        StartsAt => "STARTS_AT", StartsAt, |r| KeyValue::Time(r.starts_at);
        EndsAt => "ENDS_AT", EndsAt, |r| KeyValue::Time(r.ends_at);
        Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
        Kind => "KIND", Kind, |r| KeyValue::Text(r.kind.to_value());
        VolunteersNeeded => "VOLUNTEERS_NEEDED", VolunteersNeeded, |r| KeyValue::Int(r.volunteers_needed.into());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

sort_fields!(
    /// What volunteers can be ordered by.
    VolunteerField of volunteer {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        FullName => "FULL_NAME", FullName, |r| KeyValue::Text(r.full_name.clone());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

sort_fields!(
    /// What organizations can be ordered by.
    OrganizationField of organization {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        Name => "NAME", Name, |r| KeyValue::Text(r.name.clone());
        Kind => "KIND", Kind, |r| KeyValue::Text(r.kind.to_value());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// The analysts' lists' default order: newest first.
pub fn newest_first<F: SortField>() -> Ordering<F> {
    Ordering(vec![(F::CREATED_AT, true)])
}

/// The sort fields that have a creation time, the default order of the analysts' lists.
pub trait SortField: crate::store::page::Field {
    /// When the row was created.
    const CREATED_AT: Self;
}

impl SortField for ShipmentField {
    const CREATED_AT: Self = ShipmentField::CreatedAt;
}
impl SortField for TaskField {
    const CREATED_AT: Self = TaskField::CreatedAt;
}
impl SortField for VolunteerField {
    const CREATED_AT: Self = VolunteerField::CreatedAt;
}
impl SortField for OrganizationField {
    const CREATED_AT: Self = OrganizationField::CreatedAt;
}

/// The volunteers' task pages (`openTasks`, `myTasks`): soonest first, then by id.
pub fn soonest_first() -> Ordering<TaskField> {
    Ordering(vec![(TaskField::StartsAt, false), (TaskField::Id, false)])
}

/// One condition on a shipment.
#[derive(Clone, Debug, PartialEq)]
pub enum ShipmentWhere {
    /// Its id.
    Id(Cmp<i32>),
    /// Its status.
    Status(Cmp<enums::ShipmentStatus>),
    /// The ISO code of the region it leaves from.
    OriginRegionCode(Text),
    /// The ISO code of the region it goes to.
    DestinationRegionCode(Text),
    /// The sending organization's id.
    OrganizationId(Cmp<i32>),
    /// The vehicle.
    Vehicle(Text),
    /// When it left.
    DispatchedAt(Cmp<DateTime<Utc>>),
    /// When it arrived.
    DeliveredAt(Cmp<DateTime<Utc>>),
    /// When it was planned.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When it last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for ShipmentWhere {
    fn condition(self, backend: DbBackend) -> Condition {
        use shipment::Column as C;
        let c = |column: C| Expr::col((shipment::Entity, column));
        match self {
            ShipmentWhere::Id(f) => f.condition(c(C::Id)),
            ShipmentWhere::Status(f) => f.enum_condition(c(C::Status)),
            ShipmentWhere::OriginRegionCode(f) => region_code(c(C::OriginRegionId), f, backend),
            ShipmentWhere::DestinationRegionCode(f) => {
                region_code(c(C::DestinationRegionId), f, backend)
            }
            ShipmentWhere::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            ShipmentWhere::Vehicle(f) => f.condition(c(C::Vehicle), backend),
            ShipmentWhere::DispatchedAt(f) => f.condition(c(C::DispatchedAt)),
            ShipmentWhere::DeliveredAt(f) => f.condition(c(C::DeliveredAt)),
            ShipmentWhere::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            ShipmentWhere::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// One condition on a task.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskWhere {
    /// Its id.
    Id(Cmp<i32>),
    /// Its kind.
    Kind(Cmp<enums::TaskKind>),
    /// Its status.
    Status(Cmp<enums::TaskStatus>),
    /// The ISO code of its region.
    RegionCode(Text),
    /// The id of the organization that posted it.
    OrganizationId(Cmp<i32>),
    /// Its collection point's id.
    CollectionPointId(Cmp<i32>),
    /// Its shipment's id.
    ShipmentId(Cmp<i32>),
    /// Its title.
    Title(Text),
    /// When it starts.
    StartsAt(Cmp<DateTime<Utc>>),
    /// When it ends.
    EndsAt(Cmp<DateTime<Utc>>),
    /// Places.
    VolunteersNeeded(Cmp<i64>),
    /// Places taken.
    VolunteersAssigned(Cmp<i64>),
    /// When it was posted.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When it last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for TaskWhere {
    fn condition(self, backend: DbBackend) -> Condition {
        use task::Column as C;
        let c = |column: C| Expr::col((task::Entity, column));
        match self {
            TaskWhere::Id(f) => f.condition(c(C::Id)),
            TaskWhere::Kind(f) => f.enum_condition(c(C::Kind)),
            TaskWhere::Status(f) => f.enum_condition(c(C::Status)),
            TaskWhere::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            TaskWhere::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            TaskWhere::CollectionPointId(f) => f.condition(c(C::CollectionPointId)),
            TaskWhere::ShipmentId(f) => f.condition(c(C::ShipmentId)),
            TaskWhere::Title(f) => f.condition(c(C::Title), backend),
            TaskWhere::StartsAt(f) => f.condition(c(C::StartsAt)),
            TaskWhere::EndsAt(f) => f.condition(c(C::EndsAt)),
            TaskWhere::VolunteersNeeded(f) => f.condition(c(C::VolunteersNeeded)),
            TaskWhere::VolunteersAssigned(f) => f.condition(c(C::VolunteersAssigned)),
            TaskWhere::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            TaskWhere::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// One condition on a volunteer.
#[derive(Clone, Debug, PartialEq)]
pub enum VolunteerWhere {
    /// Their id.
    Id(Cmp<i32>),
    /// Their full name.
    FullName(Text),
    /// The ISO code of their headquarters' region.
    RegionCode(Text),
    /// Their organization's id.
    OrganizationId(Cmp<i32>),
    /// Ready to take tasks.
    Available(Cmp<bool>),
    /// When they joined.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When their record last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for VolunteerWhere {
    fn condition(self, backend: DbBackend) -> Condition {
        use volunteer::Column as C;
        let c = |column: C| Expr::col((volunteer::Entity, column));
        match self {
            VolunteerWhere::Id(f) => f.condition(c(C::Id)),
            VolunteerWhere::FullName(f) => f.condition(c(C::FullName), backend),
            VolunteerWhere::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            VolunteerWhere::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            VolunteerWhere::Available(f) => f.condition(c(C::Available)),
            VolunteerWhere::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            VolunteerWhere::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// One condition on an organization.
#[derive(Clone, Debug, PartialEq)]
pub enum OrganizationWhere {
    /// Its id.
    Id(Cmp<i32>),
    /// Its name.
    Name(Text),
    /// Its kind.
    Kind(Cmp<enums::OrganizationKind>),
    /// The ISO code of its headquarters' region.
    RegionCode(Text),
    /// Verified by the ministry (`eq` and `ne` only): its `verified_at` is set.
    Verified(Cmp<bool>),
    /// When it was verified.
    VerifiedAt(Cmp<DateTime<Utc>>),
    /// When it was registered.
    CreatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for OrganizationWhere {
    fn condition(self, backend: DbBackend) -> Condition {
        use organization::Column as C;
        let c = |column: C| Expr::col((organization::Entity, column));
        match self {
            OrganizationWhere::Id(f) => f.condition(c(C::Id)),
            OrganizationWhere::Name(f) => f.condition(c(C::Name), backend),
            OrganizationWhere::Kind(f) => f.enum_condition(c(C::Kind)),
            OrganizationWhere::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            OrganizationWhere::Verified(f) => {
                let verified = |v: bool| -> SimpleExpr {
                    if v {
                        Expr::expr(c(C::VerifiedAt)).is_not_null()
                    } else {
                        Expr::expr(c(C::VerifiedAt)).is_null()
                    }
                };
                let mut all = Condition::all();
                if let Some(v) = f.eq {
                    all = all.add(verified(v));
                }
                if let Some(v) = f.ne {
                    all = all.add(verified(!v));
                }
                all
            }
            OrganizationWhere::VerifiedAt(f) => f.condition(c(C::VerifiedAt)),
            OrganizationWhere::CreatedAt(f) => f.condition(c(C::CreatedAt)),
        }
    }
}
