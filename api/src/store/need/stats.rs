//! Aggregates over need lines, in SQL: `needStats`' groups and what open needs still lack per
//! category (`neededCategories`).

use birlik_entity::enums::{DonationCategory, NeedPriority};
use birlik_entity::{need, need_line};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{Condition, ConnectionTrait, DbErr, EntityName, JoinType, TryGetable};

use super::{Fulfilment, Where, line_fulfilment_sql};
use crate::store::filter::Tree;

/// A dimension need lines can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedDimension {
    Region,
    Category,
    Priority,
    /// The line's fulfilment.
    Fulfilment,
    Organization,
}

/// One group of need lines: its keys (none where not grouped) and its figures in grams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NeedGroup {
    pub region_id: Option<i32>,
    pub category: Option<DonationCategory>,
    pub priority: Option<NeedPriority>,
    pub fulfilment: Option<Fulfilment>,
    pub organization_id: Option<i32>,
    pub line_count: i64,
    pub requested_grams: i64,
    pub allocated_grams: i64,
    pub delivered_grams: i64,
    pub outstanding_grams: i64,
}

/// A line's outstanding grams: what no shipment covers yet while its need is open, else 0.
fn line_outstanding_sql() -> SimpleExpr {
    Expr::cust(
        "(CASE WHEN need.status = 'open' THEN need_line.requested_grams - need_line.allocated_grams \
         ELSE 0 END)",
    )
}

/// What a need-line grouping reads: the lines themselves, or their rollup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedSource {
    /// Every need line joined to its need (the bare `GROUP BY`).
    Lines,
    /// `need_rollup`: the lines summed by every dimension and the need's status, for a filter
    /// the rollup answers exactly ([`rollup_answers`]).
    Rollup,
}

/// Whether `need_rollup` answers a need filter exactly: every leaf names a column of the need
/// that the rollup keeps (its region, priority, status, raising organization). A condition on
/// a category or a fulfilment selects whole needs by one of their lines, which a rollup of
/// lines cannot tell apart.
pub fn rollup_answers(tree: &Tree<Where>) -> bool {
    tree.every_leaf(&|leaf| {
        matches!(
            leaf,
            Where::RegionCode(_) | Where::Priority(_) | Where::Status(_) | Where::OrganizationId(_)
        )
    })
}

/// `need_rollup`'s rows (table and log) under the names of the `need` columns a filter
/// compares (`region_id`, `priority`, `status`, `organization_id`, null for the ministry's),
/// to be read as `need`.
fn rollup_rows() -> SelectStatement {
    let columns = "region_id, category, CAST(priority AS INTEGER) AS priority, fulfilment, \
                   NULLIF(organization_id, 0) AS organization_id, need_status AS status, \
                   line_count, requested_grams, allocated_grams, delivered_grams, \
                   outstanding_grams";
    Query::select()
        .expr(Expr::cust(columns))
        .from_subquery(
            crate::store::rollup::rows_query("need_rollup"),
            Alias::new("r"),
        )
        .to_owned()
}

/// Groups the lines of the needs matching `condition` by `dimensions`, in one `GROUP BY` over
/// `source`.
pub async fn groups(
    db: &impl ConnectionTrait,
    source: NeedSource,
    dimensions: &[NeedDimension],
    condition: Condition,
) -> Result<Vec<NeedGroup>, DbErr> {
    let mut select = Query::select();
    match source {
        NeedSource::Lines => select.from(need_line::Entity.table_ref()).join(
            JoinType::InnerJoin,
            need::Entity.table_ref(),
            Expr::col((need::Entity, need::Column::Id))
                .equals((need_line::Entity, need_line::Column::NeedId)),
        ),
        // The rollup goes by the name `need`, so that the condition's columns name its own.
        NeedSource::Rollup => select.from_subquery(rollup_rows(), need::Entity),
    };
    select.cond_where(condition);
    // A line's columns: the line's own, or the rollup's of the same name.
    let line = |c: need_line::Column| -> SimpleExpr {
        match source {
            NeedSource::Lines => Expr::col((need_line::Entity, c)),
            NeedSource::Rollup => Expr::col((need::Entity, c)),
        }
    };
    let mut grouped: Vec<&str> = Vec::new();
    for d in dimensions {
        let (alias, expr): (&str, SimpleExpr) = match d {
            NeedDimension::Region => (
                "region_id",
                Expr::col((need::Entity, need::Column::RegionId)),
            ),
            NeedDimension::Category => ("category", line(need_line::Column::Category)),
            NeedDimension::Priority => (
                "priority",
                Expr::col((need::Entity, need::Column::Priority)),
            ),
            NeedDimension::Fulfilment => match source {
                NeedSource::Lines => ("fulfilment", line_fulfilment_sql()),
                NeedSource::Rollup => ("fulfilment", Expr::cust("need.fulfilment")),
            },
            NeedDimension::Organization => (
                "organization_id",
                Expr::col((need::Entity, need::Column::OrganizationId)),
            ),
        };
        if grouped.contains(&alias) {
            continue;
        }
        select
            .expr_as(expr.clone(), Alias::new(alias))
            .add_group_by([expr.clone()])
            .order_by_expr(expr, Order::Asc);
        grouped.push(alias);
    }
    let sum = |e: SimpleExpr| Expr::expr(Expr::expr(e).sum()).if_null(0).cast_as("BIGINT");
    let rolled = |name: &str| -> SimpleExpr { Expr::col((need::Entity, Alias::new(name))) };
    let (count, outstanding) = match source {
        NeedSource::Lines => (
            Expr::col((need_line::Entity, need_line::Column::Id))
                .count()
                .cast_as("BIGINT"),
            sum(line_outstanding_sql()),
        ),
        NeedSource::Rollup => {
            // A rollup row whose lines all moved on is kept at zero: no group (but one row
            // over everything, as the bare `GROUP BY` gives, when nothing is grouped).
            if !grouped.is_empty() {
                select.and_having(Expr::expr(rolled("line_count")).sum().gt(0));
            }
            (sum(rolled("line_count")), sum(rolled("outstanding_grams")))
        }
    };
    select
        .expr_as(count, Alias::new("n"))
        .expr_as(
            sum(line(need_line::Column::RequestedGrams)),
            Alias::new("requested"),
        )
        .expr_as(
            sum(line(need_line::Column::AllocatedGrams)),
            Alias::new("allocated"),
        )
        .expr_as(
            sum(line(need_line::Column::DeliveredGrams)),
            Alias::new("delivered"),
        )
        .expr_as(outstanding, Alias::new("outstanding"));
    let rows = db.query_all(&select).await?;
    fn get<T: TryGetable>(
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
            let fulfilment: Option<String> = get(row, &grouped, "fulfilment")?;
            Ok(NeedGroup {
                region_id: get(row, &grouped, "region_id")?,
                category: get(row, &grouped, "category")?,
                priority: get(row, &grouped, "priority")?,
                fulfilment: fulfilment.as_deref().and_then(Fulfilment::from_sql),
                organization_id: get(row, &grouped, "organization_id")?,
                line_count: row.try_get("", "n")?,
                requested_grams: row.try_get("", "requested")?,
                allocated_grams: row.try_get("", "allocated")?,
                delivered_grams: row.try_get("", "delivered")?,
                outstanding_grams: row.try_get("", "outstanding")?,
            })
        })
        .collect()
}

/// What open needs still lack of one category: grams no shipment covers yet, the highest
/// priority among the needs that lack it, and the regions that do, most lacking first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeededCategory {
    pub category: DonationCategory,
    pub outstanding_grams: i64,
    pub highest_priority: NeedPriority,
    /// (region id, outstanding grams there), most lacking first.
    pub regions: Vec<(i32, i64)>,
}

/// Outstanding grams of open needs per category and region (in one region, or all when
/// `region_id` is `None`), in one `GROUP BY`; gathered per category, the highest priority first,
/// then the most lacking.
pub async fn needed_categories(
    db: &impl ConnectionTrait,
    region_id: Option<i32>,
) -> Result<Vec<NeededCategory>, DbErr> {
    let category = Expr::col((need_line::Entity, need_line::Column::Category));
    let region = Expr::col((need::Entity, need::Column::RegionId));
    let outstanding = Expr::col((need_line::Entity, need_line::Column::RequestedGrams)).sub(
        Expr::col((need_line::Entity, need_line::Column::AllocatedGrams)),
    );
    let mut select = Query::select();
    select
        .from(need_line::Entity.table_ref())
        .join(
            JoinType::InnerJoin,
            need::Entity.table_ref(),
            Expr::col((need::Entity, need::Column::Id))
                .equals((need_line::Entity, need_line::Column::NeedId)),
        )
        .and_where(Expr::col((need::Entity, need::Column::Status)).eq("open"))
        .and_where(outstanding.clone().gt(0))
        .expr_as(category.clone(), Alias::new("category"))
        .expr_as(region.clone(), Alias::new("region_id"))
        .expr_as(
            Expr::col((need::Entity, need::Column::Priority)).min(),
            Alias::new("priority"),
        )
        .expr_as(
            Expr::expr(outstanding.sum()).cast_as("BIGINT"),
            Alias::new("grams"),
        )
        .add_group_by([category, region]);
    if let Some(id) = region_id {
        select.and_where(Expr::col((need::Entity, need::Column::RegionId)).eq(id));
    }
    let rows = db.query_all(&select).await?;
    let mut out: Vec<NeededCategory> = Vec::new();
    for row in &rows {
        let category: DonationCategory = row.try_get("", "category")?;
        let region: i32 = row.try_get("", "region_id")?;
        let priority: NeedPriority = row.try_get("", "priority")?;
        let grams: i64 = row.try_get("", "grams")?;
        match out.iter_mut().find(|c| c.category == category) {
            Some(c) => {
                c.outstanding_grams += grams;
                c.highest_priority = rank_min(c.highest_priority, priority);
                c.regions.push((region, grams));
            }
            None => out.push(NeededCategory {
                category,
                outstanding_grams: grams,
                highest_priority: priority,
                regions: vec![(region, grams)],
            }),
        }
    }
    for c in &mut out {
        c.regions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    out.sort_by(|a, b| {
        rank(a.highest_priority)
            .cmp(&rank(b.highest_priority))
            .then(b.outstanding_grams.cmp(&a.outstanding_grams))
            .then(category_text(a.category).cmp(&category_text(b.category)))
    });
    Ok(out)
}

fn rank(p: NeedPriority) -> i32 {
    use sea_orm::ActiveEnum;
    p.to_value()
}

fn rank_min(a: NeedPriority, b: NeedPriority) -> NeedPriority {
    if rank(b) < rank(a) { b } else { a }
}

fn category_text(c: DonationCategory) -> String {
    use sea_orm::ActiveEnum;
    c.to_value()
}
