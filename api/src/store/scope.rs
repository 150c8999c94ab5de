//! What an actor may read, one SQL condition per type: the only definition of each type's scope.
//!
//! Every path that brings rows of a type to a client applies its condition here, in SQL: lists,
//! aggregates, `node(id:)`/`nodes(ids:)`, and the DataLoaders behind every relation (keyed by id
//! within the request's actor). A new relation that loads through the loaders cannot reach a row
//! outside its reader's scope. Who may *list* a type at all (a volunteer may not list donations)
//! is the services' rule (`services::access`); personal fields keep their own audience checks.
//!
//! Regions, organizations and collection points are public and have no condition; shelters are
//! public too (`shelter` is all of them, so their loader is keyed like every other).

use birlik_entity::{
    collection_point, donation, shipment, shipment_item, task, user_account, volunteer, write_off,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, EntityName};

use crate::context::Actor;

/// A condition no row meets.
fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// The regions where this organization runs a collection point.
fn served_regions(organization_id: i32) -> SelectStatement {
    Query::select()
        .column(collection_point::Column::RegionId)
        .from(collection_point::Entity.table_ref())
        .and_where(Expr::col(collection_point::Column::OrganizationId).eq(organization_id))
        .to_owned()
}

/// Needs: public, every caller reads them all (their requester's phone keeps its own audience).
pub fn need(_actor: &Actor) -> Condition {
    Condition::all()
}

/// Donations: the ministry all; an organization its own. The donations behind another
/// organization's shipment stay that organization's.
pub fn donation(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        Actor::Ngo {
            organization_id, ..
        } => Condition::all().add(donation::Column::OrganizationId.eq(*organization_id)),
        Actor::Volunteer { .. } | Actor::Anonymous => nothing(),
    }
}

/// Write-offs: whoever may read their donation (the ministry all; an organization its own). The
/// row carries its donation's organization, so the condition needs no join.
pub fn write_off(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        Actor::Ngo {
            organization_id, ..
        } => Condition::all().add(write_off::Column::OrganizationId.eq(*organization_id)),
        Actor::Volunteer { .. } | Actor::Anonymous => nothing(),
    }
}

/// Shipments: the ministry all; an organization those it sends and those coming into a region
/// where it runs a collection point; a volunteer those of the tasks they hold a place on.
pub fn shipment(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        Actor::Ngo {
            organization_id, ..
        } => Condition::any()
            .add(shipment::Column::OrganizationId.eq(*organization_id))
            .add(
                Expr::col((shipment::Entity, shipment::Column::DestinationRegionId))
                    .in_subquery(served_regions(*organization_id)),
            ),
        Actor::Volunteer { volunteer_id, .. } => Condition::all().add(
            Expr::col((shipment::Entity, shipment::Column::Id)).in_subquery(
                Query::select()
                    .column(task::Column::ShipmentId)
                    .from(task::Entity.table_ref())
                    .and_where(
                        Expr::col((task::Entity, task::Column::Id))
                            .in_subquery(crate::store::task::held(*volunteer_id)),
                    )
                    .and_where(Expr::col(task::Column::ShipmentId).is_not_null())
                    .to_owned(),
            ),
        ),
        Actor::Anonymous => nothing(),
    }
}

/// A shipment's items: whoever may read the shipment.
pub fn shipment_item(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        _ => Condition::all().add(
            Expr::col((shipment_item::Entity, shipment_item::Column::ShipmentId)).in_subquery(
                Query::select()
                    .column(shipment::Column::Id)
                    .from(shipment::Entity.table_ref())
                    .cond_where(shipment(actor))
                    .to_owned(),
            ),
        ),
    }
}

/// Tasks: the ministry and organizations all (they post in any region); a volunteer those of
/// their region and those they hold a place on.
pub fn task(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } | Actor::Ngo { .. } => Condition::all(),
        Actor::Volunteer { volunteer_id, .. } => Condition::any()
            .add(
                Expr::col((task::Entity, task::Column::RegionId)).in_subquery(
                    Query::select()
                        .column(volunteer::Column::RegionId)
                        .from(volunteer::Entity.table_ref())
                        .and_where(Expr::col(volunteer::Column::Id).eq(*volunteer_id))
                        .to_owned(),
                ),
            )
            .add(
                Expr::col((task::Entity, task::Column::Id))
                    .in_subquery(crate::store::task::held(*volunteer_id)),
            ),
        Actor::Anonymous => nothing(),
    }
}

/// Volunteer records: the ministry all; an organization its members; a volunteer their own.
pub fn volunteer(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        Actor::Ngo {
            organization_id, ..
        } => Condition::all().add(volunteer::Column::OrganizationId.eq(*organization_id)),
        Actor::Volunteer { volunteer_id, .. } => {
            Condition::all().add(volunteer::Column::Id.eq(*volunteer_id))
        }
        Actor::Anonymous => nothing(),
    }
}

/// Accounts: the ministry all; everyone else their own.
pub fn user(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        Actor::Volunteer { user_id, .. } | Actor::Ngo { user_id, .. } => {
            Condition::all().add(user_account::Column::Id.eq(*user_id))
        }
        Actor::Anonymous => nothing(),
    }
}

/// Shelters: public, counts only; every caller reads all of them.
pub fn shelter(_actor: &Actor) -> Condition {
    Condition::all()
}

/// The audit trail: the ministry only.
pub fn audit_event(actor: &Actor) -> Condition {
    match actor {
        Actor::Ministry { .. } => Condition::all(),
        _ => nothing(),
    }
}

/// What an actor may read of one type, as the functions above give it: an opaque value that the
/// layers above keep (a loader, a list's totals) and hand back to store functions, never build.
pub type Scope = Condition;

/// Rows within `scope` that also meet `filter` (a client's filter, as `store::filter` wrote it).
pub fn and(scope: Scope, filter: Condition) -> Condition {
    Condition::all().add(scope).add(filter)
}
