//! Producing an export: its two header rows, then one record per row as the database streams
//! them. Region names and category labels come from memory (`Deps::regions`, `labels`), masses
//! are written as the API writes them (`mass::kilograms`: exact decimals), days in Kazakhstan.

use futures_util::StreamExt;

use birlik_entity::enums::{NeedPriority, NeedStatus, ShelterStatus};

use super::sink::{Sink, Stop};
use super::{Dataset, Plan, Rows, cluster, columns, kz_day};
use crate::context::Actor;
use crate::context::Lang;
use crate::error::{ApiError, ApiResult};
use crate::labels::Label;
use crate::services::Deps;
use crate::store;

/// Writes the whole export into `sink`, then ends it (with the error, if one stopped it).
/// An export that breaks on a replica before any of it was sent is written again from the
/// primary (and the replica set aside).
pub async fn run(deps: Deps, mut plan: Plan, mut sink: Sink) {
    let mut outcome = write(&deps, &plan, &mut sink).await;
    if let Err(Stop::Failed(ApiError::Unavailable)) = &outcome
        && plan.reader.on_replica()
        && !sink.sent()
    {
        deps.reads.set_aside(&plan.reader);
        plan.reader = deps.reads.on_primary();
        sink.restart();
        outcome = write(&deps, &plan, &mut sink).await;
    }
    sink.finish(outcome).await;
}

async fn write(deps: &Deps, plan: &Plan, sink: &mut Sink) -> Result<(), Stop> {
    sink.record(columns::names(plan.dataset, plan.lang)).await?;
    sink.record(columns::tags(plan.dataset)).await?;
    match (plan.dataset, &plan.rows) {
        (Dataset::ThreeW, Rows::Within(scope)) => three_w(deps, plan, scope.clone(), sink).await,
        (Dataset::DonationsDaily, Rows::Within(scope)) => {
            donations_daily(deps, plan, scope.clone(), sink).await
        }
        (Dataset::Needs, _) => needs(deps, plan, sink).await,
        (Dataset::Regions, _) => regions(deps, plan, sink).await,
        (Dataset::Shelters, _) => shelters(deps, plan, sink).await,
        (Dataset::ThreeW | Dataset::DonationsDaily, Rows::All) => {
            Err(Stop::Failed(crate::error::ApiError::Internal(
                anyhow::anyhow!("a per-organization export was planned without its scope"),
            )))
        }
    }
}

fn kg(grams: i64) -> String {
    crate::mass::kilograms(grams).0.to_string()
}

/// A region's name in `lang` and its ISO code.
fn region(deps: &Deps, id: i32, lang: Lang) -> (String, String) {
    match deps.region(id) {
        Some(r) => {
            let name = match lang {
                Lang::Kk => &r.name_kk,
                Lang::Ru => &r.name_ru,
                Lang::En => &r.name_en,
            };
            (name.clone(), r.code.clone())
        }
        None => (String::new(), String::new()),
    }
}

async fn three_w(
    deps: &Deps,
    plan: &Plan,
    scope: sea_orm::Condition,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let mut rows = store::export::three_w(&plan.reader.db, scope, plan.narrowing).await?;
    while let Some(row) = rows.next().await {
        let row = row?;
        let (code, cluster) = cluster::of(row.category);
        let (origin, origin_code) = region(deps, row.origin_region_id, plan.lang);
        let (destination, destination_code) = region(deps, row.destination_region_id, plan.lang);
        sink.record([
            row.organization_name.as_str(),
            row.organization_kind.label(plan.lang),
            cluster.code(),
            cluster.name(plan.lang),
            code,
            row.category.label(plan.lang),
            &origin,
            &origin_code,
            &destination,
            &destination_code,
            &row.first_day,
            &row.last_day,
            &row.shipment_count.to_string(),
            &kg(row.grams),
        ])
        .await?;
    }
    Ok(())
}

fn priority(p: NeedPriority) -> &'static str {
    match p {
        NeedPriority::Urgent => "URGENT",
        NeedPriority::High => "HIGH",
        NeedPriority::Medium => "MEDIUM",
        NeedPriority::Low => "LOW",
    }
}

fn need_status(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Open => "OPEN",
        NeedStatus::Closed => "CLOSED",
        NeedStatus::Cancelled => "CANCELLED",
    }
}

async fn needs(deps: &Deps, plan: &Plan, sink: &mut Sink) -> Result<(), Stop> {
    let mut rows = store::export::need_lines(&plan.reader.db, plan.narrowing).await?;
    while let Some(row) = rows.next().await {
        let row = row?;
        let (code, cluster) = cluster::of(row.category);
        let (name, region_code) = region(deps, row.region_id, plan.lang);
        // The line's own outstanding kilograms, as `NeedLine.outstandingKilograms` gives them.
        let outstanding = crate::services::need::outstanding(
            row.status,
            row.requested_grams,
            row.allocated_grams,
        );
        sink.record([
            row.need_id.to_string().as_str(),
            &name,
            &region_code,
            &row.place,
            row.shelter_name.as_deref().unwrap_or(""),
            cluster.code(),
            code,
            row.category.label(plan.lang),
            priority(row.priority),
            &kg(row.requested_grams),
            &kg(row.allocated_grams),
            &kg(row.dispatched_grams),
            &kg(row.delivered_grams),
            &kg(outstanding),
            &row.fulfilment.to_ascii_uppercase(),
            need_status(row.status),
            &kz_day(row.needed_by),
        ])
        .await?;
    }
    Ok(())
}

/// The regions' figures as `regions { figures }` serves them (the same rollups, the same rows).
async fn region_figures(
    deps: &Deps,
    actor: &Actor,
) -> ApiResult<std::sync::Arc<Vec<store::stats::RegionFigures>>> {
    Ok(crate::services::stats::figures(&deps.reads, actor).await?.0)
}

/// What the regions' export holds, every figure of every region (never `asOf`): it changes
/// exactly when the export would.
pub async fn regions_validator(deps: &Deps, actor: &Actor) -> ApiResult<String> {
    Ok(format!("{:?}", region_figures(deps, actor).await?))
}

async fn regions(deps: &Deps, plan: &Plan, sink: &mut Sink) -> Result<(), Stop> {
    let figures = region_figures(deps, &plan.actor)
        .await
        .map_err(Stop::Failed)?;
    for f in figures
        .iter()
        .filter(|f| plan.narrowing.region_id.is_none_or(|id| id == f.region_id))
    {
        let (name, code) = region(deps, f.region_id, plan.lang);
        sink.record([
            name.as_str(),
            &code,
            if f.affected { "yes" } else { "no" },
            &kg(f.collected_grams),
            &kg(f.shipped_out_grams),
            &kg(f.received_grams),
            &kg(f.written_off_grams),
            &kg(f.outstanding_need_grams),
            &f.volunteer_count.to_string(),
            &f.collection_point_count.to_string(),
            &f.people_in_shelters.to_string(),
        ])
        .await?;
    }
    Ok(())
}

async fn donations_daily(
    deps: &Deps,
    plan: &Plan,
    scope: sea_orm::Condition,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let mut rows = store::export::donations_daily(&plan.reader.db, scope, plan.narrowing).await?;
    while let Some(row) = rows.next().await {
        let row = row?;
        let (name, region_code) = region(deps, row.region_id.unwrap_or_default(), plan.lang);
        let (code, cluster, label) = match row.category {
            Some(c) => {
                let (code, cluster) = cluster::of(c);
                (code, cluster.code(), c.label(plan.lang))
            }
            None => ("", "", ""),
        };
        sink.record([
            row.day.as_deref().unwrap_or(""),
            &name,
            &region_code,
            cluster,
            code,
            label,
            &row.count.to_string(),
            &kg(row.grams),
        ])
        .await?;
    }
    Ok(())
}

async fn shelters(deps: &Deps, plan: &Plan, sink: &mut Sink) -> Result<(), Stop> {
    let mut rows = store::export::shelters(&plan.reader.db, plan.narrowing.region_id).await?;
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    while let Some(row) = rows.next().await {
        let s = row?;
        let (name, code) = region(deps, s.region_id, plan.lang);
        sink.record([
            s.name.as_str(),
            &s.address,
            &name,
            &code,
            match s.status {
                ShelterStatus::Open => "OPEN",
                ShelterStatus::Closed => "CLOSED",
            },
            &s.capacity.to_string(),
            &number(s.people),
            &number(s.children),
            &s.counted_at.map(kz_day).unwrap_or_default(),
        ])
        .await?;
    }
    Ok(())
}
