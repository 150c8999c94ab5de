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
