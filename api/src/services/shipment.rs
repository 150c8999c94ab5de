//! Shipments: planning them from stock, dispatching, confirming delivery. Each is one transaction;
//! loading a donation is one conditional UPDATE, so no kilogram is ever shipped twice however many
//! clients race (and the database's CHECK stands behind it).

use std::collections::BTreeMap;

use birlik_entity::enums::{AuditAction, AuditEntity, DonationStatus, ShipmentStatus};
use birlik_entity::{donation, shipment, shipment_item};
use chrono::Utc;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};

use crate::context::{Actor, AppState, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::events::{ShipmentEvent, ShipmentEventKind};
use crate::services::{audit, idempotency, validate};
use crate::store;

/// Most items one shipment carries.
pub const MAX_ITEMS: usize = 500;

/// What `planShipment` asks for, with ids already decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Plan {
    pub destination_region_code: String,
    /// (donation id, kilograms).
    pub items: Vec<(i32, rust_decimal::Decimal)>,
    pub vehicle: String,
    pub driver_name: String,
    pub driver_phone: Option<String>,
}

/// Plans a shipment of the caller's stock to an affected region.
pub async fn plan(
    rc: &RequestCtx,
    state: &AppState,
    input: Plan,
    key: Option<&str>,
) -> ApiResult<shipment::Model> {
    idempotency::run(|| plan_once(rc, state, &input, key)).await
}

async fn plan_once(
    rc: &RequestCtx,
    state: &AppState,
    input: &Plan,
    key: Option<&str>,
) -> ApiResult<shipment::Model> {
    let db = &state.db;
    let user_id = match rc.actor {
        Actor::Ngo { user_id, .. } | Actor::Ministry { user_id } => user_id,
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Volunteer { .. } => {
            return Err(ApiError::Forbidden(
                "shipments are planned by organizations".into(),
            ));
        }
    };
    let destination =
        crate::services::region::get(state, &input.destination_region_code).map_err(|_| {
            ApiError::bad_input("input.destinationRegionCode", "no region has this code")
        })?;
    if !destination.affected {
        return Err(ApiError::bad_input(
            "input.destinationRegionCode",
            "aid is shipped to affected regions only",
        ));
    }
    if input.items.is_empty() || input.items.len() > MAX_ITEMS {
        return Err(ApiError::bad_input(
            "input.items",
            format!("a shipment carries 1 to {MAX_ITEMS} items"),
        ));
    }
    // Kilograms per donation; the same donation twice is one line.
    let mut lines: BTreeMap<i32, i64> = BTreeMap::new();
    for (donation_id, kilograms) in &input.items {
        *lines.entry(*donation_id).or_default() +=
            validate::grams("input.items.kilograms", *kilograms)?;
    }
    let vehicle = validate::text("input.vehicle", &input.vehicle, 200)?;
    let driver_name = validate::text("input.driverName", &input.driver_name, 200)?;
    let driver_phone = input
        .driver_phone
        .as_deref()
        .map(|p| validate::phone("input.driverPhone", p))
        .transpose()?;

    let tx = crate::db::begin_write(db).await?;
    let keyed = key
        .map(|k| idempotency::Keyed::new(user_id, k, "planShipment", input))
        .transpose()?;
    if let Some(keyed) = &keyed {
        if let Some(id) = idempotency::replay(&tx, keyed).await? {
            return shipment::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(ApiError::NotFound { entity: "shipment" });
        }
    }
    let donations = donation::Entity::find()
        .filter(donation::Column::Id.is_in(lines.keys().copied()))
        .all(&tx)
        .await?;
    if donations.len() != lines.len() {
        return Err(ApiError::NotFound { entity: "donation" });
    }
    let first = &donations[0];
    let (organization_id, origin) = (first.organization_id, first.region_id);
    if donations
        .iter()
        .any(|d| d.organization_id != organization_id || d.region_id != origin)
    {
        return Err(ApiError::bad_input(
            "input.items",
            "all items come from one organization's stock in one region",
        ));
    }
    if let Actor::Ngo {
        organization_id: own,
        ..
    } = rc.actor
    {
        if own != organization_id {
            return Err(ApiError::Forbidden(
                "shipments carry your own organization's stock only".into(),
            ));
        }
    }
    if origin == destination.id {
        return Err(ApiError::bad_input(
            "input.destinationRegionCode",
            "a shipment goes to another region",
        ));
    }
    let now = Utc::now();
    let planned = shipment::ActiveModel {
        organization_id: Set(organization_id),
        origin_region_id: Set(origin),
        destination_region_id: Set(destination.id),
        status: Set(ShipmentStatus::Planned),
        vehicle: Set(vehicle),
        driver_name: Set(driver_name),
        driver_phone: Set(driver_phone),
        dispatched_at: Set(None),
        delivered_at: Set(None),
        cancelled_at: Set(None),
        delivery_note: Set(None),
        created_by: Set(Some(user_id)),
        confirmed_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    for (donation_id, grams) in &lines {
        if !store::donation::load_onto_shipment(&tx, *donation_id, *grams, now).await? {
            let d = donations
                .iter()
                .find(|d| d.id == *donation_id)
                .expect("loaded above");
            let message = if d.status == DonationStatus::Cancelled {
                "a cancelled donation cannot be shipped".to_owned()
            } else {
                format!(
                    "only {} kg of this donation are left in stock",
                    crate::mass::kilograms(d.grams - d.shipped_grams).0
                )
            };
            return Err(ApiError::Conflict {
                message,
                current: Some(
                    serde_json::json!({ "donationId": crate::graphql::relay::encode("Donation", *donation_id).0 }),
                ),
            });
        }
        shipment_item::ActiveModel {
            shipment_id: Set(planned.id),
            donation_id: Set(*donation_id),
            origin_region_id: Set(origin),
            grams: Set(*grams),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    if let Some(keyed) = &keyed {
        idempotency::record(&tx, keyed, planned.id).await?;
    }
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(AuditEntity::Shipment, planned.id, AuditAction::Planned)
            .to(planned.status)
            .key(keyed.as_ref().map(|k| k.key)),
    )
    .await?;
    tx.commit().await?;
    state.events.shipment(ShipmentEvent {
        kind: ShipmentEventKind::Planned,
        shipment_id: planned.id,
        organization_id,
    });
    Ok(planned)
}

/// The shipment, refusing a stale `expected_version` with the current one in the error.
fn ensure_version(s: &shipment::Model, expected: Option<i32>) -> ApiResult<()> {
    match expected {
        Some(v) if v != s.version => Err(ApiError::Conflict {
            message: format!(
                "the shipment changed (version {} now, {v} expected)",
                s.version
            ),
            current: Some(serde_json::json!({
                "id": crate::graphql::relay::encode("Shipment", s.id).0,
                "status": s.status.to_value().to_uppercase(),
                "version": s.version,
            })),
        }),
        _ => Ok(()),
    }
}

/// What a move to `to` is on the audit trail.
fn action(to: ShipmentStatus) -> AuditAction {
    match to {
        ShipmentStatus::Planned => AuditAction::Planned,
        ShipmentStatus::Dispatched => AuditAction::Dispatched,
        ShipmentStatus::Delivered => AuditAction::Delivered,
        ShipmentStatus::Cancelled => AuditAction::Cancelled,
    }
}

async fn transition(
    db: &DatabaseConnection,
    who: audit::Who,
    id: i32,
    from: ShipmentStatus,
    expected_version: Option<i32>,
    allowed: impl FnOnce(&shipment::Model) -> ApiResult<()>,
    change: impl FnOnce(&mut shipment::ActiveModel),
) -> ApiResult<shipment::Model> {
    let tx = crate::db::begin_write(db).await?;
    let current = shipment::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound { entity: "shipment" })?;
    allowed(&current)?;
    ensure_version(&current, expected_version)?;
    if current.status != from {
        return Err(ApiError::Conflict {
            message: format!("the shipment is {:?}, not {from:?}", current.status).to_lowercase(),
            current: Some(
                serde_json::json!({ "status": current.status.to_value().to_uppercase(), "version": current.version }),
            ),
        });
    }
    let mut row: shipment::ActiveModel = current.clone().into();
    change(&mut row);
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    // Only if nobody changed it since we read it.
    let result = shipment::Entity::update_many()
        .set(row)
        .filter(shipment::Column::Id.eq(id))
        .filter(shipment::Column::Version.eq(current.version))
        .exec(&tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(ApiError::Conflict {
            message: "the shipment changed meanwhile; reload it".into(),
            current: None,
        });
    }
    let updated = shipment::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound { entity: "shipment" })?;
    audit::record(
        &tx,
        who,
        audit::Change::new(AuditEntity::Shipment, id, action(updated.status))
            .from(current.status)
            .to(updated.status),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Puts a planned shipment on the road (its organization or the ministry).
pub async fn dispatch(
    rc: &RequestCtx,
    state: &AppState,
    id: i32,
    expected_version: Option<i32>,
) -> ApiResult<shipment::Model> {
    let actor = rc.actor;
    let shipment = transition(
        &state.db,
        audit::Who::of(&actor)?,
        id,
        ShipmentStatus::Planned,
        expected_version,
        |s| match actor {
            Actor::Ministry { .. } => Ok(()),
            Actor::Ngo {
                organization_id, ..
            } if organization_id == s.organization_id => Ok(()),
            Actor::Anonymous => Err(ApiError::Unauthenticated),
            _ => Err(ApiError::Forbidden(
                "only the sending organization dispatches a shipment".into(),
            )),
        },
        |row| {
            row.status = Set(ShipmentStatus::Dispatched);
            row.dispatched_at = Set(Some(Utc::now()));
        },
    )
    .await?;
    state.events.shipment(ShipmentEvent {
        kind: ShipmentEventKind::Dispatched,
        shipment_id: shipment.id,
        organization_id: shipment.organization_id,
    });
    Ok(shipment)
}

/// Confirms that a dispatched shipment arrived: the sender, an organization that runs a
/// collection point in the destination region, or the ministry.
pub async fn confirm_delivery(
    rc: &RequestCtx,
    state: &AppState,
    id: i32,
    note: Option<String>,
    expected_version: Option<i32>,
) -> ApiResult<shipment::Model> {
    let note = validate::optional_text("note", note.as_deref(), 2000)?;
    let receiver = match rc.actor {
        Actor::Ngo {
            organization_id, ..
        } => {
            let s = shipment::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .ok_or(ApiError::NotFound { entity: "shipment" })?;
            store::collection_point::runs_in(&state.db, organization_id, s.destination_region_id)
                .await?
        }
        _ => false,
    };
    let (actor, user_id) = (rc.actor, rc.actor.user_id());
    let shipment = transition(
        &state.db,
        audit::Who::of(&actor)?,
        id,
        ShipmentStatus::Dispatched,
        expected_version,
        |s| match actor {
            Actor::Ministry { .. } => Ok(()),
            Actor::Ngo {
                organization_id, ..
            } if organization_id == s.organization_id || receiver => Ok(()),
            Actor::Anonymous => Err(ApiError::Unauthenticated),
            _ => Err(ApiError::Forbidden(
                "delivery is confirmed by the sender or the receiving side".into(),
            )),
        },
        |row| {
            row.status = Set(ShipmentStatus::Delivered);
            row.delivered_at = Set(Some(Utc::now()));
            row.delivery_note = Set(note);
            row.confirmed_by = Set(user_id);
        },
    )
    .await?;
    state.events.shipment(ShipmentEvent {
        kind: ShipmentEventKind::Delivered,
        shipment_id: shipment.id,
        organization_id: shipment.organization_id,
    });
    Ok(shipment)
}
