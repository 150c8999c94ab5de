//! Tasks and their places (claims): one aggregate, since a task's row and its claims change
//! together in the same statements. Here the tasks' order and filter; reading in `read`, the
//! places in `place`, the other writes in `write`.

use birlik_entity::{enums, task};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, Condition, DbBackend};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{KeyValue, Ordering, sort_fields};

mod clock;
mod place;
mod read;
mod write;

pub use clock::{Places, catch_up, page_at_watermark, stamp_task, watermark};
pub use place::{
    add_claim, held, held_by, holds, live_claim, live_claims, move_claim, release_claim,
    released_since, settle, take_place, unstarted_claims,
};
pub use read::{by_id, count, get, held_matching, open_to, page};
pub use write::{NewTask, cancel, insert, insert_many, touch};

sort_fields!(
    /// What tasks can be ordered by.
    SortField of task {
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

/// The analysts' list's default order: newest first.
pub fn newest_first() -> Ordering<SortField> {
    Ordering(vec![(SortField::CreatedAt, true)])
}

/// The volunteers' task pages (`openTasks`, `myTasks`): soonest first, then by id.
pub fn soonest_first() -> Ordering<SortField> {
    Ordering(vec![(SortField::StartsAt, false), (SortField::Id, false)])
}

/// One condition on a task.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
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

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use task::Column as C;
        let c = |column: C| Expr::col((task::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::Kind(f) => f.enum_condition(c(C::Kind)),
            Where::Status(f) => f.enum_condition(c(C::Status)),
            Where::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            Where::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            Where::CollectionPointId(f) => f.condition(c(C::CollectionPointId)),
            Where::ShipmentId(f) => f.condition(c(C::ShipmentId)),
            Where::Title(f) => f.condition(c(C::Title), backend),
            Where::StartsAt(f) => f.condition(c(C::StartsAt)),
            Where::EndsAt(f) => f.condition(c(C::EndsAt)),
            Where::VolunteersNeeded(f) => f.condition(c(C::VolunteersNeeded)),
            Where::VolunteersAssigned(f) => f.condition(c(C::VolunteersAssigned)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            Where::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}
