//! Need lines as shipments serve them: reading a line with its need, and moving kilograms through
//! its figures (allocated → dispatched → delivered) and the need's sums in the caller's
//! transaction. Allocation is one conditional UPDATE (`allocated + x <= requested`), so however
//! many planners race for a line none over-allocates it; the line's CHECK stands behind it. Every
//! other move adds to a figure: an UPDATE of `figure = figure + x`, which PostgreSQL re-applies to
//! the newest row after a concurrent writer commits, so no move is lost. Lines are moved before
//! needs, each in ascending id order, so that two transactions never wait for each other in a
//! circle.

use std::collections::BTreeMap;

use birlik_entity::enums::NeedStatus;
use birlik_entity::{need, need_line, shipment_item};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};

/// The lines with these ids (those that exist), each with its need.
pub async fn with_needs(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<Vec<(need_line::Model, need::Model)>, DbErr> {
    let rows = need_line::Entity::find()
        .find_also_related(need::Entity)
        .filter(need_line::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(line, need)| need.map(|n| (line, n)))
        .collect())
}

/// The line with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<need_line::Model>, DbErr> {
    need_line::Entity::find_by_id(id).one(db).await
}

/// Adds `grams` to the line's allocated kilograms, only if they stay within its requested ones.
/// False when they would not (nothing changed).
pub async fn allocate(
    db: &impl ConnectionTrait,
    id: i32,
    grams: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let allocated = Expr::col(need_line::Column::AllocatedGrams).add(grams);
    let result = crate::store::touched(need_line::Entity::update_many(), now)
        .col_expr(need_line::Column::AllocatedGrams, allocated.clone())
        .filter(need_line::Column::Id.eq(id))
        .filter(allocated.lte(Expr::col(need_line::Column::RequestedGrams)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One figure of a line or a need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// On shipments that are not cancelled.
    Allocated,
    /// On dispatched or delivered shipments.
    Dispatched,
    /// On delivered shipments.
    Delivered,
}

/// Adds `grams` (negative: takes them away) to one figure of the line. True when the line is
/// complete afterwards (delivered == requested); the line's CHECK refuses a move out of order.
pub async fn shift(
    db: &impl ConnectionTrait,
    id: i32,
    figure: Figure,
    grams: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let column = match figure {
        Figure::Allocated => need_line::Column::AllocatedGrams,
        Figure::Dispatched => need_line::Column::DispatchedGrams,
        Figure::Delivered => need_line::Column::DeliveredGrams,
    };
    crate::store::touched(need_line::Entity::update_many(), now)
        .col_expr(column, Expr::col(column).add(grams))
        .filter(need_line::Column::Id.eq(id))
        .exec(db)
        .await?;
    // This transaction holds the row now, so what it reads is the line's latest state.
    let complete: Option<(i64, i64)> = need_line::Entity::find_by_id(id)
        .select_only()
        .column(need_line::Column::DeliveredGrams)
        .column(need_line::Column::RequestedGrams)
        .into_tuple()
        .one(db)
        .await?;
    Ok(complete.is_some_and(|(delivered, requested)| delivered == requested))
}

/// What a move changes in one need's sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NeedShift {
    pub allocated: i64,
    pub dispatched: i64,
    pub delivered: i64,
    /// Lines that became complete.
    pub completed: i32,
}

/// Adds a move to the need's sums; with `only_open`, only if the need is still open. False when
/// the need is not (nothing changed).
pub async fn shift_need(
    db: &impl ConnectionTrait,
    id: i32,
    by: NeedShift,
    only_open: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use need::Column as C;
    let add = |c: C, x: i64| Expr::col(c).add(x);
    let mut update = crate::store::touched(need::Entity::update_many(), now)
        .col_expr(C::AllocatedGrams, add(C::AllocatedGrams, by.allocated))
        .col_expr(C::DispatchedGrams, add(C::DispatchedGrams, by.dispatched))
        .col_expr(C::DeliveredGrams, add(C::DeliveredGrams, by.delivered))
        .col_expr(
            C::CompleteLines,
            add(C::CompleteLines, i64::from(by.completed)),
        )
        .filter(C::Id.eq(id));
    if only_open {
        update = update.filter(C::Status.eq(NeedStatus::Open));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Grams a shipment's items carry for each need line they serve, with the line's need: (line id,
/// need id) → grams, in line order.
pub async fn served_by(
    db: &impl ConnectionTrait,
    shipment_id: i32,
) -> Result<BTreeMap<(i32, i32), i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        need_line_id: i32,
        need_id: i32,
        grams: i64,
    }
    let rows = shipment_item::Entity::find()
        .select_only()
        .column(shipment_item::Column::NeedLineId)
        .column(need_line::Column::NeedId)
        .column_as(
            Expr::col((shipment_item::Entity, shipment_item::Column::Grams))
                .sum()
                .cast_as("BIGINT"),
            "grams",
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            shipment_item::Entity::belongs_to(need_line::Entity)
                .from(shipment_item::Column::NeedLineId)
                .to(need_line::Column::Id)
                .into(),
        )
        .filter(shipment_item::Column::ShipmentId.eq(shipment_id))
        .group_by(shipment_item::Column::NeedLineId)
        .group_by(need_line::Column::NeedId)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.need_line_id, r.need_id), r.grams))
        .collect())
}

// Bulk writes for the demo data.

/// Inserts needs and their lines that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    needs: Vec<need::Model>,
    lines: Vec<need_line::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<need::ActiveModel>(db, needs).await?;
    crate::store::dataset::insert_with_ids::<need_line::ActiveModel>(db, lines).await
}
