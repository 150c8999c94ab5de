//! The campaign's figures, computed in SQL: one statement gives every region's collected,
//! shipped-out, received and written-off grams, its volunteers and collection points, its open
//! needs and what they lack, its open shelters with their people, children and capacity, and the
//! count of verified organizations. The headline summary and the regions overview both come from it.
//! They, and donation groups a rollup can answer, read the rollups (`store::rollup`): a few
//! hundred rows instead of every donation; the bare `GROUP BY`s stay, as the fallback and the
//! reference the rollups are verified against.
//! Size: every aggregate's statement in one place, each beside the rollup one that must equal it.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

/// Figures of one region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromQueryResult)]
pub struct RegionFigures {
    pub region_id: i32,
    /// Under the state of emergency.
    pub affected: bool,
    /// Grams of its non-cancelled donations.
    pub collected_grams: i64,
    /// Grams on dispatched or delivered shipments leaving it.
    pub shipped_out_grams: i64,
    /// Grams on delivered shipments arriving in it.
    pub received_grams: i64,
    /// Volunteers attached to its headquarters.
    pub volunteer_count: i64,
    /// Collection points registered in it.
    pub collection_point_count: i64,
    /// Verified organizations, campaign-wide (the same on every row).
    pub verified_organization_count: i64,
    /// Grams of its non-cancelled donations written off (taken out of stock unshipped).
    pub written_off_grams: i64,
    /// Open needs raised for it.
    pub open_need_count: i64,
    /// Grams its open needs still lack: requested minus allocated.
    pub outstanding_need_grams: i64,
    /// Its open shelters.
    pub open_shelter_count: i64,
    /// People in its open shelters at their latest counts.
    pub people_in_shelters: i64,
    /// Children among them.
    pub children_in_shelters: i64,
    /// The capacity of its open shelters, in people.
    pub shelter_capacity: i64,
}

// One statement, identical on SQLite and PostgreSQL: each table is aggregated once, grouped by
// region, and joined to the 20 regions (correlated subqueries per region took three times as
// long on the demo data). `CAST(.. AS BIGINT)`: PostgreSQL sums bigints into numeric.
const FIGURES_SQL: &str = "
SELECT r.id AS region_id, r.affected AS affected,
  CAST(COALESCE(d.grams, 0) AS BIGINT) AS collected_grams,
  CAST(COALESCE(o.grams, 0) AS BIGINT) AS shipped_out_grams,
  CAST(COALESCE(i.grams, 0) AS BIGINT) AS received_grams,
  CAST(COALESCE(v.n, 0) AS BIGINT) AS volunteer_count,
  CAST(COALESCE(c.n, 0) AS BIGINT) AS collection_point_count,
  CAST((SELECT COUNT(*) FROM organization WHERE verified_at IS NOT NULL) AS BIGINT)
    AS verified_organization_count,
  CAST(COALESCE(d.written_off, 0) AS BIGINT) AS written_off_grams,
  CAST(COALESCE(n.n, 0) AS BIGINT) AS open_need_count,
  CAST(COALESCE(n.outstanding, 0) AS BIGINT) AS outstanding_need_grams,
  CAST(COALESCE(h.n, 0) AS BIGINT) AS open_shelter_count,
  CAST(COALESCE(h.people, 0) AS BIGINT) AS people_in_shelters,
  CAST(COALESCE(h.children, 0) AS BIGINT) AS children_in_shelters,
  CAST(COALESCE(h.capacity, 0) AS BIGINT) AS shelter_capacity
FROM region r
LEFT JOIN (SELECT region_id, SUM(grams) AS grams, SUM(written_off_grams) AS written_off
           FROM donation WHERE status <> 'cancelled' GROUP BY region_id) d ON d.region_id = r.id
LEFT JOIN (SELECT s.origin_region_id AS region_id, SUM(si.grams) AS grams
           FROM shipment_item si JOIN shipment s ON s.id = si.shipment_id
           WHERE s.status IN ('dispatched', 'delivered') GROUP BY s.origin_region_id) o
  ON o.region_id = r.id
LEFT JOIN (SELECT s.destination_region_id AS region_id, SUM(si.grams) AS grams
           FROM shipment_item si JOIN shipment s ON s.id = si.shipment_id
           WHERE s.status = 'delivered' GROUP BY s.destination_region_id) i ON i.region_id = r.id
LEFT JOIN (SELECT region_id, COUNT(*) AS n FROM volunteer GROUP BY region_id) v
  ON v.region_id = r.id
LEFT JOIN (SELECT region_id, COUNT(*) AS n FROM collection_point GROUP BY region_id) c
  ON c.region_id = r.id
LEFT JOIN (SELECT region_id, COUNT(*) AS n, SUM(requested_grams - allocated_grams) AS outstanding
           FROM need WHERE status = 'open' GROUP BY region_id) n ON n.region_id = r.id
LEFT JOIN (SELECT region_id, COUNT(*) AS n, SUM(people) AS people, SUM(children) AS children,
                  SUM(capacity) AS capacity
           FROM shelter WHERE status = 'open' GROUP BY region_id) h ON h.region_id = r.id
ORDER BY r.id";

// The same figures from the rollups, which triggers keep exact (`store::rollup`); each rollup's
// rows are its table's and its log's (`store::rollup::rows_of`).
fn rollup_figures_sql() -> String {
    use crate::store::rollup::rows_of;
    format!(
        "
SELECT r.id AS region_id, r.affected AS affected,
  CAST(COALESCE(d.grams, 0) AS BIGINT) AS collected_grams,
  CAST(COALESCE(o.grams, 0) AS BIGINT) AS shipped_out_grams,
  CAST(COALESCE(i.grams, 0) AS BIGINT) AS received_grams,
  CAST(COALESCE(g.volunteer_count, 0) AS BIGINT) AS volunteer_count,
  CAST(COALESCE(g.collection_point_count, 0) AS BIGINT) AS collection_point_count,
  CAST((SELECT COALESCE(SUM(organization_count), 0) FROM {organizations} x WHERE verified = 1)
    AS BIGINT) AS verified_organization_count,
  CAST(COALESCE(d.written_off, 0) AS BIGINT) AS written_off_grams,
  CAST(COALESCE(g.open_need_count, 0) AS BIGINT) AS open_need_count,
  CAST(COALESCE(g.outstanding_need_grams, 0) AS BIGINT) AS outstanding_need_grams,
  CAST(COALESCE(g.open_shelter_count, 0) AS BIGINT) AS open_shelter_count,
  CAST(COALESCE(g.people_in_shelters, 0) AS BIGINT) AS people_in_shelters,
  CAST(COALESCE(g.children_in_shelters, 0) AS BIGINT) AS children_in_shelters,
  CAST(COALESCE(g.shelter_capacity, 0) AS BIGINT) AS shelter_capacity
FROM region r
LEFT JOIN (SELECT region_id, SUM(grams) AS grams, SUM(written_off_grams) AS written_off
           FROM {donations} x WHERE status <> 'cancelled' GROUP BY region_id) d
  ON d.region_id = r.id
LEFT JOIN (SELECT origin_region_id AS region_id, SUM(grams) AS grams FROM {shipments} x
           WHERE status IN ('dispatched', 'delivered') GROUP BY origin_region_id) o
  ON o.region_id = r.id
LEFT JOIN (SELECT destination_region_id AS region_id, SUM(grams) AS grams FROM {shipments} x
           WHERE status = 'delivered' GROUP BY destination_region_id) i ON i.region_id = r.id
LEFT JOIN (SELECT region_id, SUM(volunteer_count) AS volunteer_count,
                  SUM(collection_point_count) AS collection_point_count,
                  SUM(open_need_count) AS open_need_count,
                  SUM(outstanding_need_grams) AS outstanding_need_grams,
                  SUM(open_shelter_count) AS open_shelter_count,
                  SUM(people_in_shelters) AS people_in_shelters,
                  SUM(children_in_shelters) AS children_in_shelters,
                  SUM(shelter_capacity) AS shelter_capacity
           FROM {regions} x GROUP BY region_id) g ON g.region_id = r.id
ORDER BY r.id",
        organizations = rows_of("organization_rollup"),
        donations = rows_of("donation_rollup"),
        shipments = rows_of("shipment_rollup"),
        regions = rows_of("region_rollup"),
    )
}

/// Every region's figures, in region order, from the rollups.
pub async fn region_figures(db: &impl ConnectionTrait) -> Result<Vec<RegionFigures>, DbErr> {
    RegionFigures::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        rollup_figures_sql(),
    ))
    .all(db)
    .await
}

/// Every region's figures, in region order, aggregated from the rows themselves: what
/// [`region_figures`] must equal.
pub async fn region_figures_from_rows(
    db: &impl ConnectionTrait,
) -> Result<Vec<RegionFigures>, DbErr> {
    RegionFigures::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        FIGURES_SQL,
    ))
    .all(db)
    .await
}

/// What a donation grouping reads: the donations themselves, or a rollup of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DonationSource {
    /// Every donation row (the bare `GROUP BY`).
    Rows,
    /// `donation_rollup`: by collection point, category and status (and so region and
    /// organization), without the day.
    Rollup,
    /// `donation_day_rollup`: the same by the day received.
    DayRollup,
}

impl DonationSource {
    /// The rollup that answers these dimensions (a filter the rollups answer assumed), if any.
    pub fn for_dimensions(dimensions: &[DonationDimension]) -> Self {
        if dimensions
            .iter()
            .any(|d| matches!(d, DonationDimension::Day | DonationDimension::Week))
        {
            DonationSource::DayRollup
        } else {
            DonationSource::Rollup
        }
    }
}

/// A dimension donations can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DonationDimension {
    Region,
    Category,
    Organization,
    Day,
    Week,
    Status,
    CollectionPoint,
}

/// One group of donations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DonationGroup {
    pub region_id: Option<i32>,
    pub category: Option<birlik_entity::enums::DonationCategory>,
    pub organization_id: Option<i32>,
    /// `YYYY-MM-DD` in Kazakhstan time.
    pub day: Option<String>,
    /// The Monday of the week, `YYYY-MM-DD`, in Kazakhstan time.
    pub week: Option<String>,
    pub status: Option<birlik_entity::enums::DonationStatus>,
    pub collection_point_id: Option<i32>,
    pub count: i64,
    pub grams: i64,
}

/// The calendar day of a UTC timestamp column in Kazakhstan (UTC+5, no daylight saving), as
/// `YYYY-MM-DD`, computed the same way on both databases.
pub(crate) fn kz_day(backend: sea_orm::DbBackend, column: &str) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => {
            format!("to_char(({column} AT TIME ZONE 'UTC') + INTERVAL '5 hours', 'YYYY-MM-DD')")
        }
        _ => format!("date({column}, '+5 hours')"),
    }
}

/// The Monday that starts the week of a UTC timestamp column in Kazakhstan, as `YYYY-MM-DD`.
fn kz_week(backend: sea_orm::DbBackend, column: &str) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => {
            format!(
                "to_char(date_trunc('week', ({column} AT TIME ZONE 'UTC') + INTERVAL '5 hours'), 'YYYY-MM-DD')"
            )
        }
        // 'weekday 0' moves forward to Sunday (or stays on one); six days back is its Monday.
        _ => format!("date({column}, '+5 hours', 'weekday 0', '-6 days')"),
    }
}

/// The Monday that starts the week of a `YYYY-MM-DD` day column, as `YYYY-MM-DD` (what
/// [`kz_week`] gives for the moments of that day).
fn week_of_day(backend: sea_orm::DbBackend, column: &str) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => {
            format!("to_char(date_trunc('week', CAST({column} AS DATE)), 'YYYY-MM-DD')")
        }
        _ => format!("date({column}, 'weekday 0', '-6 days')"),
    }
}

/// Groups the donations matching `condition` by `dimensions`, in one `GROUP BY` over `source`
/// (a rollup only for conditions on the columns it keeps: `store::rollup::answers`).
pub async fn donation_groups(
    db: &impl ConnectionTrait,
    source: DonationSource,
    dimensions: &[DonationDimension],
    condition: sea_orm::Condition,
) -> Result<Vec<DonationGroup>, DbErr> {
    let (select, dims) =
        donation_groups_select(db.get_database_backend(), source, dimensions, condition);
    let rows = db.query_all(&select).await?;
    rows.iter().map(|row| donation_group(row, &dims)).collect()
}

/// The aliases a donation grouping selects, in order.
pub(crate) type Grouped = Vec<&'static str>;

/// The one `GROUP BY` statement behind [`donation_groups`] (and the streamed export of daily
/// donations, `store::export`), with the aliases of the dimensions it groups by.
pub(crate) fn donation_groups_select(
    backend: sea_orm::DbBackend,
    source: DonationSource,
    dimensions: &[DonationDimension],
    condition: sea_orm::Condition,
) -> (sea_orm::sea_query::SelectStatement, Grouped) {
    use birlik_entity::donation;
    use sea_orm::EntityName;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};

    let mut select = Query::select();
    // A rollup goes by the name `donation`, so that the condition's columns name its own.
    match source {
        DonationSource::Rows => select.from(donation::Entity.table_ref()),
        DonationSource::Rollup => select.from_subquery(
            crate::store::rollup::rows_query("donation_rollup"),
            donation::Entity,
        ),
        DonationSource::DayRollup => select.from_subquery(
            crate::store::rollup::rows_query("donation_day_rollup"),
            donation::Entity,
        ),
    };
    select.cond_where(condition);
    let received = "donation.received_at";
    let mut dims: Grouped = Vec::new();
    for d in dimensions {
        let (alias, expr) = match d {
            DonationDimension::Region => (
                "region_id",
                Expr::col((donation::Entity, donation::Column::RegionId)),
            ),
            DonationDimension::Category => (
                "category",
                Expr::col((donation::Entity, donation::Column::Category)),
            ),
            DonationDimension::Organization => (
                "organization_id",
                Expr::col((donation::Entity, donation::Column::OrganizationId)),
            ),
            DonationDimension::Day if source == DonationSource::DayRollup => {
                ("day", Expr::cust("donation.day"))
            }
            DonationDimension::Week if source == DonationSource::DayRollup => {
                ("week", Expr::cust(week_of_day(backend, "donation.day")))
            }
            DonationDimension::Day => ("day", Expr::cust(kz_day(backend, received))),
            DonationDimension::Week => ("week", Expr::cust(kz_week(backend, received))),
            DonationDimension::Status => (
                "status",
                Expr::col((donation::Entity, donation::Column::Status)),
            ),
            DonationDimension::CollectionPoint => (
                "collection_point_id",
                Expr::col((donation::Entity, donation::Column::CollectionPointId)),
            ),
        };
        if dims.contains(&alias) {
            continue;
        }
        select
            .expr_as(expr.clone(), Alias::new(alias))
            .add_group_by([expr.clone()])
            .order_by_expr(expr, Order::Asc);
        dims.push(alias);
    }
    let count = match source {
        // `*`, not the id: PostgreSQL can then count from an index alone.
        DonationSource::Rows => Expr::col(sea_orm::sea_query::Asterisk).count(),
        DonationSource::Rollup | DonationSource::DayRollup => {
            let n = Expr::col((donation::Entity, Alias::new("donation_count"))).sum();
            // A rollup row whose donations all moved on is kept at zero: no group (but one row
            // over everything, as the bare `GROUP BY` gives, when nothing is grouped).
            if !dims.is_empty() {
                select.and_having(n.clone().gt(0));
            }
            Expr::expr(n).if_null(0)
        }
    };
    select
        .expr_as(count.cast_as("BIGINT"), Alias::new("n"))
        .expr_as(
            Expr::expr(Expr::col((donation::Entity, donation::Column::Grams)).sum())
                .if_null(0)
                .cast_as("BIGINT"),
            Alias::new("grams"),
        );
    (select, dims)
}

/// One row of [`donation_groups_select`] as a [`DonationGroup`].
pub(crate) fn donation_group(
    row: &sea_orm::QueryResult,
    dims: &Grouped,
) -> Result<DonationGroup, DbErr> {
    use sea_orm::TryGetable;
    fn get<T: TryGetable>(
        row: &sea_orm::QueryResult,
        dims: &Grouped,
        alias: &str,
    ) -> Result<Option<T>, DbErr> {
        if dims.contains(&alias) {
            row.try_get::<Option<T>>("", alias)
        } else {
            Ok(None)
        }
    }
    Ok(DonationGroup {
        region_id: get(row, dims, "region_id")?,
        category: get(row, dims, "category")?,
        organization_id: get(row, dims, "organization_id")?,
        day: get(row, dims, "day")?,
        week: get(row, dims, "week")?,
        status: get(row, dims, "status")?,
        collection_point_id: get(row, dims, "collection_point_id")?,
        count: row.try_get("", "n")?,
        grams: row.try_get("", "grams")?,
    })
}

/// Shipments from one region to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromQueryResult)]
pub struct Flow {
    pub origin_region_id: i32,
    pub destination_region_id: i32,
    pub shipment_count: i64,
    pub grams: i64,
}

/// Shipments within `scope` (`store::scope::shipment`) grouped by origin and destination, with
/// the grams they carry, for the given statuses (all when empty).
pub async fn shipment_flows(
    db: &impl ConnectionTrait,
    statuses: &[birlik_entity::enums::ShipmentStatus],
    scope: sea_orm::Condition,
) -> Result<Vec<Flow>, DbErr> {
    use birlik_entity::{shipment, shipment_item};
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{
        ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    };
    let mut select = shipment::Entity::find()
        .select_only()
        .column(shipment::Column::OriginRegionId)
        .column(shipment::Column::DestinationRegionId)
        .column_as(
            Expr::col((shipment::Entity, shipment::Column::Id))
                .count_distinct()
                .cast_as("BIGINT"),
            "shipment_count",
        )
        .column_as(
            Expr::col((shipment_item::Entity, shipment_item::Column::Grams))
                .sum()
                .if_null(0)
                .cast_as("BIGINT"),
            "grams",
        )
        .join(JoinType::LeftJoin, shipment::Relation::ShipmentItem.def())
        .filter(scope);
    if !statuses.is_empty() {
        select = select.filter(shipment::Column::Status.is_in(statuses.iter().copied()));
    }
    select
        .group_by(shipment::Column::OriginRegionId)
        .group_by(shipment::Column::DestinationRegionId)
        .order_by_asc(shipment::Column::OriginRegionId)
        .order_by_asc(shipment::Column::DestinationRegionId)
        .into_model::<Flow>()
        .all(db)
        .await
}

/// A dimension tasks can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskDimension {
    Region,
    Kind,
    Status,
}

/// One group of tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskGroup {
    pub region_id: Option<i32>,
    pub kind: Option<birlik_entity::enums::TaskKind>,
    pub status: Option<birlik_entity::enums::TaskStatus>,
    pub count: i64,
    pub volunteers_needed: i64,
    pub volunteers_assigned: i64,
}

/// Groups the tasks matching `condition` by `dimensions`, in one `GROUP BY`.
pub async fn task_groups(
    db: &impl ConnectionTrait,
    dimensions: &[TaskDimension],
    condition: sea_orm::Condition,
) -> Result<Vec<TaskGroup>, DbErr> {
    use birlik_entity::task;
    use sea_orm::EntityName;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};

    let mut select = Query::select();
    select.from(task::Entity.table_ref()).cond_where(condition);
    let mut grouped: Vec<&str> = Vec::new();
    for d in dimensions {
        let (alias, column) = match d {
            TaskDimension::Region => ("region_id", task::Column::RegionId),
            TaskDimension::Kind => ("kind", task::Column::Kind),
            TaskDimension::Status => ("status", task::Column::Status),
        };
        if grouped.contains(&alias) {
            continue;
        }
        let expr = Expr::col((task::Entity, column));
        select
            .expr_as(expr.clone(), Alias::new(alias))
            .add_group_by([expr.clone()])
            .order_by_expr(expr, Order::Asc);
        grouped.push(alias);
    }
    let sum = |c: task::Column| {
        Expr::expr(Expr::col((task::Entity, c)).sum())
            .if_null(0)
            .cast_as("BIGINT")
    };
    select
        .expr_as(
            Expr::col((task::Entity, task::Column::Id))
                .count()
                .cast_as("BIGINT"),
            Alias::new("n"),
        )
        .expr_as(sum(task::Column::VolunteersNeeded), Alias::new("needed"))
        .expr_as(
            sum(task::Column::VolunteersAssigned),
            Alias::new("assigned"),
        );
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|row| {
            let has = |a: &str| grouped.contains(&a);
            Ok(TaskGroup {
                region_id: if has("region_id") {
                    row.try_get("", "region_id")?
                } else {
                    None
                },
                kind: if has("kind") {
                    row.try_get("", "kind")?
                } else {
                    None
                },
                status: if has("status") {
                    row.try_get("", "status")?
                } else {
                    None
                },
                count: row.try_get("", "n")?,
                volunteers_needed: row.try_get("", "needed")?,
                volunteers_assigned: row.try_get("", "assigned")?,
            })
        })
        .collect()
}
