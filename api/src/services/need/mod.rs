//! Needs: what affected places ask for, and how much of it shipments cover. Raising one
//! (`raise`), closing or cancelling it (`close`), and the reads: the public board, its totals,
//! the aggregates and what is still needed per category. Needs are public: every caller reads the
//! same set; only the requester's phone is personal.

mod close;
mod raise;

pub use close::{cancel, close};
pub use raise::{Raising, raise};

use birlik_entity::enums::NeedStatus;
use birlik_entity::{need, need_line};
use sea_orm::Condition;

use crate::context::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::store;
use crate::store::need::{Fulfilment, NeedDimension, NeedGroup, NeededCategory, Ordering, Totals};
use crate::store::page::{Page, PageRequest};

/// Most lines one need has: one per category.
pub const MAX_LINES: usize = 10;

/// A line's fulfilment: none until something is delivered, complete once what was asked for is.
pub fn line_fulfilment(line: &need_line::Model) -> Fulfilment {
    if line.delivered_grams == 0 {
        Fulfilment::None
    } else if line.delivered_grams >= line.requested_grams {
        Fulfilment::Complete
    } else {
        Fulfilment::Partial
    }
}

/// A need's fulfilment: complete when every line is, none when no line has anything delivered.
pub fn fulfilment(need: &need::Model) -> Fulfilment {
    if need.complete_lines == need.line_count {
        Fulfilment::Complete
    } else if need.delivered_grams == 0 {
        Fulfilment::None
    } else {
        Fulfilment::Partial
    }
}

/// What no shipment covers yet of `requested`, while the need is open; nothing once it is closed
/// or cancelled.
pub fn outstanding(status: NeedStatus, requested: i64, allocated: i64) -> i64 {
    if status == NeedStatus::Open {
        requested - allocated
    } else {
        0
    }
}

/// A need's requester's phone: the raising organization's staff and the ministry (a need the
/// ministry raised: the ministry only).
pub fn ensure_contact_visible(actor: &Actor, need: &need::Model) -> ApiResult<()> {
    match (actor, need.organization_id) {
        (Actor::Ministry { .. }, _) => Ok(()),
        (Actor::Ngo { .. }, Some(org)) => {
            crate::services::access::ensure_org_personal_data(actor, org)
        }
        _ => Err(ApiError::Forbidden(
            "personal data is visible to the raising organization's staff and the ministry".into(),
        )),
    }
}

/// A page of the needs matching `filter` (public: the same for every caller), and the condition
/// that selects all of them (for the totals); `with_totals` reads the totals too, in the page's
/// statement.
pub async fn page(
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering,
    req: PageRequest,
    with_totals: bool,
) -> ApiResult<(Page<need::Model>, Condition, Option<Totals>)> {
    if with_totals {
        let (page, totals) = store::page::read_with_totals::<need::Entity, _, Totals>(
            &deps.db,
            filter.clone(),
            ordering,
            &req,
            store::need::totals_columns(),
        )
        .await?;
        return Ok((page, filter, Some(totals)));
    }
    let page =
        store::page::read::<need::Entity, _>(&deps.db, filter.clone(), ordering, &req).await?;
    Ok((page, filter, None))
}

/// Count and figures of the needs a condition selects.
pub async fn totals(deps: &Deps, condition: Condition) -> ApiResult<Totals> {
    Ok(store::need::totals(&deps.db, condition).await?)
}

/// The lines of the needs matching `filter`, grouped by `dimensions` (public): from the
/// rollup when it answers the filter exactly, else the bare `GROUP BY` over the lines.
pub async fn groups(
    rc: &crate::context::RequestCtx,
    deps: &Deps,
    dimensions: &[NeedDimension],
    filter: store::filter::Tree<store::need::Where>,
) -> ApiResult<Vec<NeedGroup>> {
    let source = if store::need::rollup_answers(&filter) {
        store::need::NeedSource::Rollup
    } else {
        store::need::NeedSource::Lines
    };
    let filter = &crate::services::lists::condition(deps, filter);
    Ok(deps
        .replicable(&rc.actor, |db| async move {
            store::need::groups(&db, source, dimensions, filter.clone()).await
        })
        .await?)
}

/// What open needs still lack, per category: in one affected region (by ISO code), or in all.
pub async fn needed_categories(
    deps: &Deps,
    region_code: Option<&str>,
) -> ApiResult<Vec<NeededCategory>> {
    let region = region_code
        .map(|code| {
            crate::services::region::get(deps, code)
                .map_err(|_| ApiError::bad_input("regionCode", "no region has this code"))
        })
        .transpose()?;
    Ok(store::need::needed_categories(&deps.db, region.map(|r| r.id)).await?)
}

/// The need with this id, NOT_FOUND if none.
async fn get(db: &impl sea_orm::ConnectionTrait, id: i32) -> ApiResult<need::Model> {
    store::need::get(db, id)
        .await?
        .ok_or(ApiError::NotFound { entity: "need" })
}
