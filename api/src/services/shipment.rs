//! Shipments: planning them from stock, dispatching, confirming delivery, cancelling. Each is one
//! transaction; loading a donation is one conditional UPDATE, so no kilogram is ever shipped twice
//! however many clients race (and the database's CHECK stands behind it). Items that serve need
//! lines move those lines' figures in the same transaction (`services::allocation`).
//! Size: one aggregate's four mutations (plan, dispatch, deliver, cancel), which share one
//! transition skeleton, its version check and its refusals; split by operation they would
//! export those to each other.

use std::collections::BTreeMap;

use birlik_entity::enums::{AuditAction, AuditEntity, DonationStatus, ShipmentStatus};
use birlik_entity::{donation, shipment};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult, Current};
use crate::events::{ShipmentEvent, ShipmentEventKind};
use crate::services::Deps;
use crate::services::{allocation, audit, idempotency, validate};
use crate::store;

/// Most items one shipment carries.
pub const MAX_ITEMS: usize = 500;

/// What `planShipment` asks for, with ids already decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Plan {
    pub destination_region_code: String,
    pub items: Vec<PlanItem>,
    pub vehicle: String,
    pub driver_name: String,
    pub driver_phone: Option<String>,
}

/// Kilograms of one donation to load, serving a need line or none.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanItem {
    pub donation_id: i32,
    pub kilograms: rust_decimal::Decimal,
    pub need_line_id: Option<i32>,
}

/// Plans a shipment of the caller's stock to an affected region.
pub async fn plan(
    rc: &RequestCtx,
    deps: &Deps,
    input: Plan,
    key: Option<&str>,
) -> ApiResult<shipment::Model> {
    let input = &input;
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
        crate::services::region::get(deps, &input.destination_region_code).map_err(|_| {
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
    // Kilograms per donation and need line; the same pair twice is one item.
    let mut lines: BTreeMap<(i32, Option<i32>), i64> = BTreeMap::new();
    for item in &input.items {
        *lines
            .entry((item.donation_id, item.need_line_id))
            .or_default() += validate::grams("input.items.kilograms", item.kilograms)?;
    }
    // A shipment holds one item of a donation (a key of the table): it serves one line or none.
    if lines
        .keys()
        .zip(lines.keys().skip(1))
        .any(|(a, b)| a.0 == b.0)
    {
        return Err(ApiError::bad_input(
            "input.items.needLineId",
            "a donation is loaded once on a shipment, serving one need line or none",
        ));
    }
    let vehicle = validate::text("input.vehicle", &input.vehicle, 200)?;
    let driver_name = validate::text("input.driverName", &input.driver_name, 200)?;
    let driver_phone = input
        .driver_phone
        .as_deref()
        .map(|p| validate::phone("input.driverPhone", p))
        .transpose()?;

    let planning = Planning {
        rc,
        deps,
        user_id,
        input,
        key,
        destination: destination.id,
        lines,
        vehicle,
        driver_name,
        driver_phone,
    };
    idempotency::mutate(&deps.db, &planning).await
}

/// A plan whose input has been checked: kilograms per donation and need line, the same pair twice
/// one item.
struct Planning<'a> {
    rc: &'a RequestCtx,
    deps: &'a Deps,
    user_id: i32,
    input: &'a Plan,
    key: Option<&'a str>,
    destination: i32,
    lines: BTreeMap<(i32, Option<i32>), i64>,
    vehicle: String,
    driver_name: String,
    driver_phone: Option<String>,
}

impl Planning<'_> {
    /// Grams per donation, over the need lines they serve.
    fn per_donation(&self) -> BTreeMap<i32, i64> {
        let mut out: BTreeMap<i32, i64> = BTreeMap::new();
        for ((donation_id, _), grams) in &self.lines {
            *out.entry(*donation_id).or_default() += grams;
        }
        out
    }
}

impl idempotency::Mutation for Planning<'_> {
    type Output = shipment::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "planShipment", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<shipment::Model> {
        get(tx, id).await
    }

    async fn act(
        &self,
        tx: &DatabaseTransaction,
    ) -> ApiResult<idempotency::Done<'_, shipment::Model>> {
        let per_donation = self.per_donation();
        let donations = store::donation::with_ids(tx, per_donation.keys().copied()).await?;
        if donations.len() != per_donation.len() {
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
        } = self.rc.actor
            && own != organization_id
        {
            return Err(ApiError::Forbidden(
                "shipments carry your own organization's stock only".into(),
            ));
        }
        if origin == self.destination {
            return Err(ApiError::bad_input(
                "input.destinationRegionCode",
                "a shipment goes to another region",
            ));
        }
        let served =
            allocation::check(tx, self.deps, self.destination, &self.lines, &donations).await?;
        let now = Utc::now();
        let planned = store::shipment::insert(
            tx,
            store::shipment::NewShipment {
                organization_id,
                origin_region_id: origin,
                destination_region_id: self.destination,
                vehicle: self.vehicle.clone(),
                driver_name: self.driver_name.clone(),
                driver_phone: self.driver_phone.clone(),
                created_by: Some(self.user_id),
            },
            now,
        )
        .await?;
        for (donation_id, grams) in &per_donation {
            if !store::donation::load_onto_shipment(tx, *donation_id, *grams, now).await? {
                let d = donations
                    .iter()
                    .find(|d| d.id == *donation_id)
                    .expect("loaded above");
                return Err(out_of_stock(d));
            }
        }
        allocation::allocate(tx, &served, now).await?;
        for ((donation_id, need_line_id), grams) in &self.lines {
            store::shipment::insert_item(
                tx,
                store::shipment::NewItem {
                    shipment_id: planned.id,
                    donation_id: *donation_id,
                    origin_region_id: origin,
                    grams: *grams,
                    need_line_id: *need_line_id,
                },
                now,
            )
            .await?;
        }
        let change = audit::Change::new(AuditEntity::Shipment, planned.id, AuditAction::Planned)
            .to(planned.status);
        Ok(idempotency::Done {
            id: planned.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: planned,
        })
    }

    fn publish(&self, planned: &shipment::Model) {
        publish(self.deps, ShipmentEventKind::Planned, planned);
    }
}

/// The refusal of a donation that had not the kilograms asked of it left.
fn out_of_stock(d: &donation::Model) -> ApiError {
    let message = if d.status == DonationStatus::Cancelled {
        "a cancelled donation cannot be shipped".to_owned()
    } else {
        format!(
            "only {} kg of this donation are left in stock",
            crate::mass::kilograms(d.remaining_grams()).0
        )
    };
    ApiError::Conflict {
        message,
        current: Some(Current::Donation { id: d.id }),
    }
}

/// The shipment with this id, NOT_FOUND if none.
async fn get(db: &impl ConnectionTrait, id: i32) -> ApiResult<shipment::Model> {
    store::shipment::get(db, id)
        .await?
        .ok_or(ApiError::NotFound { entity: "shipment" })
}

/// The shipment, refusing a stale `expected_version` with the current one in the error.
fn ensure_version(s: &shipment::Model, expected: Option<i32>) -> ApiResult<()> {
    match expected {
        Some(v) if v != s.version => Err(ApiError::Conflict {
            message: format!(
                "the shipment changed (version {} now, {v} expected)",
                s.version
            ),
            current: Some(Current::Shipment {
                id: s.id,
                status: s.status,
                version: s.version,
            }),
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

/// Moves a shipment from `from` if `allowed` lets the caller and nobody changed it since
/// `expected_version`; one transaction, on the trail.
async fn transition(
    db: &DatabaseConnection,
    who: audit::Who,
    id: i32,
    from: ShipmentStatus,
    expected_version: Option<i32>,
    allowed: impl FnOnce(&shipment::Model) -> ApiResult<()>,
    to: store::shipment::Move,
) -> ApiResult<shipment::Model> {
    let tx = store::begin(db).await?;
    let current = get(&tx, id).await?;
    allowed(&current)?;
    ensure_version(&current, expected_version)?;
    if current.status != from {
        return Err(ApiError::Conflict {
            message: format!("the shipment is {:?}, not {from:?}", current.status).to_lowercase(),
            current: Some(Current::ShipmentState {
                status: current.status,
                version: current.version,
            }),
        });
    }
    let movement = match to {
        store::shipment::Move::Dispatch => allocation::Movement::Dispatch,
        store::shipment::Move::Deliver { .. } => allocation::Movement::Deliver,
        store::shipment::Move::Cancel => allocation::Movement::Cancel,
    };
    // Only if nobody changed it since we read it.
    if !store::shipment::advance(&tx, &current, to).await? {
        return Err(ApiError::Conflict {
            message: "the shipment changed meanwhile; reload it".into(),
            current: None,
        });
    }
    let now = Utc::now();
    if movement == allocation::Movement::Cancel {
        // What it carried is in stock again.
        for (donation_id, grams) in store::shipment::grams_by_donation(&tx, id).await? {
            store::donation::unload_from_shipment(&tx, donation_id, grams, now).await?;
        }
    }
    allocation::shift(&tx, id, movement, now).await?;
    let updated = get(&tx, id).await?;
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

/// Only the sending organization (or the ministry) `does` this to a shipment.
fn sender_or_ministry(actor: Actor, shipment: &shipment::Model, does: &str) -> ApiResult<()> {
    match actor {
        Actor::Ministry { .. } => Ok(()),
        Actor::Ngo {
            organization_id, ..
        } if organization_id == shipment.organization_id => Ok(()),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(format!(
            "only the sending organization {does} a shipment"
        ))),
    }
}

/// Tells the shipment's live subscribers what happened to it, once its transaction committed.
fn publish(deps: &Deps, kind: ShipmentEventKind, shipment: &shipment::Model) {
    deps.events.shipment(ShipmentEvent {
        kind,
        shipment_id: shipment.id,
        organization_id: shipment.organization_id,
    });
}

/// Puts a planned shipment on the road (its organization or the ministry).
pub async fn dispatch(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    expected_version: Option<i32>,
) -> ApiResult<shipment::Model> {
    let actor = rc.actor;
    let shipment = transition(
        &deps.db,
        audit::Who::of(&actor)?,
        id,
        ShipmentStatus::Planned,
        expected_version,
        |s| sender_or_ministry(actor, s, "dispatches"),
        store::shipment::Move::Dispatch,
    )
    .await?;
    publish(deps, ShipmentEventKind::Dispatched, &shipment);
    Ok(shipment)
}

/// Confirms that a dispatched shipment arrived: the sender, an organization that runs a
/// collection point in the destination region, or the ministry.
pub async fn confirm_delivery(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    note: Option<String>,
    expected_version: Option<i32>,
) -> ApiResult<shipment::Model> {
    let note = validate::optional_text("note", note.as_deref(), 2000)?;
    let receiver = match rc.actor {
        Actor::Ngo {
            organization_id, ..
        } => {
            let s = get(&deps.db, id).await?;
            store::collection_point::runs_in(&deps.db, organization_id, s.destination_region_id)
                .await?
        }
        _ => false,
    };
    let (actor, user_id) = (rc.actor, rc.actor.user_id());
    let shipment = transition(
        &deps.db,
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
        store::shipment::Move::Deliver {
            note,
            confirmed_by: user_id,
        },
    )
    .await?;
    publish(deps, ShipmentEventKind::Delivered, &shipment);
    Ok(shipment)
}

/// Calls off a planned shipment (its organization or the ministry): what it carried is in stock
/// again, and the need lines it served have those kilograms outstanding again.
pub async fn cancel(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    expected_version: Option<i32>,
) -> ApiResult<shipment::Model> {
    let actor = rc.actor;
    let shipment = transition(
        &deps.db,
        audit::Who::of(&actor)?,
        id,
        ShipmentStatus::Planned,
        expected_version,
        |s| sender_or_ministry(actor, s, "cancels"),
        store::shipment::Move::Cancel,
    )
    .await?;
    publish(deps, ShipmentEventKind::Cancelled, &shipment);
    Ok(shipment)
}
