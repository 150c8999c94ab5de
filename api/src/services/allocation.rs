//! Allocation: shipment items that serve need lines. A planned item's kilograms are allocated to
//! its line (never beyond what the line requested: one conditional UPDATE, so no race
//! over-allocates); dispatch and delivery move the same kilograms to the line's dispatched and
//! delivered figures, and cancelling a planned shipment frees them. The need's sums (and its
//! count of complete lines) move in the same transaction as its lines, so that a need's fulfilment
//! is read from one row. The shipment services call these inside their own transaction.

use std::collections::BTreeMap;

use birlik_entity::donation;
use birlik_entity::enums::NeedStatus;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use crate::error::{ApiError, ApiResult, Current};
use crate::labels::Label;
use crate::services::Deps;
use crate::store;
use crate::store::need_line::Figure;

/// The need lines a plan serves: line id → (its need's id, grams allocated to it).
#[derive(Debug, Default)]
pub struct Served(BTreeMap<i32, (i32, i64)>);

/// Checks that every item serving a need line may: the line exists, its need is open and in the
/// shipment's destination region, and the item's donation is of the line's category. `items` are
/// grams per (donation id, need line id); `donations` the plan's donations.
pub async fn check(
    tx: &DatabaseTransaction,
    deps: &Deps,
    destination: i32,
    items: &BTreeMap<(i32, Option<i32>), i64>,
    donations: &[donation::Model],
) -> ApiResult<Served> {
    let mut served = Served::default();
    let asked: Vec<i32> = items.keys().filter_map(|(_, line)| *line).collect();
    if asked.is_empty() {
        return Ok(served);
    }
    let lines = store::need_line::with_needs(tx, asked.iter().copied()).await?;
    let field = "input.items.needLineId";
    for ((donation_id, line_id), grams) in items {
        let Some(line_id) = line_id else { continue };
        let (line, need) =
            lines
                .iter()
                .find(|(l, _)| l.id == *line_id)
                .ok_or(ApiError::NotFound {
                    entity: "need line",
                })?;
        let donation = donations
            .iter()
            .find(|d| d.id == *donation_id)
            .expect("the plan's donations are loaded");
        let lang = crate::context::Lang::En;
        let wants = line.category.label(lang);
        let region = |id: i32| deps.region(id).map_or("?", |r| r.code.as_str());
        if need.region_id != destination {
            return Err(ApiError::bad_input(
                field,
                format!(
                    "the need line for {wants} of need {} is in {}; this shipment goes to {}",
                    need.id,
                    region(need.region_id),
                    region(destination)
                ),
            ));
        }
        if donation.category != line.category {
            return Err(ApiError::bad_input(
                field,
                format!(
                    "the need line of need {} asks for {wants}; the donation is {}",
                    need.id,
                    donation.category.label(lang)
                ),
            ));
        }
        if need.status != NeedStatus::Open {
            return Err(not_open(line.id, need.id, need.status));
        }
        let entry = served.0.entry(line.id).or_insert((need.id, 0));
        entry.1 += grams;
    }
    Ok(served)
}

/// The refusal of a line whose need is no longer open.
fn not_open(line_id: i32, need_id: i32, status: NeedStatus) -> ApiError {
    ApiError::Conflict {
        message: format!(
            "need {need_id} is {}: its lines take no more shipments",
            match status {
                NeedStatus::Open => "open",
                NeedStatus::Closed => "closed",
                NeedStatus::Cancelled => "cancelled",
            }
        ),
        current: Some(Current::NeedLine {
            id: line_id,
            need_status: status,
            requested_grams: None,
            allocated_grams: None,
        }),
    }
}

/// Allocates what a plan serves to its lines, then to their needs' sums, each only if it fits: a
/// line that would exceed its requested kilograms, or a need closed meanwhile, is a CONFLICT
/// naming the line (the caller's transaction then writes nothing).
pub async fn allocate(
    tx: &DatabaseTransaction,
    served: &Served,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let mut needs: BTreeMap<i32, (i64, i32)> = BTreeMap::new();
    for (line_id, (need_id, grams)) in &served.0 {
        if !store::need_line::allocate(tx, *line_id, *grams, now).await? {
            let line = store::need_line::get(tx, *line_id)
                .await?
                .ok_or(ApiError::NotFound {
                    entity: "need line",
                })?;
            let outstanding = line.requested_grams - line.allocated_grams;
            return Err(ApiError::Conflict {
                message: format!(
                    "the need line for {} of need {need_id} has {} kg outstanding; {} kg were asked",
                    line.category.label(crate::context::Lang::En),
                    crate::mass::kilograms(outstanding).0,
                    crate::mass::kilograms(*grams).0,
                ),
                current: Some(Current::NeedLine {
                    id: line.id,
                    need_status: NeedStatus::Open,
                    requested_grams: Some(line.requested_grams),
                    allocated_grams: Some(line.allocated_grams),
                }),
            });
        }
        let need = needs.entry(*need_id).or_insert((0, *line_id));
        need.0 += grams;
    }
    for (need_id, (grams, line_id)) in needs {
        if !store::need_line::allocate_to_need(tx, need_id, grams, now).await? {
            // Closed or cancelled since it was read.
            let status = store::need_line::need_status(tx, need_id)
                .await?
                .unwrap_or(NeedStatus::Cancelled);
            return Err(not_open(line_id, need_id, status));
        }
    }
    Ok(())
}

/// A shipment's move, as it changes the need lines its items serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    /// Planned → dispatched: allocated kilograms become dispatched too.
    Dispatch,
    /// Dispatched → delivered: they become delivered.
    Deliver,
    /// Planned → cancelled: their allocation is freed.
    Cancel,
}

/// Moves the kilograms a shipment's items carry for need lines, on the lines and their needs'
/// sums (and counts of complete lines), in the caller's transaction: one read for a shipment that
/// serves no line, three statements for one that does, whatever the number of its lines.
pub async fn shift(
    tx: &DatabaseTransaction,
    shipment_id: i32,
    movement: Movement,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if !store::need_line::serves_any(tx, shipment_id).await? {
        return Ok(());
    }
    let (figure, sign) = match movement {
        Movement::Dispatch => (Figure::Dispatched, 1),
        Movement::Deliver => (Figure::Delivered, 1),
        Movement::Cancel => (Figure::Allocated, -1),
    };
    store::need_line::shift_served(tx, shipment_id, figure, sign, now).await?;
    Ok(())
}
