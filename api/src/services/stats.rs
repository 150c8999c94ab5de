//! The campaign's public figures: the headline summary and each region's share. Both are built
//! from the same [`store::stats::region_figures`] rows, so they cannot disagree.

use std::sync::Arc;

use crate::context::Actor;
use crate::services::reads::{Reader, Reads};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::error::ApiResult;
use crate::services::Deps;
use crate::store;
use crate::store::stats::RegionFigures;

/// The contact centre that coordinates help, as the ministry publishes it.
pub const CONTACT_CENTER_PHONE: &str = "+7 708 706 4242";

/// The headline figures of the article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub collected_grams: i64,
    pub delivered_grams: i64,
    pub collection_region_count: i64,
    pub affected_region_count: i64,
    pub volunteer_count: i64,
    pub organization_count: i64,
    pub written_off_grams: i64,
    pub open_need_count: i64,
    pub outstanding_need_grams: i64,
    pub open_shelter_count: i64,
    pub people_in_shelters: i64,
    pub children_in_shelters: i64,
    pub shelter_capacity: i64,
    pub as_of: DateTime<Utc>,
}

impl Summary {
    /// Collected but neither delivered nor written off: in transit, planned, or not loaded.
    pub fn pending_grams(&self) -> i64 {
        self.collected_grams - self.delivered_grams - self.written_off_grams
    }
}

/// Every region's figures, in region order, and the moment they were read.
pub type Figures = (Arc<Vec<RegionFigures>>, DateTime<Utc>);

/// The figures, read from the rollups (a few hundred rows, exact at every commit), so no
/// instance keeps them between requests. They are read on a replica within the lag bound when
/// there is one, and `asOf` is then the moment it has replayed to; otherwise on the primary, and
/// `asOf` is the moment of the read. A caller who just wrote reads them from the primary
/// (`Reads::reader`).
pub async fn figures(reads: &Reads, actor: &Actor) -> ApiResult<Figures> {
    Ok(figures_on(reads.clone(), reads.reader(actor)).await?)
}

/// Every row where a rollup differs from the bare `GROUP BY` over its source rows (none when
/// exact), read in one transaction.
pub async fn verify_rollups(db: &DatabaseConnection) -> ApiResult<Vec<store::rollup::Difference>> {
    Ok(store::rollup::verify(db).await?)
}

/// How often the rollups' logs are folded into their tables (PostgreSQL): reads add up what a
/// second of writes appended.
pub const FOLD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Folds the rollups' logs every [`FOLD_INTERVAL`] for as long as the runtime lives (on
/// PostgreSQL; nothing to do on SQLite). Several instances may fold at once: each moves the rows
/// it deleted, the others skip them. A log that gave up [`store::rollup::VACUUM_AFTER`] rows
/// since this instance last vacuumed it is vacuumed at once, rather than in autovacuum's own
/// time: every read of its rollup scans it.
pub fn spawn_folder(db: DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(FOLD_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Log rows this instance deleted since it last vacuumed each log.
        let mut dead: std::collections::HashMap<&'static str, u64> = Default::default();
        loop {
            ticks.tick().await;
            let moved = match store::rollup::fold(&db).await {
                Ok(moved) => moved,
                Err(e) => {
                    tracing::warn!(error = %e, "folding the rollups' logs failed; next time");
                    continue;
                }
            };
            for (table, rows) in moved {
                let dead = dead.entry(table).or_default();
                *dead += rows;
                if *dead < store::rollup::VACUUM_AFTER {
                    continue;
                }
                match store::rollup::vacuum_log(&db, table).await {
                    Ok(()) => *dead = 0,
                    Err(e) => tracing::warn!(error = %e, table, "vacuuming a rollup log failed"),
                }
            }
        }
    });
}

/// Empties the rollups and fills them again from the rows.
pub async fn rebuild_rollups(db: &DatabaseConnection) -> ApiResult<()> {
    Ok(store::rollup::rebuild(db).await?)
}

/// Every region's figures, read on `reader` (again on the primary should a replica break); their
/// `asOf` is the reader's: the one place it is decided.
async fn figures_on(reads: Reads, reader: Reader) -> Result<Figures, sea_orm::DbErr> {
    let (rows, reader) = reads
        .read_on(reader, |db| async move {
            store::stats::region_figures(&db).await
        })
        .await?;
    Ok((Arc::new(rows), reader.as_of))
}

/// Adds up region rows into the summary; delivered is what regions received.
pub fn summarize(figures: &[RegionFigures], as_of: DateTime<Utc>) -> Summary {
    Summary {
        collected_grams: figures.iter().map(|f| f.collected_grams).sum(),
        delivered_grams: figures.iter().map(|f| f.received_grams).sum(),
        collection_region_count: figures
            .iter()
            .filter(|f| f.collection_point_count > 0)
            .count() as i64,
        affected_region_count: figures.iter().filter(|f| f.affected).count() as i64,
        volunteer_count: figures.iter().map(|f| f.volunteer_count).sum(),
        organization_count: figures
            .first()
            .map(|f| f.verified_organization_count)
            .unwrap_or(0),
        written_off_grams: figures.iter().map(|f| f.written_off_grams).sum(),
        open_need_count: figures.iter().map(|f| f.open_need_count).sum(),
        outstanding_need_grams: figures.iter().map(|f| f.outstanding_need_grams).sum(),
        open_shelter_count: figures.iter().map(|f| f.open_shelter_count).sum(),
        people_in_shelters: figures.iter().map(|f| f.people_in_shelters).sum(),
        children_in_shelters: figures.iter().map(|f| f.children_in_shelters).sum(),
        shelter_capacity: figures.iter().map(|f| f.shelter_capacity).sum(),
        as_of,
    }
}

/// Donation groups within the caller's scope (the ministry all, an organization its own): from
/// a rollup when one answers the filter exactly (the scope names the organization, a column the
/// rollups keep), else the bare `GROUP BY` over the donations.
pub async fn donation_groups(
    rc: &crate::context::RequestCtx,
    deps: &Deps,
    dimensions: &[store::stats::DonationDimension],
    filter: store::filter::Tree<store::donation::Where>,
) -> ApiResult<Vec<store::stats::DonationGroup>> {
    let source = if store::rollup::answers(&filter) {
        store::stats::DonationSource::for_dimensions(dimensions)
    } else {
        store::stats::DonationSource::Rows
    };
    let filter = crate::services::lists::condition(deps, filter);
    let condition = store::donation::within(crate::services::access::donations(&rc.actor)?, filter);
    let condition = &condition;
    Ok(deps
        .replicable(&rc.actor, |db| async move {
            store::stats::donation_groups(&db, source, dimensions, condition.clone()).await
        })
        .await?)
}

/// Shipment flows within the caller's scope (the ministry all, an organization those it sends
/// and those coming into a region where it runs a collection point).
pub async fn shipment_flows(
    rc: &crate::context::RequestCtx,
    deps: &Deps,
    statuses: &[birlik_entity::enums::ShipmentStatus],
) -> ApiResult<Vec<store::stats::Flow>> {
    let scope = &crate::services::access::shipments(&rc.actor)?;
    Ok(deps
        .replicable(&rc.actor, |db| async move {
            store::stats::shipment_flows(&db, statuses, scope.clone()).await
        })
        .await?)
}
