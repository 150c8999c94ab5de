//! The campaign's public figures: the headline summary and each region's share. Both are built
//! from the same [`store::stats::region_figures`] rows, so they cannot disagree.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::context::Actor;
use crate::services::reads::{Reader, Reads};
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use crate::error::{ApiError, ApiResult};
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

/// Every region's figures, in region order, and the moment they were computed.
pub type Figures = (Arc<Vec<RegionFigures>>, DateTime<Utc>);

type Computing = Shared<BoxFuture<'static, Result<Figures, Arc<ApiError>>>>;

/// The figures, computed at most once per `ttl` on this instance, however many ask at once. They
/// aggregate every donation, shipment and volunteer, so the public summary and the regions
/// overview (which clients may cache for 30 s anyway) share one computation a second instead of
/// one per request; `asOf` says when it ran. A zero `ttl` computes them for every request.
#[derive(Debug)]
pub struct FiguresCache {
    ttl: Duration,
    state: Mutex<Slot>,
}

/// The figures last computed and when, and the computation running now, if any.
#[derive(Default)]
struct Slot {
    kept: Option<(Instant, Figures)>,
    running: Option<Computing>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("kept", &self.kept.as_ref().map(|(at, _)| at))
            .field("running", &self.running.is_some())
            .finish()
    }
}

impl FiguresCache {
    /// A cache keeping figures for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        FiguresCache {
            ttl,
            state: Mutex::new(Slot::default()),
        }
    }

    /// Fresh enough figures: from the cache, from a computation already running (its result is
    /// shared, success or failure, so an outage fails everyone at once), or computed now, on a
    /// replica within the lag bound when there is one (`asOf` is then what it has replayed). A
    /// caller who just wrote reads them from the primary, unshared.
    pub async fn get(&self, reads: &Reads, actor: &Actor) -> ApiResult<Figures> {
        if reads.wrote_lately(actor) {
            return Ok(figures_on(reads.clone(), reads.on_primary()).await?);
        }
        let computing = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, figures)) = &state.kept
                && at.elapsed() < self.ttl
            {
                return Ok(figures.clone());
            }
            match &state.running {
                Some(running) => running.clone(),
                None => {
                    let reads = reads.clone();
                    let running: Computing = async move {
                        let reader = reads.reader(&Actor::Anonymous);
                        figures_on(reads, reader)
                            .await
                            .map_err(|e| Arc::new(ApiError::from(e)))
                    }
                    .boxed()
                    .shared();
                    state.running = Some(running.clone());
                    running
                }
            }
        };
        let result = computing.await;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.running = None;
        match result {
            Ok(figures) => {
                if !self.ttl.is_zero() {
                    state.kept = Some((Instant::now(), figures.clone()));
                }
                Ok(figures)
            }
            Err(err) => Err(match *err {
                ApiError::Unavailable => ApiError::Unavailable,
                ref other => ApiError::Internal(anyhow::anyhow!("{other}")),
            }),
        }
    }
}

/// Every region's figures, read on `reader` (again on the primary should a replica break).
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

/// Donation groups within the caller's scope (the ministry all, an organization its own).
pub async fn donation_groups(
    rc: &crate::context::RequestCtx,
    deps: &Deps,
    dimensions: &[store::stats::DonationDimension],
    filter: sea_orm::Condition,
) -> ApiResult<Vec<store::stats::DonationGroup>> {
    let condition = store::donation::within(crate::services::access::donations(&rc.actor)?, filter);
    let condition = &condition;
    Ok(deps
        .replicable(&rc.actor, |db| async move {
            store::stats::donation_groups(&db, dimensions, condition.clone()).await
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
