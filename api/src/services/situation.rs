//! The public situation page's content: the figures `reliefSummary` and `regions` serve (from the
//! same figures cache, so the same numbers and `asOf`), what needs lack by category (as
//! `needStats(groupBy: [CATEGORY])`), and where to bring aid in each region (as
//! `region.collectionPoints`). Public: what an anonymous caller may read, nothing personal. A
//! fixed number of statements whatever the data: the figures, one `GROUP BY`, one read of the
//! points.

use birlik_entity::{collection_point, region};

use crate::context::Actor;
use crate::error::ApiResult;
use crate::services::Deps;
use crate::services::stats::{self, Summary};
use crate::store;
use crate::store::need::{NeedDimension, NeedGroup};
use crate::store::page::PageRequest;
use crate::store::stats::RegionFigures;

/// Collection points listed per region; the rest are counted (the API lists them all).
pub const POINTS_PER_REGION: u64 = 12;

/// Everything the situation page shows.
#[derive(Clone, Debug)]
pub struct Situation {
    pub summary: Summary,
    /// Every region with its figures, in reference order.
    pub regions: Vec<(region::Model, RegionFigures)>,
    /// Need lines by category (every need, as `needStats(groupBy: [CATEGORY])`), the most
    /// outstanding first.
    pub needs: Vec<NeedGroup>,
    /// Each collecting region's first points (by registration) and how many it has, in region
    /// order; regions without points are left out.
    pub points: Vec<RegionPoints>,
}

/// Where to bring aid in one region.
#[derive(Clone, Debug)]
pub struct RegionPoints {
    pub region: region::Model,
    pub points: Vec<collection_point::Model>,
    /// All the region's points (more than `points` holds when it has many).
    pub total: i64,
}

/// The page's content, as the public reads it.
#[tracing::instrument(skip_all)]
pub async fn get(deps: &Deps) -> ApiResult<Situation> {
    let (figures, as_of) = stats::figures(&deps.reads, &Actor::Anonymous).await?;
    let summary = stats::summarize(&figures, as_of);
    let regions: Vec<(region::Model, RegionFigures)> = figures
        .iter()
        .filter_map(|f| deps.region(f.region_id).map(|r| (r.clone(), *f)))
        .collect();
    // Every need is public: the rollup answers it.
    let public = &store::scope::need(&Actor::Anonymous);
    let mut needs = deps
        .replicable(&Actor::Anonymous, |db| async move {
            let source = store::need::NeedSource::Rollup;
            store::need::groups(&db, source, &[NeedDimension::Category], public.clone()).await
        })
        .await?;
    needs.sort_by(|a, b| {
        (b.outstanding_grams, b.requested_grams).cmp(&(a.outstanding_grams, a.requested_grams))
    });
    let ids: Vec<i32> = deps.regions.iter().map(|r| r.id).collect();
    let req = PageRequest {
        limit: POINTS_PER_REGION,
        after: None,
        before: None,
        from_end: false,
    };
    let rows = store::collection_point::pages_in_regions(&deps.db, &ids, &req).await?;
    let points = regions
        .iter()
        .filter(|(_, f)| f.collection_point_count > 0)
        .map(|(region, f)| RegionPoints {
            region: region.clone(),
            points: rows
                .iter()
                .filter(|p| p.region_id == region.id)
                .take(POINTS_PER_REGION as usize)
                .cloned()
                .collect(),
            total: f.collection_point_count,
        })
        .collect();
    Ok(Situation {
        summary,
        regions,
        needs,
        points,
    })
}
