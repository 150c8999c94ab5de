//! The campaign's figures, computed in SQL: one statement gives every region's collected,
//! shipped-out and received grams, its volunteers and collection points, and the count of
//! verified organizations. The headline summary and the regions overview both come from it.

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
}

// Correlated subqueries keep this one statement, identical on SQLite and PostgreSQL; each
// subquery runs on an index keyed by region. `CAST(.. AS BIGINT)`: PostgreSQL sums bigints into
// numeric.
const FIGURES_SQL: &str = "
SELECT r.id AS region_id, r.affected AS affected,
  CAST(COALESCE((SELECT SUM(d.grams) FROM donation d
     WHERE d.region_id = r.id AND d.status <> 'cancelled'), 0) AS BIGINT) AS collected_grams,
  CAST(COALESCE((SELECT SUM(i.grams) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id
     WHERE s.origin_region_id = r.id AND s.status IN ('dispatched', 'delivered')), 0) AS BIGINT) AS shipped_out_grams,
  CAST(COALESCE((SELECT SUM(i.grams) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id
     WHERE s.destination_region_id = r.id AND s.status = 'delivered'), 0) AS BIGINT) AS received_grams,
  CAST((SELECT COUNT(*) FROM volunteer v WHERE v.region_id = r.id) AS BIGINT) AS volunteer_count,
  CAST((SELECT COUNT(*) FROM collection_point c WHERE c.region_id = r.id) AS BIGINT) AS collection_point_count,
  CAST((SELECT COUNT(*) FROM organization o WHERE o.verified_at IS NOT NULL) AS BIGINT) AS verified_organization_count
FROM region r";

/// Figures of the given regions (all when `None`), in region order.
pub async fn region_figures(
    db: &impl ConnectionTrait,
    ids: Option<&[i32]>,
) -> Result<Vec<RegionFigures>, DbErr> {
    let filter = match ids {
        // Integers formatted by us: nothing from a client reaches the text.
        Some(ids) => format!(
            " WHERE r.id IN ({})",
            ids.iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    let sql = format!("{FIGURES_SQL}{filter} ORDER BY r.id");
    RegionFigures::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .all(db)
        .await
}
