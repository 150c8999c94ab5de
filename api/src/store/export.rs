//! The open-data exports' SQL: each dataset is one statement whose rows are streamed from the
//! database (`StreamTrait`), never collected, so an export of any size holds a few rows at a
//! time. The daily donations are `store::stats`'s own `GROUP BY` (the one behind
//! `donationStats`), streamed; the figures of `regions.csv` come from `store::stats` as they are.
//! A dataset's validator ([`validator`]) is one cheap statement over the tables it reads.

use birlik_entity::enums::{
    DonationCategory, DonationStatus, NeedPriority, NeedStatus, OrganizationKind, ShipmentStatus,
};
use birlik_entity::{donation, need, need_line, shelter, shipment};
use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityName, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, Statement, StreamTrait,
};

use crate::store::stats::{DonationDimension, DonationGroup};

/// Rows as the database hands them over.
pub type Rows<'a, T> = BoxStream<'a, Result<T, DbErr>>;

/// What an export is narrowed to, each part optional. Which column each part applies to is the
/// dataset's: the destination region and the delivery time for 3W, the region and `neededBy` for
/// needs, the region and the time received for donations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Narrowing {
    pub region_id: Option<i32>,
    pub category: Option<DonationCategory>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
}

impl Narrowing {
    /// The condition on a region column, a category column and a time column.
    fn condition(
        &self,
        region: impl ColumnTrait,
        category: impl ColumnTrait,
        time: impl ColumnTrait,
    ) -> Condition {
        let mut all = Condition::all();
        if let Some(id) = self.region_id {
            all = all.add(region.eq(id));
        }
        if let Some(c) = self.category {
            all = all.add(category.eq(c.to_value()));
        }
        if let Some(t) = self.from {
            all = all.add(time.gte(t));
        }
        if let Some(t) = self.until {
            all = all.add(time.lt(t));
        }
        all
    }
}

/// One row of the 3W: what an organization delivered of a category from one region to another.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct ThreeWRow {
    pub organization_id: i32,
    pub organization_name: String,
    pub organization_kind: OrganizationKind,
    pub origin_region_id: i32,
    pub destination_region_id: i32,
    pub category: DonationCategory,
    /// `YYYY-MM-DD` in Kazakhstan time.
    pub first_day: String,
    pub last_day: String,
    pub shipment_count: i64,
    pub grams: i64,
}

/// Delivered shipments within `scope` (`store::scope::shipment`), grouped by organization,
/// origin, destination and the category of the donations they carried, in one `GROUP BY`.
pub async fn three_w<'a, C: ConnectionTrait + StreamTrait>(
    db: &'a C,
    scope: Condition,
    narrowing: Narrowing,
) -> Result<Rows<'a, ThreeWRow>, DbErr> {
    use birlik_entity::{organization, shipment_item};
    let backend = ConnectionTrait::get_database_backend(db);
    let day = |f: &str| Expr::cust(crate::store::stats::kz_day(backend, f));
    let col = |c: shipment::Column| Expr::col((shipment::Entity, c));
    let group = [
        col(shipment::Column::OrganizationId),
        Expr::col((organization::Entity, organization::Column::Name)),
        Expr::col((organization::Entity, organization::Column::Kind)),
        col(shipment::Column::OriginRegionId),
        col(shipment::Column::DestinationRegionId),
        Expr::col((donation::Entity, donation::Column::Category)),
    ];
    let aliases = [
        "organization_id",
        "organization_name",
        "organization_kind",
        "origin_region_id",
        "destination_region_id",
        "category",
    ];
    let mut select = Query::select();
    select
        .from(shipment::Entity.table_ref())
        .inner_join(
            shipment_item::Entity.table_ref(),
            Expr::col((shipment_item::Entity, shipment_item::Column::ShipmentId))
                .equals((shipment::Entity, shipment::Column::Id)),
        )
        .inner_join(
            donation::Entity.table_ref(),
            Expr::col((donation::Entity, donation::Column::Id))
                .equals((shipment_item::Entity, shipment_item::Column::DonationId)),
        )
        .inner_join(
            organization::Entity.table_ref(),
            Expr::col((organization::Entity, organization::Column::Id))
                .equals((shipment::Entity, shipment::Column::OrganizationId)),
        )
        .cond_where(
            Condition::all()
                .add(scope)
                .add(shipment::Column::Status.eq(ShipmentStatus::Delivered.to_value()))
                .add(narrowing.condition(
                    shipment::Column::DestinationRegionId,
                    donation::Column::Category,
                    shipment::Column::DeliveredAt,
                )),
        );
    for (expr, alias) in group.iter().zip(aliases) {
        select
            .expr_as(expr.clone(), Alias::new(alias))
            .add_group_by([expr.clone()]);
    }
    select
        .expr_as(day("MIN(shipment.delivered_at)"), Alias::new("first_day"))
        .expr_as(day("MAX(shipment.delivered_at)"), Alias::new("last_day"))
        .expr_as(
            Expr::col((shipment::Entity, shipment::Column::Id))
                .count_distinct()
                .cast_as("BIGINT"),
            Alias::new("shipment_count"),
        )
        .expr_as(
            Expr::expr(Expr::col((shipment_item::Entity, shipment_item::Column::Grams)).sum())
                .if_null(0)
                .cast_as("BIGINT"),
            Alias::new("grams"),
        );
    for expr in [&group[1], &group[0], &group[3], &group[4], &group[5]] {
        select.order_by_expr((*expr).clone(), Order::Asc);
    }
    let rows = db.stream(&select).await?;
    Ok(rows
        .map(|row| row.and_then(|r| ThreeWRow::from_query_result(&r, "")))
        .boxed())
}

/// One line of a need, with what of its need an export shows.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct NeedLineRow {
    pub need_id: i32,
    pub line_id: i32,
    pub region_id: i32,
    pub place: String,
    pub shelter_name: Option<String>,
    pub priority: NeedPriority,
    pub status: NeedStatus,
    pub needed_by: DateTime<Utc>,
    pub category: DonationCategory,
    pub requested_grams: i64,
    pub allocated_grams: i64,
    pub dispatched_grams: i64,
    pub delivered_grams: i64,
    /// `none`, `partial` or `complete` (`store::need::line_fulfilment_sql`).
    pub fulfilment: String,
}

/// Every need line (needs are public), most urgent need first, then by need and line.
pub async fn need_lines<'a, C: ConnectionTrait + StreamTrait>(
    db: &'a C,
    narrowing: Narrowing,
) -> Result<Rows<'a, NeedLineRow>, DbErr> {
    let n = |c: need::Column| Expr::col((need::Entity, c));
    let l = |c: need_line::Column| Expr::col((need_line::Entity, c));
    let mut select = Query::select();
    select
        .from(need_line::Entity.table_ref())
        .inner_join(
            need::Entity.table_ref(),
            n(need::Column::Id).equals((need_line::Entity, need_line::Column::NeedId)),
        )
        .left_join(
            shelter::Entity.table_ref(),
            Expr::col((shelter::Entity, shelter::Column::Id))
                .equals((need::Entity, need::Column::ShelterId)),
        )
        .expr_as(n(need::Column::Id), Alias::new("need_id"))
        .expr_as(l(need_line::Column::Id), Alias::new("line_id"))
        .expr_as(n(need::Column::RegionId), Alias::new("region_id"))
        .expr_as(n(need::Column::Place), Alias::new("place"))
        .expr_as(
            Expr::col((shelter::Entity, shelter::Column::Name)),
            Alias::new("shelter_name"),
        )
        .expr_as(n(need::Column::Priority), Alias::new("priority"))
        .expr_as(n(need::Column::Status), Alias::new("status"))
        .expr_as(n(need::Column::NeededBy), Alias::new("needed_by"))
        .expr_as(l(need_line::Column::Category), Alias::new("category"))
        .expr_as(
            l(need_line::Column::RequestedGrams),
            Alias::new("requested_grams"),
        )
        .expr_as(
            l(need_line::Column::AllocatedGrams),
            Alias::new("allocated_grams"),
        )
        .expr_as(
            l(need_line::Column::DispatchedGrams),
            Alias::new("dispatched_grams"),
        )
        .expr_as(
            l(need_line::Column::DeliveredGrams),
            Alias::new("delivered_grams"),
        )
        .expr_as(
            crate::store::need::line_fulfilment_sql(),
            Alias::new("fulfilment"),
        )
        .cond_where(narrowing.condition(
            need::Column::RegionId,
            need_line::Column::Category,
            need::Column::NeededBy,
        ))
        .order_by_expr(n(need::Column::Priority), Order::Asc)
        .order_by_expr(n(need::Column::NeededBy), Order::Asc)
        .order_by_expr(n(need::Column::Id), Order::Asc)
        .order_by_expr(l(need_line::Column::Id), Order::Asc);
    let rows = db.stream(&select).await?;
    Ok(rows
        .map(|row| row.and_then(|r| NeedLineRow::from_query_result(&r, "")))
        .boxed())
}

/// Every shelter (public), in one region or all, by region and id.
pub async fn shelters<'a, C: ConnectionTrait + StreamTrait>(
    db: &'a C,
    region_id: Option<i32>,
) -> Result<Rows<'a, shelter::Model>, DbErr> {
    let mut find = shelter::Entity::find();
    if let Some(id) = region_id {
        find = find.filter(shelter::Column::RegionId.eq(id));
    }
    Ok(find
        .order_by_asc(shelter::Column::RegionId)
        .order_by_asc(shelter::Column::Id)
        .stream(db)
        .await?
        .boxed())
}

/// Non-cancelled donations within `scope` (`store::scope::donation`) grouped by Kazakhstan day,
/// region and category: `store::stats`'s `GROUP BY` (that of `donationStats`), streamed.
pub async fn donations_daily<'a, C: ConnectionTrait + StreamTrait>(
    db: &'a C,
    scope: Condition,
    narrowing: Narrowing,
) -> Result<Rows<'a, DonationGroup>, DbErr> {
    let condition = Condition::all()
        .add(scope)
        .add(donation::Column::Status.ne(DonationStatus::Cancelled.to_value()))
        .add(narrowing.condition(
            donation::Column::RegionId,
            donation::Column::Category,
            donation::Column::ReceivedAt,
        ));
    let (select, dims) = crate::store::stats::donation_groups_select(
        ConnectionTrait::get_database_backend(db),
        crate::store::stats::DonationSource::Rows,
        &[
            DonationDimension::Day,
            DonationDimension::Region,
            DonationDimension::Category,
        ],
        condition,
    );
    let rows = db.stream(&select).await?;
    Ok(rows
        .map(move |row| row.and_then(|r| crate::store::stats::donation_group(&r, &dims)))
        .boxed())
}

/// A table whose rows an export reads, for its validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Need,
    NeedLine,
    Shelter,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Need => need::Entity.table_name(),
            Table::NeedLine => need_line::Entity.table_name(),
            Table::Shelter => shelter::Entity.table_name(),
        }
    }
}

/// A text that changes whenever any row of `tables` is inserted or changed: per table its row
/// count, the sum of its rows' versions (every change adds one, `store::touched`) and its latest
/// `updated_at`, in one statement. Rows are never deleted from these tables.
pub async fn validator(db: &impl ConnectionTrait, tables: &[Table]) -> Result<String, DbErr> {
    let parts: Vec<String> = tables
        .iter()
        .map(|t| {
            let name = t.name();
            format!(
                "(SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(SUM(version), 0) AS TEXT) \
                 || ':' || COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM {name})"
            )
        })
        .collect();
    let sql = format!("SELECT {} AS v", parts.join(" || '/' || "));
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("no row from a validator".into()))?;
    row.try_get::<String>("", "v")
}
