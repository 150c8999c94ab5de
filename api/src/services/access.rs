//! Who may list what, and who may see personal fields. What rows of a type an actor may read at
//! all is `store::scope`, applied in SQL on every path (lists, aggregates, `node`, relations); a
//! list here is refused to a role that may not list the type, else it is that scope.

use sea_orm::Condition;

use crate::context::Actor;
use crate::error::{ApiError, ApiResult};
use crate::store::scope;

/// Donations the actor may read: the ministry all, an organization its own, nobody else.
pub fn donations(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } | Actor::Ngo { .. } => Ok(scope::donation(actor)),
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

/// Shipments the actor may list: the ministry all, an organization those it sends and those
/// coming into a region where it runs a collection point.
pub fn shipments(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } | Actor::Ngo { .. } => Ok(scope::shipment(actor)),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "shipments are listed for organizations and the ministry".into(),
        )),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// Volunteers the actor may list: the ministry all, an organization its members.
pub fn volunteers(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } | Actor::Ngo { .. } => Ok(scope::volunteer(actor)),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "volunteers are listed for their organization and the ministry".into(),
        )),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// Tasks the actor may list: the ministry and organizations all (they post in any region); a
/// volunteer those of their region and those they hold a place on.
pub fn tasks(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Ok(scope::task(actor)),
    }
}

/// The audit trail: the ministry only.
pub fn audit_trail(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } => Ok(scope::audit_event(actor)),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "the audit trail is read by the ministry".into(),
        )),
    }
}
