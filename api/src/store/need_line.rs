//! Need lines as shipments serve them: reading a line with its need, and moving kilograms through
//! its figures (allocated → dispatched → delivered) and the need's sums in the caller's
//! transaction. Allocation is one conditional UPDATE (`allocated + x <= requested`), so however
//! many planners race for a line none over-allocates it; the line's CHECK stands behind it. Every
//! other move adds to a figure: an UPDATE of `figure = figure + x`, which PostgreSQL re-applies to
//! the newest row after a concurrent writer commits, so no move is lost. Lines are moved before
//! their needs (at planning in ascending id order), so that two transactions do not wait for each
//! other in a circle.

use birlik_entity::enums::NeedStatus;
use birlik_entity::{need, need_line, shipment_item};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

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

/// The status of the need with this id.
pub async fn need_status(db: &impl ConnectionTrait, id: i32) -> Result<Option<NeedStatus>, DbErr> {
    need::Entity::find_by_id(id)
        .select_only()
        .column(need::Column::Status)
        .into_tuple()
        .one(db)
        .await
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

/// Adds a move to the need's sums (`allocated` grams more), only if the need is still open.
/// False when it is not (nothing changed).
pub async fn allocate_to_need(
    db: &impl ConnectionTrait,
    id: i32,
    grams: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use need::Column as C;
    let result = crate::store::touched(need::Entity::update_many(), now)
        .col_expr(C::AllocatedGrams, Expr::col(C::AllocatedGrams).add(grams))
        .filter(C::Id.eq(id))
        .filter(C::Status.eq(NeedStatus::Open))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// True when some item of the shipment serves a need line.
pub async fn serves_any(db: &impl ConnectionTrait, shipment_id: i32) -> Result<bool, DbErr> {
    let found: Option<i32> = shipment_item::Entity::find()
        .select_only()
        .column(shipment_item::Column::Id)
        .filter(shipment_item::Column::ShipmentId.eq(shipment_id))
        .filter(shipment_item::Column::NeedLineId.is_not_null())
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Moves what a shipment's items carry for need lines by one figure, `sign` 1 (added) or -1
/// (taken away), on every line they serve and on those lines' needs, in two UPDATEs whatever the
/// number of lines. A delivery also counts, in each need, its lines that are complete now: a
/// line this shipment serves that is complete after its delivered kilograms grew was not
/// complete before.
pub async fn shift_served(
    db: &impl ConnectionTrait,
    shipment_id: i32,
    figure: Figure,
    sign: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Alias, Query, SelectStatement, SimpleExpr, SubQueryStatement};
    let sub = |q: SelectStatement| {
        SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(q)))
    };
    let (i, l) = (Alias::new("i"), Alias::new("l"));
    let item = |c: shipment_item::Column| Expr::col((i.clone(), c));
    let line = |c: need_line::Column| Expr::col((l.clone(), c));
    let grams_sum = || item(shipment_item::Column::Grams).sum().cast_as("BIGINT");
    // The lines this shipment's items serve.
    let served = Query::select()
        .column(shipment_item::Column::NeedLineId)
        .from(shipment_item::Entity)
        .and_where(Expr::col(shipment_item::Column::ShipmentId).eq(shipment_id))
        .and_where(Expr::col(shipment_item::Column::NeedLineId).is_not_null())
        .to_owned();
    let for_line = Query::select()
        .expr(grams_sum())
        .from_as(shipment_item::Entity, i.clone())
        .and_where(item(shipment_item::Column::ShipmentId).eq(shipment_id))
        .and_where(
            item(shipment_item::Column::NeedLineId)
                .equals((need_line::Entity, need_line::Column::Id)),
        )
        .to_owned();
    let (line_column, need_column) = match figure {
        Figure::Allocated => (
            need_line::Column::AllocatedGrams,
            need::Column::AllocatedGrams,
        ),
        Figure::Dispatched => (
            need_line::Column::DispatchedGrams,
            need::Column::DispatchedGrams,
        ),
        Figure::Delivered => (
            need_line::Column::DeliveredGrams,
            need::Column::DeliveredGrams,
        ),
    };
    let moved = |column: SimpleExpr, by: SimpleExpr| {
        if sign < 0 {
            column.sub(by)
        } else {
            column.add(by)
        }
    };
    crate::store::touched(need_line::Entity::update_many(), now)
        .col_expr(line_column, moved(Expr::col(line_column), sub(for_line)))
        .filter(need_line::Column::Id.in_subquery(served.clone()))
        .exec(db)
        .await?;

    let for_need = Query::select()
        .expr(grams_sum())
        .from_as(shipment_item::Entity, i.clone())
        .join_as(
            sea_orm::JoinType::InnerJoin,
            need_line::Entity,
            l.clone(),
            line(need_line::Column::Id).equals((i.clone(), shipment_item::Column::NeedLineId)),
        )
        .and_where(item(shipment_item::Column::ShipmentId).eq(shipment_id))
        .and_where(line(need_line::Column::NeedId).equals((need::Entity, need::Column::Id)))
        .to_owned();
    let needs = Query::select()
        .column(need_line::Column::NeedId)
        .from(need_line::Entity)
        .and_where(Expr::col(need_line::Column::Id).in_subquery(served.clone()))
        .to_owned();
    let mut update = crate::store::touched(need::Entity::update_many(), now)
        .col_expr(need_column, moved(Expr::col(need_column), sub(for_need)))
        .filter(need::Column::Id.in_subquery(needs));
    if figure == Figure::Delivered {
        let completed = Query::select()
            .expr(Expr::col(Asterisk).count().cast_as("INTEGER"))
            .from_as(need_line::Entity, l.clone())
            .and_where(line(need_line::Column::NeedId).equals((need::Entity, need::Column::Id)))
            .and_where(
                line(need_line::Column::DeliveredGrams)
                    .equals((l.clone(), need_line::Column::RequestedGrams)),
            )
            .and_where(line(need_line::Column::Id).in_subquery(served))
            .to_owned();
        update = update.col_expr(
            need::Column::CompleteLines,
            Expr::col(need::Column::CompleteLines).add(sub(completed)),
        );
    }
    update.exec(db).await?;
    Ok(())
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
