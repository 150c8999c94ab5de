//! Who may see what: the scoping conditions that every list adds to its SQL, and the checks on
//! personal fields. Scoping in SQL means no filter and no id can reach another organization's rows.

use birlik_entity::donation;
use sea_orm::{ColumnTrait, Condition};

use crate::context::Actor;
use crate::error::{ApiError, ApiResult};

/// Donations the actor may read: the ministry all, an organization its own, nobody else.
pub fn donations(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } => Ok(Condition::all()),
        Actor::Ngo {
            organization_id, ..
        } => Ok(Condition::all().add(donation::Column::OrganizationId.eq(*organization_id))),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "donations are visible to their organization and the ministry".into(),
        )),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// Personal data of an organization's records (donor names, drivers' phones): its staff and the ministry.
pub fn ensure_org_personal_data(actor: &Actor, organization_id: i32) -> ApiResult<()> {
    match actor {
        Actor::Ministry { .. } => Ok(()),
        Actor::Ngo {
            organization_id: own,
            ..
        } if *own == organization_id => Ok(()),
        _ => Err(ApiError::Forbidden(
            "personal data is visible to the organization's staff and the ministry".into(),
        )),
    }
}

/// Whether the actor may read this donation (the ministry, or the receiving organization).
pub fn may_read_donation(actor: &Actor, d: &donation::Model) -> bool {
    match actor {
        Actor::Ministry { .. } => true,
        Actor::Ngo {
            organization_id, ..
        } => *organization_id == d.organization_id,
        _ => false,
    }
}

/// Whether the actor may read this shipment: the ministry, the sending organization, or an
/// organization that runs a collection point in the destination region (`receives`).
pub fn may_read_shipment(
    actor: &Actor,
    s: &birlik_entity::shipment::Model,
    receives: bool,
) -> bool {
    match actor {
        Actor::Ministry { .. } => true,
        Actor::Ngo {
            organization_id, ..
        } => *organization_id == s.organization_id || receives,
        _ => false,
    }
}

/// Whether the actor may read this task: the ministry and organizations all; a volunteer those
/// of their region and those they hold.
pub fn may_read_task(
    actor: &Actor,
    t: &birlik_entity::task::Model,
    volunteer_region: Option<i32>,
    held: bool,
) -> bool {
    match actor {
        Actor::Ministry { .. } | Actor::Ngo { .. } => true,
        Actor::Volunteer { .. } => held || volunteer_region == Some(t.region_id),
        Actor::Anonymous => false,
    }
}

/// Whether the actor may read this volunteer's record: themself, their organization, the ministry.
pub fn may_read_volunteer(actor: &Actor, v: &birlik_entity::volunteer::Model) -> bool {
    match actor {
        Actor::Ministry { .. } => true,
        Actor::Volunteer { volunteer_id, .. } => *volunteer_id == v.id,
        Actor::Ngo {
            organization_id, ..
        } => Some(*organization_id) == v.organization_id,
        Actor::Anonymous => false,
    }
}

/// Whether the actor may read this account: its owner and the ministry.
pub fn may_read_user(actor: &Actor, user_id: i32) -> bool {
    match actor {
        Actor::Ministry { .. } => true,
        Actor::Volunteer { user_id: own, .. } | Actor::Ngo { user_id: own, .. } => *own == user_id,
        Actor::Anonymous => false,
    }
}

/// Shipments the actor may list: the ministry all, an organization those it sends.
pub fn shipments(actor: &Actor) -> ApiResult<Condition> {
    use birlik_entity::shipment;
    match actor {
        Actor::Ministry { .. } => Ok(Condition::all()),
        Actor::Ngo {
            organization_id, ..
        } => Ok(Condition::all().add(shipment::Column::OrganizationId.eq(*organization_id))),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "shipments are listed for organizations and the ministry".into(),
        )),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// Volunteers the actor may list: the ministry all, an organization its members.
pub fn volunteers(actor: &Actor) -> ApiResult<Condition> {
    use birlik_entity::volunteer;
    match actor {
        Actor::Ministry { .. } => Ok(Condition::all()),
        Actor::Ngo {
            organization_id, ..
        } => Ok(Condition::all().add(volunteer::Column::OrganizationId.eq(*organization_id))),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "volunteers are listed for their organization and the ministry".into(),
        )),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// Tasks the actor may list: the ministry and organizations all (they post in any region); a
/// volunteer those of their region (`volunteer_region`).
pub fn tasks(actor: &Actor, volunteer_region: Option<i32>) -> ApiResult<Condition> {
    use birlik_entity::task;
    match actor {
        Actor::Ministry { .. } | Actor::Ngo { .. } => Ok(Condition::all()),
        Actor::Volunteer { .. } => {
            Ok(Condition::all().add(task::Column::RegionId.eq(volunteer_region.unwrap_or(-1))))
        }
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// The audit trail: the ministry only.
pub fn audit_trail(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } => Ok(Condition::all()),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "the audit trail is read by the ministry".into(),
        )),
    }
}
