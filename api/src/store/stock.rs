//! Stock on hand, computed in SQL: donations (not cancelled) grouped by collection point,
//! category, region or organization, with what was received, shipped, written off and is still
//! on hand, in one `GROUP BY`.

use birlik_entity::donation;
use birlik_entity::enums::{DonationCategory, DonationStatus};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityName, TryGetable};

/// A dimension stock can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockDimension {
    CollectionPoint,
    Category,
    Region,
    Organization,
}

/// One group of stock: its keys (`None` where not grouped) and its grams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StockGroup {
    pub collection_point_id: Option<i32>,
    pub category: Option<DonationCategory>,
    pub region_id: Option<i32>,
    pub organization_id: Option<i32>,
    /// Grams of the group's donations.
    pub received_grams: i64,
    /// Grams loaded on shipments that are not cancelled.
    pub shipped_grams: i64,
    /// Grams written off.
    pub written_off_grams: i64,
    /// Grams neither shipped nor written off.
    pub on_hand_grams: i64,
}

/// Groups the donations matching `condition` that are not cancelled by `dimensions` (each once,
/// in the order given), in one `GROUP BY`; no dimension gives one row over all of them. From
/// `donation_rollup` when `rolled` (a condition on the columns it keeps only:
/// `store::rollup::answers`), else from the donations themselves.
pub async fn groups(
    db: &impl ConnectionTrait,
    rolled: bool,
    dimensions: &[StockDimension],
    condition: Condition,
) -> Result<Vec<StockGroup>, DbErr> {
    let mut select = Query::select();
    if rolled {
        // Named `donation`, so that the condition's columns name its own.
        select.from_subquery(
            crate::store::rollup::rows_query("donation_rollup"),
            donation::Entity,
        );
        select.and_having(
            Expr::col((donation::Entity, Alias::new("donation_count")))
                .sum()
                .gt(0),
        );
    } else {
        select.from(donation::Entity.table_ref());
    }
    select.cond_where(
        Condition::all()
            .add(condition)
            .add(donation::Column::Status.ne(DonationStatus::Cancelled)),
    );
    let mut grouped: Vec<&str> = Vec::new();
    for d in dimensions {
        let (alias, column) = match d {
            StockDimension::CollectionPoint => {
                ("collection_point_id", donation::Column::CollectionPointId)
            }
            StockDimension::Category => ("category", donation::Column::Category),
            StockDimension::Region => ("region_id", donation::Column::RegionId),
            StockDimension::Organization => ("organization_id", donation::Column::OrganizationId),
        };
        if grouped.contains(&alias) {
            continue;
        }
        let expr = Expr::col((donation::Entity, column));
        select
            .expr_as(expr.clone(), Alias::new(alias))
            .add_group_by([expr.clone()])
            .order_by_expr(expr, Order::Asc);
        grouped.push(alias);
    }
    let col = |c: donation::Column| Expr::col((donation::Entity, c));
    // `CAST(.. AS BIGINT)`: PostgreSQL sums bigints into numeric.
    let sum = |e: Expr| Expr::expr(e.sum()).if_null(0).cast_as("BIGINT");
    select
        .expr_as(sum(col(donation::Column::Grams)), Alias::new("received"))
        .expr_as(
            sum(col(donation::Column::ShippedGrams)),
            Alias::new("shipped"),
        )
        .expr_as(
            sum(col(donation::Column::WrittenOffGrams)),
            Alias::new("written_off"),
        )
        .expr_as(
            sum(col(donation::Column::Grams)
                .sub(col(donation::Column::ShippedGrams))
                .sub(col(donation::Column::WrittenOffGrams))),
            Alias::new("on_hand"),
        );
    let rows = db.query_all(&select).await?;
    fn key<T: TryGetable>(
        row: &sea_orm::QueryResult,
        grouped: &[&str],
        alias: &str,
    ) -> Result<Option<T>, DbErr> {
        if grouped.contains(&alias) {
            row.try_get::<Option<T>>("", alias)
        } else {
            Ok(None)
        }
    }
    rows.iter()
        .map(|row| {
            Ok(StockGroup {
                collection_point_id: key(row, &grouped, "collection_point_id")?,
                category: key(row, &grouped, "category")?,
                region_id: key(row, &grouped, "region_id")?,
                organization_id: key(row, &grouped, "organization_id")?,
                received_grams: row.try_get("", "received")?,
                shipped_grams: row.try_get("", "shipped")?,
                written_off_grams: row.try_get("", "written_off")?,
                on_hand_grams: row.try_get("", "on_hand")?,
            })
        })
        .collect()
}
