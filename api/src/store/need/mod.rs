//! Needs and their lines: the board's order and filter, reading needs and their lines, the totals
//! over a filter; raising, closing and cancelling a need (`write`); the aggregates (`stats`).
//!
//! A need carries the sums of its lines (kept by whoever changes a line, in the same
//! transaction), so its fulfilment and outstanding kilograms are expressions over one row:
//! [`fulfilment_sql`] and [`outstanding_sql`], the SQL twins of the rules the services state.

mod stats;
mod write;

pub use stats::{
    NeedDimension, NeedGroup, NeedSource, NeededCategory, groups, needed_categories, rollup_answers,
};
pub use write::{NewNeed, close, insert};

use birlik_entity::{enums, need, need_line};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder,
};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{self, KeyValue, sort_fields};

sort_fields!(
    /// What needs can be ordered by.
    SortField of need {
        Priority => "PRIORITY", Priority, |r| KeyValue::Int(r.priority.to_value().into());
        NeededBy => "NEEDED_BY", NeededBy, |r| KeyValue::Time(r.needed_by);
        RequestedKilograms => "REQUESTED_KILOGRAMS", RequestedGrams, |r| KeyValue::Int(r.requested_grams);
        DeliveredKilograms => "DELIVERED_KILOGRAMS", DeliveredGrams, |r| KeyValue::Int(r.delivered_grams);
        Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// An ordering of needs.
pub type Ordering = page::Ordering<SortField>;

/// The board's order: most urgent first (priority is stored as its rank, 1 = urgent), then the
/// soonest needed.
pub fn most_urgent_first() -> Ordering {
    page::Ordering(vec![
        (SortField::Priority, false),
        (SortField::NeededBy, false),
    ])
}

/// How far a need or a line is met, derived from its figures (never stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fulfilment {
    /// Nothing delivered.
    None,
    /// Something delivered, not everything.
    Partial,
    /// Everything delivered.
    Complete,
}

impl Fulfilment {
    /// The text [`fulfilment_sql`] and [`line_fulfilment_sql`] give for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Fulfilment::None => "none",
            Fulfilment::Partial => "partial",
            Fulfilment::Complete => "complete",
        }
    }

    /// The fulfilment named by `text` (as the SQL forms give it).
    pub fn from_sql(text: &str) -> Option<Fulfilment> {
        [Fulfilment::None, Fulfilment::Partial, Fulfilment::Complete]
            .into_iter()
            .find(|f| f.as_str() == text)
    }
}

/// A need's fulfilment over its row: complete when every line is, none when nothing was
/// delivered, else partial. Literal SQL (no bound values), so it can be grouped by.
pub fn fulfilment_sql() -> SimpleExpr {
    Expr::cust(
        "(CASE WHEN need.complete_lines = need.line_count THEN 'complete' \
         WHEN need.delivered_grams = 0 THEN 'none' ELSE 'partial' END)",
    )
}

/// A line's fulfilment over its row (and its need's, joined).
pub fn line_fulfilment_sql() -> SimpleExpr {
    Expr::cust(
        "(CASE WHEN need_line.delivered_grams = 0 THEN 'none' \
         WHEN need_line.delivered_grams >= need_line.requested_grams THEN 'complete' \
         ELSE 'partial' END)",
    )
}

/// A need's outstanding grams: what no shipment covers yet while it is open, else 0.
pub fn outstanding_sql() -> SimpleExpr {
    Expr::cust(
        "(CASE WHEN need.status = 'open' THEN need.requested_grams - need.allocated_grams \
         ELSE 0 END)",
    )
}

/// One condition on a need.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// Its id.
    Id(Cmp<i32>),
    /// The ISO code of its region.
    RegionCode(Text),
    /// A category one of its lines asks for.
    Category(Cmp<enums::DonationCategory>),
    /// Its priority.
    Priority(Cmp<enums::NeedPriority>),
    /// Its status.
    Status(Cmp<enums::NeedStatus>),
    /// Its fulfilment.
    Fulfilment(Cmp<Fulfilment>),
    /// The raising organization's id (null: raised by the ministry).
    OrganizationId(Cmp<i32>),
    /// Its shelter's id.
    ShelterId(Cmp<i32>),
    /// When it is needed by.
    NeededBy(Cmp<DateTime<Utc>>),
    /// When it was raised.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When it last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use need::Column as C;
        let c = |column: C| Expr::col((need::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            Where::Category(f) => {
                // Needs with a line whose category compares so.
                let lines = Query::select()
                    .column(need_line::Column::NeedId)
                    .from(need_line::Entity.table_ref())
                    .cond_where(f.enum_condition(Expr::col((
                        need_line::Entity,
                        need_line::Column::Category,
                    ))))
                    .to_owned();
                Condition::all().add(c(C::Id).in_subquery(lines))
            }
            Where::Priority(f) => f.map(|p| p.to_value()).condition(c(C::Priority)),
            Where::Status(f) => f.enum_condition(c(C::Status)),
            Where::Fulfilment(f) => f.map(|x| x.as_str()).condition(fulfilment_sql()),
            Where::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            Where::ShelterId(f) => f.condition(c(C::ShelterId)),
            Where::NeededBy(f) => f.condition(c(C::NeededBy)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            Where::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// Count and grams of the needs matching a condition, in one statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct Totals {
    pub count: i64,
    pub requested_grams: i64,
    pub delivered_grams: i64,
    pub outstanding_grams: i64,
}

/// The aggregates of [`Totals`], named as its fields (each zero over no rows).
pub fn totals_columns() -> page::TotalsColumns {
    let sum = |e: SimpleExpr| Expr::expr(Expr::expr(e).sum()).if_null(0).cast_as("BIGINT");
    vec![
        (
            "count",
            Expr::col(sea_orm::sea_query::Asterisk)
                .count()
                .cast_as("BIGINT"),
        ),
        (
            "requested_grams",
            sum(Expr::col((need::Entity, need::Column::RequestedGrams))),
        ),
        (
            "delivered_grams",
            sum(Expr::col((need::Entity, need::Column::DeliveredGrams))),
        ),
        ("outstanding_grams", sum(outstanding_sql())),
    ]
}

/// [`Totals`] of the needs matching `condition`.
pub async fn totals(db: &impl ConnectionTrait, condition: Condition) -> Result<Totals, DbErr> {
    page::totals::<need::Entity, Totals>(db, condition, totals_columns()).await
}

/// The need with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<need::Model>, DbErr> {
    need::Entity::find_by_id(id).one(db).await
}

/// The lines of these needs, in the order they were asked for.
pub async fn lines_of(
    db: &impl ConnectionTrait,
    need_ids: &[i32],
) -> Result<Vec<need_line::Model>, DbErr> {
    need_line::Entity::find()
        .filter(need_line::Column::NeedId.is_in(need_ids.iter().copied()))
        .order_by_asc(need_line::Column::Id)
        .all(db)
        .await
}
