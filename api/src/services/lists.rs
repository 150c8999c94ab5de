//! The analysts' and portals' lists of shipments, tasks, volunteers and organizations: a filter
//! from the client, ANDed with the caller's scope, read as one keyset page.

use birlik_entity::{organization, shipment, task, volunteer};
use sea_orm::Condition;

use crate::context::RequestCtx;
use crate::error::ApiResult;
use crate::services::Deps;
use crate::services::access;
use crate::store;
use crate::store::page::{Ordering, Page, PageRequest};

/// A page and the condition that selects the whole list (for `totalCount`).
pub type Listed<M> = (Page<M>, Condition);

/// Shipments within the caller's scope.
pub async fn shipments(
    rc: &RequestCtx,
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering<store::shipment::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<shipment::Model>> {
    let condition = store::scope::and(access::shipments(&rc.actor)?, filter);
    let (within, req) = (&condition, &req);
    let page = deps
        .list_read(&rc.actor, |db| async move {
            store::page::read::<shipment::Entity, _>(&db, within.clone(), ordering, req).await
        })
        .await?;
    Ok((page, condition))
}

/// Tasks within the caller's scope.
pub async fn tasks(
    rc: &RequestCtx,
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering<store::task::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<task::Model>> {
    let condition = store::scope::and(access::tasks(&rc.actor)?, filter);
    let (within, req) = (&condition, &req);
    let page = deps
        .list_read(&rc.actor, |db| async move {
            store::page::read::<task::Entity, _>(&db, within.clone(), ordering, req).await
        })
        .await?;
    Ok((page, condition))
}

/// Volunteers within the caller's scope.
pub async fn volunteers(
    rc: &RequestCtx,
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering<store::volunteer::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<volunteer::Model>> {
    let condition = store::scope::and(access::volunteers(&rc.actor)?, filter);
    let (within, req) = (&condition, &req);
    let page = deps
        .list_read(&rc.actor, |db| async move {
            store::page::read::<volunteer::Entity, _>(&db, within.clone(), ordering, req).await
        })
        .await?;
    Ok((page, condition))
}

/// Organizations: public.
pub async fn organizations(
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering<store::organization::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<organization::Model>> {
    let db = &deps.db;
    Ok((
        store::page::read::<organization::Entity, _>(db, filter.clone(), ordering, &req).await?,
        filter,
    ))
}

/// How many rows of `M`'s table a list's condition selects (its `totalCount`).
pub async fn count<M: store::rows::Row>(deps: &Deps, condition: Condition) -> ApiResult<i64> {
    Ok(store::page::count::<M::Table>(&deps.db, condition).await?)
}

/// Task groups within the caller's scope.
pub async fn task_groups(
    rc: &RequestCtx,
    deps: &Deps,
    dimensions: &[store::stats::TaskDimension],
    filter: Condition,
) -> ApiResult<Vec<store::stats::TaskGroup>> {
    let condition = &store::scope::and(access::tasks(&rc.actor)?, filter);
    Ok(deps
        .replicable(&rc.actor, |db| async move {
            store::stats::task_groups(&db, dimensions, condition.clone()).await
        })
        .await?)
}

/// The condition a client's filter selects, written for the database at hand: the opaque value a
/// list ANDs with the caller's scope.
pub fn condition<L: store::filter::Leaf>(deps: &Deps, tree: store::filter::Tree<L>) -> Condition {
    store::filter::condition(&deps.db, tree)
}
