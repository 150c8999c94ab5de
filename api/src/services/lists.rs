//! The analysts' and portals' lists of shipments, tasks, volunteers and organizations: a filter
//! from the client, ANDed with the caller's scope, read as one keyset page.

use birlik_entity::{organization, shipment, task, volunteer};
use sea_orm::{Condition, DatabaseConnection};

use crate::context::RequestCtx;
use crate::error::ApiResult;
use crate::services::access;
use crate::store;
use crate::store::page::{Ordering, Page, PageRequest};

/// A page and the condition that selects the whole list (for `totalCount`).
pub type Listed<M> = (Page<M>, Condition);

/// Shipments within the caller's scope.
pub async fn shipments(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    filter: Condition,
    ordering: &Ordering<store::shipment::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<shipment::Model>> {
    let condition = Condition::all()
        .add(access::shipments(&rc.actor)?)
        .add(filter);
    Ok((
        store::page::read::<shipment::Entity, _>(db, condition.clone(), ordering, &req).await?,
        condition,
    ))
}

/// Tasks within the caller's scope.
pub async fn tasks(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    filter: Condition,
    ordering: &Ordering<store::task::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<task::Model>> {
    let scope = access::tasks(&rc.actor)?;
    let condition = Condition::all().add(scope).add(filter);
    Ok((
        store::page::read::<task::Entity, _>(db, condition.clone(), ordering, &req).await?,
        condition,
    ))
}

/// Volunteers within the caller's scope.
pub async fn volunteers(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    filter: Condition,
    ordering: &Ordering<store::volunteer::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<volunteer::Model>> {
    let condition = Condition::all()
        .add(access::volunteers(&rc.actor)?)
        .add(filter);
    Ok((
        store::page::read::<volunteer::Entity, _>(db, condition.clone(), ordering, &req).await?,
        condition,
    ))
}

/// Organizations: public.
pub async fn organizations(
    db: &DatabaseConnection,
    filter: Condition,
    ordering: &Ordering<store::organization::SortField>,
    req: PageRequest,
) -> ApiResult<Listed<organization::Model>> {
    Ok((
        store::page::read::<organization::Entity, _>(db, filter.clone(), ordering, &req).await?,
        filter,
    ))
}

/// How many rows of `M`'s table a list's condition selects (its `totalCount`).
pub async fn count<M>(db: &DatabaseConnection, condition: Condition) -> ApiResult<i64>
where
    M: sea_orm::ModelTrait,
    <M::Entity as sea_orm::EntityTrait>::Model: Sync,
{
    Ok(store::page::count::<M::Entity>(db, condition).await?)
}

/// Task groups within the caller's scope.
pub async fn task_groups(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    dimensions: &[store::stats::TaskDimension],
    filter: Condition,
) -> ApiResult<Vec<store::stats::TaskGroup>> {
    let scope = access::tasks(&rc.actor)?;
    Ok(store::stats::task_groups(db, dimensions, Condition::all().add(scope).add(filter)).await?)
}
